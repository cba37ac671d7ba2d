/* mapo/sum.h - the CPU-bound benchmark: the notebook's sum of i*i for i < n over
 * `numbers` numbers n = base, base + 1, ..., exact, through every shared-memory model.
 *
 * The notebook's sums overflow 64 bits (each is about 4.2e19), so totals are 128-bit.
 * One kernel does the arithmetic (src/sum/kernel.c); the model files decide only who
 * adds what where, and each teaches one lesson (mapo_sum_models[].lesson). Every run is
 * verified against the closed form n(n-1)(2n-1)/6, outside the timed region.
 */
#ifndef MAPO_SUM_H
#define MAPO_SUM_H

#include <stdint.h>

#include "stats.h"

typedef unsigned __int128 mapo_u128;

/* Largest n: every term i*i (i < n) must fit 64 bits, so i < 2^32. */
#define MAPO_SUM_N_MAX (UINT64_C(1) << 32)
#define MAPO_SUM_NUMBERS_MAX 100000
#define MAPO_SUM_THREADS_MAX 1024

/* The kernel: the sum of i*i for lo <= i < hi, exact. Its domain is
 * lo <= hi <= MAPO_SUM_N_MAX (mapo_sum_job_init checks it); outside it the result is 0. */
mapo_u128 mapo_sum_squares(uint64_t lo, uint64_t hi);
/* Which copy of the kernel this process runs: "avx512", "avx2" or "sse2" on x86-64 (the
 * widest the CPU has, chosen when the program is loaded, or the one a native build was
 * compiled for), "generic" elsewhere. The JSON environment records it as sum_kernel. */
const char *mapo_sum_kernel(void);
/* One copy of the kernel by name ("sse2", "avx2", "avx512", "generic"), to test each:
 * NULL where this build has no such copy or this CPU cannot run it. */
typedef mapo_u128 (*mapo_sum_squares_fn)(uint64_t lo, uint64_t hi);
mapo_sum_squares_fn mapo_sum_kernel_copy(const char *name);
/* How long `runs` passes of the kernel over the numbers base, base + 1, ..., base +
 * numbers - 1 (n terms each) take at least on `cores` cores, in seconds: every term
 * visited at MAPO_SUM_TERMS_PER_S a core. That rate is above what any core does (the
 * AVX-512 copy does 3.5e10 a second on the project's Zen 5), so the time is a lower
 * bound. 0 for no work. */
#define MAPO_SUM_TERMS_PER_S 2e11
double mapo_sum_estimate_s(long long numbers, uint64_t base, int cores, int runs);
/* The closed form n(n-1)(2n-1)/6, exact for every n <= MAPO_SUM_N_MAX (0 beyond). */
mapo_u128 mapo_sum_formula(uint64_t n);
/* v in decimal; buf must hold 40 bytes. Returns buf. */
char *mapo_u128_format(mapo_u128 v, char *buf);

typedef enum {
  MAPO_SPLIT_NUMBERS = 0, /* whole numbers to threads: the notebook's pool.map */
  MAPO_SPLIT_RANGE = 1    /* every number's range cut into `threads` equal parts */
} mapo_split;

/* The splits' names in mapo_split order, NULL-terminated ("numbers", "range"): the
 * choices of every --split flag. */
extern const char *const mapo_sum_split_names[];
/* The split called `name`, or MAPO_EINVAL. */
int mapo_sum_split_find(const char *name);

/* One run's input and output. */
typedef struct mapo_sum_job {
  int numbers; /* n = base + 0 .. base + numbers - 1 */
  uint64_t base;
  int threads; /* asked for */
  mapo_split split;
  mapo_u128 *result; /* per number: what the model computed */
  int *cpu;          /* per thread: the CPU it last ran on (-1: unknown) */
  int threads_used;  /* what the runtime gave */
} mapo_sum_job;

/* Validates: 1 <= numbers <= MAPO_SUM_NUMBERS_MAX, base + numbers - 1 <= MAPO_SUM_N_MAX,
 * 1 <= threads <= MAPO_SUM_THREADS_MAX. MAPO_EINVAL otherwise, -ENOMEM. */
int mapo_sum_job_init(mapo_sum_job *job, int numbers, uint64_t base, int threads, mapo_split split);
void mapo_sum_job_free(mapo_sum_job *job);

/* The work as pieces: the terms lo <= i < hi of number `number`. Split by numbers,
 * piece p is number p, whole; split by range, piece p is part p % threads of number
 * p / threads. A model that deals pieces round robin (schedule(static, 1)) gives
 * thread t part t of every number. */
typedef struct mapo_sum_piece {
  int number;
  uint64_t lo, hi;
} mapo_sum_piece;
int mapo_sum_pieces(const mapo_sum_job *job);
mapo_sum_piece mapo_sum_piece_at(const mapo_sum_job *job, int p);

/* The work of rank `rank` of `size` (mapo-mpi sum), as pieces of its own. The ranks
 * split the job as its split says: by numbers, rank r takes the numbers r, r + size,
 * r + 2 size, ... whole (dealt round robin); by range, part r of every number's range
 * cut into `size` equal parts. The rank's job->threads threads cut each number of its
 * share again into equal parts: share piece p is part p % threads of the share's number
 * p / threads. Over the ranks, the share pieces cover every number's [0, n) once.
 * mapo_sum_share_pieces returns how many pieces rank has, or MAPO_EINVAL for a rank
 * outside [0, size). */
int mapo_sum_share_pieces(const mapo_sum_job *job, int rank, int size);
mapo_sum_piece mapo_sum_share_piece_at(const mapo_sum_job *job, int rank, int size, int p);

/* A 128-bit total as it travels where no 128-bit type exists (MPI has none): two
 * 64-bit words, low first, whatever the machine's own layout. */
typedef struct mapo_u128_words {
  uint64_t lo, hi;
} mapo_u128_words;
mapo_u128_words mapo_u128_pack(mapo_u128 v);
mapo_u128 mapo_u128_unpack(mapo_u128_words w);
/* inout[i] += in[i] for n totals stored as mapo_u128_words, the carry included: the
 * combining function of a reduction over ranks (mapo-mpi wraps it in an MPI_Op). The
 * buffers are the transport's and need not be aligned for __int128. */
void mapo_sum_combine(const void *in, void *inout, int n);

/* 0 when every number's result equals the formula; MAPO_EVERIFY and the first wrong
 * number's index in *bad otherwise. */
int mapo_sum_verify(const mapo_sum_job *job, int *bad);
/* The sum of every number's result: the run's checksum. */
mapo_u128 mapo_sum_checksum(const mapo_sum_job *job);

typedef int (*mapo_sum_fn)(mapo_sum_job *job);

typedef struct mapo_sum_model {
  const char *name;
  mapo_sum_fn run;
  int threaded;       /* 0: serial, whatever the threads asked for */
  const char *lesson; /* one sentence: what the model shows */
} mapo_sum_model;

int mapo_sum_serial(mapo_sum_job *job);
int mapo_sum_critical(mapo_sum_job *job);
int mapo_sum_atomic(mapo_sum_job *job);
int mapo_sum_false_sharing(mapo_sum_job *job);
int mapo_sum_padded(mapo_sum_job *job);
int mapo_sum_reduction(mapo_sum_job *job);

/* In the order a class meets them; NULL-name terminated. */
extern const mapo_sum_model mapo_sum_models[];
const mapo_sum_model *mapo_sum_model_find(const char *name);
/* The models' names in the table's order, NULL-terminated: the choices of --model. */
const char *const *mapo_sum_model_names(void);

/* How this build does `omp atomic` on a 128-bit total (the atomic model's lesson):
 * "a global lock in libgomp (GOMP_atomic_start)", "a compare-and-swap loop on 16
 * bytes (lock cmpxchg16b)" or "a lock in libatomic". */
const char *mapo_sum_atomic_how(void);
/* How this build carries model m out, where that is the lesson (the atomic model's
 * hidden lock): a line for the report. NULL for the others. */
const char *mapo_sum_model_how(const mapo_sum_model *m);
/* _OPENMP of the compiler that built the models (e.g. 201511), and the number of
 * processors OpenMP sees. */
int mapo_sum_openmp_version(void);
int mapo_sum_processors(void);

/* Time a model through the benchmark harness (mapo/bench.h): one warm-up run, then
 * `repeat` timed runs on the monotonic clock, each verified after its clock stopped.
 * seconds[] gets each run's time (repeat values); *spread (may be NULL) their median,
 * min and max. Returns 0, MAPO_EVERIFY (the first wrong number in *bad, which may be
 * NULL; every run still happened), or another negative code. */
int mapo_sum_time(const mapo_sum_model *m, mapo_sum_job *job, int repeat, double *seconds,
                  mapo_spread *spread, int *bad);

#endif
