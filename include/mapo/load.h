/* mapo/load.h - the notebook's "too much load will strangle your system", measured: three
 * parts of one lesson, each a file of src/load/.
 *
 *   strangle  (strangle.c) workers that work with their hands: phases of work separated
 *             by a barrier, at 1x, 2x and 4x the processors. Waiting at a spinning
 *             barrier burns the time slices of the worker everyone waits for; waiting at
 *             a blocking one gives them back.
 *   grain     (grain.c) the same work cut into tasks of 1 item to all of them: tasks too
 *             small for their cost, and too few to keep the threads busy.
 *   handoff   (handoff.c) the price of processes: data handed to another process through
 *             a pipe (the notebook's pickling, without the encoding) against a thread
 *             that reads it in place.
 *
 * The work is the same everywhere (work.c): items, each a pure function of its index,
 * summed modulo 2^64, so that every run verifies against the sum worked out once.
 * Nothing here prints: the timings go to src/report/load.c through mapo/report_load.h.
 */
#ifndef MAPO_LOAD_H
#define MAPO_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define MAPO_LOAD_WORKERS_MAX 4096
#define MAPO_LOAD_ITEMS_MAX (1L << 30)

/* The processors this process may run on: its affinity mask (what taskset, Slurm or a
 * container allow), else the online processors. */
int mapo_load_processors(void);

/* ---- the work (work.c) ----------------------------------------------------------- */

/* One item of work: a chain of multiplications no compiler folds away (about 20 ns). */
uint64_t mapo_load_item(uint64_t i);
/* The items lo .. hi-1 summed modulo 2^64, one after another. */
uint64_t mapo_load_items(uint64_t lo, uint64_t hi);

/* ---- strangle (strangle.c) ------------------------------------------------------- */

typedef enum {
  MAPO_LOAD_SPIN, /* waiters spin on an atomic: hands busy, the core held */
  MAPO_LOAD_BLOCK /* waiters sleep in the kernel (a POSIX barrier): the core given back */
} mapo_load_wait;

typedef struct mapo_load_phases {
  int workers;         /* threads in the team */
  int phases;          /* rounds of work, a barrier after each */
  long items;          /* items per phase, split evenly among the workers */
  mapo_load_wait wait; /* how a worker that is done waits for the others */
  uint64_t sum;        /* out: the sum of every item of every phase */
  int team;            /* out: the threads the runtime gave */
} mapo_load_phases;

/* Run the phases once. Returns 0, MAPO_EINVAL, MAPO_ETHREADS when the team was smaller
 * than asked (the sum is still right), -errno when a barrier could not be made. */
int mapo_load_phases_run(mapo_load_phases *job);
/* The sum a right run gives: every item of every phase. */
uint64_t mapo_load_phases_expected(const mapo_load_phases *job);

/* ---- grain (grain.c) ------------------------------------------------------------- */

typedef struct mapo_load_grain {
  int threads; /* the team */
  long items;  /* the whole work */
  long grain;  /* items per task (the last task may hold fewer) */
  uint64_t sum;
  int team;
} mapo_load_grain;

/* One thread makes a task of every `grain` items; the team runs them. Returns as
 * mapo_load_phases_run does. */
int mapo_load_grain_run(mapo_load_grain *job);

/* ---- handoff (handoff.c) --------------------------------------------------------- */

typedef struct mapo_load_handoff {
  const uint64_t *data; /* the data to hand over */
  size_t words;
  uint64_t *spare; /* `words` of room: the receiving process's copy */
  int child;       /* internal: the process waiting for the data (-1: none) */
  int to_child, from_child;
  uint64_t sum; /* out: the words summed modulo 2^64 by whoever received them */
} mapo_load_handoff;

/* Every handoff starts here: no process, no pipes. */
void mapo_load_handoff_init(mapo_load_handoff *h, const uint64_t *data, size_t words,
                            uint64_t *spare);
/* Sum the data on a new thread that reads it in place. 0, MAPO_ETHREADS. */
int mapo_load_handoff_thread(mapo_load_handoff *h);
/* Start the process that will receive the data (outside the clock: a pool's processes
 * are started once). 0 or -errno. */
int mapo_load_handoff_fork(mapo_load_handoff *h);
/* Write the data down a pipe to that process, which copies it into its own memory, sums
 * it and writes the sum back; the process is then waited for. 0 or -errno. */
int mapo_load_handoff_process(mapo_load_handoff *h);
/* Stop and wait for a started process that was never handed its data (after a failure). */
void mapo_load_handoff_cancel(mapo_load_handoff *h);

/* ---- timing, on the one harness (work.c) ----------------------------------------- */

/* One timed run of each through mapo_bench_run (warmup untimed runs first), verified
 * after the clock against the expected sum (worked out once by the caller: it costs as much
 * as a run on one thread): *seconds the wall time, *cpu_seconds the CPU
 * time of the whole process over the same run (may be NULL). Returns 0, MAPO_EVERIFY or
 * the run's code. */
int mapo_load_time_phases(mapo_load_phases *job, uint64_t expected, int warmup, double *seconds,
                          double *cpu_seconds);
int mapo_load_time_grain(mapo_load_grain *job, uint64_t expected, int warmup, double *seconds);
int mapo_load_time_handoff(mapo_load_handoff *h, int process, uint64_t expected, int warmup,
                           double *seconds);

#endif
