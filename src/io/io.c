/* io.c - what every I/O model shares: the orders and their answers, connections, the
 * table of models, and the timing harness. The supplier, the server the orders go to,
 * is a program of its own in supplier.c.
 *
 * Run:    mapo io --model poll
 * Notice: the table below is all a program knows about a model: its flags, what its
 *         width is called, what it sets up before the clock, its baseline. No code
 *         outside a model's own file asks for a model by name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/internal.h"
#include "internal.h"
#include "mapo/bench.h"
#include "mapo/clock.h"
#include "mapo/error.h"

/* ---- orders, answers, connections ------------------------------------------------ */

static void message(char *msg, const char *word, int number) {
  char text[MAPO_IO_MSG_LEN + 1];
  snprintf(text, sizeof text, "%.5s %09d\n", word, number);
  memcpy(msg, text, MAPO_IO_MSG_LEN);
}

void mapo__io_order(char *msg, int number) { message(msg, "order", number); }

void mapo__io_ready(char *msg, int number) { message(msg, "ready", number); }

void mapo__io_file_header(char *msg, int number) { message(msg, "file ", number); }

int mapo__io_is(const char *msg, const char *word, int number) {
  char want[MAPO_IO_MSG_LEN];
  message(want, word, number);
  return memcmp(msg, want, MAPO_IO_MSG_LEN) == 0;
}

int mapo__io_number_in(const char *msg, const char *word) {
  if (memcmp(msg, word, 5) != 0 || msg[5] != ' ' || msg[MAPO_IO_MSG_LEN - 1] != '\n') return -1;
  int n = 0;
  for (int i = 6; i < MAPO_IO_MSG_LEN - 1; i++) {
    if (msg[i] < '0' || msg[i] > '9') return -1;
    n = n * 10 + (msg[i] - '0');
  }
  return n;
}

int mapo__io_no_delay(int fd) {
  /* An order is 16 bytes: Nagle's algorithm would hold it back waiting for more. */
  const int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 ? 0 : -errno;
}

struct sockaddr_in mapo__io_loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* Every blocking call on the socket returns EAGAIN after wait_ms: connect() too, which
 * Linux bounds by the send timeout (it then says EINPROGRESS). */
static int bound_waits(int fd, int wait_ms) {
  const struct timeval tv = {wait_ms / 1000, (suseconds_t)(wait_ms % 1000) * 1000};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
    return -errno;
  return 0;
}

int mapo__io_connect(int port, int nonblocking, int wait_ms, int *fd) {
  *fd = -1;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  struct sockaddr_in a = mapo__io_loopback(port);
  int rc = bound_waits(s, wait_ms);
  /* A supplier that stopped (SIGSTOP) still has the kernel accept its connections, up to
   * its listen backlog; past it, connect() would retry its SYN for minutes. */
  if (rc == 0 && connect(s, (struct sockaddr *)&a, sizeof a) < 0)
    rc = errno == EINPROGRESS || errno == EAGAIN ? -ETIMEDOUT : -errno;
  if (rc == 0) rc = mapo__io_no_delay(s);
  if (rc == 0 && nonblocking && fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) < 0) rc = -errno;
  if (rc < 0) {
    close(s);
    return rc;
  }
  *fd = s;
  return 0;
}

int mapo__io_send_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    /* MSG_NOSIGNAL: a supplier that went away is an error to report, not a SIGPIPE. */
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int mapo__io_recv_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = recv(fd, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
    if (n == 0) return -EPIPE;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

void mapo__io_first(mapo_io_job *job, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mapo__vfirst(job->first, sizeof job->first, fmt, ap);
  va_end(ap);
}

int mapo__io_grace_ms(const mapo_io_opts *o) {
  return o->grace_ms > 0 ? o->grace_ms : MAPO_IO_GRACE_MS_DEFAULT;
}

int mapo__io_wait_ms(const mapo_io_job *job) {
  return job->opts.latency_ms + mapo__io_grace_ms(&job->opts);
}

int mapo__io_dial(mapo_io_job *job, int nonblocking, int *fd) {
  const int rc = mapo__io_connect(job->opts.port, nonblocking, mapo__io_wait_ms(job), fd);
  if (rc == -ETIMEDOUT)
    mapo__io_first(job, "the supplier did not take a connection within %d ms (--grace-ms)",
                   mapo__io_wait_ms(job));
  else if (rc < 0)
    mapo__io_first(job, "cannot connect to the supplier on 127.0.0.1:%d", job->opts.port);
  return rc;
}

int mapo__io_overdue(mapo_io_job *job, int number) {
  const mapo_io_opts *o = &job->opts;
  mapo__io_first(job,
                 "the supplier did not answer order %d within %d ms (its latency, %d ms, "
                 "and a grace of %d ms: --grace-ms)",
                 number, mapo__io_wait_ms(job), o->latency_ms, mapo__io_grace_ms(o));
  return -ETIMEDOUT;
}

int mapo__io_answer_ok(mapo_io_job *job, const char *answer, const char *word, int number) {
  if (mapo__io_is(answer, word, number)) return 1;
  char want[MAPO_IO_MSG_LEN], got[MAPO_IO_MSG_LEN];
  message(want, word, number);
  for (int i = 0; i < MAPO_IO_MSG_LEN; i++) { /* what came back may be anything */
    got[i] = answer[i];
    if (got[i] < ' ' || got[i] > '~') got[i] = '?';
  }
  mapo__io_first(job, "expected '%.*s', got '%.*s'", MAPO_IO_MSG_LEN - 1, want, MAPO_IO_MSG_LEN - 1,
                 got);
  return 0;
}

/* ---- the models ------------------------------------------------------------------ */

/* Adding an I/O model takes three lines of work outside its own file:
 *   1. src/io/<name>.c with its setup, run and teardown (and a baseline if it has a
 *      yardstick), declared in include/mapo/io.h beside the others;
 *   2. a row below: its flags, its width and what that is called, what it sets up
 *      before the clock, its ideal and its lesson; `mapo io --model <name>`, its --help
 *      line, its checks and its report all come from the row;
 *   3. io/<name>.c in the `mapo` library's list in src/CMakeLists.txt.
 * A model with an option of its own (a flag no model has yet) also adds a field to
 * mapo_io_opts and the flag to src/cli/cmd_io.c. */

static const char NO_SUPPLIER[] = "the aio model reads files and has no supplier";

const mapo_io_model mapo_io_models[] = {
    {.name = "serial",
     .help = "one connection, one blocking order after another: N x L",
     .setup = mapo_io_serial_setup,
     .run = mapo_io_serial_run,
     .teardown = mapo_io_serial_teardown,
     .network = 1,
     .flags = (const mapo_io_flag[]){{"latency-ms", NULL}, {NULL, NULL}},
     .width = MAPO_IO_WIDTH_ONE,
     .width_one = "connection",
     .width_many = "connections",
     .before_clock = "opened before the clock (a client with keep-alive)",
     .ideal = "N x L: one order after another",
     .lesson = "One connection, one order at a time: the client spends the whole run "
               "waiting, and the time is the sum of every latency."},
    {.name = "threads",
     .help = "T threads, each placing blocking orders on its own connection: ceil(N/T) x L",
     .setup = mapo_io_threads_setup,
     .run = mapo_io_threads_run,
     .teardown = mapo_io_threads_teardown,
     .network = 1,
     .flags = (const mapo_io_flag[]){{"latency-ms", NULL}, {"threads", NULL}, {NULL, NULL}},
     .width = MAPO_IO_WIDTH_THREADS,
     .width_default = MAPO_IO_THREADS_DEFAULT,
     .width_max = MAPO_IO_THREADS_MAX,
     .width_one = "thread",
     .width_many = "threads",
     .before_clock = "started, each with its connection opened, before the clock (a pool "
                     "with keep-alive)",
     .ideal = "ceil(N/T) x L: T threads, each waiting for one order at a time",
     .lesson = "Every thread blocks on its own connection while the others wait too: the "
               "waits overlap, and a thousand sleeping threads need no cores, only memory "
               "and wake-ups."},
    {.name = "poll",
     .help = "one thread, every order in flight on the event loop: L",
     .setup = mapo_io_poll_setup,
     .run = mapo_io_poll_run,
     .teardown = mapo_io_poll_teardown,
     .network = 1,
     .flags = (const mapo_io_flag[]){{"latency-ms", NULL}, {"connections", NULL}, {NULL, NULL}},
     .width = MAPO_IO_WIDTH_CONNECTIONS,
     .width_default = MAPO_IO_CONNECTIONS_MAX,
     .width_max = MAPO_IO_CONNECTIONS_MAX,
     .width_one = "connection",
     .width_many = "connections",
     .before_clock = "opened before the clock (a client with keep-alive)",
     .on_loop = 1,
     .ideal = "ceil(N/C) x L: every connection with an order in flight (L when C = N)",
     .lesson = "One thread, every order in flight at once: the loop sleeps in ppoll() until "
               "answers are ready, so the time is one latency plus the cost of handling "
               "them."},
    {.name = "aio",
     .help = "N files read through POSIX aio, beside plain read() one by one",
     .setup = mapo_io_aio_setup,
     .run = mapo_io_aio_run,
     .baseline = mapo_io_aio_read_run,
     .teardown = mapo_io_aio_teardown,
     .network = 0,
     .flags =
         (const mapo_io_flag[]){
             {"file-kib", NULL}, {"dir", NULL}, {"latency-ms", NO_SUPPLIER}, {NULL, NULL}},
     .width = MAPO_IO_WIDTH_REQUESTS,
     .width_one = "file",
     .width_many = "files",
     .before_clock = "made and opened before the clock",
     .how = "read through POSIX aio on the event loop",
     .baseline_name = "read",
     .baseline_label = "read()",
     .baseline_about = "one file after another, in turn with aio",
     .on_loop = 1,
     .posix_aio = 1,
     .ideal = "none: the yardstick is read() of one file after another, measured beside it",
     .lesson = "POSIX aio hands each read to glibc's helper threads and the answer comes "
               "back to the loop: the program never blocks, but the reads are threads in "
               "disguise, and files in the page cache gain nothing over plain read()."},
    {.name = NULL},
};

_Static_assert(sizeof mapo_io_models / sizeof *mapo_io_models <= MAPO_IO_MODELS_MAX + 1,
               "more I/O models than MAPO_IO_MODELS_MAX: raise it in mapo/io.h");

const mapo_io_model *mapo_io_model_find(const char *name) {
  for (const mapo_io_model *m = mapo_io_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

static int refuse(char *why, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int refuse(char *why, size_t size, const char *fmt, ...) {
  if (why != NULL && size > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
  }
  return MAPO_EINVAL;
}

/* The model's entry for the flag, or NULL when it does not name it. */
static const mapo_io_flag *flag_of(const mapo_io_model *m, const char *flag) {
  for (const mapo_io_flag *f = m->flags; f != NULL && f->name != NULL; f++)
    if (strcmp(f->name, flag) == 0) return f;
  return NULL;
}

int mapo_io_flag_check(const mapo_io_model *m, const char *flag, char *why, size_t size) {
  if (m == NULL || flag == NULL) return refuse(why, size, "no model or no flag");
  const mapo_io_flag *own = flag_of(m, flag);
  if (own != NULL) return own->why == NULL ? 0 : refuse(why, size, "--%s: %s", flag, own->why);
  for (const mapo_io_model *o = mapo_io_models; o->name != NULL; o++) {
    const mapo_io_flag *f = flag_of(o, flag);
    if (f != NULL && f->why == NULL)
      return refuse(why, size, "--%s is for --model %s", flag, o->name);
  }
  return 0; /* no model names it: a flag for every model */
}

/* The option that sets the model's width, or NULL when nothing does. */
static int *width_option(const mapo_io_model *m, mapo_io_opts *o) {
  if (m->width == MAPO_IO_WIDTH_THREADS) return &o->threads;
  if (m->width == MAPO_IO_WIDTH_CONNECTIONS) return &o->connections;
  return NULL;
}

/* The width's default (min(requests, the model's default)) and its range. */
static int check_width(const mapo_io_model *m, mapo_io_opts *o, char *why, size_t size) {
  int *w = width_option(m, o);
  if (w == NULL) return 0;
  if (*w == 0) *w = o->requests < m->width_default ? o->requests : m->width_default;
  if (*w < 1 || *w > m->width_max)
    return refuse(why, size, "%s: %d is out of range (1..%d)", m->width_many, *w, m->width_max);
  if (*w > o->requests)
    return refuse(why, size, "%d %s for %d requests: a %s would have no order", *w, m->width_many,
                  o->requests, m->width_one);
  return 0;
}

/* The files' size, one by one and all together. */
static int check_files(const mapo_io_opts *o, char *why, size_t size) {
  if (o->file_kib < 1 || o->file_kib > MAPO_IO_FILE_KIB_MAX)
    return refuse(why, size, "file size: %d KiB is out of range (1..%d)", o->file_kib,
                  MAPO_IO_FILE_KIB_MAX);
  if ((long long)o->requests * o->file_kib > (long long)MAPO_IO_FILES_MIB_MAX * 1024)
    return refuse(why, size, "%d files of %d KiB make %lld MiB, more than %d MiB", o->requests,
                  o->file_kib, (long long)o->requests * o->file_kib / 1024, MAPO_IO_FILES_MIB_MAX);
  return 0;
}

int mapo_io_opts_check(const mapo_io_model *m, mapo_io_opts *o, char *why, size_t size) {
  if (m == NULL || o == NULL) return refuse(why, size, "no model or no options");
  if (o->requests < 1 || o->requests > MAPO_IO_REQUESTS_MAX)
    return refuse(why, size, "requests: %d is out of range (1..%d)", o->requests,
                  MAPO_IO_REQUESTS_MAX);
  if (o->latency_ms < 0 || o->latency_ms > MAPO_IO_LATENCY_MS_MAX)
    return refuse(why, size, "latency: %d ms is out of range (0..%d)", o->latency_ms,
                  MAPO_IO_LATENCY_MS_MAX);
  if (o->grace_ms == 0) o->grace_ms = MAPO_IO_GRACE_MS_DEFAULT;
  if (o->grace_ms < 1 || o->grace_ms > MAPO_IO_GRACE_MS_MAX)
    return refuse(why, size, "grace: %d ms is out of range (1..%d)", o->grace_ms,
                  MAPO_IO_GRACE_MS_MAX);
  int rc = check_width(m, o, why, size);
  if (rc == 0 && !m->network) rc = check_files(o, why, size);
  return rc;
}

int mapo_io_width(const mapo_io_model *m, const mapo_io_opts *o) {
  if (m->width == MAPO_IO_WIDTH_THREADS) return o->threads;
  if (m->width == MAPO_IO_WIDTH_CONNECTIONS) return o->connections;
  if (m->width == MAPO_IO_WIDTH_REQUESTS) return o->requests;
  return 1;
}

double mapo_io_ideal_seconds(const mapo_io_model *m, const mapo_io_opts *o) {
  if (!m->network) return NAN;
  const int width = mapo_io_width(m, o);
  const int rounds = (o->requests + width - 1) / width;
  return rounds * (o->latency_ms / 1000.0);
}

double mapo_io_estimate_s(const mapo_io_model *m, const mapo_io_opts *o, int repeat) {
  if (m == NULL || o == NULL || repeat < 1 || mapo_io_width(m, o) < 1) return NAN;
  if (!m->network) return 0;
  return repeat * mapo_io_ideal_seconds(m, o) + o->latency_ms / 1000.0;
}

long mapo_io_raise_fd_limit(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return -errno;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0 || getrlimit(RLIMIT_NOFILE, &r) != 0) return -errno;
  }
  return r.rlim_cur == RLIM_INFINITY || r.rlim_cur > (rlim_t)LONG_MAX ? LONG_MAX : (long)r.rlim_cur;
}

/* ---- the timing harness (mapo/bench.h) -------------------------------------------- */

/* The model and its baseline take turns, so that a slow moment of the machine cannot
 * land on one of them only: with a baseline, the bench makes twice the runs, the even
 * ones the model's and the odd ones the baseline's (the warm-ups too). */
typedef struct timing {
  const mapo_io_model *m;
  mapo_io_job *job;
  mapo_io_result *r;
  int warmups, turn;      /* runs begun so far, warm-ups included */
  mapo_io_fn fn;          /* this run's: the model's or the baseline's */
  int timed;              /* this run is a timed run of the model: its answers count in r */
  mapo_loop_stats before; /* the loop's counts when the first timed run began */
} timing;

static int prepare(void *user) {
  timing *t = user;
  const int k = t->turn++;
  const int baseline = t->m->baseline != NULL && k % 2 == 1;
  t->fn = baseline ? t->m->baseline : t->m->run;
  t->timed = k >= t->warmups && !baseline;
  /* A warm-up places one order on every connection (one file each): it touches every
   * connection and thread once. */
  t->job->orders = k < t->warmups ? t->job->width : t->job->opts.requests;
  t->job->answered = t->job->wrong = 0;
  if (k == t->warmups && t->job->loop != NULL) mapo_loop_get_stats(t->job->loop, &t->before);
  return 0;
}

/* Only the model's own call is timed: the harness's bookkeeping stays outside. */
static int run(void *user, double *seconds) {
  timing *t = user;
  const double t0 = mapo_now_s();
  const int rc = t->fn(t->job);
  *seconds = mapo_now_s() - t0;
  return rc;
}

static int verify(void *user, int index) {
  timing *t = user;
  mapo_io_job *job = t->job;
  (void)index;
  if (t->timed) {
    t->r->answered += job->answered;
    t->r->wrong += job->wrong;
  }
  if (job->answered == job->orders && job->wrong == 0) return 0;
  mapo__io_first(job, "%ld of %d orders answered right, %ld wrong", job->answered, job->orders,
                 job->wrong);
  return MAPO_EVERIFY;
}

/* Every run's seconds, split into the model's and the baseline's (alternate runs). */
static void split_runs(const timing *t, const double *all, double *seconds, double *baseline,
                       int repeat) {
  const int step = t->m->baseline != NULL ? 2 : 1;
  for (int k = 0; k < repeat; k++) {
    const size_t at = (size_t)step * (size_t)k;
    seconds[k] = all[at];
    if (step == 2) baseline[k] = all[at + 1];
  }
}

/* What the report reads besides the runs: the loop's work, the ideal, the overhead. */
static void summarise(const timing *t, mapo_io_result *r) {
  const mapo_io_model *m = t->m;
  if (t->job->loop != NULL) {
    mapo_loop_stats after;
    mapo_loop_get_stats(t->job->loop, &after);
    r->loop.iterations = after.iterations - t->before.iterations;
    r->loop.timers = after.timers - t->before.timers;
    r->loop.polls = after.polls - t->before.polls;
    r->loop.completions = after.completions - t->before.completions;
  }
  mapo_spread_of(r->seconds_runs, r->repeat, &r->seconds);
  if (m->baseline != NULL) mapo_spread_of(r->baseline_runs, r->repeat, &r->baseline);
  r->ideal_seconds = mapo_io_ideal_seconds(m, &r->opts);
  r->above_seconds = r->seconds.median - (m->network ? r->ideal_seconds : r->baseline.median);
  r->per_request_us = r->above_seconds / r->opts.requests * 1e6;
}

static int start(const mapo_io_model *m, const mapo_io_opts *o, mapo_io_job *job) {
  memset(job, 0, sizeof *job);
  job->opts = *o;
  int rc = mapo_io_opts_check(m, &job->opts, NULL, 0);
  if (rc < 0) return rc;
  if (m->network && (o->port < 1 || o->port > 65535)) return MAPO_EINVAL;
  return 0;
}

int mapo_io_time(const mapo_io_model *m, const mapo_io_opts *o, int repeat, double *seconds,
                 double *baseline, mapo_io_result *r) {
  if (m == NULL || o == NULL || r == NULL || seconds == NULL || repeat < 1 ||
      (m->baseline != NULL && baseline == NULL))
    return MAPO_EINVAL;
  memset(r, 0, sizeof *r);
  mapo_io_job job;
  int rc = start(m, o, &job);
  if (rc < 0) return rc;
  const int step = m->baseline != NULL ? 2 : 1;
  double *all = calloc((size_t)step * (size_t)repeat, sizeof *all);
  if (all == NULL) return -ENOMEM;
  r->model = m;
  r->opts = job.opts;
  r->repeat = repeat;
  r->seconds_runs = seconds;
  r->baseline_runs = m->baseline != NULL ? baseline : NULL;
  /* Connections, threads and files are set up before the bench, so no clock sees it. */
  timing t = {m, &job, r, step, 0, NULL, 0, {0, 0, 0, 0}};
  const mapo_bench b = {step, step * repeat, &t, prepare, run, verify, NULL, NULL};
  rc = m->setup(&job);
  r->width = job.width;
  if (rc == 0) rc = mapo_bench_run(&b, all, NULL);
  r->verified = rc == 0;
  if (rc == 0 || rc == MAPO_EVERIFY) {
    split_runs(&t, all, seconds, baseline, repeat);
    summarise(&t, r);
  }
  free(all);
  m->teardown(&job);
  if (m->posix_aio) mapo_aio_get_stats(&r->aio);
  snprintf(r->first, sizeof r->first, "%s", job.first);
  return rc;
}
