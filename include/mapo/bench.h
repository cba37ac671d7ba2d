/* mapo/bench.h - the one benchmark harness: how every lesson makes a measurement.
 *
 * The method is STREAM's and IMB's: warm-up runs first, not timed (first touches,
 * thread creation, connection set-up); then `repeat` timed runs on the monotonic
 * clock; every run is verified after its clock stopped, so checking costs nothing in
 * the figure; the median, best and worst are reported (mapo/stats.h). In MPI, a
 * barrier starts every run and each run's time is the maximum over the ranks: the
 * `start` and `combine` hooks, which mapo-mpi fills and the OpenMP lessons leave NULL.
 */
#ifndef MAPO_BENCH_H
#define MAPO_BENCH_H

#include "stats.h"

typedef struct mapo_bench {
  int warmup; /* untimed runs first, 0 or more (usually 1) */
  int repeat; /* timed runs, 1 or more: `seconds` has room for this many */
  void *user;
  /* Before each run, outside the clock: reset the job. Optional. */
  int (*prepare)(void *user);
  /* The work. *seconds arrives negative; a run that times a narrower interval itself
   * (after its connections are open, from the moment every cook is in) stores it
   * there, otherwise the harness keeps its own wall time around the call. */
  int (*run)(void *user, double *seconds);
  /* After each run, outside the clock (`index` < 0 for warm-ups): check the result.
   * MAPO_EVERIFY is remembered and the runs go on; any other negative code stops them.
   * Optional. */
  int (*verify)(void *user, int index);
  /* MPI: before the clock starts (a barrier), and each run's seconds once it stopped
   * (replaced by the maximum over the ranks). Optional. */
  int (*start)(void *user);
  int (*combine)(void *user, double *seconds);
} mapo_bench;

/* Run b: seconds[0..repeat-1] receive the timed runs, *spread (may be NULL) their
 * median, best and worst. Returns 0; MAPO_EVERIFY when any run did not verify (every
 * run still happened); or the first other negative code a hook returned (the runs
 * stop there). MAPO_EINVAL for a bench without `run` or a repeat below 1. */
int mapo_bench_run(const mapo_bench *b, double *seconds, mapo_spread *spread);

#endif
