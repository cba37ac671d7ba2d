/* sum.c - the notebook's sums on MPI ranks: the kernel of `mapo sum` plus one collective.
 *
 * Run:    mpirun -q -n 2 mapo-mpi sum [--base 50000000] [--split range] [--threads 2]
 * Notice: the notebook's process pool, done the HPC way. Each rank sums its share (whole
 *         numbers dealt round robin, or a part of every number's range) with the same
 *         kernel as `mapo sum`, then one MPI_Reduce adds the 128-bit totals on rank 0.
 *         MPI has no 128-bit integer, so a total travels as two 64-bit words (an
 *         MPI_Type_contiguous of two MPI_UINT64_T) and a user-defined MPI_Op adds them
 *         with the carry. Timing: a barrier before the clock, the slowest rank's time
 *         after. `--threads` makes it hybrid (MPI + OpenMP, MPI_THREAD_FUNNELED): mind
 *         that `mpirun -n 2` binds each rank to one core, so its threads share it unless
 *         launched with `--bind-to none` or `--map-by slot:PE=N`; the report warns.
 */
#define _GNU_SOURCE
#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { REPEAT_MAX = 1000, THREADS_MAX = 64 };

/* A 128-bit total as it travels: two words, low first, whatever the machine's layout. */
typedef struct words {
  uint64_t lo, hi;
} words;

static words pack(mapo_u128 v) { return (words){(uint64_t)v, (uint64_t)(v >> 64)}; }
static mapo_u128 unpack(words w) { return ((mapo_u128)w.hi << 64) | w.lo; }

/* The MPI_Op: inout[i] += in[i] for len totals. The buffers are MPI's and need not be
 * 16-byte aligned, so each total is copied out as two words, never cast to __int128. */
static void add_totals(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  for (int i = 0; i < *len; i++) {
    words a, b;
    memcpy(&a, (char *)in + (size_t)i * sizeof a, sizeof a);
    memcpy(&b, (char *)inout + (size_t)i * sizeof b, sizeof b);
    b = pack(unpack(a) + unpack(b));
    memcpy((char *)inout + (size_t)i * sizeof b, &b, sizeof b);
  }
}

#pragma omp declare reduction(u128_sum : mapo_u128 : omp_out += omp_in) initializer(omp_priv = 0)

/* This rank's share of number k: [lo, hi). */
static void share(uint64_t n, int k, int rank, int size, int by_range, uint64_t *lo, uint64_t *hi) {
  if (by_range) {
    *lo = (uint64_t)((mapo_u128)n * (uint64_t)rank / (uint64_t)size);
    *hi = (uint64_t)((mapo_u128)n * (uint64_t)(rank + 1) / (uint64_t)size);
  } else {
    *lo = 0;
    *hi = k % size == rank ? n : 0;
  }
}

/* One rank's work: its share of every number, cut again among its threads. */
static void compute(mapo_u128 *result, int numbers, uint64_t base, int rank, int size,
                    int by_range, int threads, int *cpu) {
  for (int k = 0; k < numbers; k++) result[k] = 0;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), team = omp_get_num_threads();
    cpu[t] = sched_getcpu();
#pragma omp for schedule(static) reduction(u128_sum : result[:numbers])
    for (int p = 0; p < numbers * team; p++) {
      const int k = p / team, part = p % team;
      uint64_t lo, hi;
      share(base + (uint64_t)k, k, rank, size, by_range, &lo, &hi);
      const uint64_t a = lo + (uint64_t)((mapo_u128)(hi - lo) * (uint64_t)part / (uint64_t)team);
      const uint64_t b = lo + (uint64_t)((mapo_u128)(hi - lo) * (uint64_t)(part + 1) / (uint64_t)team);
      result[k] += mapo_sum_squares(a, b);
    }
  }
}

int mapo__mpi_sum(int argc, char **argv) {
  static const char *const splits[] = {"numbers", "range", NULL};
  const char *split = "numbers";
  int numbers = 20, threads = 1, repeat = 5, json = 0;
  uint64_t base = 5000000;
  const cli_opt opts[] = {
      {"numbers", CLI_INT, &numbers, 1, MAPO_SUM_NUMBERS_MAX, NULL, "N", "how many numbers (default 20)"},
      {"base", CLI_U64, &base, 0, (double)MAPO_SUM_N_MAX, NULL, "B", "the first n (default 5000000)"},
      {"split", CLI_CHOICE, &split, 0, 0, splits, "S",
       "whole numbers to ranks round robin, or every number's range cut evenly"},
      {"threads", CLI_INT, &threads, 1, THREADS_MAX, NULL, "T", "OpenMP threads per rank (default 1)"},
      {"repeat", CLI_INT, &repeat, 1, REPEAT_MAX, NULL, "R", "timed runs after one warm-up (default 5)"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object (rank 0) and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {"sum", "[--numbers N] [--base B] [--split S] [--threads T] [--repeat R] [--json]",
                       "The notebook's CPU-bound sums on MPI ranks: each rank sums its share with\n"
                       "the kernel of mapo sum, one MPI_Reduce adds the exact 128-bit totals on\n"
                       "rank 0, which verifies them against n(n-1)(2n-1)/6 (exit 1 if one is wrong).",
                       opts, 0, 0};
  const char *pos[1];
  int npos, rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (MAPO_SUM_N_MAX - base < (uint64_t)(numbers - 1))
    return mapo__mpi_fail(2, "sum", "--base with --numbers goes past n = 2^32");
  const int rank = mapo__mpi_rank(), size = mapo__mpi_size(), by_range = strcmp(split, "range") == 0;

  MPI_Datatype total_type;
  MPI_Op add;
  MPI_Type_contiguous(2, MPI_UINT64_T, &total_type);
  MPI_Type_commit(&total_type);
  MPI_Op_create(add_totals, 1, &add);
  mapo_u128 *mine = calloc((size_t)numbers, sizeof *mine);
  words *out = calloc((size_t)numbers, sizeof *out), *in = calloc((size_t)numbers, sizeof *in);
  if (mapo__mpi_agree(!mine || !out || !in) != 0) {
    free(mine), free(out), free(in);
    return mapo__mpi_fail(1, "sum", "out of memory");
  }
  int cpu[THREADS_MAX];
  double seconds[REPEAT_MAX], t1 = NAN;
  for (int r = -1; r < repeat; r++) { /* r == -1: the warm-up */
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    compute(mine, numbers, base, rank, size, by_range, threads, cpu);
    for (int k = 0; k < numbers; k++) in[k] = pack(mine[k]);
    MPI_Reduce(in, out, numbers, total_type, add, 0, MPI_COMM_WORLD);
    double mine_s = MPI_Wtime() - t0, slowest = 0;
    MPI_Reduce(&mine_s, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (r >= 0) seconds[r] = slowest;
  }
  /* Rank 0: verify, and time the whole problem on one thread for the efficiency. */
  int bad = -1;
  mapo_u128 checksum = 0;
  if (rank == 0) {
    for (int k = 0; k < numbers; k++) {
      const mapo_u128 v = unpack(out[k]);
      checksum += v;
      if (v != mapo_sum_formula(base + (uint64_t)k) && bad < 0) bad = k;
    }
    int cpu1[THREADS_MAX];
    const double t0 = MPI_Wtime();
    compute(mine, numbers, base, 0, 1, 0, 1, cpu1);
    t1 = MPI_Wtime() - t0;
  }
  /* Where every rank and thread ran. */
  int *cpus = rank == 0 ? malloc((size_t)size * THREADS_MAX * sizeof *cpus) : NULL;
  cpu_set_t set;
  int allowed = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1, *allowed_all = NULL;
  if (rank == 0) allowed_all = malloc((size_t)size * sizeof *allowed_all);
  MPI_Gather(cpu, THREADS_MAX, MPI_INT, cpus, THREADS_MAX, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Gather(&allowed, 1, MPI_INT, allowed_all, 1, MPI_INT, 0, MPI_COMM_WORLD);

  int status = 0;
  if (rank == 0) {
    mapo_spread s;
    mapo_spread_of(seconds, repeat, &s);
    const double efficiency = t1 / (s.median * size * threads);
    char warning[256] = "";
    for (int q = 0; q < size && !*warning; q++)
      if (threads > 1 && allowed_all[q] >= 0 && allowed_all[q] < threads)
        snprintf(warning, sizeof warning, "rank %d may use %d core%s for %d threads: its threads "
                 "share %s (mpirun binds a rank to one core: launch with --bind-to none or "
                 "--map-by slot:PE=%d)", q, allowed_all[q], allowed_all[q] == 1 ? "" : "s",
                 threads, allowed_all[q] == 1 ? "it" : "them", threads);
    char sum_text[40];
    mapo_u128_format(checksum, sum_text);
    if (json) {
      printf("{\"model\":\"mpi\",\"ranks\":%d,\"threads\":%d,\"numbers\":%d,\"base\":%llu,"
             "\"split\":\"%s\",\"repeat\":%d", size, threads, numbers, (unsigned long long)base, split, repeat);
      mapo_json_member(stdout, "seconds_median", s.median);
      mapo_json_member(stdout, "seconds_min", s.min);
      mapo_json_member(stdout, "seconds_max", s.max);
      mapo_json_member(stdout, "seconds_one_thread", t1);
      mapo_json_member(stdout, "speedup", t1 / s.median);
      mapo_json_member(stdout, "efficiency", efficiency);
      printf(",\"verified\":%s,\"checksum\":\"%s\",\"placement\":[", bad < 0 ? "true" : "false", sum_text);
      for (int q = 0; q < size; q++) {
        printf("%s{\"rank\":%d,\"allowed_cpus\":%d,\"cpus\":[", q ? "," : "", q, allowed_all[q]);
        for (int t = 0; t < threads; t++) printf("%s%d", t ? "," : "", cpus[q * THREADS_MAX + t]);
        fputs("]}", stdout);
      }
      fputs("],\"warnings\":[", stdout);
      if (*warning) mapo_json_string(stdout, warning);
      fputs("],\"environment\":", stdout);
      mapo_report_environment_json(stdout);
      fputs("}\n", stdout);
    } else {
      printf("\nmapo-mpi sum: the sum of i*i for i < n, n = %llu .. %llu, %d rank%s x %d thread%s, "
             "split by %s\n\n", (unsigned long long)base, (unsigned long long)(base + (uint64_t)numbers - 1),
             size, size == 1 ? "" : "s", threads, threads == 1 ? "" : "s", split);
      printf("  seconds     median %.6f   min %.6f   max %.6f   (%d runs after a warm-up; the slowest rank)\n",
             s.median, s.min, s.max, repeat);
      printf("  one thread  %.6f s on rank 0 alone: speedup %.2f, efficiency %.2f\n", t1, t1 / s.median, efficiency);
      printf("  verified    %s\n", bad < 0 ? "every number equals n(n-1)(2n-1)/6" : "NO");
      printf("  checksum    %s\n  placement  ", sum_text);
      for (int q = 0; q < size; q++) {
        printf(" rank %d on CPU%s", q, threads > 1 ? "s" : "");
        for (int t = 0; t < threads; t++) printf("%s%d", t ? "," : " ", cpus[q * THREADS_MAX + t]);
        printf("%s", q + 1 < size ? ";" : "\n");
      }
      if (*warning) printf("  warning     %s\n", warning);
      printf("\n  Every rank has its own memory: nothing is shared, so nothing races; the one\n"
             "  exchange is the reduction of %d totals at the end.\n", numbers);
    }
    if (*warning && !json) fflush(stdout);
    if (bad >= 0) {
      fprintf(stderr, "mapo-mpi sum: n = %llu did not verify\n", (unsigned long long)(base + (uint64_t)bad));
      status = 1;
    }
  }
  free(cpus), free(allowed_all), free(mine), free(out), free(in);
  MPI_Op_free(&add);
  MPI_Type_free(&total_type);
  return mapo__mpi_agree(status);
}
