/* sum.c - the notebook's sums on MPI ranks: the kernel of `mapo sum` plus one collective.
 *
 * Run:    mpirun -n 2 mapo-mpi sum [--base 50000000] [--split range] [--threads 2] [--wide]
 * Notice: the notebook's process pool, done the HPC way. Each rank takes its share of
 *         the job as the library cuts it (mapo_sum_share_pieces: whole numbers dealt
 *         round robin, or a part of every number's range), sums it with the same kernel
 *         as `mapo sum`, and one MPI_Reduce adds the 128-bit totals on rank 0, which
 *         verifies them as `mapo sum` does (mapo_sum_verify). MPI has no 128-bit
 *         integer, so a total travels as two 64-bit words (an MPI_Type_contiguous of two
 *         MPI_UINT64_T) and a user-defined MPI_Op adds them with the carry: the
 *         library's mapo_sum_combine. Timing is the harness's (mapo/bench.h) with the
 *         MPI hooks of bench.c: a barrier before the clock, the slowest rank's time
 *         after. The baseline of the verdict, the whole job on one thread of rank 0, is
 *         timed the same way (a warm-up and the same runs: a median with its range),
 *         and one rank of one thread claims no speedup. `--threads` makes it hybrid (MPI + OpenMP,
 * MPI_THREAD_FUNNELED, asked for only then: main.c): mind that `mpirun -n 2` binds each rank to one
 * core, so its threads share it unless launched with `--bind-to none` or `--map-by slot:PE=N`; the
 * report warns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "outputs.h"

enum { REPEAT_MAX = 1000, THREADS_MAX = 64 };

typedef struct sum_args {
  const char *split;
  int numbers, threads, repeat, json, wide;
  uint64_t base;
} sum_args;

/* One rank's part of the benchmark: its job, the totals as they travel, the reduction. */
typedef struct ranked {
  mapo_sum_job job; /* this rank's totals; on rank 0 after a run, the job's totals */
  int rank, size;
  mapo_u128_words *send, *recv;
  MPI_Datatype words;
  MPI_Op add;
  int bad, wrong; /* rank 0: the first wrong number, and whether a run had one */
} ranked;

/* Where every rank ran, gathered on rank 0 for the report. */
typedef struct where {
  int *cpus;    /* [rank][thread] */
  int *allowed; /* [rank]: how many CPUs the rank may run on */
  mapo_sum_placement *ranks;
  mapo__mpi_place place; /* every rank's host and node (place.c) */
} where;

/* The flags into a, on every rank; returns -1 to go on, or the agreed exit status. */
static int parse(int argc, char **argv, sum_args *a) {
  const cli_opt opts[] = {
      {"numbers", CLI_INT, &a->numbers, 1, MAPO_SUM_NUMBERS_MAX, NULL, "N",
       "how many numbers (default 20)"},
      {"base", CLI_U64, &a->base, 0, (double)MAPO_SUM_N_MAX, NULL, "B",
       "the first n (default 5000000)"},
      {"split", CLI_CHOICE, &a->split, 0, 0, mapo_sum_split_names, "S",
       "whole numbers, or each one's range cut"},
      {"threads", CLI_INT, &a->threads, 1, THREADS_MAX, NULL, "T",
       "OpenMP threads per rank (default 1)"},
      {"repeat", CLI_INT, &a->repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs after one warm-up (default 5)"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object, nothing else"},
      {"wide", CLI_FLAG, &a->wide, 0, 0, NULL, NULL, "do not fold sentences to 80 columns"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "sum",
      "[--numbers N] [--base B] [--split S] [--threads T]\n"
      "       [--repeat R] [--json] [--wide]",
      "The notebook's CPU-bound sums on MPI ranks: each rank sums its share with\n"
      "the kernel of mapo sum, one MPI_Reduce adds the exact 128-bit totals on\n"
      "rank 0, which verifies them against n(n-1)(2n-1)/6 (exit 1 if one is wrong).\n"
      "The baseline, the whole job on one thread of rank 0, is timed the same way\n"
      "(a warm-up, then R runs) while the other ranks wait without spinning.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc >= 0) return rc;
  if (MAPO_SUM_N_MAX - a->base < (uint64_t)(a->numbers - 1))
    return mapo__mpi_fail(2, "sum", "--base with --numbers goes past n = 2^32");
  /* MPI was started with threads from this rank's own --threads (main.c); rank 0's is
   * the job's, and may differ (MPMD): then threads would run where MPI forbids them. */
  int level = MPI_THREAD_SINGLE;
  MPI_Query_thread(&level);
  const int bad = a->threads > 1 && level < MPI_THREAD_FUNNELED;
  if (bad)
    mapo__mpi_fail(2, "sum",
                   "--threads %d from rank 0, but this rank started MPI without threads "
                   "(give every rank the same --threads)",
                   a->threads);
  return mapo__mpi_agree(bad ? 2 : 0) != 0 ? 2 : -1;
}

/* -------------------------------------------------------------------------- the run */

#pragma omp declare reduction(u128_sum:mapo_u128 : omp_out += omp_in) initializer(omp_priv = 0)

/* The local kernel: this rank's share, its pieces dealt to its threads, as the reduction
 * model of `mapo sum` deals the whole job's. */
static void local_sum(mapo_sum_job *job, int rank, int size) {
  const int pieces = mapo_sum_share_pieces(job, rank, size), numbers = job->numbers;
  mapo_u128 *result = job->result;
#pragma omp parallel num_threads(job->threads)
  {
    const int t = omp_get_thread_num();
    if (t < job->threads) job->cpu[t] = sched_getcpu();
#pragma omp for schedule(static) reduction(u128_sum : result[:numbers])
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_share_piece_at(job, rank, size, p);
      result[w.number] += mapo_sum_squares(w.lo, w.hi);
    }
  }
}

/* The MPI_Op: the library's 128-bit combine, in MPI's signature. */
static void add_totals(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  mapo_sum_combine(in, inout, *len);
}

static int ranked_prepare(void *user) {
  mapo_sum_job *job = &((ranked *)user)->job;
  memset(job->result, 0, (size_t)job->numbers * sizeof *job->result);
  for (int t = 0; t < job->threads; t++) job->cpu[t] = -1;
  return 0;
}

/* The timed work: the local kernel and the one collective. */
static int ranked_run(void *user, double *seconds) {
  (void)seconds; /* the harness's time around the call is the figure */
  ranked *x = user;
  local_sum(&x->job, x->rank, x->size);
  for (int k = 0; k < x->job.numbers; k++) x->send[k] = mapo_u128_pack(x->job.result[k]);
  return MPI_Reduce(x->send, x->recv, x->job.numbers, x->words, x->add, 0, MPI_COMM_WORLD) ==
                 MPI_SUCCESS
             ? 0
             : MAPO_EINVAL;
}

/* Rank 0, outside the clock: the reduced totals become the job's, checked by the
 * library against the closed form. */
static int ranked_verify(void *user, int index) {
  (void)index;
  ranked *x = user;
  if (x->rank != 0) return 0;
  for (int k = 0; k < x->job.numbers; k++) x->job.result[k] = mapo_u128_unpack(x->recv[k]);
  if (x->wrong) return MAPO_EVERIFY; /* the first wrong number stays the one reported */
  x->wrong = mapo_sum_verify(&x->job, &x->bad) < 0;
  return x->wrong ? MAPO_EVERIFY : 0;
}

static int ranked_init(ranked *x, const sum_args *a) {
  memset(x, 0, sizeof *x);
  x->rank = mapo__mpi_rank();
  x->size = mapo__mpi_size();
  x->bad = -1;
  MPI_Type_contiguous(2, MPI_UINT64_T, &x->words);
  MPI_Type_commit(&x->words);
  MPI_Op_create(add_totals, 1, &x->add);
  int rc = mapo_sum_job_init(&x->job, a->numbers, a->base, a->threads,
                             (mapo_split)mapo_sum_split_find(a->split));
  x->send = calloc((size_t)a->numbers, sizeof *x->send);
  x->recv = calloc((size_t)a->numbers, sizeof *x->recv);
  return rc < 0 ? rc : x->send == NULL || x->recv == NULL ? -ENOMEM : 0;
}

static void ranked_free(ranked *x) {
  mapo_sum_job_free(&x->job);
  free(x->send);
  free(x->recv);
  MPI_Op_free(&x->add);
  MPI_Type_free(&x->words);
}

/* The baseline of the verdict: the whole job on one thread of rank 0 alone, timed by
 * the same harness with the library's serial model, as the ranks were: a warm-up, then
 * `repeat` runs, their median and range (one run alone once made 1 rank read "speedup
 * 1.72"). A median of NAN when it could not run. The other ranks wait for it without
 * spinning, so that on a small machine they leave rank 0 its core. */
static mapo_spread one_thread(const sum_args *a, int rank) {
  mapo_spread s = {NAN, NAN, NAN, 0};
  double seconds[REPEAT_MAX];
  mapo_sum_job alone;
  if (rank == 0 && mapo_sum_job_init(&alone, a->numbers, a->base, 1, MAPO_SPLIT_NUMBERS) == 0) {
    if (mapo_sum_time(mapo_sum_model_find("serial"), &alone, a->repeat, seconds, &s, NULL) < 0)
      s = (mapo_spread){NAN, NAN, NAN, 0};
    mapo_sum_job_free(&alone);
  }
  MPI_Request req;
  MPI_Ibarrier(MPI_COMM_WORLD, &req);
  mapo__mpi_wait_idle(&req);
  return s;
}

/* ------------------------------------------------------------------- the placement */

static int where_alloc(where *w, int rank, int size, int threads) {
  memset(w, 0, sizeof *w);
  if (rank != 0) return 0;
  w->cpus = malloc((size_t)size * (size_t)threads * sizeof *w->cpus);
  w->allowed = malloc((size_t)size * sizeof *w->allowed);
  w->ranks = calloc((size_t)size, sizeof *w->ranks);
  return w->cpus && w->allowed && w->ranks ? 0 : -ENOMEM;
}

static void where_free(where *w) {
  free(w->cpus);
  free(w->allowed);
  free(w->ranks);
  mapo__mpi_place_free(&w->place);
}

/* Every rank's CPUs and allowed CPU count onto rank 0, and every rank's host (place.c).
 * Returns 0, or 1 out of memory (agreed, told). */
static int where_gather(where *w, const mapo_sum_job *job, int size) {
  cpu_set_t set;
  int allowed = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
  MPI_Gather(job->cpu, job->threads, MPI_INT, w->cpus, job->threads, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Gather(&allowed, 1, MPI_INT, w->allowed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (mapo__mpi_place_init(&w->place) != 0) return 1;
  /* Only rank 0 holds the arrays (where_alloc): the others stop here. */
  for (int q = 0; w->ranks != NULL && q < size; q++)
    w->ranks[q] = (mapo_sum_placement){w->place.host[q], w->allowed[q],
                                       w->cpus + (ptrdiff_t)q * job->threads};
  return 0;
}

/* The first rank whose threads must share cores, in words ("" when none). */
static void placement_warning(const where *w, int size, int threads, char *out, size_t len) {
  out[0] = '\0';
  for (int q = 0; q < size && threads > 1; q++)
    if (w->allowed[q] >= 0 && w->allowed[q] < threads) {
      snprintf(out, len,
               "rank %d may use %d core%s for %d threads: its threads share %s "
               "(mpirun binds a rank to one core: launch with --bind-to none or "
               "--map-by slot:PE=%d)",
               q, w->allowed[q], w->allowed[q] == 1 ? "" : "s", threads,
               w->allowed[q] == 1 ? "it" : "them", threads);
      return;
    }
}

/* ---------------------------------------------------------------------- the report */

/* Rank 0: the shared report of a sum on stdout; returns the exit status. */
static int report(const sum_args *a, const ranked *x, const where *w, const double *seconds,
                  const mapo_spread *spread, const mapo_spread *t1) {
  char warning[256];
  placement_warning(w, x->size, a->threads, warning, sizeof warning);
  const mapo_sum_mpi mpi = {
      .ranks = x->size, .placement = w->ranks, .one_thread = *t1, .columns = cli_columns(a->wide)};
  mapo_sum_result r = {.model = "mpi",
                       .numbers = a->numbers,
                       .base = a->base,
                       .split = a->split,
                       .threads = a->threads,
                       .threads_used = -1,
                       .repeat = a->repeat,
                       .seconds = seconds,
                       .spread = *spread,
                       .verified = !x->wrong,
                       .openmp = _OPENMP,
                       .warning = warning,
                       .mpi = &mpi};
  mapo_u128_format(mapo_sum_checksum(&x->job), r.checksum);
  if (x->wrong) {
    r.bad_n = a->base + (uint64_t)x->bad;
    mapo_u128_format(x->job.result[x->bad], r.got);
    mapo_u128_format(mapo_sum_formula(r.bad_n), r.want);
  }
  /* The JSON's placement (src/report/sum.c) names every rank's host already. */
  if (a->json)
    mapo_report_sum_json(stdout, &r);
  else if (mapo_report_sum_text(stdout, &r) == 0)
    mapo__mpi_place_text(stdout, &w->place, a->threads, mpi.columns);
  fflush(stdout); /* before the line on stderr, for a reader of both */
  if (!x->wrong) return 0;
  fprintf(stderr, "mapo-mpi sum: n = %llu did not verify\n", (unsigned long long)r.bad_n);
  return 1;
}

int mapo__mpi_sum(int argc, char **argv) {
  sum_args a = {.split = "numbers", .numbers = 20, .threads = 1, .repeat = 5, .base = 5000000};
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  ranked x;
  where w = {0};
  rc = ranked_init(&x, &a);
  if (rc == 0) rc = where_alloc(&w, x.rank, x.size, a.threads);
  if (mapo__mpi_agree(rc < 0) != 0) {
    where_free(&w), ranked_free(&x);
    return mapo__mpi_fail(1, "sum", "out of memory");
  }
  double seconds[REPEAT_MAX];
  mapo_spread spread;
  const mapo_bench b = {.warmup = 1,
                        .repeat = a.repeat,
                        .user = &x,
                        .prepare = ranked_prepare,
                        .run = ranked_run,
                        .verify = ranked_verify,
                        .start = mapo__mpi_bench_start,
                        .combine = mapo__mpi_bench_combine};
  rc = mapo_bench_run(&b, seconds, &spread);
  const mapo_spread t1 = one_thread(&a, x.rank);
  if (where_gather(&w, &x.job, x.size) != 0) {
    where_free(&w), ranked_free(&x);
    return 1;
  }
  int status = rc < 0 && rc != MAPO_EVERIFY ? mapo__mpi_fail(1, "sum", "%s", mapo_strerror(rc))
               : x.rank == 0                ? report(&a, &x, &w, seconds, &spread, &t1)
                                            : 0;
  where_free(&w);
  ranked_free(&x);
  return mapo__mpi_agree(status);
}
