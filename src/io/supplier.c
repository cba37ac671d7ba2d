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
#include <poll.h>
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

/* The descriptor the supplier that mapo io starts writes its port to. */
enum { PORT_FD = 3 };

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* posix_spawn, not fork: glibc's uses clone(CLONE_VM | CLONE_VFORK) and execs at once,
 * so nothing of a threaded parent (a lock another thread held) is copied into a child
 * that would run with it. The child gets a clean signal mask and default handlers, and
 * /dev/null for stdin and stdout: `mapo io --json` keeps stdout to itself. tell, the
 * pipe's end the supplier writes its port to, becomes its descriptor PORT_FD. Returns
 * 0 or a positive errno, as posix_spawn does. */
static int spawn(pid_t *pid, const char *exe, char **argv, int tell) {
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
      (rc = posix_spawn_file_actions_adddup2(&fa, tell, PORT_FD)) == 0 &&
      (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
      (rc = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
      (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
    rc = posix_spawn(pid, exe, &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

/* Kill the supplier that failed to start, and reap it. */
static void kill_and_reap(mapo_io_supplier *s) {
  kill(s->pid, SIGKILL);
  while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR) {
  }
  s->pid = 0;
}

/* The supplier closed its end without a port: it is exiting. Reap it, within the
 * deadline: one that closed the pipe and went on running is killed. */
static int reap_quitter(mapo_io_supplier *s, double deadline) {
  for (;;) {
    int st;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
      s->status = st;
      s->pid = 0;
      return ESRCH;
    }
    if (mapo_now_s() > deadline) {
      kill_and_reap(s);
      return ESRCH;
    }
    sleep_ms(1);
  }
}

/* The port, "PORT\n", from the pipe's other end. A supplier that exits first closes
 * the pipe (end of file); one that says nothing for timeout_ms is killed. 0 or a
 * positive errno; on failure nothing is left running. */
static int wait_for_port(mapo_io_supplier *s, int from, int timeout_ms) {
  const double deadline = mapo_now_s() + timeout_ms / 1000.0;
  char text[32];
  size_t len = 0;
  for (;;) {
    const double left = deadline - mapo_now_s();
    if (left <= 0) {
      kill_and_reap(s);
      return ETIMEDOUT;
    }
    struct pollfd p = {from, POLLIN, 0};
    const int ready = poll(&p, 1, (int)(left * 1000) + 1);
    if (ready <= 0) continue; /* the time is up, or a signal: the deadline decides */
    const ssize_t n = read(from, text + len, sizeof text - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return reap_quitter(s, deadline);
    len += (size_t)n;
    text[len] = '\0';
    if (strchr(text, '\n') == NULL && len < sizeof text - 1) continue;
    char *end = text;
    errno = 0;
    const long port = strtol(text, &end, 10);
    if (end != text && *end == '\n' && errno == 0 && port > 0 && port < 65536) {
      s->port = (int)port;
      return 0;
    }
    kill_and_reap(s);
    return EPROTO;
  }
}

int mapo_io_supplier_start(mapo_io_supplier *s, const char *exe, int latency_ms, int timeout_ms) {
  if (s == NULL || exe == NULL || latency_ms < 0 || timeout_ms < 1) return MAPO_EINVAL;
  memset(s, 0, sizeof *s);
  /* The port comes back through a pipe the supplier inherits, not through a file: no
   * folder to make in $TMPDIR, none to leave behind when either side is killed, and
   * no path to fit in a buffer. Both ends are close-on-exec, so no other child of ours
   * holds the pipe open; the write end is moved above PORT_FD for the dup2 to apply. */
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -errno;
  const int tell = fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, PORT_FD + 1);
  const int err = errno;
  close(pipe_fds[1]);
  if (tell < 0) {
    close(pipe_fds[0]);
    return -err;
  }
  char fd[16], lat[32], parent[32];
  snprintf(fd, sizeof fd, "%d", PORT_FD);
  snprintf(lat, sizeof lat, "%d", latency_ms);
  snprintf(parent, sizeof parent, "%ld", (long)getpid());
  char *argv[] = {"mapo", "io-supplier",  "--port-fd", fd,  "--latency-ms",
                  lat,    "--parent-pid", parent,      NULL};
  int rc = spawn(&s->pid, exe, argv, tell);
  close(tell); /* the supplier has its own copy: its exit is the pipe's end of file */
  if (rc != 0)
    s->pid = 0;
  else
    rc = wait_for_port(s, pipe_fds[0], timeout_ms);
  close(pipe_fds[0]);
  return -rc;
}

enum { SUPPLIER_EXIT_S = 10 }; /* SIGTERM to SIGKILL */

int mapo_io_supplier_stop(mapo_io_supplier *s) {
  if (s == NULL || s->pid <= 0) return 0;
  kill(s->pid, SIGTERM);
  kill(s->pid, SIGCONT); /* a stopped supplier (SIGSTOP) takes its SIGTERM at once */
  /* It ends within milliseconds when the machine is free; a loaded machine can hold a
   * sanitizer build's exit (LeakSanitizer's scan) for seconds, and killing it then
   * would report a clean stop as a failure. */
  const double deadline = mapo_now_s() + SUPPLIER_EXIT_S;
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
  int want_out;  /* EPOLLOUT is watched: answers are waiting for room */
  size_t queued; /* its orders waiting in the heap */
  int paused;    /* EPOLLIN is not watched: it holds too many orders (see held()) */
} conn;

typedef struct server {
  int ep, lfd, tfd, sfd;
  int64_t latency_ns, armed; /* the timerfd's deadline (0: disarmed) */
  conn *conns;               /* by descriptor */
  size_t nconns;
  order_timer *heap;
  size_t nheap, capheap;
  uint64_t seq;
  size_t held; /* orders and answers held for every connection (see held()) */
  int npaused; /* connections paused */
  int failed;  /* the timerfd could not be set: answers would never come */
} server;

/* What a connection costs the supplier: its orders in the heap and its answers not yet
 * sent. A client that sends orders faster than it reads answers (a flood) would grow
 * both without end; past MAPO_IO_SUPPLIER_QUEUE_MAX the supplier stops reading that
 * connection (the kernel's socket buffers then fill and the client's send() blocks),
 * and past MAPO_IO_SUPPLIER_HELD_MAX in all, every connection that sends more. Reading
 * resumes below half the limit. A client of mapo io has one order in flight on each
 * connection and never comes near either. */
static size_t held(const conn *c) { return c->queued + c->out_len / MAPO_IO_MSG_LEN; }

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
  sv->held -= held(c); /* its orders still in the heap are dropped when due (gen) */
  sv->npaused -= c->paused;
  epoll_ctl(sv->ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(c->out);
  const unsigned gen = c->gen + 1;
  memset(c, 0, sizeof *c);
  c->gen = gen;
}

/* Watch what the connection needs: its orders (unless paused), room for its answers. */
static int watch(server *sv, int fd, int out, int paused) {
  conn *c = &sv->conns[fd];
  if (out == c->want_out && paused == c->paused) return 0;
  struct epoll_event ev = {.events = (paused ? 0u : EPOLLIN) | (out ? EPOLLOUT : 0u),
                           .data.fd = fd};
  if (epoll_ctl(sv->ep, EPOLL_CTL_MOD, fd, &ev) != 0) return -errno;
  sv->npaused += paused - c->paused;
  c->want_out = out;
  c->paused = paused;
  return 0;
}

static int over_limit(const server *sv, const conn *c) {
  return held(c) >= MAPO_IO_SUPPLIER_QUEUE_MAX || sv->held >= MAPO_IO_SUPPLIER_HELD_MAX;
}

/* A paused connection reads again once it, and everyone, is below half the limit. */
static int may_resume(const server *sv, const conn *c) {
  return held(c) < MAPO_IO_SUPPLIER_QUEUE_MAX / 2 && sv->held < MAPO_IO_SUPPLIER_HELD_MAX / 2;
}

static void resume(server *sv, int fd) {
  conn *c = &sv->conns[fd];
  if (c->open && c->paused && may_resume(sv, c) && watch(sv, fd, c->want_out, 0) < 0)
    close_conn(sv, fd);
}

/* Below half the total again: every paused connection may read (a rare walk). */
static void resume_all(server *sv) {
  if (sv->npaused == 0 || sv->held >= MAPO_IO_SUPPLIER_HELD_MAX / 2) return;
  for (size_t fd = 0; fd < sv->nconns; fd++) resume(sv, (int)fd);
}

/* Hand the kernel what is queued; a full socket buffer waits for EPOLLOUT. */
static void flush(server *sv, int fd) {
  conn *c = &sv->conns[fd];
  const size_t before = held(c);
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
  sv->held -= before - held(c); /* an answer sent in part still counts */
  if (watch(sv, fd, c->out_len > 0, c->paused) < 0) {
    close_conn(sv, fd);
    return;
  }
  resume(sv, fd);
}

static void answer(server *sv, int fd, int number) {
  conn *c = &sv->conns[fd];
  if (mapo__grow((void **)&c->out, &c->out_cap, c->out_len + MAPO_IO_MSG_LEN, 1) < 0) {
    close_conn(sv, fd);
    return;
  }
  mapo__io_ready(c->out + c->out_len, number);
  c->out_len += MAPO_IO_MSG_LEN;
  sv->held++;
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
    if ((size_t)t.fd < sv->nconns && sv->conns[t.fd].open && sv->conns[t.fd].gen == t.gen) {
      sv->conns[t.fd].queued--; /* now an answer: held() is unchanged */
      sv->held--;
      answer(sv, t.fd, t.number);
    }
  }
  resume_all(sv);
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
    c->queued++;
    sv->held++;
  }
  return arm(sv);
}

static void readable(server *sv, int fd, uint32_t events) {
  char buf[4096];
  conn *c = &sv->conns[fd];
  /* Paused, the connection is watched for nothing, but epoll reports a hang-up anyway:
   * a client that is gone cannot read its answers either. */
  if (c->paused && (events & (EPOLLHUP | EPOLLERR))) {
    close_conn(sv, fd);
    return;
  }
  for (;;) {
    if (over_limit(sv, c)) {
      if (watch(sv, fd, c->want_out, 1) < 0) close_conn(sv, fd);
      return;
    }
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

/* "PORT\n" down the descriptor mapo io handed us, and the descriptor closed: the
 * parent's read ends there. */
static int tell_fd(int fd, int port) {
  char text[16];
  const int len = snprintf(text, sizeof text, "%d\n", port);
  int rc = 0;
  for (int done = 0; done < len && rc == 0;) { /* a pipe takes 16 bytes whole, but be sure */
    const ssize_t n = write(fd, text + done, (size_t)(len - done));
    if (n < 0 && errno != EINTR) rc = -errno;
    if (n > 0) done += (int)n;
  }
  if (close(fd) != 0 && rc == 0) rc = -errno;
  return rc;
}

/* "PORT\n" into a file, atomically: a temporary name, then rename. */
static int tell_file(const char *port_file, int port) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", port_file, (long)getpid()) >= (int)sizeof tmp)
    return -ENAMETOOLONG;
  FILE *f = fopen(tmp, "we");
  if (f == NULL) return -errno;
  fprintf(f, "%d\n", port);
  if (fclose(f) != 0 || rename(tmp, port_file) != 0) {
    const int rc = -errno;
    unlink(tmp);
    return rc;
  }
  return 0;
}

/* Where the supplier tells its port: a descriptor (mapo io's pipe), or a file (by hand). */
typedef struct tell {
  const char *file;
  int fd;
} tell;

/* Listen on 127.0.0.1, port 0, and tell the parent which port the kernel picked. */
static int listen_and_tell(server *sv, tell to) {
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
  return to.file != NULL ? tell_file(to.file, ntohs(a.sin_port))
                         : tell_fd(to.fd, ntohs(a.sin_port));
}

static int watch_in(server *sv, int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  return epoll_ctl(sv->ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static int serve(server *sv, tell to) {
  int rc;
  if ((sv->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
      (sv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
    return -errno;
  if ((rc = listen_and_tell(sv, to)) < 0 || (rc = watch_in(sv, sv->lfd)) < 0 ||
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
          readable(sv, fd, ev[i].events);
      }
    }
  }
}

static int serve_and_tell(tell to, int latency_ms, pid_t parent_pid) {
  if (latency_ms < 0 || latency_ms > MAPO_IO_LATENCY_MS_MAX) return MAPO_EINVAL;
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
  if (rc == 0) rc = serve(&sv, to);
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

int mapo_io_supplier_serve(const char *port_file, int latency_ms, pid_t parent_pid) {
  if (port_file == NULL) return MAPO_EINVAL;
  return serve_and_tell((tell){port_file, -1}, latency_ms, parent_pid);
}

int mapo_io_supplier_serve_fd(int port_fd, int latency_ms, pid_t parent_pid) {
  if (port_fd < 0) return MAPO_EINVAL;
  return serve_and_tell((tell){NULL, port_fd}, latency_ms, parent_pid);
}
