/* mapo/io.h - the I/O-bound benchmark: orders to a local supplier, and files to read.
 *
 * The notebook says "I/O bound -> async or threads" and never measures it. Here the
 * work is waiting: a supplier (a server of our own, in its own process on 127.0.0.1)
 * answers each order after `latency_ms`, and nothing is computed. Four client models
 * place N orders, one file each in src/io/:
 *
 *   serial   one connection, one blocking order after another: N x L;
 *   threads  T threads, each blocking on its own connection: ceil(N/T) x L;
 *   poll     one thread, C non-blocking connections on the event loop (mapo/loop.h),
 *            one order in flight on each: ceil(N/C) x L, L when C = N (the default);
 *   aio      no supplier: N files read through POSIX aio on the loop, beside a plain
 *            read() of one file after another (the yardstick).
 * A client with keep-alive pays for its connections once: every connection (and the
 * threads model's threads, the aio model's open files) is set up before the clock
 * starts and used by every timed run. Each answer carries its order's number and is
 * checked, so a run verifies that every order was answered, once and correctly.
 *
 * The supplier (src/io/supplier.c) is a single-threaded epoll server with non-blocking
 * sockets and a timer heap (one timerfd): it must never be the bottleneck; its file says
 * why it has its own loop rather than mapo/loop.h's. It runs as `mapo io-supplier`,
 * started with posix_spawn (never fork from a threaded process) and killed (SIGTERM,
 * then waitpid) by mapo_io_supplier_stop; it exits by itself if its parent dies.
 *
 * Every model is a row of mapo_io_models (src/io/io.c, where the recipe for adding one
 * is written): what a program knows of a model, it reads there. The report of a run is
 * mapo/report_io.h's. The library never prints: every function returns 0 or a negative
 * code (mapo/error.h, or -errno).
 */
#ifndef MAPO_IO_H
#define MAPO_IO_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "loop.h"
#include "stats.h"

/* An order is "order NNNNNNNNN\n" and its answer "ready NNNNNNNNN\n": 16 bytes each. */
#define MAPO_IO_MSG_LEN 16
#define MAPO_IO_REQUESTS_MAX 1000000
#define MAPO_IO_LATENCY_MS_MAX 10000
#define MAPO_IO_THREADS_MAX 4096
#define MAPO_IO_THREADS_DEFAULT 256 /* threads: the default is min(requests, this) */
/* Connections to one port of 127.0.0.1 each need a local port of their own (about
 * 28,000 in Linux's default range) and a descriptor on both sides. */
#define MAPO_IO_CONNECTIONS_MAX 10000
#define MAPO_IO_FILE_KIB_MAX 16384
#define MAPO_IO_FILES_MIB_MAX 1024 /* aio: requests x file size, at most */
/* How long a client waits for an answer past the latency (aio: for a read) before it
 * gives up on the supplier (on glibc's aio) and fails: a supplier that stopped
 * answering is a failed run, exit 1, never a hang. */
#define MAPO_IO_GRACE_MS_DEFAULT 10000
#define MAPO_IO_GRACE_MS_MAX 3600000
/* The supplier stops reading a connection that holds this many orders (waiting in its
 * heap, or answered and not yet taken by the client), and every connection that sends
 * more while all of them together hold MAPO_IO_SUPPLIER_HELD_MAX; it reads again below
 * half. A client that floods it with orders costs it a bounded amount of memory (about
 * 48 bytes an order), and its own send() blocks. */
#define MAPO_IO_SUPPLIER_QUEUE_MAX 1024
#define MAPO_IO_SUPPLIER_HELD_MAX 1000000

typedef struct mapo_io_opts {
  int requests;    /* orders (aio: files) */
  int latency_ms;  /* how long the supplier takes to answer an order (0..) */
  int port;        /* the supplier's port on 127.0.0.1 (the network models) */
  int threads;     /* threads: 0 = min(requests, MAPO_IO_THREADS_DEFAULT) */
  int connections; /* poll: 0 = one per order, up to MAPO_IO_CONNECTIONS_MAX */
  int file_kib;    /* aio: the size of each file */
  const char *dir; /* aio: where the temporary files go (NULL: $TMPDIR or /tmp) */
  int grace_ms;    /* how long past the latency an answer (a read) may take: 0 = default */
} mapo_io_opts;

/* One run's state, from setup to teardown. The model files own `state`. */
typedef struct mapo_io_job {
  mapo_io_opts opts;
  int orders;      /* in this run: requests, or one per connection in the warm-up */
  long answered;   /* answers (or files) that came back right, this run */
  long wrong;      /* answers that came back wrong (a number out of place, short read) */
  int width;       /* connections (threads, files) set up before the clock */
  mapo_loop *loop; /* poll, aio: the event loop, whose work is reported; else NULL */
  void *state;
  char first[160]; /* the first thing that went wrong, in words ("" when none) */
} mapo_io_job;

typedef int (*mapo_io_fn)(mapo_io_job *job);

/* What a model's width is: the connections (threads, files) it sets up before the clock. */
typedef enum mapo_io_width_kind {
  MAPO_IO_WIDTH_ONE,         /* one connection */
  MAPO_IO_WIDTH_THREADS,     /* opts.threads (--threads), a connection each */
  MAPO_IO_WIDTH_CONNECTIONS, /* opts.connections (--connections) */
  MAPO_IO_WIDTH_REQUESTS     /* one per request: a file each */
} mapo_io_width_kind;

/* A command-line flag, as a model sees it. A flag no model names (--requests, --repeat,
 * --json) is for every model; a flag some model names is taken only by the models that
 * name it without a reason, and refused by the others: with the model's reason when it
 * gives one, else with "--F is for --model M", M the first model that takes it. */
typedef struct mapo_io_flag {
  const char *name; /* as given, without the dashes: "latency-ms" */
  const char *why;  /* NULL: the model takes the flag; else why it refuses it, in words */
} mapo_io_flag;

/* A model: its four functions, and everything a program needs to know about it, so that
 * no program ever asks for a model by its name. */
typedef struct mapo_io_model {
  const char *name;
  const char *help;    /* one line for `mapo io --help` */
  mapo_io_fn setup;    /* before the clock: connections, threads, files */
  mapo_io_fn run;      /* timed: place job->orders orders, wait for every answer */
  mapo_io_fn baseline; /* timed too, alternating with run (aio: plain read()); or NULL */
  void (*teardown)(mapo_io_job *job);
  const mapo_io_flag *flags; /* the flags it takes or refuses, ended by a NULL name */
  int network;               /* 1: orders to the supplier, which the program starts first;
                              * 0: files (opts.file_kib and opts.dir), and no supplier */
  mapo_io_width_kind width;
  int width_default;                  /* THREADS, CONNECTIONS: min(requests, this) when not given */
  int width_max;                      /* THREADS, CONNECTIONS: the most the flag may ask for */
  const char *width_one, *width_many; /* what the width is called: "thread", "threads" */
  const char *before_clock;           /* what "N threads" were before the clock, in words */
  const char *how; /* files: how they are read, for the report's title; else NULL */
  /* The baseline, when there is one: its name in JSON keys and in "aio - read", its
   * row in the text report, and how it runs. */
  const char *baseline_name, *baseline_label, *baseline_about;
  int on_loop;        /* 1: runs on the event loop, whose work is reported */
  int posix_aio;      /* 1: POSIX aio: glibc's helper threads are reported; builds
                       * without aio (ThreadSanitizer's) refuse it with -ENOTSUP */
  const char *ideal;  /* what the ideal is, in words */
  const char *lesson; /* one sentence: what the model shows */
} mapo_io_model;

int mapo_io_serial_setup(mapo_io_job *job);
int mapo_io_serial_run(mapo_io_job *job);
void mapo_io_serial_teardown(mapo_io_job *job);
int mapo_io_threads_setup(mapo_io_job *job);
int mapo_io_threads_run(mapo_io_job *job);
void mapo_io_threads_teardown(mapo_io_job *job);
int mapo_io_poll_setup(mapo_io_job *job);
int mapo_io_poll_run(mapo_io_job *job);
void mapo_io_poll_teardown(mapo_io_job *job);
int mapo_io_aio_setup(mapo_io_job *job);
int mapo_io_aio_run(mapo_io_job *job);
int mapo_io_aio_read_run(mapo_io_job *job); /* the yardstick: read() one file after another */
void mapo_io_aio_teardown(mapo_io_job *job);

/* The models, in the order a class meets them; NULL-name terminated; at most
 * MAPO_IO_MODELS_MAX of them (a program may size a list of names by it). */
#define MAPO_IO_MODELS_MAX 16
extern const mapo_io_model mapo_io_models[];
const mapo_io_model *mapo_io_model_find(const char *name);

/* Whether model m takes the flag --flag (see mapo_io_flag): 0, or MAPO_EINVAL with the
 * refusal in words in why ("--threads is for --model threads"). */
int mapo_io_flag_check(const mapo_io_model *m, const char *flag, char *why, size_t size);

/* Fill in the defaults (threads, connections) and check every option's range:
 * MAPO_EINVAL, with the reason in words in why (may be NULL). */
int mapo_io_opts_check(const mapo_io_model *m, mapo_io_opts *o, char *why, size_t size);
/* How many connections (threads, files) the model sets up: its width. */
int mapo_io_width(const mapo_io_model *m, const mapo_io_opts *o);
/* The ideal time of one run in seconds: N x L serial, ceil(N/width) x L threads and
 * poll; aio has none (NAN): its yardstick is the read() loop, measured beside it. */
double mapo_io_ideal_seconds(const mapo_io_model *m, const mapo_io_opts *o);

/* How long mapo_io_time takes at least, in seconds, with o as mapo_io_opts_check
 * leaves it (the defaults filled in): `repeat` ideal runs and the warm-up, one round of
 * latency. 0 for the file models: their time is the disk's, which no flag fixes. NAN
 * for options with no width. */
double mapo_io_estimate_s(const mapo_io_model *m, const mapo_io_opts *o, int repeat);

/* The descriptors this process may open: raises the soft limit to the hard one and
 * returns it (or -errno). */
long mapo_io_raise_fd_limit(void);

/* The outcome of mapo_io_time: everything its report (mapo/report_io.h) needs. */
typedef struct mapo_io_result {
  const mapo_io_model *model;
  mapo_io_opts opts; /* as run: the defaults filled in */
  int repeat;
  int verified;                /* 1: every order of every run came back right */
  const double *seconds_runs;  /* the caller's arrays: each timed run of the model, */
  const double *baseline_runs; /* and of the baseline (NULL when the model has none) */
  double ideal_seconds;        /* mapo_io_ideal_seconds (NAN for the file models) */
  double above_seconds;        /* the median above the ideal (files: above the baseline) */
  double per_request_us;       /* above_seconds per request, in microseconds */
  mapo_spread seconds;         /* the model's runs */
  mapo_spread baseline;        /* the baseline's runs (n = 0 when the model has none) */
  long answered, wrong;        /* over the model's timed runs (not the baseline's) */
  int width;
  mapo_loop_stats loop; /* poll, aio: what the loop did over the timed runs */
  mapo_aio_stats aio;   /* aio: the helper threads glibc used */
  char first[160];      /* the first failure, in words ("" when none) */
} mapo_io_result;

/* Set up, one warm-up run (one order per connection: it touches every connection and
 * thread once), then `repeat` timed runs (alternating with the baseline's when the model
 * has one), each verified after its clock stopped, through mapo_bench_run; then tear
 * down, also on failure. seconds[] (and baseline[], may be NULL when the model has no
 * baseline) get each run's time. Returns 0, MAPO_EVERIFY (an order unanswered or
 * answered wrong: the runs are still timed; the first in words in r->first), or
 * another negative code. */
int mapo_io_time(const mapo_io_model *m, const mapo_io_opts *o, int repeat, double *seconds,
                 double *baseline, mapo_io_result *r);

/* The supplier, seen from the client: start it, know its port, stop it. */
typedef struct mapo_io_supplier {
  pid_t pid; /* 0 when not running */
  int port;
  int status; /* from waitpid, after stop */
} mapo_io_supplier;

/* Start `exe io-supplier --port-fd 3 --latency-ms L --parent-pid P` with posix_spawn
 * (exe is normally "/proc/self/exe"; its stdout goes to /dev/null, its stderr is ours)
 * and wait up to timeout_ms for it to write its port down the pipe it inherits as
 * descriptor 3. Nothing is written to disk. On failure nothing is left running: -ESRCH
 * when it exited first (its waitpid status in s->status), -ETIMEDOUT when it never
 * wrote the port, -EPROTO when what it wrote was no port, or another -errno. */
int mapo_io_supplier_start(mapo_io_supplier *s, const char *exe, int latency_ms, int timeout_ms);
/* SIGTERM (and SIGCONT), then waitpid; SIGKILL after 10 s. 0 when it exited on the signal or with
 * 0. */
int mapo_io_supplier_stop(mapo_io_supplier *s);

/* The supplier itself (what `mapo io-supplier` runs): listen on 127.0.0.1, port 0 (the
 * kernel picks), write the port to port_file atomically (a temporary name, then
 * rename), and answer every order after latency_ms until SIGTERM or SIGINT (then 0),
 * or until the process parent_pid is gone (PR_SET_PDEATHSIG; parent_pid 0: no check).
 * Returns a negative code when it cannot start. */
int mapo_io_supplier_serve(const char *port_file, int latency_ms, pid_t parent_pid);
/* The same, telling the port as "PORT\n" down the descriptor port_fd, then closing it
 * (what mapo_io_supplier_start uses: a pipe, so nothing is written to disk). */
int mapo_io_supplier_serve_fd(int port_fd, int latency_ms, pid_t parent_pid);

#endif
