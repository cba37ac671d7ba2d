/* bench.c - the MPI hooks of the benchmark harness (mapo/bench.h), as IMB times: every
 * run starts after a barrier, and its time is the slowest rank's, known to every rank
 * (an all-reduce, so the ranks' reports and decisions agree). */
#include "internal.h"

int mapo__mpi_bench_start(void *user) {
  (void)user;
  return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : MAPO_EINVAL;
}

int mapo__mpi_bench_combine(void *user, double *seconds) {
  (void)user;
  return MPI_Allreduce(MPI_IN_PLACE, seconds, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD) == MPI_SUCCESS
             ? 0
             : MAPO_EINVAL;
}
