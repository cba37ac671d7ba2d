/* supplier.c - the supplier: the server every network model places its orders with,
 * in a process of its own (`mapo io-supplier`), and how a client starts and stops it.
 *
 * Run:    mapo io --model poll       (it starts the supplier, and stops it after the run)
 *         mapo io-supplier --port-file /tmp/port --latency-ms 50   (by hand)
 * Notice: the supplier is the part that must never be the bottleneck, or every model
 *         would measure it instead of itself. It is one thread on epoll with
 *         non-blocking sockets, and its orders wait in a binary heap of deadlines
 *         (src/core/heap.h) under one timerfd: answering an order costs a heap
 *         operation and one send(), and a thousand orders in flight cost a thousand heap
 *         entries, not a thousand threads.
 * Why not src/async/loop.c: mapo_loop is the same idea (one thread, one timerfd over a
 *         heap of deadlines), and using it would save this file's hundred lines of loop
 *         and let the loop's tests cover the supplier too. It stays separate for two
 *         reasons. mapo_loop waits in ppoll(), which hands the kernel every watched
 *         descriptor on every call, so its cost per wake-up grows with the connections
 *         (up to MAPO_IO_CONNECTIONS_MAX); epoll returns only the ready ones, which is
 *         what a server that must keep up with 10,000 connections wants. And the loop
 *         is what the poll and aio models are measured on: a supplier on the same loop
 *         would move with every change to it, on both sides of the measurement, where
 *         the yardstick should stay put. What the supplier does not need from the loop
 *         is as telling: no cancel, no callbacks, no posts from other threads, one kind
 *         of timer whose entry carries the whole answer (descriptor, generation, number).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/heap.h"
#include "core/internal.h"
#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

extern char **environ;

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
  char text[32];
  const char *got = fgets(text, sizeof text, f);
  (void)fclose(f); /* opened only to read: a failed close loses nothing */
  if (got == NULL) return MAPO_EPARSE;
  char *end = text;
  errno = 0;
  const long port = strtol(text, &end, 10);
  return end != text && errno == 0 && port > 0 && port < 65536 ? (int)port : MAPO_EPARSE;
}

/* posix_spawn, not fork: glibc's uses clone(CLONE_VM | CLONE_VFORK) and execs at once,
 * so nothing of a threaded parent (a lock another thread held) is copied into a child
 * that would run with it. The child gets a clean signal mask and default handlers, and
 * /dev/null for stdin and stdout: `mapo io --json` keeps stdout to itself. Returns 0 or
 * a positive errno, as posix_spawn does. */
static int spawn(pid_t *pid, const char *exe, char **argv) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  int rc = posix_spawn_file_actions_init(&fa);
  if (rc != 0) return rc;
  rc = posix_spawnattr_init(&at);
  if (rc != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return rc;
  }
  if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
      (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
      (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
      (rc = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
      (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
    rc = posix_spawn(pid, exe, &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

/* Wait for the port; a supplier that exits first failed to start. 0 or a positive
 * errno; on failure nothing is left running. */
static int wait_for_port(mapo_io_supplier *s, const char *file, int timeout_ms) {
  const double deadline = mapo_now_s() + timeout_ms / 1000.0;
  for (;;) {
    int port = read_port(file);
    if (port > 0) {
      s->port = port;
      return 0;
    }
    int st;
    pid_t w = waitpid(s->pid, &st, WNOHANG);
    if (w == s->pid) {
      s->status = st;
      s->pid = 0;
      return ESRCH;
    }
    if (mapo_now_s() > deadline) {
      kill(s->pid, SIGKILL);
      while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR) {
      }
      s->pid = 0;
      return ETIMEDOUT;
    }
    sleep_ms(1);
  }
}

int mapo_io_supplier_start(mapo_io_supplier *s, const char *exe, int latency_ms, int timeout_ms) {
  if (s == NULL || exe == NULL || latency_ms < 0 || timeout_ms < 1) return MAPO_EINVAL;
  memset(s, 0, sizeof *s);
  const char *tmp = getenv("TMPDIR");
  char dir[512], file[600], lat[32], parent[32];
  snprintf(dir, sizeof dir, "%s/mapo-io-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) return -errno;
  snprintf(file, sizeof file, "%s/port", dir);
  snprintf(lat, sizeof lat, "%d", latency_ms);
  snprintf(parent, sizeof parent, "%ld", (long)getpid());
  char *argv[] = {"mapo", "io-supplier",  "--port-file", file, "--latency-ms",
                  lat,    "--parent-pid", parent,        NULL};
  int rc = spawn(&s->pid, exe, argv);
  if (rc != 0)
    s->pid = 0;
  else
    rc = wait_for_port(s, file, timeout_ms);
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
  unsigned gen; /* the connection's generation: a closed one's orders are dropped */
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
  size_t nconns;
  order_timer *heap;
  size_t nheap, capheap;
  uint64_t seq;
  int failed; /* the timerfd could not be set: answers would never come */
} server;

/* Equal deadlines: first come, first answered. */
#define EARLIER(a, b) \
  ((a)->deadline < (b)->deadline || ((a)->deadline == (b)->deadline && (a)->seq < (b)->seq))
MAPO__HEAP_DEFINE(due, order_timer, EARLIER, MAPO__HEAP_NOT_MOVED)

static int due_later(server *sv, order_timer t) {
  if (mapo__grow((void **)&sv->heap, &sv->capheap, sv->nheap + 1, sizeof *sv->heap) < 0)
    return -ENOMEM;
  due_push(sv->heap, &sv->nheap, t);
  return 0;
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
  if (mapo__grow((void **)&c->out, &c->out_cap, c->out_len + MAPO_IO_MSG_LEN, 1) < 0) {
    close_conn(sv, fd);
    return;
  }
  mapo__io_ready(c->out + c->out_len, number);
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
    const order_timer t = due_pop(sv->heap, &sv->nheap);
    if ((size_t)t.fd < sv->nconns && sv->conns[t.fd].open && sv->conns[t.fd].gen == t.gen)
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
    const int number = mapo__io_number_in(c->in, "order");
    if (number < 0) return MAPO_EPARSE;
    int rc = due_later(sv, (order_timer){now + sv->latency_ns, sv->seq++, fd, c->gen, number});
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
    if ((size_t)fd >= sv->nconns) {
      size_t cap = sv->nconns;
      if (mapo__grow((void **)&sv->conns, &cap, (size_t)fd + 1, sizeof *sv->conns) < 0) {
        close(fd);
        return -ENOMEM;
      }
      memset(sv->conns + sv->nconns, 0, (cap - sv->nconns) * sizeof *sv->conns);
      sv->nconns = cap;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (mapo__io_no_delay(fd) < 0 || epoll_ctl(sv->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
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
  struct sockaddr_in a = mapo__io_loopback(0);
  socklen_t alen = sizeof a;
  if (setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(sv->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(sv->lfd, SOMAXCONN) != 0 ||
      getsockname(sv->lfd, (struct sockaddr *)&a, &alen) != 0)
    return -errno;
  /* Inherited by every accepted connection; set again on each to be sure. */
  int rc = mapo__io_no_delay(sv->lfd);
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
        // conns has nconns entries: accept_all grows the two together (never NULL then).
        // NOLINTNEXTLINE(clang-analyzer-core.NullDereference): the analyzer loses nconns
      } else if ((size_t)fd < sv->nconns && sv->conns[fd].open) {
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
  for (size_t fd = 0; fd < sv.nconns; fd++)
    if (sv.conns[fd].open) close_conn(&sv, (int)fd);
  free(sv.conns);
  free(sv.heap);
  if (sv.lfd >= 0) close(sv.lfd);
  if (sv.tfd >= 0) close(sv.tfd);
  if (sv.sfd >= 0) close(sv.sfd);
  if (sv.ep >= 0) close(sv.ep);
  return rc;
}
