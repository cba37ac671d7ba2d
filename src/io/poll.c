/* poll.c - one thread, every order in flight at once: non-blocking sockets on the event
 * loop (mapo/loop.h), the notebook's one cook who is smart about waiting.
 *
 * Run:    mapo io --model poll --requests 1000 --latency-ms 50
 * Notice: the time is one latency, L, plus what it costs to handle the answers: the
 *         loop sends an order on every connection, then sleeps in ppoll() until answers
 *         are ready, takes each one, and sends that connection its next order (with
 *         --connections C < N, ceil(N/C) rounds). One thread, no locks, no wake-ups of
 *         other threads. The send() and recv() are serial.c's; what changed is that
 *         nothing blocks: a recv() runs only when the loop says its answer is there.
 *         Most of what is above the ideal is the sending: on the project's 2-core VM a
 *         loopback send() costs about 7 us, so the last of 1000 orders leaves about 7 ms
 *         after the first, and its answer comes that much after L.
 *         The connections are opened before the clock starts, as a client with
 *         keep-alive would keep them; each run watches them and lets them go at the end.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "mapo/clock.h"

typedef struct state state;

typedef struct conn {
  int fd;     /* non-blocking, opened before the clock */
  int number; /* the order in flight on it */
  int watched;
  size_t got; /* bytes of the answer read so far */
  char in[MAPO_IO_MSG_LEN];
  state *s;
} conn;

struct state {
  mapo_loop *loop;
  conn *conns;
  int n;
  int next; /* the next order's number */
  int rc;   /* the run's first error */
  mapo_io_job *job;
  /* The watchdog: one timer that fires when no answer came for the latency plus the
   * grace. A supplier that stops answering (SIGSTOP) would otherwise leave the loop in
   * ppoll() forever, every connection still watched. */
  int live;        /* connections watched */
  int64_t last_ns; /* when the last answer came (or the run began) */
  uint64_t watchdog;
  int armed;
};

static void let_go(state *s, conn *l) {
  if (l->watched) {
    mapo_loop_unwatch(s->loop, l->fd);
    s->live--;
  }
  l->watched = 0;
  if (s->live == 0 && s->armed) { /* nothing left to wait for: the loop may return */
    mapo_loop_timer_cancel(s->loop, s->watchdog);
    s->armed = 0;
  }
}

/* A broken connection ends the run: every connection is let go, so the loop returns. */
static void fail(state *s, int rc) {
  if (s->rc == 0) s->rc = rc;
  for (int c = 0; c < s->n; c++) let_go(s, &s->conns[c]);
}

/* The connection is free: its next order, or nothing more to do. */
static void send_next(state *s, conn *l) {
  if (s->next >= s->job->orders) {
    let_go(s, l);
    return;
  }
  l->number = s->next++;
  char msg[MAPO_IO_MSG_LEN];
  mapo__io_order(msg, l->number);
  /* With one order in flight the socket's send buffer is empty: 16 bytes always fit. */
  ssize_t sent = send(l->fd, msg, sizeof msg, MSG_NOSIGNAL);
  if (sent != (ssize_t)sizeof msg) fail(s, sent < 0 ? -errno : -EAGAIN);
}

static void on_answer(mapo_loop *loop, int fd, int revents, void *arg) {
  conn *l = arg;
  state *s = l->s;
  (void)loop;
  (void)revents; /* POLLHUP or POLLERR: recv() below says what happened */
  ssize_t n = recv(fd, l->in + l->got, sizeof l->in - l->got, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    fail(s, n == 0 ? -EPIPE : -errno);
    return;
  }
  l->got += (size_t)n;
  if (l->got < sizeof l->in) return;
  l->got = 0;
  s->last_ns = mapo_loop_now(loop);
  if (mapo__io_answer_ok(s->job, l->in, "ready", l->number))
    s->job->answered++;
  else
    s->job->wrong++;
  send_next(s, l);
}

static void on_watchdog(mapo_loop *loop, void *arg);

static void arm_watchdog(state *s) {
  const int64_t wait_ns = (int64_t)mapo__io_wait_ms(s->job) * 1000000;
  int rc = mapo_loop_timer(s->loop, s->last_ns + wait_ns, on_watchdog, s, &s->watchdog);
  if (rc < 0) {
    fail(s, rc); /* without the watchdog the run could wait forever: it does not start */
    return;
  }
  s->armed = 1;
}

static void on_watchdog(mapo_loop *loop, void *arg) {
  state *s = arg;
  s->armed = 0;
  if (mapo_loop_now(loop) - s->last_ns < (int64_t)mapo__io_wait_ms(s->job) * 1000000) {
    arm_watchdog(s); /* answers came since it was set: wait from the last one */
    return;
  }
  for (int c = 0; c < s->n; c++)
    if (s->conns[c].watched) {
      fail(s, mapo__io_overdue(s->job, s->conns[c].number));
      return;
    }
}

int mapo_io_poll_setup(mapo_io_job *job) {
  state *s = calloc(1, sizeof *s);
  if (s == NULL) return -ENOMEM;
  job->state = s;
  s->job = job;
  int rc = mapo_loop_new(&s->loop);
  if (rc < 0) return rc;
  job->loop = s->loop;
  s->conns = calloc((size_t)job->opts.connections, sizeof *s->conns);
  if (s->conns == NULL) return -ENOMEM;
  for (int c = 0; c < job->opts.connections; c++) {
    conn *l = &s->conns[c];
    l->s = s;
    rc = mapo__io_dial(job, 1, &l->fd);
    if (rc < 0) return rc;
    s->n = job->width = c + 1;
  }
  return 0;
}

int mapo_io_poll_run(mapo_io_job *job) {
  state *s = job->state;
  s->next = 0;
  s->rc = 0;
  for (int c = 0; c < s->n && s->next < job->orders && s->rc == 0; c++) {
    conn *l = &s->conns[c];
    l->got = 0;
    int rc = mapo_loop_watch(s->loop, l->fd, POLLIN, on_answer, l);
    if (rc < 0) {
      fail(s, rc);
      break;
    }
    l->watched = 1;
    s->live++;
    send_next(s, l);
  }
  s->last_ns = mapo_now_ns(); /* the loop's time is its last iteration's: stale here */
  if (s->live > 0) arm_watchdog(s);
  int rc = mapo_loop_run(s->loop); /* returns when every connection is let go */
  return rc < 0 ? rc : s->rc;
}

void mapo_io_poll_teardown(mapo_io_job *job) {
  state *s = job->state;
  if (s == NULL) return;
  for (int c = 0; c < s->n; c++) {
    let_go(s, &s->conns[c]);
    close(s->conns[c].fd);
  }
  if (s->loop != NULL) mapo_loop_free(s->loop);
  free(s->conns);
  free(s);
  job->state = NULL;
  job->loop = NULL;
}
