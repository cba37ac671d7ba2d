/* sum.c - what every sum model shares: the job and its pieces, verification against
 * the closed form, the list of models, and the timing harness (a warm-up, then timed
 * runs on the monotonic clock, each verified after its clock stopped). */
#define _GNU_SOURCE
#include <errno.h>
#include <omp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

int mapo_sum_job_init(mapo_sum_job *job, int numbers, uint64_t base, int threads,
                      mapo_split split) {
  if (job == NULL) return MAPO_EINVAL;
  memset(job, 0, sizeof *job);
  if (numbers < 1 || numbers > MAPO_SUM_NUMBERS_MAX || threads < 1 ||
      threads > MAPO_SUM_THREADS_MAX || (split != MAPO_SPLIT_NUMBERS && split != MAPO_SPLIT_RANGE) ||
      base > MAPO_SUM_N_MAX || MAPO_SUM_N_MAX - base < (uint64_t)(numbers - 1))
    return MAPO_EINVAL;
  job->numbers = numbers;
  job->base = base;
  job->threads = threads;
  job->split = split;
  job->result = calloc((size_t)numbers, sizeof *job->result);
  job->cpu = malloc((size_t)threads * sizeof *job->cpu);
  if (job->result == NULL || job->cpu == NULL) {
    mapo_sum_job_free(job);
    return -ENOMEM;
  }
  return 0;
}

void mapo_sum_job_free(mapo_sum_job *job) {
  if (job == NULL) return;
  free(job->result);
  free(job->cpu);
  memset(job, 0, sizeof *job);
}

int mapo_sum_pieces(const mapo_sum_job *job) {
  return job->split == MAPO_SPLIT_RANGE ? job->numbers * job->threads : job->numbers;
}

mapo_sum_piece mapo_sum_piece_at(const mapo_sum_job *job, int p) {
  if (job->split == MAPO_SPLIT_NUMBERS) return (mapo_sum_piece){p, 0, job->base + (uint64_t)p};
  const int number = p / job->threads, part = p % job->threads;
  const uint64_t n = job->base + (uint64_t)number, parts = (uint64_t)job->threads;
  /* Part k of [0, n): [n*k/parts, n*(k+1)/parts), in 128 bits so n*k cannot overflow. */
  return (mapo_sum_piece){number, (uint64_t)((mapo_u128)n * (uint64_t)part / parts),
                          (uint64_t)((mapo_u128)n * (uint64_t)(part + 1) / parts)};
}

int mapo_sum_verify(const mapo_sum_job *job, int *bad) {
  for (int k = 0; k < job->numbers; k++)
    if (job->result[k] != mapo_sum_formula(job->base + (uint64_t)k)) {
      if (bad != NULL) *bad = k;
      return MAPO_EVERIFY;
    }
  return 0;
}

mapo_u128 mapo_sum_checksum(const mapo_sum_job *job) {
  mapo_u128 total = 0;
  for (int k = 0; k < job->numbers; k++) total += job->result[k];
  return total;
}

void mapo__sum_checkin(mapo_sum_job *job) {
  const int t = omp_get_thread_num();
  if (t == 0) job->threads_used = omp_get_num_threads();
  if (t < job->threads) job->cpu[t] = sched_getcpu();
}

const mapo_sum_model mapo_sum_models[] = {
    {"serial", mapo_sum_serial, 0,
     "One thread does all the work: the baseline every other model is measured against."},
    {"critical", mapo_sum_critical, 1,
     "Every term is added to the shared total inside one critical section: the threads "
     "queue for the lock and the run is slower than serial. C has no GIL, but this lock "
     "is one the program took itself."},
    {"atomic", mapo_sum_atomic, 1,
     "Every term is added with omp atomic, but no instruction adds 128 bits atomically: "
     "the update is a hidden lock (see 'atomic' below), as slow as critical."},
    {"false-sharing", mapo_sum_false_sharing, 1,
     "Each thread adds into a total of its own, but the totals sit side by side in one "
     "cache line, which the cores pass back and forth on every write."},
    {"padded", mapo_sum_padded, 1,
     "The same totals of their own, each on its own cache line: nothing is shared and "
     "the threads run at full speed."},
    {"reduction", mapo_sum_reduction, 1,
     "Each thread sums into private totals and OpenMP combines them once at the end: C "
     "has no GIL, so threads do speed up this CPU-bound work."},
    {NULL, NULL, 0, NULL},
};

const mapo_sum_model *mapo_sum_model_find(const char *name) {
  for (const mapo_sum_model *m = mapo_sum_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

const char *mapo_sum_atomic_how(void) {
#if defined(__clang__) && defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_16)
  return "a compare-and-swap loop on 16 bytes (lock cmpxchg16b): lock-free, but every "
         "thread retries while the others win the cache line";
#elif defined(__clang__)
  return "a call into libatomic, which guards 16-byte updates with a lock";
#else
  return "a global lock in libgomp (GOMP_atomic_start/GOMP_atomic_end) around every update";
#endif
}

int mapo_sum_openmp_version(void) { return _OPENMP; }

int mapo_sum_processors(void) { return omp_get_num_procs(); }

int mapo_sum_time(const mapo_sum_model *m, mapo_sum_job *job, int repeat, double *seconds,
                  mapo_spread *spread, int *bad) {
  if (m == NULL || job == NULL || job->result == NULL || repeat < 1 || seconds == NULL)
    return MAPO_EINVAL;
  int rc = 0;
  for (int r = -1; r < repeat; r++) { /* r == -1: the warm-up, not timed */
    memset(job->result, 0, (size_t)job->numbers * sizeof *job->result);
    for (int t = 0; t < job->threads; t++) job->cpu[t] = -1;
    job->threads_used = 1;
    const double t0 = mapo_now_s();
    int run = m->run(job);
    const double t1 = mapo_now_s();
    if (!m->threaded) job->cpu[0] = sched_getcpu();
    if (run < 0) return run;
    if (r >= 0) seconds[r] = t1 - t0;
    if (rc == 0 && mapo_sum_verify(job, bad) < 0) rc = MAPO_EVERIFY;
  }
  if (spread != NULL) mapo_spread_of(seconds, repeat, spread);
  return rc;
}
