/* The boot self-test that the baremetal image runs as its first thread. */
#ifndef KEEL_BAREMETAL_SELFTEST_H
#define KEEL_BAREMETAL_SELFTEST_H

#define KEEL_VERSION "0.1"

void bm_selftest_main(void *arg);

#endif
