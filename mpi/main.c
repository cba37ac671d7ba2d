/* main.c - `mapo-mpi`: the MPI edition of every lesson, run under mpirun or srun.
 *
 *   mpirun -n 4 mapo-mpi cook       a head chef (rank 0) deals steps to three cooks
 *   mpirun -n 2 mapo-mpi cupboard   a cupboard per rank; one knife passed as a message
 *   mpirun -n 2 mapo-mpi sum        the kernel of mapo sum plus one reduction
 *   mpirun -n 2 mapo-mpi pingpong   what exchanging information costs
 *
 * Rank 0's command line and rank 0's input are the job's (agree.c): every rank checks
 * its own flags, then parses rank 0's; only rank 0 reads an input. The ranks agree on
 * failure with an all-reduce, rank 0 prints the one line that says why (naming the rank
 * when it was another's), and all finalize and exit with the same status: a bad flag on
 * any rank never hangs the job. Open MPI refuses to run as root unless told:
 * OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (or --allow-run-as-root).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "outputs.h"

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

enum { HELP = -1, VERSION = -2, NONE = -3 }; /* what argv asks for, beside a lesson */

/* What argv asks of this rank: a lesson's index, HELP or VERSION; NONE after keeping
 * the reason (mapo__mpi_fail). */
static int choose(int argc, char **argv) {
  if (argc < 2)
    return mapo__mpi_fail(NONE, "", "missing lesson (%s; see mapo-mpi --help)", lesson_names());
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return HELP;
  if (strcmp(argv[1], "--version") == 0) return VERSION;
  for (int i = 0; i < LESSONS; i++)
    if (strcmp(argv[1], lessons[i].name) == 0) return i;
  return mapo__mpi_fail(NONE, "", "unknown lesson '%s' (%s)", argv[1], lesson_names());
}

static const char *chosen(int which) {
  return which >= 0 ? lessons[which].name : which == HELP ? "--help" : "--version";
}

/* Run what argv asks for; only rank 0 prints. Every rank must ask for what rank 0 asks
 * for (MPMD can give each rank a command line of its own): a lesson's flags are checked
 * against that lesson's table. Returns the exit status. */
static int dispatch(int argc, char **argv) {
  const int mine = choose(argc, argv);
  int zero = mine;
  MPI_Bcast(&zero, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (mine != NONE && zero != NONE && mine != zero)
    mapo__mpi_fail(2, "", "runs %s, rank 0 %s (every rank must run the same lesson)", chosen(mine),
                   chosen(zero));
  const int status = mapo__mpi_agree(mine == NONE || zero == NONE || mine != zero ? 2 : 0);
  if (status != 0) return status;
  if (mine == HELP || mine == VERSION) {
    if (mapo__mpi_rank() == 0 && mine == HELP) usage();
    if (mapo__mpi_rank() == 0 && mine == VERSION) printf("mapo-mpi %s\n", MAPO_VERSION);
    return 0;
  }
  return lessons[mine].run(argc - 1, argv + 1);
}

int main(int argc, char **argv) {
  if (cli_std_fds() != 0) return 1;
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  mapo__mpi_begin();
  int status = dispatch(argc, argv);
  /* A report that could not be written (a full disk, --help >/dev/full) is a failed run,
   * said once by the rank that wrote it. */
  if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
    status = mapo__mpi_fail(1, "", "cannot write the output: %s", strerror(errno));
  }
  status = mapo__mpi_agree(status);
  mapo__mpi_end();
  MPI_Finalize();
  return status;
}
