/* main.c - `mapo-mpi`: the MPI edition of every lesson, run under mpirun or srun.
 *
 *   mpirun -n 4 mapo-mpi cook       a head chef (rank 0) deals steps to three cooks
 *   mpirun -n 2 mapo-mpi cupboard   a cupboard per rank; one knife passed as a message
 *   mpirun -n 2 mapo-mpi sum        the kernel of mapo sum plus one reduction
 *   mpirun -n 2 mapo-mpi pingpong   what exchanging information costs
 *
 * Every rank parses the same flags; the ranks agree on failure with an all-reduce, rank
 * 0 prints one line, and all finalize and exit with the same status: a bad flag on any
 * rank never hangs the job. Open MPI refuses to run as root unless told:
 * OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (or --allow-run-as-root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "outputs.h"

static int rank, size;

int mapo__mpi_rank(void) { return rank; }
int mapo__mpi_size(void) { return size; }

int mapo__mpi_agree(int status) {
  int all = status;
  MPI_Allreduce(&status, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return all;
}

int mapo__mpi_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int *npos) {
  return mapo__mpi_agree(cli_parse(cmd, argc, argv, pos, npos));
}

int mapo__mpi_fail(int status, const char *name, const char *fmt, ...) {
  if (rank == 0) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mapo-mpi %s: ", name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
  }
  return status;
}

int mapo__mpi_recv_idle(void *buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm,
                        MPI_Status *status) {
  int flag = 0;
  MPI_Status st;
  for (int spins = 0;; spins++) {
    MPI_Iprobe(source, tag, comm, &flag, &st);
    if (flag) break;
    /* A few quick probes first (a message may be on its way), then short naps. */
    if (spins > 64) {
      struct timespec nap = {0, 20000};
      nanosleep(&nap, NULL);
    }
  }
  return MPI_Recv(buf, count, type, st.MPI_SOURCE, st.MPI_TAG, comm,
                  status ? status : MPI_STATUS_IGNORE);
}

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *about;
} lessons[] = {
    {"cook", mapo__mpi_cook,
     "a head chef (rank 0) deals ready steps to the cooks (the other ranks)"},
    {"cupboard", mapo__mpi_cupboard,
     "a cupboard per rank, then one knife shared: a token, one-sided"},
    {"sum", mapo__mpi_sum, "the notebook's sums: the kernel of mapo sum plus one reduction"},
    {"pingpong", mapo__mpi_pingpong, "latency and bandwidth between two ranks, 0 B to 4 MiB"},
};

enum { LESSONS = sizeof lessons / sizeof lessons[0] };

/* The lessons' names, "cook, cupboard, ...", for the messages that list them: from the
 * table, so that a new lesson is named everywhere by adding its row. */
static const char *lesson_names(void) {
  static char names[256];
  size_t n = 0;
  for (size_t i = 0; i < LESSONS && n < sizeof names; i++)
    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", lessons[i].name);
  return names;
}

static void usage(void) {
  puts("usage: mpirun -n N mapo-mpi LESSON [options]   (mapo-mpi LESSON --help)\n\nlessons:");
  for (size_t i = 0; i < LESSONS; i++) printf("  %-10s %s\n", lessons[i].name, lessons[i].about);
}

/* Run what argv asks for on this rank; only rank 0 prints. Returns the exit status. */
static int dispatch(int argc, char **argv) {
  if (argc < 2) {
    if (rank == 0)
      fprintf(stderr, "mapo-mpi: missing lesson (%s; see mapo-mpi --help)\n", lesson_names());
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    if (rank == 0) usage();
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    if (rank == 0) printf("mapo-mpi %s\n", MAPO_VERSION);
    return 0;
  }
  for (size_t i = 0; i < LESSONS; i++)
    if (strcmp(argv[1], lessons[i].name) == 0) return lessons[i].run(argc - 1, argv + 1);
  if (rank == 0) fprintf(stderr, "mapo-mpi: unknown lesson '%s' (%s)\n", argv[1], lesson_names());
  return 2;
}

int main(int argc, char **argv) {
  if (cli_std_fds() != 0) return 1;
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  cli_program = "mapo-mpi";
  cli_silent = rank != 0;
  int status = dispatch(argc, argv);
  /* A report that could not be written (a full disk, --help >/dev/full) is a failed run,
   * said once by the rank that wrote it. */
  if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
    fprintf(stderr, "mapo-mpi: cannot write the output: %s\n", strerror(errno));
    status = 1;
  }
  status = mapo__mpi_agree(status);
  MPI_Finalize();
  return status;
}
