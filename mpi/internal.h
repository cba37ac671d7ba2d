/* internal.h - private to mpi/: what the lessons of mapo-mpi share. */
#ifndef MAPO_MPI_INTERNAL_H
#define MAPO_MPI_INTERNAL_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "mapo/mapo.h"

/* One lesson: parses its flags (mapo__mpi_parse), runs, reports on rank 0. Returns the
 * exit status: 0, 1 (the run failed) or 2 (bad input), the same on every rank (use
 * mapo__mpi_agree). */
int mapo__mpi_cook(int argc, char **argv);
int mapo__mpi_cupboard(int argc, char **argv);
int mapo__mpi_sum(int argc, char **argv);
int mapo__mpi_pingpong(int argc, char **argv);

/* agree.c: how the ranks agree on the command line, the input and the exit status. */

/* After MPI_Init: this rank, the job's size, the agreement's own communicator; the
 * parser made silent on every rank (only the agreement prints its lines). */
void mapo__mpi_begin(void);
/* Before MPI_Finalize: what mapo__mpi_begin and mapo__mpi_parse hold. */
void mapo__mpi_end(void);

/* This rank and the job's size. */
int mapo__mpi_rank(void);
int mapo__mpi_size(void);

/* This rank's reason to fail, one line ("mapo-mpi NAME: ..."; NAME "" for none, NULL for
 * a line of its own such as a recipe's "FILE:LINE: ..."), kept until the ranks next
 * agree; the first kept wins. A rank other than 0 says which it is: "mapo-mpi NAME: rank
 * 2: ...". Prints nothing; returns status. */
int mapo__mpi_fail(int status, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The ranks agree on an exit status: the largest any rank has, so that a bad flag or a
 * failure on one rank stops them all together, never a hang. The lowest rank with that
 * status has its kept line printed by rank 0: one line on stderr in all. Naps while it
 * waits (the cooks wait here while rank 0 writes its report). */
int mapo__mpi_agree(int status);

/* Parse argv for a lesson, on every rank: each rank checks its own command line (a bad
 * flag on any rank is told as that rank's), then every rank parses rank 0's, broadcast:
 * rank 0's command line is the job's. Returns -1 to go on, or the exit status agreed by
 * every rank: 0 after rank 0 printed --help, 2 for bad input, 1 when a rank failed. */
int mapo__mpi_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos);

/* Rank 0's bytes (*data, *len on rank 0) onto every rank: malloc'd there (NUL-terminated;
 * free() it), rank 0's left as they are. Returns 0, or 1 when a rank could not make room
 * (agreed, its line told under NAME; *data then NULL on the others). */
int mapo__mpi_share(const char *name, char **data, size_t *len);

/* Wait for a message, or for a non-blocking call to complete, without spinning a core:
 * probe or test, and sleep a few microseconds between tries (ranks are oversubscribed on
 * small machines, and Open MPI's blocking calls poll). */
int mapo__mpi_recv_idle(void *buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm,
                        MPI_Status *status);
void mapo__mpi_wait_idle(MPI_Request *req);

/* The benchmark harness's hooks for ranks (mapo/bench.h `start` and `combine`): a
 * barrier on MPI_COMM_WORLD before every run; each run's seconds replaced by the
 * slowest rank's, on every rank. */
int mapo__mpi_bench_start(void *user);
int mapo__mpi_bench_combine(void *user, double *seconds);

/* place.c: where every rank runs (its host and node) and, once measured, how its clock
 * reads against rank 0's. Every field is every rank's, on every rank, except the clocks
 * (rank 0's estimates, on rank 0). */
typedef struct mapo__mpi_place {
  int size, nodes;
  char (*host)[MPI_MAX_PROCESSOR_NAME]; /* [rank] */
  int *node;                            /* [rank]: numbered by its first rank, rank 0's is 0 */
  int64_t *offset_ns, *error_ns;        /* [rank]: its clock minus rank 0's, and +/- */
  int clocks;                           /* the offsets were measured */
} mapo__mpi_place;

/* Every rank's host, on every rank (collective). Returns 0, or 1 out of memory (agreed,
 * told; nothing left to free). */
int mapo__mpi_place_init(mapo__mpi_place *p);
void mapo__mpi_place_free(mapo__mpi_place *p);
/* Rank 0 exchanges a few messages with every rank and keeps, for each, the offset from
 * the shortest round trip (collective; NTP's way: see place.c). */
void mapo__mpi_place_clocks(mapo__mpi_place *p);
/* The first rank on node `node` other than `other_than`, or the first rank on another
 * node than `node`; -1 when there is none. */
int mapo__mpi_place_first(const mapo__mpi_place *p, int node, int other_than);
int mapo__mpi_place_first_away(const mapo__mpi_place *p, int node);
/* The placement table (a rank per row: host, node, threads and, measured, the clock),
 * within `columns` (cli_columns: 0 unwrapped): a host name too long for it is cut. */
void mapo__mpi_place_text(FILE *f, const mapo__mpi_place *p, int threads, int columns);
/* "nodes":N,"placement":[{"rank":0,"host":...},...] as members of an object. */
void mapo__mpi_place_json(FILE *f, const mapo__mpi_place *p, int threads);
/* A report's one-line JSON object (json, len) onto out with the placement's members
 * added before its closing brace. 0, -EINVAL when it is no object, -EIO. */
int mapo__mpi_place_splice(FILE *out, const char *json, size_t len, const mapo__mpi_place *p,
                           int threads);

#endif
