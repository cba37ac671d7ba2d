/* pingpong.c - `mapo-mpi pingpong`: what exchanging information costs, in numbers.
 *
 *   mpirun -n 2 mapo-mpi pingpong [--max-bytes B] [--json] [--wide]
 *
 * Rank 0 and another rank bounce one message back and forth, 0 bytes, 1 byte, 2, 4, ... up to 4
 * MiB, the way the Intel MPI Benchmarks' PingPong and the OSU latency test do it: a few
 * warm-up round trips that are not timed, then a barrier, then R round trips timed as
 * one block; the time of one message is half the round trip, averaged over R; the
 * bandwidth is bytes / time (1 MB = 1e6 bytes). R is 1000 below 64 KiB, then falls with
 * the size (about 40 MB moved per size, as IMB does, at least 10), and a time budget
 * caps it so that a slow transport never makes the run drag.
 *
 * What to notice: the time of a small message does not depend on its size; it is the
 * price of exchanging anything at all (latency). Only large messages approach the
 * transport's bandwidth. Both ranks spin while they wait inside the timed loop: that is
 * what a latency benchmark must do. The other ranks wait without spinning, so that on
 * a small machine they leave the cores to the two that measure.
 *
 * Where the pair runs decides what is measured: two ranks on one node exchange through
 * shared memory, two on different nodes through the network. So rank 0 measures one
 * pair of each kind that exists: with the first other rank on its own node ("one node")
 * and with the first rank on another node ("across nodes"), each named in the report,
 * and the placement table says where every rank ran (place.c).
 *
 * Each rank sends from one buffer and receives into another, as IMB does (bounce says
 * why), and MPI is started without threads (main.c): bench/imb-pingpong.sh runs IMB-MPI1
 * and this lesson alternately and prints both figures side by side.
 *
 * Each size is one run of the benchmark harness (mapo/bench.h): a warm-up, then one
 * timed block after a barrier, which is IMB's method. Three things are the lesson's own,
 * so that the figures keep their meaning: the barrier is the pair's (the other ranks are
 * idle, not in a barrier, so mapo-mpi's usual hook on MPI_COMM_WORLD would hang); the
 * figure is rank 0's time, not the slowest rank's (rank 0 sends first and receives
 * last, so its time is the round trips'; no `combine`); and the warm-up times itself,
 * because its pace caps the repetitions and the harness keeps no warm-up's time.
 * The report is src/report/pingpong.c's (mapo/report_pingpong.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "outputs.h"

enum {
  MAX_BYTES_DEFAULT = 4 << 20,
  REPS_SMALL = 1000, /* repetitions below 64 KiB */
  REPS_MIN = 10,     /* the fewest repetitions a size gets */
  TAG_PING = 1,
  TAG_REPS = 2,
  TAG_DONE = 3,
  ROWS_MAX = 40,
};
#define VOLUME_BYTES 40e6   /* bytes moved per size, above 64 KiB (IMB's choice) */
#define BUDGET_SECONDS 0.25 /* at most this long timing one size */

/* Rank 0 sends and waits for the echo; rank 1 echoes. Both spin in MPI_Recv. Each sends
 * from one buffer and receives into another, as IMB does: with one buffer for both, every
 * message written into it must leave the writer's cache before the next is read out of it
 * (one buffer, seen on a busy 2-core VM: 1 MiB 280 us against 134 us, 64 KiB 24 against
 * 9.5, best of 6 alternating runs; bench/imb-pingpong.sh compares with IMB itself). */
static void bounce(MPI_Comm pair, int me, char *send, char *recv, int bytes, int reps) {
  for (int r = 0; r < reps; r++) {
    if (me == 0) {
      MPI_Send(send, bytes, MPI_BYTE, 1, TAG_PING, pair);
      MPI_Recv(recv, bytes, MPI_BYTE, 1, TAG_PING, pair, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(recv, bytes, MPI_BYTE, 0, TAG_PING, pair, MPI_STATUS_IGNORE);
      MPI_Send(send, bytes, MPI_BYTE, 0, TAG_PING, pair);
    }
  }
}

/* One message size, as the harness runs it: the warm-up first, then the timed block. */
typedef struct size_run {
  MPI_Comm pair;
  int me;            /* 0 sends first, 1 echoes */
  char *send, *recv; /* two buffers, as IMB's s_buffer and r_buffer */
  int bytes;
  int warm, reps; /* round trips warming up, and timed (capped after the warm-up) */
  int runs;       /* runs begun: the first is the warm-up */
  double warm_seconds;
} size_run;

/* The repetitions for a size, IMB's way: 1000 below 64 KiB, then about 40 MB moved,
 * never fewer than 10; the warm-up is a tenth of them, at least 2. */
static void size_plan(size_run *s, long bytes) {
  int reps = bytes < 65536 ? REPS_SMALL : (int)(VOLUME_BYTES / (double)bytes);
  if (reps > REPS_SMALL) reps = REPS_SMALL;
  if (reps < REPS_MIN) reps = REPS_MIN;
  s->bytes = (int)bytes;
  s->reps = reps;
  s->warm = reps / 10 > 2 ? reps / 10 : 2;
  s->runs = 0;
}

/* Before the timed block: rank 0 caps the repetitions by the time budget, from the
 * warm-up's pace, and tells rank 1 how many there will be. */
static int size_prepare(void *user) {
  size_run *s = user;
  if (s->runs == 0) return 0;
  if (s->me == 0) {
    const double per = s->warm_seconds / s->warm;
    if (per > 0 && per * s->reps > BUDGET_SECONDS) {
      s->reps = (int)(BUDGET_SECONDS / per);
      if (s->reps < REPS_MIN) s->reps = REPS_MIN;
    }
  }
  return MPI_Bcast(&s->reps, 1, MPI_INT, 0, s->pair) == MPI_SUCCESS ? 0 : MAPO_EINVAL;
}

/* The timed block starts with the pair's barrier; the warm-up starts as soon as both
 * ranks send and receive, as IMB's does. */
static int size_start(void *user) {
  const size_run *s = user;
  if (s->runs == 0) return 0;
  return MPI_Barrier(s->pair) == MPI_SUCCESS ? 0 : MAPO_EINVAL;
}

/* The warm-up notes its own time (the harness keeps no warm-up's), for the budget. */
static int size_bounce(void *user, double *seconds) {
  size_run *s = user;
  (void)seconds;
  if (s->runs++ > 0) {
    bounce(s->pair, s->me, s->send, s->recv, s->bytes, s->reps);
    return 0;
  }
  const double t0 = mapo_now_s();
  bounce(s->pair, s->me, s->send, s->recv, s->bytes, s->warm);
  s->warm_seconds = mapo_now_s() - t0;
  return 0;
}

/* Every size from 0 bytes, doubling up to max_bytes, into rows (room for ROWS_MAX). */
static int measure(size_run *s, int max_bytes, mapo_pingpong_row *rows) {
  const mapo_bench b = {.warmup = 1,
                        .repeat = 1,
                        .user = s,
                        .prepare = size_prepare,
                        .run = size_bounce,
                        .start = size_start};
  int nrows = 0;
  for (long bytes = 0; bytes <= max_bytes && nrows < ROWS_MAX; bytes = bytes ? bytes * 2 : 1) {
    size_plan(s, bytes);
    double t;
    const int rc = mapo_bench_run(&b, &t, NULL);
    if (rc < 0) return rc;
    const double usec = t * 1e6 / (2.0 * s->reps);
    rows[nrows++] = (mapo_pingpong_row){
        .bytes = s->bytes,
        .repetitions = s->reps,
        .usec = usec,
        .mbytes_per_sec = usec > 0 ? (double)bytes / usec : 0}; /* bytes/us = MB/s */
  }
  return nrows;
}

/* Rank 0 tells the idle ranks (all but 0 and peer) that the measurement is over. */
static void release_idle(int word, int peer) {
  for (int r = 1; r < mapo__mpi_size(); r++)
    if (r != peer) MPI_Send(&word, 1, MPI_INT, r, TAG_DONE, MPI_COMM_WORLD);
}

/* Ranks 0 and peer measure; rank 0 fills rep. Returns 0 or the exit status. */
static int pingpong(int max_bytes, int peer, mapo_pingpong_report *rep, mapo_pingpong_row *rows) {
  const int rank = mapo__mpi_rank();
  /* Ranks 0 and peer get a communicator of their own (0 first in it), so that their
   * barriers leave the others alone; the others wait for rank 0's word without spinning. */
  MPI_Comm pair;
  const int in = rank == 0 || rank == peer;
  MPI_Comm_split(MPI_COMM_WORLD, in ? 0 : MPI_UNDEFINED, rank, &pair);
  if (!in) {
    int word;
    mapo__mpi_recv_idle(&word, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD, NULL);
    return 0;
  }
  /* A buffer to send from and one to receive into (as in IMB); touched once so that no page fault
   * lands inside a timed loop. */
  size_t cap = max_bytes > 0 ? (size_t)max_bytes : 1;
  size_run s = {.pair = pair, .me = rank == 0 ? 0 : 1, .send = malloc(cap), .recv = malloc(cap)};
  int bad = s.send == NULL || s.recv == NULL;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, pair);
  int nrows = -1;
  if (!bad && s.send != NULL && s.recv != NULL) { /* bad: the pair's verdict */
    memset(s.send, 'm', cap);
    memset(s.recv, 'p', cap);
    nrows = measure(&s, max_bytes, rows);
  }
  free(s.send);
  free(s.recv);
  MPI_Comm_free(&pair);
  if (rank == 0) release_idle(bad, peer);
  if (bad) return mapo__mpi_fail(1, "pingpong", "cannot allocate %d bytes", max_bytes);
  if (nrows < 0) return mapo__mpi_fail(1, "pingpong", "%s", mapo_strerror(nrows));
  *rep = (mapo_pingpong_report){.ranks = mapo__mpi_size(),
                                .max_bytes = max_bytes,
                                .nrows = nrows,
                                .rows = rows,
                                .peer = peer};
  return 0;
}

enum { PAIRS = 2 };
static const char *const pair_names[PAIRS] = {"one node", "across nodes"};

/* The pairs to measure, rank 0's partner in each: the first other rank on rank 0's node,
 * the first rank on another node; -1 where there is none. */
static void choose_pairs(const mapo__mpi_place *where, int peer[PAIRS]) {
  peer[0] = mapo__mpi_place_first(where, 0, 0);
  peer[1] = mapo__mpi_place_first_away(where, 0);
}

/* A pair's JSON object, as the report writes it, without its line's end: malloc'd
 * (free it), or NULL. */
static char *json_of(const mapo_pingpong_report *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (mem == NULL) return NULL;
  const int rc = mapo_report_pingpong_json(mem, r);
  if (fclose(mem) != 0 || rc < 0 || len < 2) {
    free(buf);
    return NULL;
  }
  while (len > 0 && buf[len - 1] == '\n') buf[--len] = '\0';
  return buf;
}

/* Rank 0: every pair's report, then the placement. In JSON one object: the first pair's
 * (the keys it always had), with "pairs" (every pair's object) and the placement added. */
static int report(int json, int columns, const mapo_pingpong_report *reps, int n,
                  const mapo__mpi_place *where) {
  /* The pair across nodes against the pair on one node, where both ran. */
  const mapo_pingpong_report *within = n == PAIRS ? &reps[0] : NULL;
  const mapo_pingpong_report *across = n == PAIRS ? &reps[1] : NULL;
  if (!json) {
    for (int i = 0; i < n; i++)
      if (mapo_report_pingpong_text(stdout, &reps[i]) < 0) return 1;
    if (mapo_report_pingpong_nodes_text(stdout, columns, within, across) < 0) return 1;
    mapo__mpi_place_text(stdout, where, 1, columns);
    return 0;
  }
  char *obj[PAIRS] = {NULL};
  int ok = n > 0;
  for (int i = 0; i < n; i++) ok = ok && (obj[i] = json_of(&reps[i])) != NULL;
  if (ok) {
    fwrite(obj[0], 1, strlen(obj[0]) - 1, stdout); /* all but its closing brace */
    fputs(",\"pairs\":[", stdout);
    for (int i = 0; i < n; i++) printf("%s%s", i ? "," : "", obj[i]);
    char sentence[512];
    const mapo_verdict_class cls =
        mapo_pingpong_nodes_verdict(sentence, sizeof sentence, within, across);
    printf("],\"nodes_verdict\":\"%s\",\"nodes_sentence\":", mapo_verdict_name(cls));
    mapo_json_string(stdout, sentence);
    fputc(',', stdout);
    mapo__mpi_place_json(stdout, where, 1);
    fputs("}\n", stdout);
  }
  for (int i = 0; i < n; i++) free(obj[i]);
  return ok && !ferror(stdout) ? 0 : 1;
}

int mapo__mpi_pingpong(int argc, char **argv) {
  int max_bytes = MAX_BYTES_DEFAULT, json = 0, wide = 0;
  const cli_opt opts[] = {
      {"max-bytes", CLI_INT, &max_bytes, 0, 1 << 30, NULL, "B",
       "the largest message (default 4194304)"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object, nothing else"},
      {"wide", CLI_FLAG, &wide, 0, 0, NULL, NULL, "do not fold sentences to 80 columns"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "pingpong",
      "[--max-bytes B] [--json] [--wide]",
      "Latency and bandwidth between rank 0 and another rank, from 0 bytes to 4 MiB\n"
      "(0, 1, 2, 4, ...), the Intel MPI Benchmarks' way: warm-up, a barrier,\n"
      "repetitions adapted to the size, half the round trip averaged over them; a pair\n"
      "on rank 0's node and a pair across nodes, each where one exists. Each message is\n"
      "judged against a 5 ms task. Needs at least 2 ranks; the others wait idle.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc >= 0) return rc;
  if (mapo__mpi_size() < 2)
    return mapo__mpi_fail(2, "pingpong", "needs at least 2 ranks (mpirun -n 2 mapo-mpi pingpong)");

  mapo__mpi_place where;
  if (mapo__mpi_place_init(&where) != 0) return 1;
  const int columns = cli_columns(wide);
  int peer[PAIRS], n = 0;
  choose_pairs(&where, peer);
  mapo_pingpong_row rows[PAIRS][ROWS_MAX];
  mapo_pingpong_report reps[PAIRS];
  /* Agreed after each pair: a pair that failed stops every rank before the next. */
  rc = 0;
  for (int i = 0; i < PAIRS && rc == 0; i++) {
    if (peer[i] < 0) continue;
    rc = mapo__mpi_agree(pingpong(max_bytes, peer[i], &reps[n], rows[n]));
    reps[n].columns = columns;
    reps[n++].pair = pair_names[i];
  }
  if (rc == 0 && mapo__mpi_rank() == 0) rc = report(json, columns, reps, n, &where);
  mapo__mpi_place_free(&where);
  return rc;
}
