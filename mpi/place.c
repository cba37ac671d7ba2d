/* place.c - where every rank of mapo-mpi runs, and how its clock reads against rank 0's.
 *
 * Every lesson's report names the host of every rank: a figure measured between two
 * ranks means one thing on one node (shared memory) and another across nodes (the
 * network), and a job's ranks land where the launcher puts them. What to notice:
 *  - the hosts are MPI_Get_processor_name's, gathered onto every rank, so that every
 *    rank can choose the same pairs (pingpong) without another message; a node is
 *    numbered by the first rank on it, rank 0's node being node 0;
 *  - each node has a clock of its own. CLOCK_MONOTONIC starts at each node's boot (the
 *    test cluster's nodes are 1000 s apart), so a time read on one rank means nothing on
 *    another until the offset between their clocks is known. Rank 0 estimates it the way
 *    NTP does: it sends, the other rank reads its clock and answers, and rank 0 reads its
 *    own again. The remote reading lies somewhere within the round trip, so the offset is
 *    remote - (t0 + t1) / 2, give or take half the round trip; of CLOCK_EXCHANGES tries,
 *    the one with the shortest round trip has the smallest uncertainty, and is kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { CLOCK_EXCHANGES = 24, TAG_CLOCK = 1 };

int mapo__mpi_place_init(mapo__mpi_place *p) {
  const int size = mapo__mpi_size();
  memset(p, 0, sizeof *p);
  p->size = size;
  p->host = calloc((size_t)size, sizeof *p->host);
  p->node = calloc((size_t)size, sizeof *p->node);
  p->offset_ns = calloc((size_t)size, sizeof *p->offset_ns);
  p->error_ns = calloc((size_t)size, sizeof *p->error_ns);
  int bad = p->host == NULL || p->node == NULL || p->offset_ns == NULL || p->error_ns == NULL;
  /* `|| bad`: the agreement fails whenever this rank is bad; said again for the analyzer. */
  if (mapo__mpi_agree(bad ? mapo__mpi_fail(1, "", "out of memory for %d ranks", size) : 0) || bad) {
    mapo__mpi_place_free(p);
    return 1;
  }
  char mine[MPI_MAX_PROCESSOR_NAME] = "";
  int len = 0;
  MPI_Get_processor_name(mine, &len);
  MPI_Allgather(mine, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, p->host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                MPI_COMM_WORLD);
  /* A node is named by its host; numbered in the order of the first rank on it. */
  for (int q = 0; q < size; q++) {
    p->host[q][MPI_MAX_PROCESSOR_NAME - 1] = '\0';
    int first = 0;
    while (strcmp(p->host[first], p->host[q]) != 0) first++;
    p->node[q] = first == q ? p->nodes++ : p->node[first];
  }
  return 0;
}

void mapo__mpi_place_free(mapo__mpi_place *p) {
  free(p->host);
  free(p->node);
  free(p->offset_ns);
  free(p->error_ns);
  memset(p, 0, sizeof *p);
}

int mapo__mpi_place_first(const mapo__mpi_place *p, int node, int other_than) {
  for (int q = 0; q < p->size; q++)
    if (q != other_than && p->node[q] == node) return q;
  return -1;
}

int mapo__mpi_place_first_away(const mapo__mpi_place *p, int node) {
  for (int q = 0; q < p->size; q++)
    if (p->node[q] != node) return q;
  return -1;
}

/* Rank 0's side of the exchanges with rank q: the one with the shortest round trip. */
static void clock_against(mapo__mpi_place *p, int q, MPI_Comm comm) {
  int64_t best_rtt = INT64_MAX;
  for (int i = 0; i < CLOCK_EXCHANGES; i++) {
    int64_t remote = 0;
    const int64_t t0 = mapo_now_ns();
    MPI_Send(&remote, 1, MPI_INT64_T, q, TAG_CLOCK, comm);
    mapo__mpi_recv_idle(&remote, 1, MPI_INT64_T, q, TAG_CLOCK, comm, NULL);
    const int64_t t1 = mapo_now_ns();
    if (t1 - t0 < best_rtt) {
      best_rtt = t1 - t0;
      p->offset_ns[q] = remote - (t0 + (t1 - t0) / 2);
      p->error_ns[q] = (best_rtt + 1) / 2;
    }
  }
}

void mapo__mpi_place_clocks(mapo__mpi_place *p) {
  /* A communicator of its own, so that these messages never meet a lesson's. */
  MPI_Comm comm;
  MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  if (mapo__mpi_rank() == 0) {
    for (int q = 1; q < p->size; q++) clock_against(p, q, comm);
  } else {
    /* Answer each of rank 0's messages with this rank's clock, read on arrival. */
    for (int i = 0; i < CLOCK_EXCHANGES; i++) {
      int64_t now;
      mapo__mpi_recv_idle(&now, 1, MPI_INT64_T, 0, TAG_CLOCK, comm, NULL);
      now = mapo_now_ns();
      MPI_Send(&now, 1, MPI_INT64_T, 0, TAG_CLOCK, comm);
    }
  }
  MPI_Comm_free(&comm);
  p->clocks = 1;
}

/* The host column: as wide as the longest name, but never so wide that a row passes
 * `columns` (0: no limit); a longer name is cut, and ends with "..". */
static int host_width(const mapo__mpi_place *p, int columns, int others) {
  int w = 4; /* "host" */
  for (int q = 0; q < p->size; q++) {
    const int len = (int)strlen(p->host[q]);
    if (len > w) w = len;
  }
  if (columns > 0 && others + w > columns) w = columns - others > 8 ? columns - others : 8;
  return w;
}

static void host_cell(FILE *f, const char *host, int w) {
  if ((int)strlen(host) <= w)
    fprintf(f, "%-*s", w, host);
  else
    fprintf(f, "%.*s..", w - 2, host);
}

void mapo__mpi_place_text(FILE *f, const mapo__mpi_place *p, int threads, int columns) {
  char head[192];
  snprintf(head, sizeof head, "placement: %d rank%s on %d node%s%s", p->size,
           p->size == 1 ? "" : "s", p->nodes, p->nodes == 1 ? "" : "s",
           p->clocks ? "; clocks against rank 0's, the shortest of 24 round trips" : "");
  fputc('\n', f);
  mapo_report_paragraph(f, columns, "  ", "    ", head);
  /* The columns beside the host's: "  rank  " and "  node  threads", and the clocks'. */
  const int w = host_width(p, columns, 23 + (p->clocks ? 29 : 0));
  fprintf(f, "  %4s  %-*s  %4s  %7s", "rank", w, "host", "node", "threads");
  if (p->clocks) fprintf(f, "  %16s  %9s", "clock offset (s)", "+/- (us)");
  fputc('\n', f);
  for (int q = 0; q < p->size; q++) {
    fprintf(f, "  %4d  ", q);
    host_cell(f, p->host[q], w);
    fprintf(f, "  %4d  %7d", p->node[q], threads);
    if (p->clocks)
      fprintf(f, "  %16.6f  %9.1f", (double)p->offset_ns[q] / 1e9, (double)p->error_ns[q] / 1e3);
    fputc('\n', f);
  }
}

void mapo__mpi_place_json(FILE *f, const mapo__mpi_place *p, int threads) {
  fprintf(f, "\"nodes\":%d,\"placement\":[", p->nodes);
  for (int q = 0; q < p->size; q++) {
    fprintf(f, "%s{\"rank\":%d,\"host\":", q ? "," : "", q);
    mapo_json_string(f, p->host[q]);
    fprintf(f, ",\"node\":%d,\"threads\":%d", p->node[q], threads);
    if (p->clocks)
      fprintf(f, ",\"clock_offset_ms\":%.6f,\"clock_uncertainty_ms\":%.6f",
              (double)p->offset_ns[q] / 1e6, (double)p->error_ns[q] / 1e6);
    fputc('}', f);
  }
  fputc(']', f);
}

int mapo__mpi_place_splice(FILE *out, const char *json, size_t len, const mapo__mpi_place *p,
                           int threads) {
  /* The report's one line ends "}\n": the placement goes in before its last brace. */
  while (len > 0 && (json[len - 1] == '\n' || json[len - 1] == ' ')) len--;
  if (len < 2 || json[len - 1] != '}') return -EINVAL;
  fwrite(json, 1, len - 1, out);
  fputc(',', out);
  mapo__mpi_place_json(out, p, threads);
  fputs("}\n", out);
  return ferror(out) ? -EIO : 0;
}
