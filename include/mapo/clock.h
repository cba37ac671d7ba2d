/* mapo/clock.h - the one clock every lesson measures with.
 *
 * Wall time is CLOCK_MONOTONIC (STREAM and IMB time with a monotonic wall clock; a
 * CPU-time clock over-counts with threads). CPU time is asked for apart, to show what
 * waiting costs. Sleeps are only as precise as the thread's timer slack: the default
 * lets the kernel wake a sleeper up to 50 us late, so every thread that sleeps to a
 * deadline asks for 1 ns first.
 */
#ifndef MAPO_CLOCK_H
#define MAPO_CLOCK_H

#include <stdint.h>

/* Nanoseconds on the monotonic clock. */
int64_t mapo_now_ns(void);

/* Seconds on the monotonic clock. */
double mapo_now_s(void);

/* User plus system CPU time of the whole process (every thread), in nanoseconds. */
int64_t mapo_cpu_ns(void);

/* Ask for 1 ns of timer slack for the calling thread (once per thread; threads start
 * with their creator's slack). Returns 0, or -errno where the kernel refuses. */
int mapo_clock_tighten(void);

#endif
