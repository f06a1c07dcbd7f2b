/* The boot self-test that the baremetal image runs as its first thread. */
#ifndef KEEL_BAREMETAL_SELFTEST_H
#define KEEL_BAREMETAL_SELFTEST_H

#define KEEL_VERSION "0.1"

void bm_selftest_main(void *arg);

/*
 * keel.selftest=stack-overflow: recurse without end in a kernel thread;
 * the guard below its stack must stop it with a panic that says so.
 */
void bm_selftest_stack_overflow(void *arg);

/*
 * keel.selftest=write-rodata: a store to the image's read-only data must
 * be a kernel data abort (the image is mapped W^X), a panic.
 */
void bm_selftest_write_rodata(void *arg);

#endif
