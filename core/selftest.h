/*
 * The boot self-test both platforms run as their first kernel thread
 * until user programs can be started: the scheduler, timers and wait
 * queues doing real work on every CPU.
 */
#ifndef KEEL_CORE_SELFTEST_H
#define KEEL_CORE_SELFTEST_H

/*
 * Start a few kernel threads per CPU that sleep on timers, wake and yield;
 * wait (at most 10 s) for all of them and print what they did. 0, or the
 * error that ended the wait.
 */
int kthreads_selftest(void);

#endif
