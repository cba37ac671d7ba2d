/* cmd_io.c - `mapo io`: the I/O-bound benchmark, orders from a local supplier; and the
 * hidden `mapo io-supplier`, the supplier itself (src/io/supplier.c), which `mapo io`
 * starts. Each reads parse -> run -> report; the models, their flags and their words
 * come from mapo_io_models (mapo/io.h), the report from mapo/report_io.h.
 *
 * Run:    mapo io --model poll --requests 1000 --latency-ms 50
 * Notice: the ideal beside every time: N x L for serial, L when every order is in flight
 *         at once. What is above the ideal, per order, is what the model costs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "outputs.h"

enum { REPEAT_MAX = 1000, START_TIMEOUT_MS = 10000, SPARE_FDS = 32, ABOUT_MAX = 2048 };

/* What the command line asked for; the defaults are set in parse(). */
typedef struct io_args {
  const char *model, *dir;
  int requests, latency, threads, connections, file_kib, repeat, json, insist, grace, wide;
} io_args;

static io_args args;
/* The --model choices and the --help paragraph come from mapo_io_models: see
 * describe_models(). */
static const char *model_names[MAPO_IO_MODELS_MAX + 1];
static char about[ABOUT_MAX];

static const cli_opt io_opts[] = {
    {"model", CLI_CHOICE, &args.model, 0, 0, model_names, "M", "the client model (default poll)"},
    {"requests", CLI_INT, &args.requests, 1, MAPO_IO_REQUESTS_MAX, NULL, "N",
     "orders to place (aio: files to read; default 1000)"},
    {"latency-ms", CLI_INT, &args.latency, 0, MAPO_IO_LATENCY_MS_MAX, NULL, "L",
     "how long the supplier takes to answer an order (default 50)"},
    {"threads", CLI_INT, &args.threads, 1, MAPO_IO_THREADS_MAX, NULL, "T",
     "threads: how many, each with its own connection (default: one per order, up to 256)"},
    {"connections", CLI_INT, &args.connections, 1, MAPO_IO_CONNECTIONS_MAX, NULL, "C",
     "poll: connections, one order in flight on each (default: one per order)"},
    {"file-kib", CLI_INT, &args.file_kib, 1, MAPO_IO_FILE_KIB_MAX, NULL, "K",
     "aio: the size of each file (default 64)"},
    {"dir", CLI_STRING, &args.dir, 0, 0, NULL, "DIR",
     "aio: where the temporary files go (default $TMPDIR or /tmp)"},
    {"grace-ms", CLI_INT, &args.grace, 1, MAPO_IO_GRACE_MS_MAX, NULL, "G",
     "how long past the latency an answer (aio: a read) may take before the run fails "
     "(default 10000)"},
    {"repeat", CLI_INT, &args.repeat, 1, REPEAT_MAX, NULL, "R",
     "timed runs after one warm-up (default 3): median, min and max are reported"},
    {"json", CLI_FLAG, &args.json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
    CLI_WIDE(&args.wide),
    CLI_INSIST(&args.insist),
    {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
};

static const cli_cmd io_cmd = {"io", "", about, io_opts, 0, 0};

/* The model list and the --help paragraph, from the table: a new row is a new choice. */
static void describe_models(void) {
  size_t len = (size_t)snprintf(
      about, sizeof about, "%s",
      "The notebook's I/O-bound work, measured: N orders to a supplier that answers each\n"
      "after L ms (a server mapo starts on 127.0.0.1 in its own process), placed by one of\n"
      "the client models below, or N files read. Connections, threads and files are set\n"
      "up before the clock starts, as a client with keep-alive would; every answer is\n"
      "checked (exit 1 if any is missing or wrong, or later than L + G ms).\n\nmodels:");
  int n = 0;
  for (const mapo_io_model *m = mapo_io_models; m->name != NULL; m++) {
    model_names[n++] = m->name;
    if (len < sizeof about)
      len += (size_t)snprintf(about + len, sizeof about - len, "\n  %-8s %s", m->name, m->help);
  }
  model_names[n] = NULL;
}

/* A flag the model does not take is refused in the words of its row in the table. */
static int check_flags(const mapo_io_model *m) {
  const struct {
    const char *name;
    int given;
  } given[] = {{"threads", args.threads != 0},
               {"connections", args.connections != 0},
               {"file-kib", args.file_kib != 0},
               {"dir", args.dir != NULL},
               {"latency-ms", args.latency >= 0}};
  char why[160];
  for (size_t i = 0; i < sizeof given / sizeof *given; i++)
    if (given[i].given && mapo_io_flag_check(m, given[i].name, why, sizeof why) < 0)
      return cli_fail(&io_cmd, "%s", why);
  if (args.dir != NULL && access(args.dir, W_OK | X_OK) != 0)
    return cli_fail(&io_cmd, "--dir: '%s' is not a folder this process can write to", args.dir);
  return 0;
}

/* Every connection (file) is a descriptor here, and the supplier, which inherits this
 * limit, holds the other end of each connection. */
static int check_fds(const mapo_io_model *m, const mapo_io_opts *o) {
  const long need = (long)mapo_io_width(m, o) + SPARE_FDS;
  const long limit = mapo_io_raise_fd_limit();
  if (limit >= 0 && limit < need)
    return cli_fail(&io_cmd,
                    "%d %s need about %ld file descriptors, and this process may open "
                    "%ld (ulimit -Hn): ask for fewer",
                    mapo_io_width(m, o), m->network ? "connections" : "files", need, limit);
  return 0;
}

/* The command line, checked: 0 to go on, or the exit status (0 after --help, 2). */
static int parse(int argc, char **argv, const mapo_io_model **m, mapo_io_opts *o) {
  args = (io_args){"poll", NULL, 1000, -1, 0, 0, 0, 3, 0, 0, 0, 0};
  describe_models();
  const char *pos[1];
  int npos, rc = cli_parse(&io_cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 1 : 2;
  *m = mapo_io_model_find(args.model);
  if ((rc = check_flags(*m)) != 0) return rc;
  *o =
      (mapo_io_opts){args.requests,    args.latency < 0 ? 50 : args.latency, 0,        args.threads,
                     args.connections, args.file_kib ? args.file_kib : 64,   args.dir, args.grace};
  char why[160];
  if (mapo_io_opts_check(*m, o, why, sizeof why) < 0) return cli_fail(&io_cmd, "%s", why);
  if ((rc = check_fds(*m, o)) != 0) return rc;
  return cli_check_time(&io_cmd, mapo_io_estimate_s(*m, o, args.repeat), args.insist);
}

/* The supplier did not start: say why, in one line. */
static void supplier_failed(int rc, const mapo_io_supplier *s) {
  if (rc == -ESRCH && WIFEXITED(s->status))
    fprintf(stderr, "mapo io: the supplier did not start: it exited with status %d\n",
            WEXITSTATUS(s->status));
  else if (rc == -ESRCH && WIFSIGNALED(s->status))
    fprintf(stderr, "mapo io: the supplier did not start: it was killed by signal %d\n",
            WTERMSIG(s->status));
  else if (rc == -ETIMEDOUT)
    fprintf(stderr, "mapo io: the supplier did not start: no port after %d ms\n", START_TIMEOUT_MS);
  else
    fprintf(stderr, "mapo io: the supplier did not start: %s\n", mapo_strerror(rc));
}

/* The run failed (not a wrong answer: that is reported): say why, in one line. */
static void run_failed(int rc, const mapo_io_model *m, const mapo_io_supplier *sup,
                       const mapo_io_result *r) {
  const int broke = m->network && (rc == -EPIPE || rc == -ECONNRESET);
  if (rc == -ENOTSUP && m->posix_aio)
    fputs("mapo io: this build cannot run POSIX aio (ThreadSanitizer builds refuse it: see "
          "src/async/aio.c)\n",
          stderr);
  else if (broke && WIFSIGNALED(sup->status))
    fprintf(stderr,
            "mapo io: the supplier went away in the middle of the run (killed by "
            "signal %d): %s\n",
            WTERMSIG(sup->status), mapo_strerror(rc));
  else if (broke)
    fprintf(stderr,
            "mapo io: a connection to the supplier broke in the middle of the run: "
            "%s\n",
            mapo_strerror(rc));
  else if ((rc == -ETIMEDOUT || rc == -EAGAIN) && r->first[0])
    fprintf(stderr, "mapo io: %s\n", r->first); /* it says what did not answer, and why */
  else
    fprintf(stderr, "mapo io: %s%s%s\n", mapo_strerror(rc), r->first[0] ? ": " : "", r->first);
}

/* Start the supplier when the model needs one, time the model, stop the supplier.
 * Returns mapo_io_time's code; *stopped is mapo_io_supplier_stop's. */
static int run(const mapo_io_model *m, mapo_io_opts *o, double *seconds, double *baseline,
               mapo_io_result *r, mapo_io_supplier *sup, int *stopped) {
  memset(r, 0, sizeof *r);
  if (m->network) {
    int rc = mapo_io_supplier_start(sup, "/proc/self/exe", o->latency_ms, START_TIMEOUT_MS);
    if (rc < 0) return rc;
    o->port = sup->port;
  }
  int rc = seconds && baseline ? mapo_io_time(m, o, args.repeat, seconds, baseline, r) : -ENOMEM;
  *stopped = mapo_io_supplier_stop(sup);
  return rc;
}

int mapo__cmd_io(int argc, char **argv) {
  const mapo_io_model *m = NULL;
  mapo_io_opts o;
  int rc = parse(argc, argv, &m, &o);
  if (rc != 0) return rc == 1 ? 0 : rc;

  mapo_io_supplier sup = {0, 0, 0};
  mapo_io_result r;
  double *seconds = calloc((size_t)args.repeat, sizeof *seconds);
  double *baseline = calloc((size_t)args.repeat, sizeof *baseline);
  int stopped = 0;
  rc = run(m, &o, seconds, baseline, &r, &sup, &stopped);
  if (rc == 0 || rc == MAPO_EVERIFY) {
    if (args.json)
      mapo_report_io_json(stdout, &r);
    else
      mapo_report_io_text(stdout, &r, cli_width(args.wide));
  }
  free(seconds);
  free(baseline);
  if (rc < 0 && rc != MAPO_EVERIFY) {
    if (m->network && sup.port == 0)
      supplier_failed(rc, &sup);
    else
      run_failed(rc, m, &sup, &r);
    return 1;
  }
  if (rc == MAPO_EVERIFY) {
    fprintf(stderr, "mapo io: not every order came back right: %s\n", r.first);
    return 1;
  }
  if (stopped < 0) {
    fprintf(stderr, "mapo io: the supplier did not exit cleanly (wait status %d)\n", sup.status);
    return 1;
  }
  return 0;
}

/* `mapo io-supplier`: not listed in `mapo --help`; `mapo io` starts it. */
int mapo__cmd_io_supplier(int argc, char **argv) {
  const char *port_file = NULL;
  int latency = 50, parent = 0, port_fd = -1;
  const cli_opt opts[] = {
      {"port-file", CLI_STRING, &port_file, 0, 0, NULL, "FILE",
       "where to write the port (atomically: a temporary name, then rename)"},
      {"port-fd", CLI_INT, &port_fd, 0, 65535, NULL, "FD",
       "or: write the port to this inherited descriptor, then close it (what mapo io does)"},
      {"latency-ms", CLI_INT, &latency, 0, MAPO_IO_LATENCY_MS_MAX, NULL, "L",
       "answer each order after L ms (default 50)"},
      {"parent-pid", CLI_INT, &parent, 1, 1e9, NULL, "PID",
       "exit at once if this process is not (or no longer) the parent"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "io-supplier",
      "--port-file FILE | --port-fd FD [--latency-ms L] [--parent-pid PID]",
      "The supplier `mapo io` starts: a single-threaded epoll server on 127.0.0.1 (the\n"
      "kernel picks the port) that answers each order \"order NNNNNNNNN\\n\" with\n"
      "\"ready NNNNNNNNN\\n\" after L ms, on any number of keep-alive connections. It runs\n"
      "until SIGTERM or SIGINT, or until its parent dies.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if ((port_file == NULL) == (port_fd < 0))
    return cli_fail(&cmd, "--port-file is required (or --port-fd, not both)");
  rc = port_file ? mapo_io_supplier_serve(port_file, latency, (pid_t)parent)
                 : mapo_io_supplier_serve_fd(port_fd, latency, (pid_t)parent);
  if (rc < 0) {
    fprintf(stderr, "mapo io-supplier: %s\n", mapo_strerror(rc));
    return 1;
  }
  /* Started by mapo io (--port-fd), it ends at once: under AddressSanitizer the exit's
   * leak scan (LeakSanitizer stopping the process's threads) sometimes never returned,
   * about one stop in 20 on this VM, and mapo io then killed it as hung. Its memory
   * errors are still caught while it runs; by hand (--port-file) the scan runs. */
  if (port_fd >= 0) _exit(0);
  return 0;
}
