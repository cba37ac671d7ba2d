/* strangle.c - workers that work with their hands: phases of work, each ended by a
 * barrier that every worker must reach before any starts the next phase.
 *
 * Run:    mapo load --part strangle
 * Notice: the two barriers differ in one thing, what a worker that is done does while
 *         it waits. The spinning one keeps asking an atomic (its hands busy, its core
 *         held); the blocking one sleeps in the kernel. With no more workers than cores
 *         both are fast: every worker has a core, and spinning answers soonest. With 4x
 *         the cores, a spinner whose core is shared holds it for the rest of its time
 *         slice (milliseconds) while the worker everyone waits for, which still has
 *         work, waits for that core: each phase costs whole time slices. That is what
 *         "too much load will strangle your system" looks like. The blocking barrier
 *         hands the core over at once.
 */
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "mapo/error.h"
#include "mapo/load.h"

/* A sense-reversing barrier on C11 atomics: the last to arrive opens the next
 * generation; the others spin until they see it (no yield, no sleep). */
typedef struct spin_barrier {
  alignas(64) atomic_int arrived;
  alignas(64) atomic_int generation;
} spin_barrier;

static void spin_wait(spin_barrier *b, int count) {
  const int gen = atomic_load_explicit(&b->generation, memory_order_acquire);
  if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == count - 1) {
    /* Reset before opening: nobody arrives at the next generation before seeing it. */
    atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&b->generation, gen + 1, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&b->generation, memory_order_acquire) == gen) {
    /* hands busy: the core stays ours until the scheduler takes it */
  }
}

/* Each worker's total on a cache line of its own. */
typedef struct total {
  alignas(64) uint64_t sum;
} total;

uint64_t mapo_load_phases_expected(const mapo_load_phases *job) {
  return mapo_load_items(0, (uint64_t)job->phases * (uint64_t)job->items);
}

static void work(const mapo_load_phases *job, spin_barrier *spin, pthread_barrier_t *block,
                 total *totals) {
  const int me = omp_get_thread_num(), n = omp_get_num_threads();
  uint64_t sum = 0;
  for (int p = 0; p < job->phases; p++) {
    const uint64_t first = (uint64_t)p * (uint64_t)job->items;
    sum += mapo_load_items(first + (uint64_t)(job->items * me / n),
                           first + (uint64_t)(job->items * (me + 1) / n));
    if (job->wait == MAPO_LOAD_SPIN)
      spin_wait(spin, n);
    else
      pthread_barrier_wait(block);
  }
  totals[me].sum = sum;
}

int mapo_load_phases_run(mapo_load_phases *job) {
  if (job == NULL || job->workers < 1 || job->workers > MAPO_LOAD_WORKERS_MAX || job->phases < 1 ||
      job->items < 1 || job->items > MAPO_LOAD_ITEMS_MAX)
    return MAPO_EINVAL;
  total *totals = aligned_alloc(64, (size_t)job->workers * sizeof *totals);
  if (totals == NULL) return -ENOMEM;
  spin_barrier spin = {0, 0};
  pthread_barrier_t block;
  int team = 0, rc = 0;
  omp_set_dynamic(0);
#pragma omp parallel num_threads(job->workers)
  {
#pragma omp single
    {
      /* The POSIX barrier needs the team's size before anyone waits on it: the single's
       * own barrier holds the others until it is made. */
      team = omp_get_num_threads();
      if (job->wait == MAPO_LOAD_BLOCK) rc = -pthread_barrier_init(&block, NULL, (unsigned)team);
    }
    if (rc == 0) work(job, &spin, &block, totals);
  }
  if (rc == 0 && job->wait == MAPO_LOAD_BLOCK) pthread_barrier_destroy(&block);
  job->team = team;
  job->sum = 0;
  for (int t = 0; rc == 0 && t < team; t++) job->sum += totals[t].sum;
  free(totals);
  if (rc != 0) return rc;
  return team < job->workers ? MAPO_ETHREADS : 0;
}
