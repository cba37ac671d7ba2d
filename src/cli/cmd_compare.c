/* cmd_compare.c - `mapo compare`: the notebook's "when to use which?", measured.
 *
 * Three workloads (CPU-bound: the notebook's sums; I/O-bound: orders from a local
 * supplier; the recipe) against serial, threads, processes (MPI), async and the
 * notebook's own Python. Every cell is a run of this very program (or of the notebook's
 * Python scripts) in a process of its own, as a user would run it; the numbers are read
 * back from their --json output. The plan below says which run fills which cell; the
 * report (src/report/compare.c) writes the matrix.
 *
 * Notice where the Python comes from: <prefix>/share/mapo/python beside an installed
 * mapo (<prefix>/bin), or <build>/share/mapo/python beside mapo in its build folder,
 * both found from this program's own path. Never from a path fixed at build time: after
 * an install the source clone may be gone, or be anyone's to recreate.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "outputs.h"

/* Where the notebook's scripts lie, relative to the folder of this program: in its build
 * folder, then in an install (bin/ beside share/). src/CMakeLists.txt passes both from
 * the install layout it configures; these are its defaults. */
#ifndef MAPO_PYTHON_IN_BUILD
#define MAPO_PYTHON_IN_BUILD "share/mapo/python"
#endif
#ifndef MAPO_PYTHON_FROM_BIN
#define MAPO_PYTHON_FROM_BIN "../share/mapo/python"
#endif

extern char **environ;

enum { SERIAL = MAPO_COMPARE_SERIAL, THREADS = MAPO_COMPARE_THREADS };
enum { PROCESSES = MAPO_COMPARE_PROCESSES, ASYNC = MAPO_COMPARE_ASYNC };
enum { PYTHON = MAPO_COMPARE_PYTHON, COLUMNS = MAPO_COMPARE_COLUMNS };
enum { CPU = MAPO_COMPARE_CPU, IO = MAPO_COMPARE_IO, RECIPE = MAPO_COMPARE_RECIPE };
enum { ROWS = MAPO_COMPARE_ROWS };

typedef struct compare_opts {
  int json, requests, latency_ms, no_python, insist, quick, wide;
  double unit_ms;
  uint64_t base, python_base; /* the CPU-bound row's first n, in C and in Python */
  int repeat;                 /* timed runs of each sum */
} compare_opts;

/* How a cell is filled: a run of mapo, of mapo-mpi under mpirun, of a notebook script;
 * or no run: the serial cell's time again, or a note only. */
typedef enum { RUN_MAPO, RUN_MPI, RUN_PYTHON, SAME_AS_SERIAL, NOTE_ONLY } cell_how;

typedef struct plan {
  int row, column;
  cell_how how;
  int ranks;            /* RUN_MPI: 0 for one per processor */
  const char *key;      /* the number read back from the run's JSON */
  double scale;         /* to seconds */
  const char *args[14]; /* "@name": a value of this run (see arg()) */
  const char *note;     /* RUN_PYTHON, SAME_AS_SERIAL, NOTE_ONLY: the cell's note */
  int python;           /* the cell is the row's Python one (py[column]) */
} plan;

#define SUM_ARGS "--numbers", "20", "--base", "@base", "--repeat", "@repeat"
#define IO_ARGS "--requests", "@requests", "--latency-ms", "@latency"
#define PY_SUM "notebook_sum.py", "--base", "@pybase", "--repeat", "@repeat", "--mode"
#define ONE_THREAD "one thread computes: nothing to overlap, so the serial time"

/* Which model fills which cell. The model tables say what a model is, not which column
 * of this matrix it stands for, so that choice is made here, once. In the order the
 * cells are measured: C, then the notebook's Python. */
static const plan plans[] = {
    {CPU,
     SERIAL,
     RUN_MAPO,
     0,
     "seconds_median",
     1,
     {"sum", "--model", "serial", SUM_ARGS},
     NULL,
     0},
    {CPU,
     THREADS,
     RUN_MAPO,
     0,
     "seconds_median",
     1,
     {"sum", "--model", "reduction", "--threads", "@threads", SUM_ARGS},
     NULL,
     0},
    {CPU, PROCESSES, RUN_MPI, 0, "seconds_median", 1, {"sum", SUM_ARGS}, NULL, 0},
    {CPU, ASYNC, SAME_AS_SERIAL, 0, NULL, 1, {NULL}, ONE_THREAD, 0},
    {IO,
     SERIAL,
     RUN_MAPO,
     0,
     "seconds",
     1,
     {"io", "--model", "serial", IO_ARGS, "--repeat", "1"},
     NULL,
     0},
    {IO,
     THREADS,
     RUN_MAPO,
     0,
     "seconds",
     1,
     {"io", "--model", "threads", IO_ARGS, "--repeat", "3"},
     NULL,
     0},
    {IO,
     PROCESSES,
     NOTE_ONLY,
     0,
     NULL,
     1,
     {NULL},
     "not measured: a process per order is what threads and async avoid",
     0},
    {IO,
     ASYNC,
     RUN_MAPO,
     0,
     "seconds",
     1,
     {"io", "--model", "poll", IO_ARGS, "--repeat", "3"},
     NULL,
     0},
    {RECIPE,
     SERIAL,
     RUN_MAPO,
     0,
     "makespan_ms",
     1e-3,
     {"cook", "--model", "serial", "--unit-ms", "@unit"},
     NULL,
     0},
    {RECIPE,
     THREADS,
     RUN_MAPO,
     0,
     "makespan_ms",
     1e-3,
     {"cook", "--model", "tasks", "--unit-ms", "@unit"},
     NULL,
     0},
    {RECIPE, PROCESSES, RUN_MPI, 4, "makespan_ms", 1e-3, {"cook", "--unit-ms", "@unit"}, NULL, 0},
    {RECIPE,
     ASYNC,
     RUN_MAPO,
     0,
     "makespan_ms",
     1e-3,
     {"cook", "--model", "async", "--unit-ms", "@unit"},
     NULL,
     0},
    {CPU,
     SERIAL,
     RUN_PYTHON,
     0,
     "seconds_median",
     1,
     {PY_SUM, "serial"},
     "the notebook's cpu_bound in a loop",
     1},
    {CPU,
     THREADS,
     RUN_PYTHON,
     0,
     "seconds_median",
     1,
     {PY_SUM, "threads"},
     "the notebook's ThreadPoolExecutor",
     1},
    {CPU,
     PROCESSES,
     RUN_PYTHON,
     0,
     "seconds_median",
     1,
     {PY_SUM, "processes"},
     "the notebook's ProcessPoolExecutor, its choice",
     1},
    {CPU, ASYNC, SAME_AS_SERIAL, 0, NULL, 1, {NULL}, ONE_THREAD, 1},
    {IO,
     SERIAL,
     NOTE_ONLY,
     0,
     NULL,
     1,
     {NULL},
     "not measured: it pays every latency in turn, as the C row shows",
     1},
    {IO,
     THREADS,
     RUN_PYTHON,
     0,
     "seconds",
     1,
     {"notebook_io.py", "--mapo", "@self", IO_ARGS, "--mode", "threads"},
     "a thread per order, one connection each",
     1},
    {IO,
     PROCESSES,
     NOTE_ONLY,
     0,
     NULL,
     1,
     {NULL},
     "not measured: a process per order is what threads and async avoid",
     1},
    {IO,
     ASYNC,
     RUN_PYTHON,
     0,
     "seconds",
     1,
     {"notebook_io.py", "--mapo", "@self", IO_ARGS, "--mode", "asyncio"},
     "asyncio, one connection per order",
     1},
    {RECIPE,
     SERIAL,
     RUN_PYTHON,
     0,
     "seconds",
     1,
     {"notebook_cook.py", "--mode", "serial", "--unit", "@unit_s"},
     "the notebook's serial cook",
     1},
    {RECIPE,
     THREADS,
     RUN_PYTHON,
     0,
     "seconds",
     1,
     {"notebook_cook.py", "--mode", "threads", "--unit", "@unit_s"},
     "the notebook's ThreadPoolExecutor cook",
     1},
    {RECIPE,
     PROCESSES,
     NOTE_ONLY,
     0,
     NULL,
     1,
     {NULL},
     "not measured: the notebook cooks with threads or asyncio",
     1},
    {RECIPE,
     ASYNC,
     RUN_PYTHON,
     0,
     "seconds",
     1,
     {"notebook_cook.py", "--mode", "asyncio", "--unit", "@unit_s"},
     "the notebook's asyncio cook",
     1}};

/* The notebook's choice in Python for each workload: the python column of the JSON. */
static const int python_choice[ROWS] = {PROCESSES, ASYNC, ASYNC};

/* What every run shares: the programs, the scripts' folder, the children's environment
 * and the values the plan's "@name" arguments stand for. */
typedef struct compare_ctx {
  char self[4096];         /* this program, from /proc/self/exe */
  char mpi[4200];          /* mapo-mpi beside it */
  char python[4200];       /* the folder of the notebook's scripts */
  const char *mpi_missing; /* NULL when mpirun and mapo-mpi are there; else why not */
  int procs, as_root;
  char **env; /* the children's environment: ours and Open MPI's variables (malloc'd) */
  char threads[16], requests[16], latency[16], unit[32], unit_s[32];
  char base[24], pybase[24], repeat[16];
  char cpu_workload[160]; /* the CPU-bound row in words, with its sizes */
  char programs[9000];    /* the note naming the programs the commands run */
} compare_ctx;

/* A command line, its words copied in: exec wants char *argv[], and copies keep constant
 * text (the plan, string literals) constant. */
typedef struct command {
  char *argv[24];
  int argc;
  int full; /* a word did not fit: the command is not run */
  size_t used;
  char text[16384];
} command;

static void push(command *c, const char *word) {
  size_t n = strlen(word) + 1;
  if (c->argc + 1 >= (int)(sizeof c->argv / sizeof c->argv[0]) || n > sizeof c->text - c->used) {
    c->full = 1;
    return;
  }
  c->argv[c->argc++] = memcpy(c->text + c->used, word, n);
  c->argv[c->argc] = NULL;
  c->used += n;
}

/* ---- children, and the signals that end them ---------------------------------------
 *
 * Each run is a process group of its own: the child and whatever it starts (mapo io's
 * supplier, mpirun's ranks, Python's pool of workers). SIGINT, SIGTERM or SIGHUP to
 * mapo compare ends that group with it: the handler sends the group SIGTERM, the run
 * is given STOP_GRACE_S to clean up, then the group gets SIGKILL; the child is reaped
 * and mapo compare dies of the signal it got, as it would have without a handler. A
 * terminal's Ctrl-C reaches only its foreground group, which is mapo compare's, not
 * the child's: without the handler the children would run on for minutes. */

enum { STOP_GRACE_S = 5 };
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static volatile sig_atomic_t child_group; /* the running child's group, 0 when none */
static volatile sig_atomic_t stopped_by;  /* the signal that ends this run, 0 when none */

static void on_stop(int sig) {
  if (stopped_by == 0) stopped_by = sig;
  if (child_group > 0) kill(-child_group, SIGTERM); /* async-signal-safe */
}

/* Without SA_RESTART: a read() from the child is interrupted, and capture() sees it. */
static void catch_stop_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
    sigaction(stop_signals[i], &sa, NULL);
}

static void block_stop_signals(int how) {
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
    sigaddset(&set, stop_signals[i]);
  sigprocmask(how, &set, NULL);
}

/* Die of the signal that stopped the run, with its default action. */
static void die_of_stop_signal(void) {
  const int sig = stopped_by;
  /* Neither can fail with a valid signal; if the process lived on, exit 1 says so. */
  (void)signal(sig, SIG_DFL);
  block_stop_signals(SIG_UNBLOCK);
  (void)raise(sig);
  exit(1);
}

/* The child in its own group (pgid 0: its pid), with a clean mask and the stop signals
 * at their default action, even where mapo compare was started with them ignored. */
static int spawn_in_group(pid_t *pid, const compare_ctx *x, const command *c,
                          const posix_spawn_file_actions_t *fa) {
  posix_spawnattr_t at;
  int rc = posix_spawnattr_init(&at);
  if (rc != 0) return rc;
  sigset_t none, stops;
  sigemptyset(&none);
  sigemptyset(&stops);
  for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
    sigaddset(&stops, stop_signals[i]);
  if ((rc = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
      (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
      (rc = posix_spawnattr_setsigdefault(&at, &stops)) == 0 &&
      (rc = posix_spawnattr_setflags(
           &at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
    rc = posix_spawnp(pid, c->argv[0], fa, &at, c->argv, x->env);
  posix_spawnattr_destroy(&at);
  return rc;
}

/* The child's exit status. After a stop signal: STOP_GRACE_S for it to end, then it is
 * killed. Either way its group gets SIGKILL before it is reaped (its pid, the group's
 * id, stays reserved until then): nothing it started outlives the cell. */
static int reap(pid_t pid) {
  const struct timespec ten_ms = {0, 10000000};
  for (int waits = 0;;) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOWAIT: an exited child stays a zombie, and its group's id stays its own. */
    const int flags = WEXITED | WNOWAIT | (stopped_by ? WNOHANG : 0);
    const int rc = waitid(P_PID, (id_t)pid, &info, flags);
    if ((rc == 0 && info.si_pid == pid) || (rc < 0 && errno != EINTR)) break;
    if (stopped_by && ++waits > STOP_GRACE_S * 100) break; /* it had its chance */
    if (stopped_by) nanosleep(&ten_ms, NULL);
  }
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

/* Run the command, capture stdout (at most size - 1 bytes); 0 when it exited 0, -EINTR
 * when a stop signal ended it (or came before it started). */
static int capture(const compare_ctx *x, const command *c, char *out, size_t size) {
  if (c->full || c->argc == 0) return -E2BIG;
  int fd[2];
  if (pipe2(fd, O_CLOEXEC) != 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  /* Blocked from before the spawn until the group is known: a signal in between would
   * find no group to end, and the child would run on. */
  block_stop_signals(SIG_BLOCK);
  int rc = stopped_by ? EINTR : spawn_in_group(&pid, x, c, &fa);
  if (rc == 0) child_group = pid;
  block_stop_signals(SIG_UNBLOCK);
  posix_spawn_file_actions_destroy(&fa);
  close(fd[1]);
  if (rc != 0) {
    close(fd[0]);
    return -rc;
  }
  size_t n = 0;
  ssize_t got;
  while (!stopped_by && n < size - 1) {
    got = read(fd[0], out + n, size - 1 - n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    n += (size_t)got;
  }
  out[n] = '\0';
  close(fd[0]);
  const int status = reap(pid);
  child_group = 0;
  if (stopped_by) return -EINTR;
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

/* Run the command and read key from what it printed into the cell: the time in
 * seconds, or NAN. Returns what capture() returned. */
static int measure(const compare_ctx *x, const command *c, const plan *p, mapo_compare_cell *cell) {
  static char out[1 << 20];
  int rc = capture(x, c, out, sizeof out);
  cell->seconds = rc == 0 ? json_number(out, p->key) * p->scale : NAN;
  /* A run that reports its median reports its best and worst beside it: the spread the
   * verdicts weigh (0 where there is none). */
  if (rc == 0 && strcmp(p->key, "seconds_median") == 0) {
    cell->min = json_number(out, "seconds_min") * p->scale;
    cell->max = json_number(out, "seconds_max") * p->scale;
  }
  return rc;
}

/* A plan's argument with "@name" replaced by its value in this run. */
static const char *arg(const compare_ctx *x, const char *a) {
  const struct {
    const char *name, *value;
  } values[] = {{"@threads", x->threads}, {"@requests", x->requests}, {"@latency", x->latency},
                {"@unit", x->unit},       {"@unit_s", x->unit_s},     {"@self", x->self},
                {"@base", x->base},       {"@pybase", x->pybase},     {"@repeat", x->repeat}};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    if (strcmp(a, values[i].name) == 0) return values[i].value;
  return a;
}

/* The plan's arguments from the first'th on, then `last` unless it is NULL. */
static void push_args(const compare_ctx *x, command *c, const plan *p, int first,
                      const char *last) {
  for (int i = first; i < 14 && p->args[i]; i++) push(c, arg(x, p->args[i]));
  if (last) push(c, last);
}

/* The cell's command as a reader reruns it: the programs by their names (the notes say
 * where they are), every other word as it ran, --json left out. */
static void show_command(const compare_ctx *x, const command *c, mapo_compare_cell *cell) {
  size_t used = 0;
  cell->command[0] = '\0';
  for (int i = 0; i < c->argc && used < sizeof cell->command; i++) {
    const char *w = c->argv[i];
    if (strcmp(w, "--json") == 0) continue;
    if (strcmp(w, x->self) == 0)
      w = "mapo";
    else if (strcmp(w, x->mpi) == 0)
      w = "mapo-mpi";
    else if (strncmp(w, x->python, strlen(x->python)) == 0 && w[strlen(x->python)] == '/')
      w += strlen(x->python) + 1;
    const int n =
        snprintf(cell->command + used, sizeof cell->command - used, "%s%s", used ? " " : "", w);
    if (n < 0) break;
    used += (size_t)n;
  }
}

/* `mapo ARGS... --json`. */
static void run_mapo(const compare_ctx *x, const plan *p, mapo_compare_cell *cell) {
  static command c;
  c = (command){.argc = 0};
  push(&c, x->self);
  push_args(x, &c, p, 0, "--json");
  show_command(x, &c, cell);
  if (measure(x, &c, p, cell) != 0)
    snprintf(cell->note, sizeof cell->note, "failed: mapo %s --model %s exited with an error",
             p->args[0], p->args[1] ? arg(x, p->args[2]) : "");
}

/* `mpirun -n RANKS mapo-mpi ARGS... --json` (not -q: it hides Open MPI's own errors). */
static void run_mpi(const compare_ctx *x, const plan *p, mapo_compare_cell *cell) {
  char ranks[16];
  snprintf(ranks, sizeof ranks, "%d", p->ranks ? p->ranks : x->procs);
  static command c;
  c = (command){.argc = 0};
  const char *head[] = {"mpirun", "-n", ranks, x->mpi};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) push(&c, head[i]);
  push_args(x, &c, p, 0, "--json");
  show_command(x, &c, cell);
  if (measure(x, &c, p, cell) != 0)
    snprintf(cell->note, sizeof cell->note, "failed: mpirun -n %s mapo-mpi %s exited with an error",
             ranks, p->args[0]);
}

/* A script may run only when no one but its owner (root or whoever runs mapo) could
 * have changed it or its folder. */
static int trusted(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  return (st.st_uid == 0 || st.st_uid == geteuid()) && !(st.st_mode & S_IWOTH);
}

/* `python3 <scripts>/SCRIPT ARGS...`. */
static void run_python(const compare_ctx *x, const plan *p, mapo_compare_cell *cell) {
  char path[4400];
  snprintf(path, sizeof path, "%s/%s", x->python, p->args[0]);
  if (access(path, R_OK) != 0) {
    snprintf(cell->note, sizeof cell->note, "not available: %.*s not found",
             mapo_utf8_cut(path, 200), path);
    return;
  }
  if (!trusted(x->python) || !trusted(path)) {
    snprintf(cell->note, sizeof cell->note, "not run: %.*s could be changed by others",
             mapo_utf8_cut(path, 200), path);
    return;
  }
  static command c;
  c = (command){.argc = 0};
  push(&c, "python3");
  push(&c, path);
  push_args(x, &c, p, 1, NULL);
  show_command(x, &c, cell);
  int rc = measure(x, &c, p, cell);
  if (rc == -ENOENT) {
    cell->command[0] = '\0';
    snprintf(cell->note, sizeof cell->note, "not available: no python3 on PATH");
    return;
  }
  snprintf(cell->note, sizeof cell->note, rc == 0 ? "%s" : "failed: %s", p->note);
}

/* Fill the cell plan p names. */
static void fill(const compare_ctx *x, const compare_opts *o, const plan *p, mapo_compare *c) {
  mapo_compare_row *row = &c->rows[p->row];
  mapo_compare_cell *cells = p->python ? row->py : row->cells, *cell = &cells[p->column];
  if (p->how == RUN_MPI && x->mpi_missing) {
    snprintf(cell->note, sizeof cell->note, "%s", x->mpi_missing);
    return;
  }
  if (p->python && o->no_python) {
    snprintf(cell->note, sizeof cell->note, "left out (--no-python)");
    return;
  }
  switch (p->how) {
  case RUN_MAPO: run_mapo(x, p, cell); break;
  case RUN_MPI: run_mpi(x, p, cell); break;
  case RUN_PYTHON: run_python(x, p, cell); break;
  case SAME_AS_SERIAL:
    /* The serial time, range and all: the same run, not one more. */
    cell->seconds = cells[SERIAL].seconds;
    cell->min = cells[SERIAL].min;
    cell->max = cells[SERIAL].max;
    break;
  case NOTE_ONLY: break;
  }
  if (p->how == SAME_AS_SERIAL || p->how == NOTE_ONLY)
    snprintf(cell->note, sizeof cell->note, "%s", p->note);
}

/* Why mapo-mpi (beside this program) cannot run, or NULL when it and mpirun are there. */
static const char *mpi_missing(compare_ctx *x) {
  snprintf(x->mpi, sizeof x->mpi, "%s-mpi", x->self);
  if (access(x->mpi, X_OK) != 0)
    return "not available: mapo-mpi is not built (configure with -DMAPO_ENABLE_MPI=ON and an "
           "MPI installed)";
  static command c;
  c = (command){.argc = 0};
  push(&c, "mpirun");
  push(&c, "--version");
  char out[4096];
  if (capture(x, &c, out, sizeof out) != 0) return "not available: mpirun does not run here";
  return NULL;
}

/* The scripts' folder: in this program's build folder when it is one, else beside an
 * installed bin/. Both are the installer's own; nothing is looked for anywhere else. */
static void find_python(compare_ctx *x) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", x->self);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  snprintf(x->python, sizeof x->python, "%s/%s", dir, MAPO_PYTHON_IN_BUILD);
  struct stat st;
  if (stat(x->python, &st) != 0 || !S_ISDIR(st.st_mode))
    snprintf(x->python, sizeof x->python, "%s/%s", dir, MAPO_PYTHON_FROM_BIN);
}

/* Open MPI refuses to run as root unless told; more ranks than cores need
 * oversubscription. Both go to the children only, and the report says so. The array is
 * as long as our environment: every variable, PATH included, however many there are,
 * reaches the children. -ENOMEM when it cannot be made. */
static int child_environment(compare_ctx *x) {
  size_t n = 0;
  while (environ[n] != NULL) n++;
  x->env = malloc((n + 4) * sizeof *x->env);
  if (x->env == NULL) return -ENOMEM;
  memcpy(x->env, environ, n * sizeof *x->env);
  x->env[n++] = "OMPI_MCA_rmaps_base_oversubscribe=1";
  if (x->as_root) {
    x->env[n++] = "OMPI_ALLOW_RUN_AS_ROOT=1";
    x->env[n++] = "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1";
  }
  x->env[n] = NULL;
  return 0;
}

/* Everything the runs share. -errno when this program cannot find itself, -ENOMEM when
 * the children's environment cannot be made. */
static int setup(compare_ctx *x, const compare_opts *o) {
  ssize_t len = readlink("/proc/self/exe", x->self, sizeof x->self - 1);
  if (len <= 0) return -errno;
  x->self[len] = '\0';
  x->procs = mapo_sum_processors();
  x->as_root = geteuid() == 0;
  snprintf(x->threads, sizeof x->threads, "%d", x->procs);
  snprintf(x->requests, sizeof x->requests, "%d", o->requests);
  snprintf(x->latency, sizeof x->latency, "%d", o->latency_ms);
  snprintf(x->unit, sizeof x->unit, "%g", o->unit_ms);
  snprintf(x->unit_s, sizeof x->unit_s, "%g", o->unit_ms / 1e3);
  snprintf(x->base, sizeof x->base, "%" PRIu64, o->base);
  snprintf(x->pybase, sizeof x->pybase, "%" PRIu64, o->python_base);
  snprintf(x->repeat, sizeof x->repeat, "%d", o->repeat);
  snprintf(x->cpu_workload, sizeof x->cpu_workload,
           "CPU-bound: the notebook's 20 sums of i*i, n = %" PRIu64 " in C, %" PRIu64 " in Python",
           o->base, o->python_base);
  if (child_environment(x) != 0) return -ENOMEM;
  x->mpi_missing = mpi_missing(x);
  find_python(x);
  snprintf(x->programs, sizeof x->programs,
           "the commands below: mapo is %s%s; python3 runs the notebook's scripts in %s", x->self,
           x->mpi_missing ? "" : ", mapo-mpi the one beside it", x->python);
  return 0;
}

/* The cells with no run say so; the JSON's python column is the notebook's choice. */
static void finish(const compare_ctx *x, mapo_compare *c) {
  static const char *const workloads[ROWS] = {NULL, "I/O-bound: orders from a local supplier",
                                              "the recipe (Mapo Tofu)"};
  for (int r = 0; r < ROWS; r++) {
    c->rows[r].workload = r == CPU ? x->cpu_workload : workloads[r];
    c->rows[r].cells[PYTHON] = c->rows[r].py[python_choice[r]];
  }
}

/* Every cell of the plan, then the verdicts. */
static void run(const compare_ctx *x, const compare_opts *o, mapo_compare *c) {
  *c = (mapo_compare){.processors = x->procs,
                      .requests = o->requests,
                      .latency_ms = o->latency_ms,
                      .unit_ms = o->unit_ms,
                      .mpi_ran = x->mpi_missing == NULL,
                      .as_root = x->as_root,
                      .base = (double)o->base,
                      .python_base = (double)o->python_base,
                      .repeat = o->repeat,
                      .programs = x->programs};
  for (int r = 0; r < ROWS; r++) {
    for (int col = 0; col < COLUMNS; col++) c->rows[r].cells[col].seconds = NAN;
    for (int col = 0; col < MAPO_COMPARE_WAYS; col++) c->rows[r].py[col].seconds = NAN;
  }
  for (size_t i = 0; i < sizeof plans / sizeof plans[0] && !stopped_by; i++)
    fill(x, o, &plans[i], c);
  finish(x, c);
  mapo_compare_verdicts(c);
}

/* The word after `flag` in the plan's arguments, or NULL. */
static const char *plan_flag(const plan *p, const char *flag) {
  for (int i = 0; i + 1 < 14 && p->args[i + 1]; i++)
    if (strcmp(p->args[i], flag) == 0) return p->args[i + 1];
  return NULL;
}

/* The least time of the cells this program runs itself whose waits follow from the flags
 * (the I/O row's orders, the recipe row's cooking), from the library's estimates of the
 * very commands the plan runs; the rest (the sums, MPI, Python) only adds to it. */
static double estimate_s(const compare_opts *o) {
  mapo_recipe r;
  if (mapo_recipe_builtin(&r) < 0) return NAN;
  double s = 0;
  for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
    const plan *p = &plans[i];
    const char *model = plan_flag(p, "--model"), *repeat = plan_flag(p, "--repeat");
    if (p->how != RUN_MAPO || model == NULL) continue;
    if (strcmp(p->args[0], "io") == 0) {
      const mapo_io_model *m = mapo_io_model_find(model);
      mapo_io_opts io = {.requests = o->requests, .latency_ms = o->latency_ms};
      if (m != NULL && mapo_io_opts_check(m, &io, NULL, 0) == 0)
        s += mapo_io_estimate_s(m, &io, repeat ? (int)strtol(repeat, NULL, 10) : 1);
    } else if (strcmp(p->args[0], "cook") == 0) {
      const mapo_kitchen_opts k = {.unit_ms = o->unit_ms};
      const mapo_cook_model *m = mapo_cook_model_find(model); /* NULL would mean all */
      if (m != NULL) s += mapo_cook_estimate_s(m, &r, &k, 1);
    }
  }
  mapo_recipe_free(&r);
  return s;
}

/* The sizes a flag did not set (0): a class's (--quick, about 10 s in all on 2 cores) or
 * the full run's, where the sums take long enough that noise does not decide them (serial
 * C at least 0.2 s on a 2020s core) and Python's GIL shows (about 0.6 s a run). */
static void default_sizes(compare_opts *o) {
  const int q = o->quick;
  if (o->requests == 0) o->requests = q ? 20 : 100;
  if (o->latency_ms == 0) o->latency_ms = q ? 10 : 20;
  if (o->unit_ms == 0) o->unit_ms = q ? 5 : 20;
  if (o->base == 0) o->base = q ? 30000000 : 120000000;
  if (o->python_base == 0) o->python_base = q ? 150000 : 300000;
  o->repeat = 3;
}

/* Returns 0 to go on, 1 when --help was printed, 2 after a line on stderr (cli_parse). */
static int parse(int argc, char **argv, compare_opts *o) {
  const cli_opt opts[] = {
      {"quick", CLI_FLAG, &o->quick, 0, 0, NULL, NULL,
       "a class's run (10 s): smaller sizes; the flags win"},
      {"base", CLI_U64, &o->base, 1, (double)MAPO_SUM_N_MAX, NULL, "B",
       "sums from n, in C (120000000; quick 30000000)"},
      {"python-base", CLI_U64, &o->python_base, 1, 100000000, NULL, "B",
       "the same in Python (300000; quick 150000)"},
      {"requests", CLI_INT, &o->requests, 1, 100000, NULL, "N", "I/O-bound orders (100; quick 20)"},
      {"latency-ms", CLI_INT, &o->latency_ms, 1, 10000, NULL, "L", "their latency (20; quick 10)"},
      {"unit-ms", CLI_DOUBLE, &o->unit_ms, 0.1, 1000, NULL, "MS",
       "recipe: ms per unit (20; quick 5)"},
      {"no-python", CLI_FLAG, &o->no_python, 0, 0, NULL, NULL,
       "leave out the notebook's Python rows"},
      {"wide", CLI_FLAG, &o->wide, 0, 0, NULL, NULL,
       "sentences unfolded (else COLUMNS, the tty or 80)"},
      {"json", CLI_FLAG, &o->json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      CLI_INSIST(&o->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "compare",
      "[--quick] [--base B] [--python-base B] [--requests N]\n"
      "       [--latency-ms L] [--unit-ms MS] [--no-python] [--wide] [--json]\n"
      "       [--insist]",
      "The notebook's \"when to use which?\" as a measured matrix: a CPU-bound workload\n"
      "(the notebook's 20 sums), an I/O-bound one (orders from a local supplier) and\n"
      "the recipe, each run serially, with threads, with processes (MPI) and\n"
      "asynchronously, in C and in the notebook's own Python; each cell a measured\n"
      "time, each row a verdict (the GIL: Python's threads no faster than serial on\n"
      "the sums, its processes faster).",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc;
  default_sizes(o);
  return cli_check_time(&cmd, estimate_s(o), o->insist);
}

/* Cells that were to be measured and failed (their note says why); a cell left out on
 * purpose or not available here is no failure. */
static int failed_cells(const mapo_compare *c) {
  int n = 0;
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++)
    for (int k = 0; k < MAPO_COMPARE_WAYS; k++) /* the python column is a copy of a py cell */
      n += (strncmp(c->rows[r].cells[k].note, "failed", 6) == 0) +
           (strncmp(c->rows[r].py[k].note, "failed", 6) == 0);
  return n;
}

int mapo__cmd_compare(int argc, char **argv) {
  compare_opts o = {0};
  int rc = parse(argc, argv, &o);
  if (rc != 0) return rc == 1 ? 0 : 2;
  static compare_ctx x;
  catch_stop_signals();
  if ((rc = setup(&x, &o)) != 0) {
    fprintf(stderr, "mapo compare: %s: %s\n",
            rc == -ENOMEM ? "cannot run children" : "cannot find my own program", strerror(-rc));
    return 1;
  }
  static mapo_compare c;
  if (!o.json) fprintf(stderr, "mapo compare: measuring (about %d s) ...\n", o.quick ? 10 : 30);
  run(&x, &o, &c);
  if (stopped_by) die_of_stop_signal(); /* no report: the run did not finish */
  rc = o.json ? mapo_report_compare_json(stdout, &c)
              : mapo_report_compare_text_at(stdout, &c, cli_columns(o.wide));
  free(x.env);
  const int failed = failed_cells(&c);
  if (failed > 0)
    fprintf(stderr, "mapo compare: %d cell%s failed (the table says why)\n", failed,
            failed == 1 ? "" : "s");
  return rc == 0 && failed == 0 ? 0 : 1;
}
