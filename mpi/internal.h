/* internal.h - private to mpi/: what the lessons of mapo-mpi share. */
#ifndef MAPO_MPI_INTERNAL_H
#define MAPO_MPI_INTERNAL_H

#include <mpi.h>

#include "args.h"
#include "mapo/mapo.h"

/* One lesson: parses its flags (every rank, the same way; only rank 0 prints), runs,
 * reports on rank 0. Returns the exit status: 0, 1 (the run failed) or 2 (bad input),
 * the same on every rank (use mapo__mpi_agree). */
int mapo__mpi_cook(int argc, char **argv);
int mapo__mpi_cupboard(int argc, char **argv);
int mapo__mpi_sum(int argc, char **argv);
int mapo__mpi_pingpong(int argc, char **argv);

/* This rank and the job's size. */
int mapo__mpi_rank(void);
int mapo__mpi_size(void);

/* The ranks agree on an exit status: the largest any rank has (an all-reduce), so that
 * a bad flag or a failure on one rank stops them all together, never a hang. */
int mapo__mpi_agree(int status);

/* Parse argv on every rank; only rank 0 prints errors and help. Returns what cli_parse
 * returns (0 go on, 1 help printed, 2 bad input), agreed on by every rank. */
int mapo__mpi_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos);

/* One line on stderr from rank 0 only ("mapo-mpi NAME: ..."); returns status. */
int mapo__mpi_fail(int status, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Wait for a message without spinning a core: probe, and sleep a few microseconds
 * between probes (ranks are oversubscribed on small machines, and Open MPI's blocking
 * receive polls). */
int mapo__mpi_recv_idle(void *buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm,
                        MPI_Status *status);

/* The benchmark harness's hooks for ranks (mapo/bench.h `start` and `combine`): a
 * barrier on MPI_COMM_WORLD before every run; each run's seconds replaced by the
 * slowest rank's, on every rank. */
int mapo__mpi_bench_start(void *user);
int mapo__mpi_bench_combine(void *user, double *seconds);

#endif
