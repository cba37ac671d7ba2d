/* pingpong.c - `mapo-mpi pingpong`: what exchanging information costs, in numbers.
 *
 *   mpirun -n 2 mapo-mpi pingpong [--max-bytes B] [--json]
 *
 * Ranks 0 and 1 bounce one message back and forth, 0 bytes, 1 byte, 2, 4, ... up to 4
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
 * what a latency benchmark must do. Ranks other than 0 and 1 wait without spinning,
 * so that on a small machine they leave the cores to the two that measure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

enum {
  MAX_BYTES_DEFAULT = 4 << 20,
  REPS_SMALL = 1000,          /* repetitions below 64 KiB */
  REPS_MIN = 10,              /* the fewest repetitions a size gets */
  TAG_PING = 1,
  TAG_REPS = 2,
  TAG_DONE = 3,
  ROWS_MAX = 40,
};
#define VOLUME_BYTES 40e6     /* bytes moved per size, above 64 KiB (IMB's choice) */
#define BUDGET_SECONDS 0.25   /* at most this long timing one size */

/* Rank 0 sends and waits for the echo; rank 1 echoes. Both spin in MPI_Recv. */
static void bounce(MPI_Comm pair, int me, char *buf, int bytes, int reps) {
  for (int r = 0; r < reps; r++) {
    if (me == 0) {
      MPI_Send(buf, bytes, MPI_BYTE, 1, TAG_PING, pair);
      MPI_Recv(buf, bytes, MPI_BYTE, 1, TAG_PING, pair, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buf, bytes, MPI_BYTE, 0, TAG_PING, pair, MPI_STATUS_IGNORE);
      MPI_Send(buf, bytes, MPI_BYTE, 0, TAG_PING, pair);
    }
  }
}

typedef struct {
  int bytes, reps;
  double usec, mbytes_per_sec;
} row;

int mapo__mpi_pingpong(int argc, char **argv) {
  int max_bytes = MAX_BYTES_DEFAULT, json = 0;
  const cli_opt opts[] = {
      {"max-bytes", CLI_INT, &max_bytes, 0, 1 << 30, NULL, "B",
       "the largest message, in bytes (default 4194304, 4 MiB)"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "pingpong", "[--max-bytes B] [--json]",
      "Latency and bandwidth between ranks 0 and 1, from 0 bytes to 4 MiB (0, 1, 2, 4, ...),\n"
      "the Intel MPI Benchmarks' way: warm-up, a barrier, repetitions adapted to the size,\n"
      "half the round trip averaged over them. Needs at least 2 ranks; others wait idle.",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;

  const int rank = mapo__mpi_rank(), size = mapo__mpi_size();
  if (size < 2)
    return mapo__mpi_fail(2, "pingpong", "needs at least 2 ranks (mpirun -n 2 mapo-mpi pingpong)");

  /* Ranks 0 and 1 get a communicator of their own, so that their barriers leave the
   * others alone; the others wait for rank 0's word without spinning. */
  MPI_Comm pair;
  MPI_Comm_split(MPI_COMM_WORLD, rank < 2 ? 0 : MPI_UNDEFINED, rank, &pair);
  if (rank >= 2) {
    int done;
    mapo__mpi_recv_idle(&done, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD, NULL);
    return 0;
  }

  /* One buffer serves both ways (as in IMB); touched once so that no page fault lands
   * inside a timed loop. */
  size_t cap = max_bytes > 0 ? (size_t)max_bytes : 1;
  char *buf = malloc(cap);
  int bad = buf == NULL;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, pair);
  if (bad) {
    free(buf);
    MPI_Comm_free(&pair);
    if (rank == 0)
      for (int r = 2; r < size; r++) MPI_Send(&bad, 1, MPI_INT, r, TAG_DONE, MPI_COMM_WORLD);
    return mapo__mpi_fail(1, "pingpong", "cannot allocate %d bytes", max_bytes);
  }
  memset(buf, 'm', cap);

  row rows[ROWS_MAX];
  int nrows = 0;
  for (long bytes = 0; bytes <= max_bytes && nrows < ROWS_MAX; bytes = bytes ? bytes * 2 : 1) {
    const int b = (int)bytes;
    int reps = bytes < 65536 ? REPS_SMALL : (int)(VOLUME_BYTES / (double)bytes);
    if (reps > REPS_SMALL) reps = REPS_SMALL;
    if (reps < REPS_MIN) reps = REPS_MIN;
    const int warm = reps / 10 > 2 ? reps / 10 : 2;
    /* Warm up, timing it on rank 0 to cap the repetitions by the budget; rank 0 then
     * tells rank 1 how many there will be. */
    double t = mapo_now_s();
    bounce(pair, rank, buf, b, warm);
    t = mapo_now_s() - t;
    if (rank == 0) {
      const double per = t / warm;
      if (per > 0 && per * reps > BUDGET_SECONDS) {
        reps = (int)(BUDGET_SECONDS / per);
        if (reps < REPS_MIN) reps = REPS_MIN;
      }
    }
    MPI_Bcast(&reps, 1, MPI_INT, 0, pair);
    MPI_Barrier(pair);
    t = mapo_now_s();
    bounce(pair, rank, buf, b, reps);
    t = mapo_now_s() - t;
    const double usec = t * 1e6 / (2.0 * reps);
    rows[nrows].bytes = b;
    rows[nrows].reps = reps;
    rows[nrows].usec = usec;
    rows[nrows].mbytes_per_sec = usec > 0 ? (double)bytes / usec : 0; /* bytes/us = MB/s */
    nrows++;
  }
  free(buf);
  MPI_Comm_free(&pair);
  if (rank != 0) return 0;
  int done = 0;
  for (int r = 2; r < size; r++) MPI_Send(&done, 1, MPI_INT, r, TAG_DONE, MPI_COMM_WORLD);

  if (json) {
    printf("{\"lesson\":\"pingpong\",\"ranks\":%d,\"max_bytes\":%d,\"rows\":[", size, max_bytes);
    for (int i = 0; i < nrows; i++) {
      printf("%s{\"bytes\":%d,\"repetitions\":%d", i ? "," : "", rows[i].bytes, rows[i].reps);
      mapo_json_member(stdout, "usec", rows[i].usec);
      mapo_json_member(stdout, "mbytes_per_sec", rows[i].mbytes_per_sec);
      fputc('}', stdout);
    }
    fputs("],\"environment\":", stdout);
    mapo_report_environment_json(stdout);
    fputs("}\n", stdout);
    return 0;
  }
  printf("\nmapo-mpi pingpong: ranks 0 and 1 of %d, half a round trip averaged over the "
         "repetitions\n\n", size);
  printf("  %10s  %11s  %10s  %12s\n", "bytes", "repetitions", "usec", "MB/s");
  for (int i = 0; i < nrows; i++)
    printf("  %10d  %11d  %10.3f  %12.1f\n", rows[i].bytes, rows[i].reps, rows[i].usec,
           rows[i].mbytes_per_sec);
  const row *last = &rows[nrows - 1];
  const double lat = rows[0].usec;
  printf("\n  Information exchange can cause significant overhead: an empty message costs "
         "%.2f us\n  (a 5 ms task is worth %.0f of them), and %d bytes take %.1f us\n"
         "  (%.0f MB/s), %.1f%% of a 5 ms task.\n",
         lat, lat > 0 ? 5000.0 / lat : 0.0, last->bytes, last->usec, last->mbytes_per_sec,
         last->usec / 50.0);
  return 0;
}
