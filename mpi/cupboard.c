/* cupboard.c - `mapo-mpi cupboard`: a cupboard per rank, then one knife for all.
 *
 *   mpirun -n 2 mapo-mpi cupboard [--mode own|token|onesided|all] [--trials K] [--json]
 *                                 [--wide]
 *
 * First the notebook's version (own): every rank has its own cupboard, its own list
 * ["knife", "spoon", "fork"]; every cook takes the knife, cuts, puts it back, and nobody
 * ever fails, because nothing is shared: each process cuts with its own copy of the knife.
 * Then one real knife shared by all ranks, done right, two ways:
 *
 *   token     the knife is a message: whoever holds it cuts, then sends it to the next
 *             rank round a ring. There is one message, so there is one holder.
 *   onesided  the knife is a flag in a window on rank 0. Taking it is an atomic
 *             MPI_Compare_and_swap 1 -> 0 on that window inside a passive-target epoch
 *             (MPI_Win_lock_all, MPI_Win_flush), retried until it succeeds; returning it
 *             is an atomic MPI_Accumulate(MPI_REPLACE) of 1. Rank 0 does nothing for it.
 *
 * Every holder notes when it took and when it returned the knife (CLOCK_MONOTONIC); rank
 * 0 gathers the notes and counts the holdings that overlapped another: that is the
 * check, and it needs one node, where all ranks read one clock (on several nodes it is
 * skipped and the report says so; the token is also counted as it goes round). The
 * cost of one take-and-return is the median time between one take and the next, with
 * every rank wanting the knife all the time, against the same for an OpenMP lock
 * (omp_set_lock/omp_unset_lock) between 2 threads of rank 0 in shared memory.
 *
 * What to notice: own never fails and shares nothing; the token and the window share
 * the knife correctly, at the price of a message or a remote atomic per take, which is
 * more than a lock in shared memory costs. The times include two clock reads per take
 * (tens of nanoseconds); with more ranks than processors they are mostly waiting.
 *
 * Then the shared methods again between two ranks only, as pingpong pairs them (place.c):
 * rank 0 with the first other rank on its node, and with the first rank on another node,
 * each where one exists. On one node a take is a trip through shared memory; across
 * nodes it crosses the network, and the report says how many times dearer that is (or
 * that every rank shares one node, so there is no such pair).
 *
 * Each method runs once: its figure is read from the holders' notes (the median time
 * from one take to the next), not from the wall time of whole runs, so the benchmark
 * harness (mapo/bench.h), which times whole runs, has nothing to time here. The report
 * is src/report/race.c's (mapo/report_race.h), beside the race lab's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "outputs.h"

enum { TRIALS_MAX = 100000, TAG_KNIFE = 11, TAG_DONE = 12, OMP_THREADS = 2, NO_WINDOW = -1 };
#define NO_WINDOW_KNIFE                                                                       \
  "not run: this MPI made no window across these nodes (Open MPI over TCP: mpirun --mca osc " \
  "pt2pt)"

typedef struct {
  double start, end; /* when the knife was taken and returned, seconds */
} holding;

/* Cutting: a little work done while holding the knife, so that it is held at all. */
static volatile unsigned long cuts;
static void cut(void) { cuts++; }

/* More ranks on this node than processors: waiting ranks must not spin, or the rank
 * that holds the knife may not get a core to give it back with. */
static int crowded;

static int recv_knife(int *knife, int from, MPI_Comm comm) {
  if (crowded) return mapo__mpi_recv_idle(knife, 1, MPI_INT, from, TAG_KNIFE, comm, NULL);
  return MPI_Recv(knife, 1, MPI_INT, from, TAG_KNIFE, comm, MPI_STATUS_IGNORE);
}

/* The notebook's version: this rank's own cupboard, a list of three utensils. Taking
 * the knife removes it from the list (failing if it is not there), returning appends it. */
static int own_cupboard(MPI_Comm comm, int trials, holding *h) {
  (void)comm; /* nothing is shared */
  const char *cupboard[3] = {"knife", "spoon", "fork"};
  int n = 3, failures = 0;
  for (int k = 0; k < trials; k++) {
    int i = 0;
    while (i < n && strcmp(cupboard[i], "knife") != 0) i++;
    h[k].start = mapo_now_s();
    if (i == n) {
      failures++; /* never: nobody else can reach this cupboard */
      h[k].end = mapo_now_s();
      continue;
    }
    const char *knife = cupboard[i];
    memmove(&cupboard[i], &cupboard[i + 1], (size_t)(n - i - 1) * sizeof cupboard[0]);
    n--;
    cut();
    h[k].end = mapo_now_s();
    cupboard[n++] = knife;
  }
  return failures;
}

/* One knife, a message passed round the ring 0 -> 1 -> ... -> size-1 -> 0. Its value
 * counts the cuts made with it: the last holder checks that none went missing. */
static int token_knife(MPI_Comm comm, int trials, holding *h) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int left = (rank + size - 1) % size, right = (rank + 1) % size;
  int knife = 0, failures = 0;
  for (int k = 0; k < trials; k++) {
    if (rank != 0 || k != 0) recv_knife(&knife, left, comm);
    h[k].start = mapo_now_s();
    knife++;
    cut();
    h[k].end = mapo_now_s();
    if (rank != size - 1 || k != trials - 1) MPI_Send(&knife, 1, MPI_INT, right, TAG_KNIFE, comm);
  }
  if (rank == size - 1 && knife != size * trials) failures++;
  return failures;
}

/* One knife, a flag in a window on rank 0: 1 in the cupboard, 0 taken. */
static int onesided_knife(MPI_Comm comm, int trials, holding *h) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  int *flag = NULL;
  MPI_Win win;
  /* Not every MPI can make a window across every network (Open MPI 4.1 over TCP between
   * nodes picks a one-sided component that then fails): a window that could not be made
   * is told, not fatal, and the method is reported as not run. */
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  const int made = MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(int) : 0, sizeof(int),
                                    MPI_INFO_NULL, comm, &flag, &win) == MPI_SUCCESS;
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_ARE_FATAL);
  int none = !made;
  MPI_Allreduce(MPI_IN_PLACE, &none, 1, MPI_INT, MPI_MAX, comm);
  if (none) {
    if (made) MPI_Win_free(&win);
    return NO_WINDOW;
  }
  MPI_Win_lock_all(0, win);
  const int in = 1, out = 0;
  if (rank == 0) {
    MPI_Put(&in, 1, MPI_INT, 0, 0, 1, MPI_INT, win);
    MPI_Win_flush(0, win);
  }
  MPI_Barrier(comm);
  for (int k = 0; k < trials; k++) {
    for (;;) {
      int was = 0;
      /* If the flag is 1 (the knife is there), make it 0 (take it); `was` says which. */
      MPI_Compare_and_swap(&out, &in, &was, MPI_INT, 0, 0, win);
      MPI_Win_flush(0, win);
      if (was == 1) break;
      if (crowded) sched_yield();
    }
    h[k].start = mapo_now_s();
    cut();
    h[k].end = mapo_now_s();
    MPI_Accumulate(&in, 1, MPI_INT, 0, 0, 1, MPI_INT, MPI_REPLACE, win);
    MPI_Win_flush(0, win);
  }
  MPI_Win_unlock_all(win);
  MPI_Win_free(&win);
  return 0;
}

/* The methods, in the order they run; --mode picks one of them or all. */
static const struct {
  const char *name, *knife;
  /* returns this rank's failures, or NO_WINDOW where the method could not run */
  int (*take)(MPI_Comm comm, int trials, holding *h);
} methods[] = {
    {"own", "each rank its own: nothing shared", own_cupboard},
    {"token", "one, a message round the ranks", token_knife},
    {"onesided", "one, compare-and-swap on rank 0's window", onesided_knife},
};
enum { METHODS = sizeof methods / sizeof methods[0] };
#define ALL "all"

/* The reference: one knife in shared memory behind an OpenMP lock, 2 threads. */
static int openmp_knife(int trials, holding *h) {
  omp_lock_t knife;
  omp_init_lock(&knife);
#pragma omp parallel num_threads(OMP_THREADS)
  {
    holding *mine = h + (size_t)omp_get_thread_num() * (size_t)trials;
    for (int k = 0; k < trials; k++) {
      omp_set_lock(&knife);
      mine[k].start = mapo_now_s();
      cut();
      mine[k].end = mapo_now_s();
      omp_unset_lock(&knife);
    }
  }
  omp_destroy_lock(&knife);
  return 0;
}

static int by_start(const void *a, const void *b) {
  const double x = ((const holding *)a)->start, y = ((const holding *)b)->start;
  return (x > y) - (x < y);
}

/* The median of the times between consecutive takes, in microseconds. The holdings of
 * one knife are taken together (shared), or each block of `block` is one rank's own. */
static double median_period_usec(const holding *h, int n, int block) {
  double *d = malloc((size_t)(n > 1 ? n : 1) * sizeof *d);
  if (d == NULL) return 0; /* no room for the periods: none measured, as for n < 2 */
  int m = 0;
  for (int i = 1; i < n; i++)
    if (i % block != 0) d[m++] = (h[i].start - h[i - 1].start) * 1e6;
  mapo_spread s = {0, 0, 0, 0};
  if (m > 0) mapo_spread_of(d, m, &s);
  free(d);
  return s.median;
}

/* Holdings (sorted by start) that began before an earlier one had ended: two cooks
 * with one knife. */
static int overlaps(const holding *h, int n) {
  int bad = 0;
  double end = -1;
  for (int i = 0; i < n; i++) {
    if (i > 0 && h[i].start < end) bad++;
    if (h[i].end > end) end = h[i].end;
  }
  return bad;
}

/* Run one method on every rank of comm; its rank 0 gathers the holdings, checks and
 * times them. */
static void run_method(MPI_Comm comm, int which, int trials, int same_node, holding *mine,
                       holding *all, mapo_cupboard_method *r) {
  int size;
  MPI_Comm_size(comm, &size);
  const int got = methods[which].take(comm, trials, mine);
  int failures = got < 0 ? 0 : got, none = got == NO_WINDOW;
  MPI_Allreduce(MPI_IN_PLACE, &none, 1, MPI_INT, MPI_MAX, comm);
  if (none) { /* agreed in the method: nothing was taken */
    if (all != NULL)
      *r = (mapo_cupboard_method){methods[which].name, NO_WINDOW_KNIFE, 0, 0, 1, NAN};
    return;
  }
  MPI_Allreduce(MPI_IN_PLACE, &failures, 1, MPI_INT, MPI_SUM, comm);
  MPI_Gather(mine, 2 * trials, MPI_DOUBLE, all, 2 * trials, MPI_DOUBLE, 0, comm);
  if (all == NULL) return; /* only rank 0 has `all` (cupboard): it alone gathers */
  r->mode = methods[which].name;
  r->knife = methods[which].knife;
  r->takes = size * trials;
  r->checked = which == 0 || same_node;
  if (which == 0) {
    r->usec = median_period_usec(all, size * trials, trials); /* each rank's own knife */
  } else {
    qsort(all, (size_t)size * (size_t)trials, sizeof *all, by_start);
    if (same_node) failures += overlaps(all, size * trials);
    r->usec = median_period_usec(all, size * trials, size * trials + 1);
  }
  r->failures = failures;
}

/* The reference on rank 0 alone, into `all` (room for every thread's holdings). */
static void reference(int trials, holding *all, mapo_cupboard_method *r) {
  const int takes = OMP_THREADS * trials;
  r->mode = "openmp-lock";
  r->knife = "one in shared memory, 2 threads of rank 0";
  r->takes = takes;
  r->checked = 1;
  openmp_knife(trials, all);
  qsort(all, (size_t)takes, sizeof *all, by_start);
  r->usec = median_period_usec(all, takes, takes + 1);
  r->failures = overlaps(all, takes);
}

/* Whether all ranks share one node (and one clock), and whether a node has more ranks
 * than processors (then waiting ranks must not spin); every rank learns both. */
static void place(mapo_cupboard_report *rep) {
  MPI_Comm node;
  int local = 1;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, mapo__mpi_rank(), MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local);
  MPI_Comm_free(&node);
  crowded = local > (int)sysconf(_SC_NPROCESSORS_ONLN);
  int same_node = local == mapo__mpi_size();
  MPI_Allreduce(MPI_IN_PLACE, &same_node, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &crowded, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  rep->same_node = same_node;
  rep->crowded = crowded;
}

/* The pairs: rank 0 with the first other rank on its node, and with the first rank on
 * another node, each where one exists (as pingpong chooses them); their rows live here
 * until the report is written. */
enum { PAIRS = 2 };
static const char *const pair_names[PAIRS] = {"one node", "across nodes"};
static mapo_cupboard_pair pairs[PAIRS];
static mapo_cupboard_method pair_rows[PAIRS][METHODS];

/* The shared methods asked for (not own), between rank 0 and peer only; the other ranks
 * wait for rank 0's word without spinning. Rank 0 fills p. */
static void measure_pair(const char *mode, int peer, int same_node, int trials, holding *mine,
                         holding *all, mapo_cupboard_pair *p, mapo_cupboard_method *rows) {
  const int rank = mapo__mpi_rank(), in = rank == 0 || rank == peer;
  MPI_Comm pair;
  MPI_Comm_split(MPI_COMM_WORLD, in ? 0 : MPI_UNDEFINED, rank, &pair);
  if (!in) {
    int word;
    mapo__mpi_recv_idle(&word, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD, NULL);
    return;
  }
  p->peer = peer;
  p->methods = rows;
  p->nmethods = 0;
  for (int which = 1; which < METHODS; which++) /* 0 is own: nothing to exchange */
    if (strcmp(mode, ALL) == 0 || strcmp(mode, methods[which].name) == 0)
      run_method(pair, which, trials, same_node, mine, rank == 0 ? all : NULL,
                 &rows[p->nmethods++]);
  MPI_Comm_free(&pair);
  const int word = 0;
  for (int r = 1; rank == 0 && r < mapo__mpi_size(); r++)
    if (r != peer) MPI_Send(&word, 1, MPI_INT, r, TAG_DONE, MPI_COMM_WORLD);
}

/* Every pair that exists, in order; rep->pairs and npairs (rank 0's) name them. */
static void measure_pairs(const char *mode, const mapo__mpi_place *where, int trials, holding *mine,
                          holding *all, mapo_cupboard_report *rep) {
  const int peer[PAIRS] = {mapo__mpi_place_first(where, 0, 0),
                           mapo__mpi_place_first_away(where, 0)};
  rep->nodes = where->nodes;
  rep->pairs = pairs;
  rep->npairs = 0;
  if (strcmp(mode, methods[0].name) == 0) return; /* own alone: no knife to pass */
  for (int i = 0; i < PAIRS; i++) {
    if (peer[i] < 0) continue;
    mapo_cupboard_pair *p = &pairs[rep->npairs++];
    p->where = pair_names[i];
    measure_pair(mode, peer[i], i == 0, trials, mine, all, p, pair_rows[i]);
  }
}

/* The methods asked for on every rank, then the reference on rank 0 while the others
 * wait without taking a core from it. Rank 0 fills rep. Returns 0 or the exit status. */
static int cupboard(const char *mode, const mapo__mpi_place *where, mapo_cupboard_report *rep,
                    mapo_cupboard_method *res) {
  const int rank = mapo__mpi_rank(), size = mapo__mpi_size(), trials = rep->trials;
  place(rep);
  holding *mine = malloc((size_t)trials * sizeof *mine);
  size_t nall = (size_t)trials * (size_t)(size > OMP_THREADS ? size : OMP_THREADS);
  holding *all = rank == 0 ? malloc(nall * sizeof *all) : NULL;
  if (mapo__mpi_agree(mine == NULL || (rank == 0 && all == NULL))) {
    free(mine);
    free(all);
    return mapo__mpi_fail(1, "cupboard", "cannot allocate %d holdings", trials);
  }
  rep->methods = res;
  for (int which = 0; which < METHODS; which++)
    if (strcmp(mode, ALL) == 0 || strcmp(mode, methods[which].name) == 0)
      run_method(MPI_COMM_WORLD, which, trials, rep->same_node, mine, all, &res[rep->nmethods++]);
  measure_pairs(mode, where, trials, mine, all, rep);
  int done = 0;
  if (all == NULL) { /* a rank other than 0: only rank 0 has `all` */
    mapo__mpi_recv_idle(&done, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD, NULL);
  } else {
    reference(trials, all, &res[rep->nmethods++]);
    for (int r = 1; r < size; r++) MPI_Send(&done, 1, MPI_INT, r, TAG_DONE, MPI_COMM_WORLD);
  }
  free(mine);
  free(all);
  return 0;
}

/* Rank 0: the report (src/report/race.c's), with the placement table; in JSON its
 * members added to the report's object. Returns 0 or 1. */
static int report(int json, const mapo_cupboard_report *rep, const mapo__mpi_place *where) {
  if (!json) {
    if (mapo_report_cupboard_text(stdout, rep) < 0) return 1;
    mapo__mpi_place_text(stdout, where, 1, rep->columns);
    return 0;
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  int rc = mem == NULL ? -ENOMEM : mapo_report_cupboard_json(mem, rep);
  if (mem != NULL && fclose(mem) != 0 && rc == 0) rc = -EIO;
  if (rc == 0) rc = mapo__mpi_place_splice(stdout, buf, len, where, 1);
  free(buf);
  return rc < 0 ? 1 : 0;
}

int mapo__mpi_cupboard(int argc, char **argv) {
  const char *modes[METHODS + 2] = {[METHODS] = ALL}, *mode = ALL;
  for (int i = 0; i < METHODS; i++) modes[i] = methods[i].name;
  int trials = 1000, json = 0, wide = 0;
  const cli_opt opts[] = {
      {"mode", CLI_CHOICE, &mode, 0, 0, modes, "M", "the method(s) (default all)"},
      {"trials", CLI_INT, &trials, 2, TRIALS_MAX, NULL, "K",
       "takes per rank or thread (default 1000)"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object, nothing else"},
      {"wide", CLI_FLAG, &wide, 0, 0, NULL, NULL, "do not fold sentences to 80 columns"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "cupboard",
      "[--mode own|token|onesided|all] [--trials K]\n"
      "       [--json] [--wide]",
      "The notebook's cupboard over MPI: every rank its own cupboard (nobody fails,\n"
      "nothing is shared), then one knife shared by all ranks, passed as a message\n"
      "(token) or kept as a flag in a window on rank 0 (onesided). Checks that no two\n"
      "ranks ever held the knife at once (exit 1 otherwise) and reports the cost of one\n"
      "take-and-return against an OpenMP lock between 2 threads; then the same between\n"
      "two ranks on one node and two on different nodes, each where they exist.\n"
      "token and onesided need at least 2 ranks.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc >= 0) return rc;
  if (mapo__mpi_size() < 2 && strcmp(mode, methods[0].name) != 0)
    return mapo__mpi_fail(2, "cupboard",
                          "--mode %s needs at least 2 ranks to share a knife "
                          "(mpirun -n 2 mapo-mpi cupboard), or use --mode own",
                          mode);

  mapo_cupboard_method res[METHODS + 1];
  memset(res, 0, sizeof res);
  mapo_cupboard_report rep = {
      .ranks = mapo__mpi_size(), .trials = trials, .columns = cli_columns(wide)};
  mapo__mpi_place where;
  if (mapo__mpi_place_init(&where) != 0) return 1;
  rc = cupboard(mode, &where, &rep, res);
  if (rc == 0 && mapo__mpi_rank() == 0) rc = report(json, &rep, &where);
  mapo__mpi_place_free(&where);
  if (rc != 0 || mapo__mpi_rank() != 0) return rc;
  for (int i = 0; i < rep.nmethods; i++)
    if (res[i].failures != 0) {
      fprintf(stderr, "mapo-mpi cupboard: the knife was held by two at once\n");
      return 1;
    }
  return 0;
}
