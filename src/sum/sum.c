/* sum.c - what every sum model shares: the job and its pieces (and a rank's share of
 * them, for mapo-mpi), verification against the closed form, the 128-bit combine of a
 * reduction over ranks, the list of models, and their timing through the benchmark
 * harness (a warm-up, then timed runs, each verified after its clock stopped).
 *
 * What to notice: every way the work is cut (by thread, by rank, by rank and then by
 * thread) is one function here, part_of(); the model files and mpi/sum.c only deal the
 * pieces it makes. */
#define _GNU_SOURCE
#include <errno.h>
#include <omp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "internal.h"
#include "mapo/bench.h"
#include "mapo/error.h"

int mapo_sum_job_init(mapo_sum_job *job, int numbers, uint64_t base, int threads,
                      mapo_split split) {
  if (job == NULL) return MAPO_EINVAL;
  memset(job, 0, sizeof *job);
  if (numbers < 1 || numbers > MAPO_SUM_NUMBERS_MAX || threads < 1 ||
      threads > MAPO_SUM_THREADS_MAX ||
      (split != MAPO_SPLIT_NUMBERS && split != MAPO_SPLIT_RANGE) || base > MAPO_SUM_N_MAX ||
      MAPO_SUM_N_MAX - base < (uint64_t)(numbers - 1))
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

const char *const mapo_sum_split_names[] = {"numbers", "range", NULL};

int mapo_sum_split_find(const char *name) {
  for (int i = 0; name != NULL && mapo_sum_split_names[i] != NULL; i++)
    if (strcmp(mapo_sum_split_names[i], name) == 0) return i;
  return MAPO_EINVAL;
}

/* Part `part` of `parts` of number's terms [lo, hi): [lo + len*part/parts,
 * lo + len*(part+1)/parts), in 128 bits so that len*part cannot overflow. */
static mapo_sum_piece part_of(int number, uint64_t lo, uint64_t hi, int part, int parts) {
  const mapo_u128 len = hi - lo;
  return (mapo_sum_piece){number, lo + (uint64_t)(len * (uint64_t)part / (uint64_t)parts),
                          lo + (uint64_t)(len * (uint64_t)(part + 1) / (uint64_t)parts)};
}

int mapo_sum_pieces(const mapo_sum_job *job) {
  return job->split == MAPO_SPLIT_RANGE ? job->numbers * job->threads : job->numbers;
}

mapo_sum_piece mapo_sum_piece_at(const mapo_sum_job *job, int p) {
  if (job->split == MAPO_SPLIT_NUMBERS) return (mapo_sum_piece){p, 0, job->base + (uint64_t)p};
  const int number = p / job->threads;
  return part_of(number, 0, job->base + (uint64_t)number, p % job->threads, job->threads);
}

/* How many numbers rank has a share of: every one when the ranks cut the ranges; when
 * they deal whole numbers, those k with k % size == rank. */
static int share_numbers(const mapo_sum_job *job, int rank, int size) {
  if (job->split == MAPO_SPLIT_RANGE) return job->numbers;
  return rank < job->numbers ? (job->numbers - rank + size - 1) / size : 0;
}

int mapo_sum_share_pieces(const mapo_sum_job *job, int rank, int size) {
  if (job == NULL || size < 1 || rank < 0 || rank >= size) return MAPO_EINVAL;
  return share_numbers(job, rank, size) * job->threads;
}

mapo_sum_piece mapo_sum_share_piece_at(const mapo_sum_job *job, int rank, int size, int p) {
  const int i = p / job->threads, part = p % job->threads;
  if (job->split == MAPO_SPLIT_NUMBERS) {
    const int number = rank + i * size;
    return part_of(number, 0, job->base + (uint64_t)number, part, job->threads);
  }
  const mapo_sum_piece mine = part_of(i, 0, job->base + (uint64_t)i, rank, size);
  return part_of(i, mine.lo, mine.hi, part, job->threads);
}

mapo_u128_words mapo_u128_pack(mapo_u128 v) {
  return (mapo_u128_words){(uint64_t)v, (uint64_t)(v >> 64)};
}

mapo_u128 mapo_u128_unpack(mapo_u128_words w) { return ((mapo_u128)w.hi << 64) | w.lo; }

void mapo_sum_combine(const void *in, void *inout, int n) {
  /* Each total is copied out as two words, never cast to __int128: the transport's
   * buffers may be aligned to 8 bytes only. */
  for (int i = 0; i < n; i++) {
    mapo_u128_words a, b;
    memcpy(&a, (const char *)in + (size_t)i * sizeof a, sizeof a);
    memcpy(&b, (char *)inout + (size_t)i * sizeof b, sizeof b);
    b = mapo_u128_pack(mapo_u128_unpack(a) + mapo_u128_unpack(b));
    memcpy((char *)inout + (size_t)i * sizeof b, &b, sizeof b);
  }
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
     "queue for the lock, which should cost more than the threads gain. C has no GIL, but "
     "this lock is one the program took itself."},
    {"atomic", mapo_sum_atomic, 1,
     "Every term is added with omp atomic, but no instruction adds 128 bits atomically: "
     "the update is a hidden lock (see 'atomic' below), as slow as critical."},
    {"false-sharing", mapo_sum_false_sharing, 1,
     "Each thread adds into a total of its own, but the totals sit side by side in one "
     "cache line, which the cores pass back and forth on every write."},
    {"padded", mapo_sum_padded, 1,
     "The same totals of their own, each on its own cache line: nothing is shared, so "
     "nothing holds the threads back."},
    {"reduction", mapo_sum_reduction, 1,
     "Each thread sums into private totals and OpenMP combines them once at the end: C "
     "has no GIL, so nothing stops threads from speeding up this CPU-bound work."},
    {NULL, NULL, 0, NULL},
};

const mapo_sum_model *mapo_sum_model_find(const char *name) {
  for (const mapo_sum_model *m = mapo_sum_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

const char *const *mapo_sum_model_names(void) {
  /* Sized by the table itself (its terminator included), so a model added there is
   * offered by --model with nothing else to change. */
  enum { SIZE = sizeof mapo_sum_models / sizeof *mapo_sum_models };
  static const char *names[SIZE];
  for (int i = 0; i < SIZE; i++) names[i] = mapo_sum_models[i].name;
  return names;
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

const char *mapo_sum_model_how(const mapo_sum_model *m) {
  return m != NULL && m->run == mapo_sum_atomic ? mapo_sum_atomic_how() : NULL;
}

int mapo_sum_openmp_version(void) { return _OPENMP; }

int mapo_sum_processors(void) { return omp_get_num_procs(); }

/* mapo_sum_time through the harness: what one run needs. */
typedef struct timed {
  const mapo_sum_model *m;
  mapo_sum_job *job;
  int *bad;  /* the first wrong number, of the first run that had one */
  int wrong; /* a run has not verified */
} timed;

static int timed_prepare(void *user) {
  mapo_sum_job *job = ((timed *)user)->job;
  memset(job->result, 0, (size_t)job->numbers * sizeof *job->result);
  for (int t = 0; t < job->threads; t++) job->cpu[t] = -1;
  job->threads_used = 1;
  return 0;
}

static int timed_run(void *user, double *seconds) {
  (void)seconds; /* the harness's wall time around the model is the figure */
  const timed *t = user;
  return t->m->run(t->job);
}

static int timed_verify(void *user, int index) {
  (void)index;
  timed *t = user;
  /* A serial model has no team to check in: it ran where the caller runs. */
  if (!t->m->threaded) t->job->cpu[0] = sched_getcpu();
  if (t->wrong) return MAPO_EVERIFY; /* the first wrong number stays the one reported */
  t->wrong = mapo_sum_verify(t->job, t->bad) < 0;
  return t->wrong ? MAPO_EVERIFY : 0;
}

int mapo_sum_time(const mapo_sum_model *m, mapo_sum_job *job, int repeat, double *seconds,
                  mapo_spread *spread, int *bad) {
  if (m == NULL || job == NULL || job->result == NULL || repeat < 1 || seconds == NULL)
    return MAPO_EINVAL;
  /* A team of threads: proved possible first (see mapo__threads_probe). */
  if (m->threaded && job->threads > 1) {
    int rc = mapo__threads_probe(job->threads - 1);
    if (rc < 0) return rc;
  }
  timed t = {m, job, bad, 0};
  const mapo_bench b = {.warmup = 1,
                        .repeat = repeat,
                        .user = &t,
                        .prepare = timed_prepare,
                        .run = timed_run,
                        .verify = timed_verify};
  return mapo_bench_run(&b, seconds, spread);
}
