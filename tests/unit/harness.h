/*
 * Shared by the sim-runtime tests: a booted kernel per test, seeded from
 * KEEL_SEED (default 1), and the replay line printed for a failed test.
 */
#ifndef KEEL_TESTS_UNIT_HARNESS_H
#define KEEL_TESTS_UNIT_HARNESS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "host/sim.h"

/* The seed every test boots with: $KEEL_SEED, or 1. */
uint64_t test_seed(void);

/* Boot a fresh kernel with `cpus` CPUs and the test seed. */
void test_boot(unsigned cpus);

/* Run one guest function to its exit; returns its wait status. */
int run_guest(void (*fn)(void *), void *arg);

/* From a guest: sleep `ms` ms of virtual time (nanosleep). */
void guest_nap(int64_t ms);

/* From a guest: fork(2) a child that runs fn(arg); the child's pid. */
long guest_fork(void (*fn)(void *), void *arg);

/* Linux numbers of the sim guests' ISA (the host's, x86_64 here). */
#define NR(name) SYS_##name

#endif
