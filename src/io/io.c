/* io.c - what every I/O model shares: the orders and their answers, connections, the
 * list of models, the timing harness, and the supplier (started, stopped, and served).
 *
 * Run:    mapo io --model poll        (the supplier: `mapo io-supplier`, started by it)
 * Notice: the supplier is the part that must never be the bottleneck, or every model
 *         would measure it instead of itself. It is one thread on epoll with
 *         non-blocking sockets, and its orders wait in a binary heap of deadlines under
 *         one timerfd: answering an order costs a heap operation and one send(), and a
 *         thousand orders in flight cost a thousand heap entries, not a thousand threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

extern char **environ;

/* ---- orders, answers, connections ------------------------------------------------ */

static void message(char *msg, const char *word, int number) {
  char text[MAPO_IO_MSG_LEN + 1];
  snprintf(text, sizeof text, "%.5s %09d\n", word, number);
  memcpy(msg, text, MAPO_IO_MSG_LEN);
}

void mapo__io_order(char *msg, int number) { message(msg, "order", number); }

void mapo__io_file_header(char *msg, int number) { message(msg, "file ", number); }

int mapo__io_is(const char *msg, const char *word, int number) {
  char want[MAPO_IO_MSG_LEN];
  message(want, word, number);
  return memcmp(msg, want, MAPO_IO_MSG_LEN) == 0;
}

/* The number in "<word> NNNNNNNNN\n", or -1 when msg is not such a line. */
static int number_in(const char *msg, const char *word) {
  if (memcmp(msg, word, 5) != 0 || msg[5] != ' ' || msg[MAPO_IO_MSG_LEN - 1] != '\n') return -1;
  int n = 0;
  for (int i = 6; i < MAPO_IO_MSG_LEN - 1; i++) {
    if (msg[i] < '0' || msg[i] > '9') return -1;
    n = n * 10 + (msg[i] - '0');
  }
  return n;
}

static int no_delay(int fd) {
  /* An order is 16 bytes: Nagle's algorithm would hold it back waiting for more. */
  const int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 ? 0 : -errno;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int mapo__io_connect(int port, int nonblocking, int *fd) {
  *fd = -1;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  struct sockaddr_in a = loopback(port);
  int rc = connect(s, (struct sockaddr *)&a, sizeof a) < 0 ? -errno : no_delay(s);
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
    if (n < 0) return -errno;
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
    if (n < 0) return -errno;
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

int mapo__io_answer_ok(mapo_io_job *job, const char *answer, const char *word, int number) {
  if (mapo__io_is(answer, word, number)) return 1;
  char want[MAPO_IO_MSG_LEN], got[MAPO_IO_MSG_LEN];
  message(want, word, number);
  for (int i = 0; i < MAPO_IO_MSG_LEN; i++) /* what came back may be anything */
    got[i] = answer[i] >= ' ' && answer[i] <= '~' ? answer[i] : '?';
  mapo__io_first(job, "expected '%.*s', got '%.*s'", MAPO_IO_MSG_LEN - 1, want,
                 MAPO_IO_MSG_LEN - 1, got);
  return 0;
}

/* ---- the models ------------------------------------------------------------------ */

const mapo_io_model mapo_io_models[] = {
    {"serial", mapo_io_serial_setup, mapo_io_serial_run, NULL, mapo_io_serial_teardown, 1,
     "N x L: one order after another",
     "One connection, one order at a time: the client spends the whole run waiting, and "
     "the time is the sum of every latency."},
    {"threads", mapo_io_threads_setup, mapo_io_threads_run, NULL, mapo_io_threads_teardown, 1,
     "ceil(N/T) x L: T threads, each waiting for one order at a time",
     "Every thread blocks on its own connection while the others wait too: the waits "
     "overlap, and a thousand sleeping threads need no cores, only memory and wake-ups."},
    {"poll", mapo_io_poll_setup, mapo_io_poll_run, NULL, mapo_io_poll_teardown, 1,
     "ceil(N/C) x L: every connection with an order in flight (L when C = N)",
     "One thread, every order in flight at once: the loop sleeps in ppoll() until "
     "answers are ready, so the time is one latency plus the cost of handling them."},
    {"aio", mapo_io_aio_setup, mapo_io_aio_run, mapo_io_aio_read_run, mapo_io_aio_teardown, 0,
     "none: the yardstick is read() of one file after another, measured beside it",
     "POSIX aio hands each read to glibc's helper threads and the answer comes back to "
     "the loop: the program never blocks, but the reads are threads in disguise, and "
     "files in the page cache gain nothing over plain read()."},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL},
};

const mapo_io_model *mapo_io_model_find(const char *name) {
  for (const mapo_io_model *m = mapo_io_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

static int is(const mapo_io_model *m, const char *name) { return strcmp(m->name, name) == 0; }

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

int mapo_io_opts_check(const mapo_io_model *m, mapo_io_opts *o, char *why, size_t size) {
  if (m == NULL || o == NULL) return refuse(why, size, "no model or no options");
  if (o->requests < 1 || o->requests > MAPO_IO_REQUESTS_MAX)
    return refuse(why, size, "requests: %d is out of range (1..%d)", o->requests,
                  MAPO_IO_REQUESTS_MAX);
  if (o->latency_ms < 0 || o->latency_ms > MAPO_IO_LATENCY_MS_MAX)
    return refuse(why, size, "latency: %d ms is out of range (0..%d)", o->latency_ms,
                  MAPO_IO_LATENCY_MS_MAX);
  if (is(m, "threads")) {
    if (o->threads == 0)
      o->threads = o->requests < MAPO_IO_THREADS_DEFAULT ? o->requests : MAPO_IO_THREADS_DEFAULT;
    if (o->threads < 1 || o->threads > MAPO_IO_THREADS_MAX)
      return refuse(why, size, "threads: %d is out of range (1..%d)", o->threads,
                    MAPO_IO_THREADS_MAX);
    if (o->threads > o->requests)
      return refuse(why, size, "%d threads for %d requests: a thread would have no order",
                    o->threads, o->requests);
  }
  if (is(m, "poll")) {
    if (o->connections == 0)
      o->connections =
          o->requests < MAPO_IO_CONNECTIONS_MAX ? o->requests : MAPO_IO_CONNECTIONS_MAX;
    if (o->connections < 1 || o->connections > MAPO_IO_CONNECTIONS_MAX)
      return refuse(why, size, "connections: %d is out of range (1..%d)", o->connections,
                    MAPO_IO_CONNECTIONS_MAX);
    if (o->connections > o->requests)
      return refuse(why, size, "%d connections for %d requests: a connection would have no "
                    "order", o->connections, o->requests);
  }
  if (is(m, "aio")) {
    if (o->file_kib < 1 || o->file_kib > MAPO_IO_FILE_KIB_MAX)
      return refuse(why, size, "file size: %d KiB is out of range (1..%d)", o->file_kib,
                    MAPO_IO_FILE_KIB_MAX);
    if ((long long)o->requests * o->file_kib > (long long)MAPO_IO_FILES_MIB_MAX * 1024)
      return refuse(why, size, "%d files of %d KiB make %lld MiB, more than %d MiB",
                    o->requests, o->file_kib, (long long)o->requests * o->file_kib / 1024,
                    MAPO_IO_FILES_MIB_MAX);
  }
  return 0;
}

int mapo_io_width(const mapo_io_model *m, const mapo_io_opts *o) {
  if (is(m, "threads")) return o->threads;
  if (is(m, "poll")) return o->connections;
  if (is(m, "aio")) return o->requests;
  return 1;
}

double mapo_io_ideal_seconds(const mapo_io_model *m, const mapo_io_opts *o) {
  if (!m->network) return NAN;
  const int width = mapo_io_width(m, o);
  const int rounds = (o->requests + width - 1) / width;
  return rounds * (o->latency_ms / 1000.0);
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

/* ---- the timing harness ---------------------------------------------------------- */

/* One run of fn with `orders` orders, timed; verified after the clock stopped. Its
 * answers count in r (when not NULL: the model's timed runs, not the baseline's). */
static int timed(mapo_io_fn fn, mapo_io_job *job, int orders, double *seconds,
                 mapo_io_result *r, int *verify) {
  job->orders = orders;
  job->answered = job->wrong = 0;
  const double t0 = mapo_now_s();
  int rc = fn(job);
  const double t1 = mapo_now_s();
  if (seconds != NULL) *seconds = t1 - t0;
  if (rc < 0) return rc;
  if (job->answered != orders || job->wrong != 0) {
    *verify = MAPO_EVERIFY;
    mapo__io_first(job, "%ld of %d orders answered right, %ld wrong", job->answered, orders,
                   job->wrong);
  }
  if (r != NULL && seconds != NULL) {
    r->answered += job->answered;
    r->wrong += job->wrong;
  }
  return 0;
}

int mapo_io_time(const mapo_io_model *m, const mapo_io_opts *o, int repeat, double *seconds,
                 double *baseline, mapo_io_result *r) {
  if (m == NULL || o == NULL || r == NULL || seconds == NULL || repeat < 1 ||
      (m->baseline != NULL && baseline == NULL))
    return MAPO_EINVAL;
  memset(r, 0, sizeof *r);
  mapo_io_job job;
  memset(&job, 0, sizeof job);
  job.opts = *o;
  int rc = mapo_io_opts_check(m, &job.opts, NULL, 0);
  if (rc < 0) return rc;
  if (m->network && (o->port < 1 || o->port > 65535)) return MAPO_EINVAL;
  int verify = 0;
  rc = m->setup(&job);
  r->width = job.width;
  /* The warm-up: an order on every connection (a file each for aio), not timed. */
  if (rc == 0) rc = timed(m->run, &job, job.width, NULL, NULL, &verify);
  if (rc == 0 && m->baseline) rc = timed(m->baseline, &job, job.width, NULL, NULL, &verify);
  mapo_loop_stats before = {0, 0, 0, 0}, after = before;
  if (rc == 0 && job.loop != NULL) mapo_loop_get_stats(job.loop, &before);
  /* The model and its baseline take turns, so that a slow moment of the machine cannot
   * land on one of them only. */
  for (int k = 0; rc == 0 && k < repeat; k++) {
    rc = timed(m->run, &job, job.opts.requests, &seconds[k], r, &verify);
    if (rc == 0 && m->baseline)
      rc = timed(m->baseline, &job, job.opts.requests, &baseline[k], NULL, &verify);
  }
  if (rc == 0 && job.loop != NULL) {
    mapo_loop_get_stats(job.loop, &after);
    r->loop.iterations = after.iterations - before.iterations;
    r->loop.timers = after.timers - before.timers;
    r->loop.polls = after.polls - before.polls;
    r->loop.completions = after.completions - before.completions;
  }
  m->teardown(&job);
  if (!m->network) mapo_aio_get_stats(&r->aio);
  snprintf(r->first, sizeof r->first, "%s", job.first);
  if (rc < 0) return rc;
  mapo_spread_of(seconds, repeat, &r->seconds);
  if (m->baseline) mapo_spread_of(baseline, repeat, &r->baseline);
  return verify;
}

/* ---- the supplier, seen from the client ------------------------------------------ */

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* The port, once the supplier has renamed its file into place (all or nothing). */
static int read_port(const char *path) {
  FILE *f = fopen(path, "re");
  if (f == NULL) return -errno;
  int port = 0;
  int got = fscanf(f, "%d", &port);
  fclose(f);
  return got == 1 && port > 0 && port < 65536 ? port : MAPO_EPARSE;
}

int mapo_io_supplier_start(mapo_io_supplier *s, const char *exe, int latency_ms,
                           int timeout_ms) {
  if (s == NULL || exe == NULL || latency_ms < 0 || timeout_ms < 1) return MAPO_EINVAL;
  memset(s, 0, sizeof *s);
  const char *tmp = getenv("TMPDIR");
  char dir[512], file[600], lat[32], parent[32];
  snprintf(dir, sizeof dir, "%s/mapo-io-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) return -errno;
  snprintf(file, sizeof file, "%s/port", dir);
  snprintf(lat, sizeof lat, "%d", latency_ms);
  snprintf(parent, sizeof parent, "%ld", (long)getpid());
  char *argv[] = {"mapo", "io-supplier", "--port-file", file, "--latency-ms", lat,
                  "--parent-pid", parent, NULL};

  /* posix_spawn, not fork: glibc's uses clone(CLONE_VM | CLONE_VFORK) and execs at once,
   * so nothing of a threaded parent (a lock another thread held) is copied into a child
   * that would run with it. The child gets a clean signal mask and default handlers, and
   * /dev/null for stdin and stdout: `mapo io --json` keeps stdout to itself. */
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  int rc = posix_spawn_file_actions_init(&fa);
  if (rc != 0) goto out_dir;
  rc = posix_spawnattr_init(&at);
  if (rc != 0) {
    posix_spawn_file_actions_destroy(&fa);
    goto out_dir;
  }
  if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
      (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
      (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
      (rc = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
      (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
    rc = posix_spawn(&s->pid, exe, &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    s->pid = 0;
    goto out_dir;
  }

  /* Wait for the port; a supplier that exits first failed to start. */
  const double deadline = mapo_now_s() + timeout_ms / 1000.0;
  for (;;) {
    int port = read_port(file);
    if (port > 0) {
      s->port = port;
      rc = 0;
      break;
    }
    int st;
    pid_t w = waitpid(s->pid, &st, WNOHANG);
    if (w == s->pid) {
      s->status = st;
      s->pid = 0;
      rc = ESRCH;
      break;
    }
    if (mapo_now_s() > deadline) {
      kill(s->pid, SIGKILL);
      while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR) {
      }
      s->pid = 0;
      rc = ETIMEDOUT;
      break;
    }
    sleep_ms(1);
  }
out_dir:
  unlink(file);
  rmdir(dir);
  return -rc;
}

int mapo_io_supplier_stop(mapo_io_supplier *s) {
  if (s == NULL || s->pid <= 0) return 0;
  kill(s->pid, SIGTERM);
  const double deadline = mapo_now_s() + 2.0;
  pid_t w;
  while ((w = waitpid(s->pid, &s->status, WNOHANG)) == 0 && mapo_now_s() < deadline) sleep_ms(1);
  if (w == 0) {
    kill(s->pid, SIGKILL);
    while ((w = waitpid(s->pid, &s->status, 0)) < 0 && errno == EINTR) {
    }
  }
  s->pid = 0;
  if (w < 0) return -ECHILD;
  const int st = s->status;
  return (WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
             ? 0
             : -ECHILD;
}

/* ---- the supplier itself --------------------------------------------------------- */

typedef struct order_timer {
  int64_t deadline; /* ns, CLOCK_MONOTONIC */
  uint64_t seq;     /* equal deadlines: first come, first answered */
  int fd;
  unsigned gen;     /* the connection's generation: a closed one's orders are dropped */
  int number;
} order_timer;

typedef struct conn {
  int open;
  unsigned gen;
  char in[MAPO_IO_MSG_LEN]; /* an order read in part */
  size_t in_len;
  char *out; /* answers the kernel did not take yet */
  size_t out_len, out_cap;
  int want_out; /* EPOLLOUT is watched: answers are waiting for room */
} conn;

typedef struct server {
  int ep, lfd, tfd, sfd;
  int64_t latency_ns, armed; /* the timerfd's deadline (0: disarmed) */
  conn *conns;               /* by descriptor */
  int nconns;
  order_timer *heap;
  size_t nheap, capheap;
  uint64_t seq;
  int failed; /* the timerfd could not be set: answers would never come */
} server;

static int earlier(const order_timer *a, const order_timer *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static int heap_push(server *sv, order_timer t) {
  if (sv->nheap == sv->capheap) {
    size_t cap = sv->capheap ? sv->capheap * 2 : 1024;
    order_timer *h = realloc(sv->heap, cap * sizeof *h);
    if (h == NULL) return -ENOMEM;
    sv->heap = h;
    sv->capheap = cap;
  }
  size_t i = sv->nheap++;
  while (i > 0 && earlier(&t, &sv->heap[(i - 1) / 2])) {
    sv->heap[i] = sv->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  sv->heap[i] = t;
  return 0;
}

static order_timer heap_pop(server *sv) {
  order_timer top = sv->heap[0], last = sv->heap[--sv->nheap];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= sv->nheap) break;
    if (c + 1 < sv->nheap && earlier(&sv->heap[c + 1], &sv->heap[c])) c++;
    if (!earlier(&sv->heap[c], &last)) break;
    sv->heap[i] = sv->heap[c];
    i = c;
  }
  if (sv->nheap > 0) sv->heap[i] = last;
  return top;
}

/* Point the one timerfd at the earliest deadline (absolute: no drift). */
static int arm(server *sv) {
  int64_t want = sv->nheap ? sv->heap[0].deadline : 0;
  if (want == sv->armed) return 0;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  its.it_value.tv_sec = want / 1000000000;
  its.it_value.tv_nsec = want % 1000000000;
  if (want != 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  if (timerfd_settime(sv->tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0) return -errno;
  sv->armed = want;
  return 0;
}

static void close_conn(server *sv, int fd) {
  conn *c = &sv->conns[fd];
  epoll_ctl(sv->ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(c->out);
  const unsigned gen = c->gen + 1;
  memset(c, 0, sizeof *c);
  c->gen = gen;
}

static int watch_out(server *sv, int fd, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.fd = fd};
  return epoll_ctl(sv->ep, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : -errno;
}

/* Hand the kernel what is queued; a full socket buffer waits for EPOLLOUT. */
static void flush(server *sv, int fd) {
  conn *c = &sv->conns[fd];
  size_t done = 0;
  while (done < c->out_len) {
    ssize_t n = send(fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      close_conn(sv, fd);
      return;
    }
    done += (size_t)n;
  }
  memmove(c->out, c->out + done, c->out_len - done);
  c->out_len -= done;
  const int want_out = c->out_len > 0;
  if (want_out != c->want_out) {
    if (watch_out(sv, fd, want_out) < 0) {
      close_conn(sv, fd);
      return;
    }
    c->want_out = want_out;
  }
}

static void answer(server *sv, int fd, int number) {
  conn *c = &sv->conns[fd];
  if (c->out_len + MAPO_IO_MSG_LEN > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap * 2 : 4 * MAPO_IO_MSG_LEN;
    char *p = realloc(c->out, cap);
    if (p == NULL) {
      close_conn(sv, fd);
      return;
    }
    c->out = p;
    c->out_cap = cap;
  }
  message(c->out + c->out_len, "ready", number);
  c->out_len += MAPO_IO_MSG_LEN;
  /* Already waiting for EPOLLOUT: the answer goes with the others, in order. */
  if (!c->want_out) flush(sv, fd);
}

static void answer_due(server *sv) {
  uint64_t expirations;
  while (read(sv->tfd, &expirations, sizeof expirations) < 0 && errno == EINTR) {
  }
  sv->armed = 0; /* a one-shot timer that fired is disarmed */
  const int64_t now = mapo_now_ns();
  while (sv->nheap > 0 && sv->heap[0].deadline <= now) {
    const order_timer t = heap_pop(sv);
    if (t.fd < sv->nconns && sv->conns[t.fd].open && sv->conns[t.fd].gen == t.gen)
      answer(sv, t.fd, t.number);
  }
  if (arm(sv) < 0) sv->failed = 1;
}

/* Orders are fixed-size lines; one that is not "order NNNNNNNNN\n" ends its connection. */
static int take_orders(server *sv, int fd, const char *p, size_t len) {
  conn *c = &sv->conns[fd];
  const int64_t now = mapo_now_ns();
  while (len > 0) {
    size_t take = MAPO_IO_MSG_LEN - c->in_len;
    if (take > len) take = len;
    memcpy(c->in + c->in_len, p, take);
    c->in_len += take;
    p += take;
    len -= take;
    if (c->in_len < MAPO_IO_MSG_LEN) break;
    c->in_len = 0;
    const int number = number_in(c->in, "order");
    if (number < 0) return MAPO_EPARSE;
    int rc = heap_push(sv, (order_timer){now + sv->latency_ns, sv->seq++, fd, c->gen, number});
    if (rc < 0) return rc;
  }
  return arm(sv);
}

static void readable(server *sv, int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0 || take_orders(sv, fd, buf, (size_t)n) < 0) {
      close_conn(sv, fd); /* the client is done (0), or broke the protocol */
      return;
    }
    if ((size_t)n < sizeof buf) return; /* level-triggered: epoll says when there is more */
  }
}

static int accept_all(server *sv) {
  for (;;) {
    int fd = accept4(sv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && errno == EINTR) continue;
    if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)) return 0;
    if (fd < 0) return -errno;
    if (fd >= sv->nconns) {
      int n = sv->nconns ? sv->nconns : 1024;
      while (n <= fd) n *= 2;
      conn *p = realloc(sv->conns, (size_t)n * sizeof *p);
      if (p == NULL) {
        close(fd);
        return -ENOMEM;
      }
      memset(p + sv->nconns, 0, (size_t)(n - sv->nconns) * sizeof *p);
      sv->conns = p;
      sv->nconns = n;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (no_delay(fd) < 0 || epoll_ctl(sv->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
      close(fd);
      continue;
    }
    sv->conns[fd].open = 1;
    sv->conns[fd].in_len = 0;
  }
}

/* Listen on 127.0.0.1, port 0, and tell the parent which port the kernel picked. */
static int listen_and_tell(server *sv, const char *port_file) {
  sv->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sv->lfd < 0) return -errno;
  const int one = 1;
  struct sockaddr_in a = loopback(0);
  socklen_t alen = sizeof a;
  if (setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(sv->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(sv->lfd, SOMAXCONN) != 0 ||
      getsockname(sv->lfd, (struct sockaddr *)&a, &alen) != 0)
    return -errno;
  /* Inherited by every accepted connection; set again on each to be sure. */
  int rc = no_delay(sv->lfd);
  if (rc < 0) return rc;
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", port_file, (long)getpid()) >= (int)sizeof tmp)
    return -ENAMETOOLONG;
  FILE *f = fopen(tmp, "we");
  if (f == NULL) return -errno;
  fprintf(f, "%d\n", ntohs(a.sin_port));
  if (fclose(f) != 0 || rename(tmp, port_file) != 0) {
    rc = -errno;
    unlink(tmp);
    return rc;
  }
  return 0;
}

static int watch_in(server *sv, int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  return epoll_ctl(sv->ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static int serve(server *sv, const char *port_file) {
  int rc;
  if ((sv->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
      (sv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
    return -errno;
  if ((rc = listen_and_tell(sv, port_file)) < 0 || (rc = watch_in(sv, sv->lfd)) < 0 ||
      (rc = watch_in(sv, sv->tfd)) < 0 || (rc = watch_in(sv, sv->sfd)) < 0)
    return rc;
  struct epoll_event ev[256];
  for (;;) {
    int n = epoll_wait(sv->ep, ev, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
      const int fd = ev[i].data.fd;
      if (fd == sv->sfd) return 0; /* SIGTERM, SIGINT, or the parent died */
      if (fd == sv->lfd) {
        if ((rc = accept_all(sv)) < 0) return rc;
      } else if (fd == sv->tfd) {
        answer_due(sv);
        if (sv->failed) return -EIO;
      } else if (fd < sv->nconns && sv->conns[fd].open) {
        if (ev[i].events & EPOLLOUT) flush(sv, fd);
        if (sv->conns[fd].open && (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
          readable(sv, fd);
      }
    }
  }
}

int mapo_io_supplier_serve(const char *port_file, int latency_ms, pid_t parent_pid) {
  if (port_file == NULL || latency_ms < 0 || latency_ms > MAPO_IO_LATENCY_MS_MAX)
    return MAPO_EINVAL;
  server sv;
  memset(&sv, 0, sizeof sv);
  sv.ep = sv.lfd = sv.tfd = sv.sfd = -1;
  sv.latency_ns = (int64_t)latency_ms * 1000000;
  /* Stop on a signal by returning, through a signalfd: everything is closed and freed,
   * and nothing runs in a signal handler. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGHUP);
  int rc = 0;
  if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0 ||
      (sv.sfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
    rc = -errno;
  /* Never outlive the parent: the kernel sends SIGTERM when it dies. If it died before
   * this line, our parent is already someone else (init or a subreaper). */
  if (rc == 0 && prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) rc = -errno;
  if (rc == 0 && parent_pid > 0 && getppid() != parent_pid) rc = -ESRCH;
  /* The kernel may add up to 50 us of slack to a timer; 1 ns keeps the answers on time. */
  if (rc == 0) (void)mapo_clock_tighten();
  if (rc == 0) rc = serve(&sv, port_file);
  for (int fd = 0; fd < sv.nconns; fd++)
    if (sv.conns[fd].open) close_conn(&sv, fd);
  free(sv.conns);
  free(sv.heap);
  if (sv.lfd >= 0) close(sv.lfd);
  if (sv.tfd >= 0) close(sv.tfd);
  if (sv.sfd >= 0) close(sv.sfd);
  if (sv.ep >= 0) close(sv.ep);
  return rc;
}
