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
 * any rank never hangs the job.
 *
 * MPI is started with threads only for a lesson that runs them (`sum --threads T` with
 * T > 1, and `cupboard`, whose reference is an OpenMP lock between 2 threads):
 * MPI_Init_thread(MPI_THREAD_FUNNELED) there, plain MPI_Init everywhere else. Asking for
 * threads is not free: within one node, a 0-byte ping-pong costs 0.10-0.13 us after
 * MPI_Init and 0.15-0.21 us after MPI_Init_thread(FUNNELED) (Open MPI then guards its
 * progress engine). The level is chosen from this rank's own argv, before MPI can say
 * what rank 0's is; a lesson that runs threads checks the level it got (MPI_Query_thread).
 * Open MPI refuses to run as root unless told:
 * OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (or --allow-run-as-root).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "outputs.h"

/* Whether a lesson runs threads beside MPI: never, always, or when its --threads is
 * more than 1. */
enum { NO_THREADS, THREADS, THREADS_FLAG };

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *about;
  int threads;
} lessons[] = {
    {"cook", mapo__mpi_cook, "a head chef (rank 0) deals ready steps to cooks (the other ranks)",
     NO_THREADS},
    {"cupboard", mapo__mpi_cupboard,
     "a cupboard per rank, then one knife shared: a token, one-sided", THREADS},
    {"sum", mapo__mpi_sum, "the notebook's sums: the kernel of mapo sum plus one reduction",
     THREADS_FLAG},
    {"pingpong", mapo__mpi_pingpong, "latency and bandwidth between two ranks, 0 B to 4 MiB",
     NO_THREADS},
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
  puts("\nEvery lesson takes --json (one JSON object) and --wide (sentences not folded to\n"
       "the terminal's width, COLUMNS or 80 columns).");
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

/* Whether argv's lesson runs threads: its table says, or its --threads T (--threads=T)
 * with T other than 1. A mistaken flag asks for nothing: the parser will refuse it. */
static int wants_threads(int argc, char **argv) {
  for (int i = 0; argc > 1 && i < LESSONS; i++) {
    if (strcmp(argv[1], lessons[i].name) != 0) continue;
    if (lessons[i].threads != THREADS_FLAG) return lessons[i].threads == THREADS;
    for (int j = 2; j < argc && argv[j] != NULL; j++) {
      const char *v = strncmp(argv[j], "--threads=", 10) == 0             ? argv[j] + 10
                      : strcmp(argv[j], "--threads") == 0 && j + 1 < argc ? argv[j + 1]
                                                                          : NULL;
      if (v != NULL && strcmp(v, "1") != 0) return 1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (cli_std_fds() != 0) return 1;
  int provided;
  if (wants_threads(argc, argv))
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  else
    MPI_Init(&argc, &argv);
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
