/* cmd_compare.c - `mapo compare`: the notebook's "when to use which?", measured.
 *
 * Three workloads (CPU-bound: the notebook's sums; I/O-bound: orders from a local
 * supplier; the recipe) against serial, threads, processes (MPI), async and the
 * notebook's own Python. Every cell is a run of this very program (or of the Python
 * scripts in examples/python/) in a process of its own, as a user would run it; the
 * numbers are read back from their --json output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef MAPO_SOURCE_DIR
#define MAPO_SOURCE_DIR "."
#endif

extern char **environ;

enum { SERIAL, THREADS, PROCESSES, ASYNC, PYTHON, COLUMNS };
static const char *const column_names[COLUMNS] = {"serial", "threads", "processes", "async",
                                                  "python"};

typedef struct cell {
  double seconds; /* NAN: not measured */
  char note[320]; /* why not, or what was run */
} cell;

/* Extra environment for the children (the variables Open MPI needs as root). */
static char *child_env[512];

/* Run argv, capture stdout (at most 1 MiB); 0 when it exited 0. */
static int capture(char *const argv[], char *out, size_t size) {
  int fd[2];
  if (pipe(fd) != 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fd[0]);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, child_env[0] ? child_env : environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fd[1]);
  if (rc != 0) {
    close(fd[0]);
    return -rc;
  }
  size_t n = 0;
  ssize_t got;
  while ((got = read(fd[0], out + n, size - 1 - n)) > 0) n += (size_t)got;
  out[n] = '\0';
  close(fd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* The number after "key": in a JSON text, or NAN. Enough for our own flat output. */
static double json_number(const char *text, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(text, pattern);
  if (at == NULL) return NAN;
  char *end;
  double v = strtod(at + strlen(pattern), &end);
  return end == at + strlen(pattern) ? NAN : v;
}

static char self_path[4096];

/* Run `mapo ARGS... --json` and read `key`. */
static void run_mapo(cell *c, const char *key, const char *const *args) {
  char *argv[32];
  int n = 0;
  argv[n++] = self_path;
  for (; *args && n < 30; args++) argv[n++] = (char *)*args;
  argv[n++] = "--json";
  argv[n] = NULL;
  static char out[1 << 20];
  int rc = capture(argv, out, sizeof out);
  c->seconds = rc == 0 ? json_number(out, key) : NAN;
  if (rc != 0)
    snprintf(c->note, sizeof c->note, "failed: mapo %s --model %s exited with an error", argv[1],
             n > 3 ? argv[3] : "");
}

static char mpi_path[4200];

/* Run `mpirun -q -n RANKS mapo-mpi ARGS... --json` and read `key`. */
static void run_mpi(cell *c, const char *key, int ranks, const char *const *args) {
  char n[16], *argv[40];
  int i = 0;
  snprintf(n, sizeof n, "%d", ranks);
  argv[i++] = "mpirun", argv[i++] = "-q", argv[i++] = "-n", argv[i++] = n, argv[i++] = mpi_path;
  for (; *args && i < 38; args++) argv[i++] = (char *)*args;
  argv[i++] = "--json";
  argv[i] = NULL;
  static char out[1 << 20];
  int rc = capture(argv, out, sizeof out);
  c->seconds = rc == 0 ? json_number(out, key) : NAN;
  snprintf(c->note, sizeof c->note, rc == 0 ? "mpirun -n %d mapo-mpi %s" : "failed: mpirun -n %d mapo-mpi %s",
           ranks, argv[5]);
}

/* Where mapo-mpi would be (beside this program) and whether mpirun answers. NULL when
 * both are there; otherwise why not. */
static const char *mpi_missing(void) {
  snprintf(mpi_path, sizeof mpi_path, "%s-mpi", self_path);
  if (access(mpi_path, X_OK) != 0) return "not available: mapo-mpi is not built (configure with -DMAPO_ENABLE_MPI=ON and an MPI installed)";
  char *argv[] = {"mpirun", "--version", NULL};
  char out[4096];
  if (capture(argv, out, sizeof out) != 0) return "not available: mpirun does not run here";
  return NULL;
}

static void run_python(cell *c, const char *script, const char *const *args, const char *what) {
  char path[4200];
  snprintf(path, sizeof path, "%s/examples/python/%s", MAPO_SOURCE_DIR, script);
  if (access(path, R_OK) != 0) {
    snprintf(c->note, sizeof c->note, "not available: %.200s not found", path);
    return;
  }
  char *argv[32];
  int n = 0;
  argv[n++] = "python3";
  argv[n++] = path;
  for (; *args && n < 30; args++) argv[n++] = (char *)*args;
  argv[n] = NULL;
  static char out[1 << 16];
  int rc = capture(argv, out, sizeof out);
  if (rc == -ENOENT) {
    snprintf(c->note, sizeof c->note, "not available: no python3 on PATH");
    return;
  }
  c->seconds = rc == 0 ? json_number(out, "seconds") : NAN;
  snprintf(c->note, sizeof c->note, rc == 0 ? "%s" : "failed: %s", what);
}

static void format_time(char *buf, size_t size, const cell *c) {
  if (isnan(c->seconds))
    snprintf(buf, size, "n/a");
  else if (c->seconds < 1)
    snprintf(buf, size, "%.1f ms", c->seconds * 1e3);
  else
    snprintf(buf, size, "%.2f s", c->seconds);
}

int mapo__cmd_compare(int argc, char **argv) {
  int json = 0, requests = 100, latency = 20, no_python = 0;
  double unit_ms = 20;
  const cli_opt opts[] = {
      {"requests", CLI_INT, &requests, 1, 100000, NULL, "N",
       "I/O-bound row: orders (default 100; serial takes N x latency)"},
      {"latency-ms", CLI_INT, &latency, 1, 10000, NULL, "L", "I/O-bound row: the supplier's latency (default 20)"},
      {"unit-ms", CLI_DOUBLE, &unit_ms, 0.1, 1000, NULL, "MS", "recipe row: milliseconds per unit (default 20)"},
      {"no-python", CLI_FLAG, &no_python, 0, 0, NULL, NULL, "leave out the notebook's Python column"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "compare", "[--requests N] [--latency-ms L] [--unit-ms MS] [--no-python] [--json]",
      "The notebook's \"when to use which?\" as a measured matrix: a CPU-bound workload\n"
      "(the notebook's 20 sums), an I/O-bound one (orders from a local supplier) and the\n"
      "recipe, each run serially, with threads, with processes (MPI), asynchronously and\n"
      "with the notebook's own Python, each cell a measured time, each row a verdict.",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  ssize_t len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (len <= 0) {
    fprintf(stderr, "mapo compare: cannot find my own program: %s\n", strerror(errno));
    return 1;
  }
  self_path[len] = '\0';
  const int procs = mapo_sum_processors();
  char threads[16], req[16], lat[16], unit[32];
  snprintf(threads, sizeof threads, "%d", procs);
  snprintf(req, sizeof req, "%d", requests);
  snprintf(lat, sizeof lat, "%d", latency);
  snprintf(unit, sizeof unit, "%g", unit_ms);
  /* Open MPI refuses to run as root unless told; more ranks than cores need
   * oversubscription. Both go to the children only, and the report says so. */
  int root = geteuid() == 0, nenv = 0;
  for (char **e = environ; *e && nenv < 500; e++) child_env[nenv++] = *e;
  child_env[nenv++] = "OMPI_MCA_rmaps_base_oversubscribe=1";
  if (root) {
    child_env[nenv++] = "OMPI_ALLOW_RUN_AS_ROOT=1";
    child_env[nenv++] = "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1";
  }
  child_env[nenv] = NULL;
  const char *missing = mpi_missing();
  char mpi_note[240];
  snprintf(mpi_note, sizeof mpi_note, "%s", missing ? missing : "");

  enum { CPU, IO, RECIPE, ROWS };
  cell cells[ROWS][COLUMNS];
  for (int r = 0; r < ROWS; r++)
    for (int c = 0; c < COLUMNS; c++) cells[r][c] = (cell){NAN, ""};

  if (!json) fprintf(stderr, "mapo compare: measuring (about 10 s) ...\n");
  /* CPU-bound: the notebook's 20 sums. */
  run_mapo(&cells[CPU][SERIAL], "seconds_median", (const char *[]){"sum", "--model", "serial", "--repeat", "5", NULL});
  run_mapo(&cells[CPU][THREADS], "seconds_median",
           (const char *[]){"sum", "--model", "reduction", "--threads", threads, "--repeat", "5", NULL});
  if (missing)
    snprintf(cells[CPU][PROCESSES].note, sizeof cells[CPU][PROCESSES].note, "%s", mpi_note);
  else
    run_mpi(&cells[CPU][PROCESSES], "seconds_median", procs,
            (const char *[]){"sum", "--repeat", "5", NULL});
  cells[CPU][ASYNC] = cells[CPU][SERIAL];
  snprintf(cells[CPU][ASYNC].note, sizeof cells[CPU][ASYNC].note,
           "one thread computes: nothing to overlap, so the serial time");
  /* I/O-bound: orders from the local supplier. */
  run_mapo(&cells[IO][SERIAL], "seconds",
           (const char *[]){"io", "--model", "serial", "--requests", req, "--latency-ms", lat, "--repeat", "1", NULL});
  run_mapo(&cells[IO][THREADS], "seconds",
           (const char *[]){"io", "--model", "threads", "--requests", req, "--latency-ms", lat, "--repeat", "3", NULL});
  snprintf(cells[IO][PROCESSES].note, sizeof cells[IO][PROCESSES].note, "%s",
           missing ? mpi_note : "not measured: a process per order is what threads and async avoid");
  run_mapo(&cells[IO][ASYNC], "seconds",
           (const char *[]){"io", "--model", "poll", "--requests", req, "--latency-ms", lat, "--repeat", "3", NULL});
  /* The recipe. */
  run_mapo(&cells[RECIPE][SERIAL], "makespan_ms", (const char *[]){"cook", "--model", "serial", "--unit-ms", unit, NULL});
  run_mapo(&cells[RECIPE][THREADS], "makespan_ms", (const char *[]){"cook", "--model", "tasks", "--unit-ms", unit, NULL});
  if (missing)
    snprintf(cells[RECIPE][PROCESSES].note, sizeof cells[RECIPE][PROCESSES].note, "%s", mpi_note);
  else
    run_mpi(&cells[RECIPE][PROCESSES], "makespan_ms", 4,
            (const char *[]){"cook", "--unit-ms", unit, NULL});
  run_mapo(&cells[RECIPE][ASYNC], "makespan_ms", (const char *[]){"cook", "--model", "async", "--unit-ms", unit, NULL});
  for (int c = SERIAL; c <= ASYNC; c++) cells[RECIPE][c].seconds /= 1e3; /* ms to s */
  /* The notebook's Python. */
  if (no_python) {
    for (int r = 0; r < ROWS; r++) snprintf(cells[r][PYTHON].note, sizeof cells[r][PYTHON].note, "left out (--no-python)");
  } else {
    char unit_s[32], port_lat[16];
    snprintf(unit_s, sizeof unit_s, "%g", unit_ms / 1e3);
    snprintf(port_lat, sizeof port_lat, "%d", latency);
    run_python(&cells[CPU][PYTHON], "notebook_sum.py", (const char *[]){"--mode", "processes", NULL},
               "the notebook's ProcessPoolExecutor, its fastest");
    run_python(&cells[IO][PYTHON], "notebook_io.py",
               (const char *[]){"--mapo", self_path, "--requests", req, "--latency-ms", port_lat, NULL},
               "asyncio, one connection per order");
    run_python(&cells[RECIPE][PYTHON], "notebook_cook.py", (const char *[]){"--mode", "asyncio", "--unit", unit_s, NULL},
               "the notebook's asyncio cook");
  }

  const char *rows[ROWS] = {"CPU-bound: the notebook's 20 sums of i*i, n = 5e6",
                            "I/O-bound: orders from a local supplier", "the recipe (Mapo Tofu)"};
  char verdict[ROWS][400];
  const cell *cpu = cells[CPU], *io = cells[IO], *rec = cells[RECIPE];
  char python[96] = "n/a";
  if (!isnan(cpu[PYTHON].seconds)) {
    char t[32];
    format_time(t, sizeof t, &cpu[PYTHON]);
    snprintf(python, sizeof python, "%s, %.0fx the C threads", t, cpu[PYTHON].seconds / cpu[THREADS].seconds);
  }
  snprintf(verdict[CPU], sizeof verdict[CPU],
           "CPU-bound: threads win in C, %.2fx serial on %d processors (MPI ranks: %.2fx): C "
           "has no GIL. Async cannot help, one thread computes. The notebook's rule "
           "(processes for CPU-bound work) is about Python's GIL; its best, processes, took %s.",
           cpu[SERIAL].seconds / cpu[THREADS].seconds, procs,
           cpu[SERIAL].seconds / cpu[PROCESSES].seconds, python);
  snprintf(verdict[IO], sizeof verdict[IO],
           "I/O-bound: async (one thread, %.0fx serial) and threads (%.0fx) both overlap the "
           "waiting; async needs no thread per order. Serial pays every latency in turn.",
           io[SERIAL].seconds / io[ASYNC].seconds, io[SERIAL].seconds / io[THREADS].seconds);
  snprintf(verdict[RECIPE], sizeof verdict[RECIPE],
           "The recipe waits more than it works: async on one thread (%.2f of serial) is as good "
           "as a thread per chain (%.2f): be smart about waiting.",
           rec[ASYNC].seconds / rec[SERIAL].seconds, rec[THREADS].seconds / rec[SERIAL].seconds);

  if (json) {
    printf("{\"processors\":%d,\"mpi_as_root\":%s,\"rows\":[", procs,
           !missing && root ? "true" : "false");
    for (int r = 0; r < ROWS; r++) {
      printf("%s{\"workload\":", r ? "," : "");
      mapo_json_string(stdout, rows[r]);
      fputs(",\"seconds\":{", stdout);
      for (int c = 0; c < COLUMNS; c++) {
        printf("%s\"%s\":", c ? "," : "", column_names[c]);
        mapo_json_number(stdout, cells[r][c].seconds);
      }
      fputs("},\"notes\":{", stdout);
      for (int c = 0, n = 0; c < COLUMNS; c++)
        if (cells[r][c].note[0]) {
          printf("%s\"%s\":", n++ ? "," : "", column_names[c]);
          mapo_json_string(stdout, cells[r][c].note);
        }
      fputs("},\"verdict\":", stdout);
      mapo_json_string(stdout, verdict[r]);
      fputc('}', stdout);
    }
    fputs("]}\n", stdout);
    return 0;
  }
  printf("\nmapo compare: when to use which? Measured on this machine (%d processors).\n\n", procs);
  printf("  %-52s %10s %10s %10s %10s %10s\n", "workload", "serial", "threads", "processes", "async",
         "Python");
  for (int r = 0; r < ROWS; r++) {
    printf("  %-52s", rows[r]);
    for (int c = 0; c < COLUMNS; c++) {
      char t[32];
      format_time(t, sizeof t, &cells[r][c]);
      printf(" %10s", t);
    }
    printf("\n");
  }
  printf("\n  orders: %d, %d ms each; recipe: 1 unit = %g ms; threads: %d for the sums.\n\n", requests,
         latency, unit_ms, procs);
  for (int r = 0; r < ROWS; r++) printf("  %s\n", verdict[r]);
  printf("\n  notes:\n");
  if (!missing)
    printf("  - mpirun ran with OMPI_MCA_rmaps_base_oversubscribe=1 (more ranks than cores)%s\n",
           root ? " and OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, because mapo "
                  "runs as root and Open MPI refuses root otherwise" : "");
  for (int r = 0; r < ROWS; r++)
    for (int c = 0; c < COLUMNS; c++)
      if (cells[r][c].note[0]) printf("  - %s, %s: %s\n", rows[r], column_names[c], cells[r][c].note);
  return 0;
}
