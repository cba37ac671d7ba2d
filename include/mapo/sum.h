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
/* The closed form n(n-1)(2n-1)/6, exact for every n <= MAPO_SUM_N_MAX (0 beyond). */
mapo_u128 mapo_sum_formula(uint64_t n);
/* v in decimal; buf must hold 40 bytes. Returns buf. */
char *mapo_u128_format(mapo_u128 v, char *buf);

typedef enum {
  MAPO_SPLIT_NUMBERS = 0, /* whole numbers to threads: the notebook's pool.map */
  MAPO_SPLIT_RANGE = 1    /* every number's range cut into `threads` equal parts */
} mapo_split;

/* One run's input and output. */
typedef struct mapo_sum_job {
  int numbers;     /* n = base + 0 .. base + numbers - 1 */
  uint64_t base;
  int threads;     /* asked for */
  mapo_split split;
  mapo_u128 *result; /* per number: what the model computed */
  int *cpu;          /* per thread: the CPU it last ran on (-1: unknown) */
  int threads_used;  /* what the runtime gave */
} mapo_sum_job;

/* Validates: 1 <= numbers <= MAPO_SUM_NUMBERS_MAX, base + numbers - 1 <= MAPO_SUM_N_MAX,
 * 1 <= threads <= MAPO_SUM_THREADS_MAX. MAPO_EINVAL otherwise, -ENOMEM. */
int mapo_sum_job_init(mapo_sum_job *job, int numbers, uint64_t base, int threads,
                      mapo_split split);
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

/* How this build does `omp atomic` on a 128-bit total (the atomic model's lesson):
 * "a global lock in libgomp (GOMP_atomic_start)", "a compare-and-swap loop on 16
 * bytes (lock cmpxchg16b)" or "a lock in libatomic". */
const char *mapo_sum_atomic_how(void);
/* _OPENMP of the compiler that built the models (e.g. 201511), and the number of
 * processors OpenMP sees. */
int mapo_sum_openmp_version(void);
int mapo_sum_processors(void);

/* Time a model: one warm-up run, then `repeat` timed runs on the monotonic clock, each
 * verified after its clock stopped. seconds[] gets each run's time (repeat values);
 * *spread their median, min and max. Returns 0, MAPO_EVERIFY (bad number in
 * *bad, the run is still timed), or another negative code. */
int mapo_sum_time(const mapo_sum_model *m, mapo_sum_job *job, int repeat, double *seconds,
                  mapo_spread *spread, int *bad);

#endif
