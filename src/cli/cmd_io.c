/* cmd_io.c - `mapo io`: the I/O-bound benchmark, orders from a local supplier; and the
 * hidden `mapo io-supplier`, the supplier itself, which `mapo io` starts.
 *
 * Run:    mapo io --model poll --requests 1000 --latency-ms 50
 * Notice: the ideal beside every time: N x L for serial, L when every order is in flight
 *         at once. What is above the ideal, per order, is what the model costs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

enum { REPEAT_MAX = 1000, START_TIMEOUT_MS = 10000, SPARE_FDS = 32 };

static const char *const model_names[] = {"serial", "threads", "poll", "aio", NULL};

/* The supplier did not start: say why, in one line. */
static void supplier_failed(int rc, const mapo_io_supplier *s) {
  if (rc == -ESRCH && WIFEXITED(s->status))
    fprintf(stderr, "mapo io: the supplier did not start: it exited with status %d\n",
            WEXITSTATUS(s->status));
  else if (rc == -ESRCH && WIFSIGNALED(s->status))
    fprintf(stderr, "mapo io: the supplier did not start: it was killed by signal %d\n",
            WTERMSIG(s->status));
  else if (rc == -ETIMEDOUT)
    fprintf(stderr, "mapo io: the supplier did not start: no port after %d ms\n",
            START_TIMEOUT_MS);
  else
    fprintf(stderr, "mapo io: the supplier did not start: %s (its port file goes to a new "
            "folder in $TMPDIR or /tmp)\n", mapo_strerror(rc));
}

static void spread_json(const char *key, const mapo_spread *s) {
  char name[64];
  mapo_json_member(stdout, key, s->median);
  snprintf(name, sizeof name, "%s_min", key);
  mapo_json_member(stdout, name, s->min);
  snprintf(name, sizeof name, "%s_max", key);
  mapo_json_member(stdout, name, s->max);
}

static void runs_json(const char *key, const double *v, int n) {
  printf(",\"%s\":[", key);
  for (int k = 0; k < n; k++) {
    if (k) fputc(',', stdout);
    mapo_json_number(stdout, v[k]);
  }
  fputc(']', stdout);
}

typedef struct report {
  const mapo_io_model *m;
  const mapo_io_opts *o;
  int repeat, verified;
  const mapo_io_result *r;
  const double *seconds, *baseline;
  double ideal, above, per_request_us; /* aio: above the read() loop */
} report;

static const char *setup_words(const report *p) {
  if (strcmp(p->m->name, "aio") == 0) return "made and opened before the clock";
  if (strcmp(p->m->name, "threads") == 0)
    return "started, each with its connection opened, before the clock (a pool with keep-alive)";
  return "opened before the clock (a client with keep-alive)";
}

static const char *width_words(const report *p) {
  const int one = p->r->width == 1;
  if (strcmp(p->m->name, "aio") == 0) return one ? "file" : "files";
  if (strcmp(p->m->name, "threads") == 0) return one ? "thread" : "threads";
  return one ? "connection" : "connections";
}

static void report_json(const report *p) {
  const mapo_io_result *r = p->r;
  const int aio = strcmp(p->m->name, "aio") == 0;
  fputs("{\"model\":", stdout);
  mapo_json_string(stdout, p->m->name);
  printf(",\"requests\":%d,\"repeat\":%d", p->o->requests, p->repeat);
  mapo_json_member(stdout, "seconds", r->seconds.median);
  mapo_json_member(stdout, "seconds_min", r->seconds.min);
  mapo_json_member(stdout, "seconds_max", r->seconds.max);
  runs_json("seconds_runs", p->seconds, p->repeat);
  mapo_json_member(stdout, "ideal_seconds", p->ideal);
  fputs(",\"ideal\":", stdout);
  mapo_json_string(stdout, p->m->ideal);
  mapo_json_member(stdout, "above_ideal_seconds", aio ? NAN : p->above);
  mapo_json_member(stdout, "per_request_overhead_us", p->per_request_us);
  if (aio) {
    printf(",\"file_kib\":%d,\"files\":%d", p->o->file_kib, r->width);
    spread_json("read_seconds", &r->baseline);
    runs_json("read_seconds_runs", p->baseline, p->repeat);
    mapo_json_member(stdout, "above_read_seconds", p->above);
    printf(",\"aio_notify_threads\":%d,\"aio_peak_threads\":%d", r->aio.notify_threads,
           r->aio.peak_threads);
  } else {
    printf(",\"latency_ms\":%d,\"connections\":%d,\"threads\":%d", p->o->latency_ms, r->width,
           strcmp(p->m->name, "threads") == 0 ? r->width : 1);
  }
  char words[160];
  snprintf(words, sizeof words, "%d %s %s", r->width, width_words(p), setup_words(p));
  printf(",\"connections_before_clock\":true,\"before_clock\":");
  mapo_json_string(stdout, words);
  printf(",\"verified\":%s,\"answered\":%ld,\"wrong\":%ld", p->verified ? "true" : "false",
         r->answered, r->wrong);
  if (strcmp(p->m->name, "poll") == 0 || aio)
    printf(",\"loop\":{\"iterations\":%llu,\"polls\":%llu,\"timers\":%llu,\"completions\":%llu}",
           (unsigned long long)r->loop.iterations, (unsigned long long)r->loop.polls,
           (unsigned long long)r->loop.timers, (unsigned long long)r->loop.completions);
  fputs(",\"first\":", stdout);
  mapo_json_string(stdout, r->first);
  fputs(",\"lesson\":", stdout);
  mapo_json_string(stdout, p->m->lesson);
  fputs(",\"environment\":", stdout);
  mapo_report_environment_json(stdout);
  fputs("}\n", stdout);
}

static void report_text(const report *p) {
  const mapo_io_result *r = p->r;
  const int aio = strcmp(p->m->name, "aio") == 0;
  const long total = (long)p->o->requests * p->repeat;
  if (aio)
    printf("\nmapo io --model aio: %d files of %d KiB, read through POSIX aio on the event "
           "loop\n\n",
           p->o->requests, p->o->file_kib);
  else
    printf("\nmapo io --model %s: %d orders, the supplier answers each after %d ms\n\n",
           p->m->name, p->o->requests, p->o->latency_ms);
  printf("  setup        %d %s, %s\n", r->width, width_words(p), setup_words(p));
  printf("  seconds      median %.6f   min %.6f   max %.6f   (%d run%s after a warm-up)\n",
         r->seconds.median, r->seconds.min, r->seconds.max, p->repeat, p->repeat == 1 ? "" : "s");
  if (aio) {
    printf("  read()       median %.6f   min %.6f   max %.6f   (one file after another, in "
           "turn with aio)\n", r->baseline.median, r->baseline.min, r->baseline.max);
    printf("  aio - read   %+.3f ms in all, %+.2f us per file (medians)\n", p->above * 1e3,
           p->per_request_us);
    printf("  glibc        %d thread%s delivered completions; at most %d threads in the process "
           "while reads were pending\n", r->aio.notify_threads,
           r->aio.notify_threads == 1 ? "" : "s", r->aio.peak_threads);
  } else {
    printf("  ideal        %.6f s: %s\n", p->ideal, p->m->ideal);
    printf("  above ideal  %.3f ms in all, %.2f us per order (median)\n", p->above * 1e3,
           p->per_request_us);
  }
  if (p->verified)
    printf("  verified     all %ld %s of the timed runs came back right, each with its own "
           "number\n", total, aio ? "files" : "orders");
  else
    printf("  verified     NO: %ld of %ld right, %ld wrong; first: %s\n", r->answered, total,
           r->wrong, r->first);
  if (strcmp(p->m->name, "poll") == 0 || aio)
    printf("  loop         per run: %.0f iterations, %.0f polls that slept, %.0f completions\n",
           (double)r->loop.iterations / p->repeat, (double)r->loop.polls / p->repeat,
           (double)r->loop.completions / p->repeat);
  printf("\n  %s\n", p->m->lesson);
}

int mapo__cmd_io(int argc, char **argv) {
  const char *model = "poll", *dir = NULL;
  int requests = 1000, latency = -1, threads = 0, connections = 0, file_kib = 0, repeat = 3,
      json = 0;
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &model, 0, 0, model_names, "M", "the client model (default poll)"},
      {"requests", CLI_INT, &requests, 1, MAPO_IO_REQUESTS_MAX, NULL, "N",
       "orders to place (aio: files to read; default 1000)"},
      {"latency-ms", CLI_INT, &latency, 0, MAPO_IO_LATENCY_MS_MAX, NULL, "L",
       "how long the supplier takes to answer an order (default 50)"},
      {"threads", CLI_INT, &threads, 1, MAPO_IO_THREADS_MAX, NULL, "T",
       "threads: how many, each with its own connection (default: one per order, up to 256)"},
      {"connections", CLI_INT, &connections, 1, MAPO_IO_CONNECTIONS_MAX, NULL, "C",
       "poll: connections, one order in flight on each (default: one per order)"},
      {"file-kib", CLI_INT, &file_kib, 1, MAPO_IO_FILE_KIB_MAX, NULL, "K",
       "aio: the size of each file (default 64)"},
      {"dir", CLI_STRING, &dir, 0, 0, NULL, "DIR",
       "aio: where the temporary files go (default $TMPDIR or /tmp)"},
      {"repeat", CLI_INT, &repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs after one warm-up (default 3): median, min and max are reported"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "io", "[--model M] [--requests N] [--latency-ms L] [--threads T] [--connections C] "
      "[--file-kib K] [--dir DIR] [--repeat R] [--json]",
      "The notebook's I/O-bound work, measured: N orders to a supplier that answers each\n"
      "after L ms (a server mapo starts on 127.0.0.1 in its own process), placed by one of\n"
      "four clients: serial (one blocking order after another: N x L), threads (blocking\n"
      "orders on T threads), poll (one thread, every order in flight on the event loop: L),\n"
      "aio (N files read through POSIX aio, beside plain read() one by one). Connections,\n"
      "threads and files are set up before the clock starts, as a client with keep-alive\n"
      "would; every answer is checked (exit 1 if any is missing or wrong).",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;

  const mapo_io_model *m = mapo_io_model_find(model);
  const int is_threads = strcmp(m->name, "threads") == 0, is_poll = strcmp(m->name, "poll") == 0;
  if (threads && !is_threads) return cli_fail(&cmd, "--threads is for --model threads");
  if (connections && !is_poll) return cli_fail(&cmd, "--connections is for --model poll");
  if ((file_kib || dir) && m->network)
    return cli_fail(&cmd, "--%s is for --model aio", file_kib ? "file-kib" : "dir");
  if (latency >= 0 && !m->network)
    return cli_fail(&cmd, "--latency-ms: the aio model reads files and has no supplier");
  if (dir != NULL && access(dir, W_OK | X_OK) != 0)
    return cli_fail(&cmd, "--dir: '%s' is not a folder this process can write to", dir);
  mapo_io_opts o = {requests, latency < 0 ? 50 : latency, 0, threads, connections,
                    file_kib ? file_kib : 64, dir};
  char why[160];
  if (mapo_io_opts_check(m, &o, why, sizeof why) < 0) return cli_fail(&cmd, "%s", why);

  /* Every connection (file) is a descriptor here, and the supplier, which inherits this
   * limit, holds the other end of each connection. */
  const long need = (long)mapo_io_width(m, &o) + SPARE_FDS;
  const long limit = mapo_io_raise_fd_limit();
  if (limit >= 0 && limit < need)
    return cli_fail(&cmd, "%d %s need about %ld file descriptors, and this process may open "
                    "%ld (ulimit -Hn): ask for fewer", mapo_io_width(m, &o),
                    m->network ? "connections" : "files", need, limit);

  mapo_io_supplier sup = {0, 0, 0};
  if (m->network) {
    rc = mapo_io_supplier_start(&sup, "/proc/self/exe", o.latency_ms, START_TIMEOUT_MS);
    if (rc < 0) {
      supplier_failed(rc, &sup);
      return 1;
    }
    o.port = sup.port;
  }
  double *seconds = calloc((size_t)repeat, sizeof *seconds);
  double *baseline = calloc((size_t)repeat, sizeof *baseline);
  mapo_io_result r;
  memset(&r, 0, sizeof r);
  rc = seconds && baseline ? mapo_io_time(m, &o, repeat, seconds, baseline, &r) : -ENOMEM;
  const int stopped = mapo_io_supplier_stop(&sup);
  if (rc < 0 && rc != MAPO_EVERIFY) {
    if (rc == -ENOTSUP && !m->network)
      fputs("mapo io: this build cannot run POSIX aio (ThreadSanitizer builds refuse it: see "
            "src/async/aio.c)\n", stderr);
    else if (m->network && (rc == -EPIPE || rc == -ECONNRESET) && WIFSIGNALED(sup.status))
      fprintf(stderr, "mapo io: the supplier went away in the middle of the run (killed by "
              "signal %d): %s\n", WTERMSIG(sup.status), mapo_strerror(rc));
    else if (m->network && (rc == -EPIPE || rc == -ECONNRESET))
      fprintf(stderr, "mapo io: a connection to the supplier broke in the middle of the run: "
              "%s\n", mapo_strerror(rc));
    else
      fprintf(stderr, "mapo io: %s%s%s\n", mapo_strerror(rc), r.first[0] ? ": " : "", r.first);
    free(seconds);
    free(baseline);
    return 1;
  }

  report p = {m, &o, repeat, rc == 0, &r, seconds, baseline, 0, 0, 0};
  p.ideal = mapo_io_ideal_seconds(m, &o);
  p.above = m->network ? r.seconds.median - p.ideal : r.seconds.median - r.baseline.median;
  p.per_request_us = p.above / o.requests * 1e6;
  if (json)
    report_json(&p);
  else
    report_text(&p);
  free(seconds);
  free(baseline);
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
  int latency = 50, parent = 0;
  const cli_opt opts[] = {
      {"port-file", CLI_STRING, &port_file, 0, 0, NULL, "FILE",
       "where to write the port (atomically: a temporary name, then rename)"},
      {"latency-ms", CLI_INT, &latency, 0, MAPO_IO_LATENCY_MS_MAX, NULL, "L",
       "answer each order after L ms (default 50)"},
      {"parent-pid", CLI_INT, &parent, 1, 1e9, NULL, "PID",
       "exit at once if this process is not (or no longer) the parent"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "io-supplier", "--port-file FILE [--latency-ms L] [--parent-pid PID]",
      "The supplier `mapo io` starts: a single-threaded epoll server on 127.0.0.1 (the\n"
      "kernel picks the port) that answers each order \"order NNNNNNNNN\\n\" with\n"
      "\"ready NNNNNNNNN\\n\" after L ms, on any number of keep-alive connections. It runs\n"
      "until SIGTERM or SIGINT, or until its parent dies.",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (port_file == NULL) return cli_fail(&cmd, "--port-file is required");
  rc = mapo_io_supplier_serve(port_file, latency, (pid_t)parent);
  if (rc < 0) {
    fprintf(stderr, "mapo io-supplier: %s\n", mapo_strerror(rc));
    return 1;
  }
  return 0;
}
