/* test_loop.c - the event loop and POSIX aio: timer order (out-of-order deadlines, ties
 * first started first fired), cancel (before firing, twice, from another timer's
 * callback), 100,000 timers, timers started by callbacks, descriptor readiness on a
 * pipe, posts from four threads, stop, refs, every error (and that the callback of a
 * call that failed never runs), and aio reads and writes of a real file.
 *
 * Run: ctest -R unit.test_loop --output-on-failure  (or build/.../test_loop)
 * Callbacks count and record; the assertions that matter come after the loop drains.
 * Time is asserted only with wide bounds: a timer never fires before its deadline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

#define MS 1000000LL

static pthread_t loop_thread;

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static mapo_loop *new_loop(void) {
  mapo_loop *loop = NULL;
  MAPO_ASSERT_INT(mapo_loop_new(&loop), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  loop_thread = pthread_self();
  return loop;
}

/* ---- timers ---- */

typedef struct order_log {
  int ids[64];
  int n;
  int early; /* fired before its deadline */
} order_log;

typedef struct timer_ref {
  order_log *log;
  int id;
  int64_t deadline;
} timer_ref;

static void log_timer(mapo_loop *loop, void *arg) {
  timer_ref *t = arg;
  if (mapo_now_ns() < t->deadline || mapo_loop_now(loop) < t->deadline) t->log->early++;
  if (t->log->n < 64) t->log->ids[t->log->n++] = t->id;
}

static void test_timer_order(void) {
  mapo_loop *loop = new_loop();
  order_log log = {.n = 0};
  timer_ref refs[11];
  const int64_t base = mapo_now_ns();
  const int offset_ms[5] = {5, 1, 4, 2, 3}; /* ids 0..4, started out of order */
  for (int i = 0; i < 5; i++) refs[i] = (timer_ref){&log, i, base + offset_ms[i] * MS};
  for (int i = 5; i < 10; i++) refs[i] = (timer_ref){&log, i, base + 6 * MS}; /* ties */
  refs[10] = (timer_ref){&log, 10, base - 1000 * MS}; /* already past: fires first */
  for (int i = 0; i < 11; i++)
    MAPO_ASSERT_INT(mapo_loop_timer(loop, refs[i].deadline, log_timer, &refs[i], NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  const int want[11] = {10, 1, 3, 4, 2, 0, 5, 6, 7, 8, 9};
  MAPO_ASSERT_INT(log.n, 11);
  for (int i = 0; i < 11 && i < log.n; i++) MAPO_ASSERT_INT(log.ids[i], want[i]);
  MAPO_ASSERT_INT(log.early, 0);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  MAPO_ASSERT_INT(s.timers, 11);
  CU_ASSERT(s.iterations >= 1);
  if (mapo_test_timing()) CU_ASSERT(s.polls >= 1); /* it slept until the deadlines at least once */
  mapo_loop_free(loop);
}

static void note_time(mapo_loop *loop, void *arg) {
  (void)loop;
  *(int64_t *)arg = mapo_now_ns();
}

static void test_timer_not_early(void) {
  mapo_loop *loop = new_loop();
  int64_t fired = 0;
  const int64_t t0 = mapo_now_ns();
  MAPO_ASSERT_INT(mapo_loop_timer(loop, t0 + 5 * MS, note_time, &fired, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  CU_ASSERT(fired >= t0 + 5 * MS);
  CU_ASSERT(fired < t0 + 9000 * MS); /* it fired at all: a loaded machine is slow, not wrong */
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  CU_ASSERT(s.iterations <= 5); /* it slept through the wait: no busy polling */
  mapo_loop_free(loop);
}

typedef struct canceller {
  order_log *log;
  uint64_t victims[2];
  int rc[2];
} canceller;

static void cancel_others(mapo_loop *loop, void *arg) {
  canceller *c = arg;
  c->log->ids[c->log->n++] = 100;
  for (int i = 0; i < 2; i++) c->rc[i] = mapo_loop_timer_cancel(loop, c->victims[i]);
}

static void test_cancel(void) {
  mapo_loop *loop = new_loop();
  order_log log = {.n = 0};
  const int64_t base = mapo_now_ns();
  timer_ref refs[3];
  uint64_t id[3];
  for (int i = 0; i < 3; i++) {
    refs[i] = (timer_ref){&log, i, base + (i + 1) * MS};
    MAPO_ASSERT_INT(mapo_loop_timer(loop, refs[i].deadline, log_timer, &refs[i], &id[i]), 0);
  }
  CU_ASSERT(id[0] != id[1] && id[1] != id[2] && id[0] != 0);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, id[1]), 0);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, id[1]), MAPO_EINVAL); /* twice */
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(log.n, 2);
  MAPO_ASSERT_INT(log.ids[0], 0);
  MAPO_ASSERT_INT(log.ids[1], 2);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, id[0]), MAPO_EINVAL); /* fired */
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, 0), MAPO_EINVAL);     /* never issued */
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, 12345678901234ULL), MAPO_EINVAL);

  /* A reused slot does not answer to the id of the timer that had it before. */
  uint64_t again;
  MAPO_ASSERT_INT(mapo_loop_timer(loop, base, log_timer, &refs[0], &again), 0);
  CU_ASSERT(again != id[0] && again != id[1] && again != id[2]);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, id[1]), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, again), 0);

  /* From inside a callback: A cancels B (later) and C (same deadline as A, started
   * after it, so already due in the same timers phase). Only A fires. */
  log.n = 0;
  canceller c = {.log = &log};
  const int64_t t = mapo_now_ns() + 1 * MS;
  timer_ref b = {&log, 1, t + 1 * MS}, cc = {&log, 2, t};
  MAPO_ASSERT_INT(mapo_loop_timer(loop, t, cancel_others, &c, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_timer(loop, b.deadline, log_timer, &b, &c.victims[0]), 0);
  MAPO_ASSERT_INT(mapo_loop_timer(loop, cc.deadline, log_timer, &cc, &c.victims[1]), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(log.n, 1);
  MAPO_ASSERT_INT(log.ids[0], 100);
  MAPO_ASSERT_INT(c.rc[0], 0);
  MAPO_ASSERT_INT(c.rc[1], 0);
  mapo_loop_free(loop);
}

enum { MANY = 100000 };

typedef struct many_timer {
  int64_t deadline;
  int idx;
  int cancelled;
  uint64_t id;
} many_timer;

typedef struct many_log {
  const many_timer *last;
  int fired, out_of_order, cancelled_fired;
} many_log;

static many_log many;

static void many_cb(mapo_loop *loop, void *arg) {
  const many_timer *t = arg;
  (void)loop;
  const many_timer *p = many.last;
  if (p != NULL && (t->deadline < p->deadline || (t->deadline == p->deadline && t->idx < p->idx)))
    many.out_of_order++;
  if (t->cancelled) many.cancelled_fired++;
  many.last = t;
  many.fired++;
}

/* 100,000 timers over 2 ms in 1 us steps (about 50 share each deadline, so ties are
 * exercised too), every tenth cancelled: the rest fire in (deadline, start) order. */
static void test_many_timers(void) {
  mapo_loop *loop = new_loop();
  many_timer *t = calloc(MANY, sizeof *t);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  memset(&many, 0, sizeof many);
  const int64_t base = mapo_now_ns();
  uint64_t x = 88172645463325252ULL;
  int failed = 0;
  for (int i = 0; i < MANY; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    t[i] = (many_timer){base + (int64_t)(x % 2000) * 1000, i, 0, 0};
    failed += mapo_loop_timer(loop, t[i].deadline, many_cb, &t[i], &t[i].id) != 0;
  }
  int cancels = 0;
  for (int i = 0; i < MANY; i += 10) {
    t[i].cancelled = 1;
    cancels += mapo_loop_timer_cancel(loop, t[i].id) == 0;
  }
  MAPO_ASSERT_INT(failed, 0);
  MAPO_ASSERT_INT(cancels, MANY / 10);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(many.fired, MANY - MANY / 10);
  MAPO_ASSERT_INT(many.out_of_order, 0);
  MAPO_ASSERT_INT(many.cancelled_fired, 0);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  MAPO_ASSERT_INT(s.timers, MANY - MANY / 10);
  mapo_loop_free(loop);
  free(t);
}

typedef struct chain {
  int count;
  order_log *log;
  timer_ref past, later;
} chain;

/* Each link starts the next one, already due: it runs in the next iteration. */
static void chain_cb(mapo_loop *loop, void *arg) {
  chain *c = arg;
  if (++c->count < 100)
    CU_ASSERT(mapo_loop_timer(loop, mapo_loop_now(loop), chain_cb, c, NULL) == 0);
}

static void add_past(mapo_loop *loop, void *arg) {
  chain *c = arg;
  c->log->ids[c->log->n++] = 0;
  CU_ASSERT(mapo_loop_timer(loop, c->past.deadline, log_timer, &c->past, NULL) == 0);
}

static void test_timers_from_callbacks(void) {
  mapo_loop *loop = new_loop();
  chain c = {.count = 0};
  MAPO_ASSERT_INT(mapo_loop_timer(loop, mapo_now_ns(), chain_cb, &c, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(c.count, 100);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  CU_ASSERT(s.iterations >= 100); /* no link ran in the phase that started it */

  /* A timer started by a callback with a deadline before a pending one fires first. */
  order_log log = {.n = 0};
  const int64_t base = mapo_now_ns();
  c.log = &log;
  c.past = (timer_ref){&log, 1, base - 1 * MS};
  c.later = (timer_ref){&log, 2, base + 3 * MS};
  MAPO_ASSERT_INT(mapo_loop_timer(loop, base + 1 * MS, add_past, &c, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_timer(loop, c.later.deadline, log_timer, &c.later, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(log.n, 3);
  for (int i = 0; i < 3 && i < log.n; i++) MAPO_ASSERT_INT(log.ids[i], i);
  mapo_loop_free(loop);
}

/* ---- descriptors ---- */

static void *write_later(void *arg) {
  sleep_ms(5);
  const char byte = 'x';
  CU_ASSERT(write(*(int *)arg, &byte, 1) == 1);
  return NULL;
}

typedef struct pipe_ctx {
  int fd[2], other[2];
  int calls, other_calls, revents, on_loop_thread, unwatch_rc;
  char got;
} pipe_ctx;

static void on_readable(mapo_loop *loop, int fd, int revents, void *arg) {
  pipe_ctx *p = arg;
  p->calls++;
  p->revents = revents;
  p->on_loop_thread = pthread_equal(pthread_self(), loop_thread);
  CU_ASSERT(read(fd, &p->got, 1) == 1);
  p->unwatch_rc = mapo_loop_unwatch(loop, fd);
}

static void test_pipe_readable(void) {
  mapo_loop *loop = new_loop();
  pipe_ctx p = {.calls = 0};
  CU_ASSERT_EQUAL_FATAL(pipe(p.fd), 0);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p.fd[0], POLLIN, on_readable, &p), 0);
  pthread_t th;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, write_later, &p.fd[1]), 0);
  /* The watcher keeps the loop running until its callback unwatches it. */
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  pthread_join(th, NULL);
  MAPO_ASSERT_INT(p.calls, 1);
  CU_ASSERT(p.revents & POLLIN);
  CU_ASSERT(p.on_loop_thread);
  CU_ASSERT_EQUAL(p.got, 'x');
  MAPO_ASSERT_INT(p.unwatch_rc, 0);
  MAPO_ASSERT_INT(mapo_loop_unwatch(loop, p.fd[0]), MAPO_EINVAL); /* already gone */
  close(p.fd[0]);
  close(p.fd[1]);
  mapo_loop_free(loop);
}

static void unwatch_both(mapo_loop *loop, int fd, int revents, void *arg) {
  pipe_ctx *p = arg;
  (void)fd;
  (void)revents;
  p->calls++;
  mapo_loop_unwatch(loop, p->fd[0]);
  mapo_loop_unwatch(loop, p->other[0]);
}

static void other_readable(mapo_loop *loop, int fd, int revents, void *arg) {
  pipe_ctx *p = arg;
  (void)revents;
  p->other_calls++;
  mapo_loop_unwatch(loop, fd);
}

static void swap_watch(mapo_loop *loop, int fd, int revents, void *arg) {
  pipe_ctx *p = arg;
  (void)revents;
  p->calls++;
  mapo_loop_unwatch(loop, fd);
  CU_ASSERT(mapo_loop_watch(loop, p->other[0], POLLIN, other_readable, p) == 0);
}

/* Two pipes ready at once: whichever callback runs first unwatches both, and the other
 * is never called, though ppoll reported it ready. Then a callback that watches a new
 * descriptor: the new watcher is called on a later poll. */
static void test_unwatch_in_callback(void) {
  mapo_loop *loop = new_loop();
  pipe_ctx p = {.calls = 0};
  CU_ASSERT_EQUAL_FATAL(pipe(p.fd), 0);
  CU_ASSERT_EQUAL_FATAL(pipe(p.other), 0);
  CU_ASSERT(write(p.fd[1], "a", 1) == 1 && write(p.other[1], "b", 1) == 1);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p.fd[0], POLLIN, unwatch_both, &p), 0);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p.other[0], POLLIN, unwatch_both, &p), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(p.calls, 1);

  p.calls = 0;
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p.fd[0], POLLIN, swap_watch, &p), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(p.calls, 1);
  MAPO_ASSERT_INT(p.other_calls, 1);
  for (int i = 0; i < 2; i++) {
    close(p.fd[i]);
    close(p.other[i]);
  }
  mapo_loop_free(loop);
}

/* ---- posts from other threads ---- */

enum { POSTERS = 4, POSTS = 1000 };

typedef struct post_item {
  int thread, seq;
} post_item;

typedef struct post_ctx {
  mapo_loop *loop;
  post_item items[POSTERS][POSTS];
  int next_seq[POSTERS];
  int run, out_of_order, off_thread, done, post_failed[POSTERS];
} post_ctx;

static post_ctx posts;

static void on_post(mapo_loop *loop, void *arg) {
  const post_item *it = arg;
  (void)loop;
  if (!pthread_equal(pthread_self(), loop_thread)) posts.off_thread++;
  if (it->seq != posts.next_seq[it->thread]) posts.out_of_order++;
  posts.next_seq[it->thread] = it->seq + 1;
  posts.run++;
}

static void on_poster_done(mapo_loop *loop, void *arg) {
  (void)arg;
  if (++posts.done == POSTERS) mapo_loop_unref(loop);
}

static void *poster(void *arg) {
  const int t = (int)(intptr_t)arg;
  int failed = 0;
  for (int i = 0; i < POSTS; i++)
    failed += mapo_loop_post(posts.loop, on_post, &posts.items[t][i]) != 0;
  failed += mapo_loop_post(posts.loop, on_poster_done, NULL) != 0;
  posts.post_failed[t] = failed;
  return NULL;
}

static void test_post_from_threads(void) {
  mapo_loop *loop = new_loop();
  memset(&posts, 0, sizeof posts);
  posts.loop = loop;
  for (int t = 0; t < POSTERS; t++)
    for (int i = 0; i < POSTS; i++) posts.items[t][i] = (post_item){t, i};
  mapo_loop_ref(loop); /* the posters are outside the loop: it must wait for them */
  pthread_t th[POSTERS];
  for (int t = 0; t < POSTERS; t++)
    CU_ASSERT_EQUAL_FATAL(pthread_create(&th[t], NULL, poster, (void *)(intptr_t)t), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  for (int t = 0; t < POSTERS; t++) pthread_join(th[t], NULL);
  for (int t = 0; t < POSTERS; t++) MAPO_ASSERT_INT(posts.post_failed[t], 0);
  MAPO_ASSERT_INT(posts.run, POSTERS * POSTS);
  MAPO_ASSERT_INT(posts.out_of_order, 0);
  MAPO_ASSERT_INT(posts.off_thread, 0);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  MAPO_ASSERT_INT(s.completions, POSTERS * (POSTS + 1));
  mapo_loop_free(loop);
}

/* ---- the loop's life: empty, stop, refs ---- */

static void count_cb(mapo_loop *loop, void *arg) {
  (void)loop;
  ++*(int *)arg;
}

static void stop_cb(mapo_loop *loop, void *arg) {
  ++*(int *)arg;
  mapo_loop_stop(loop);
}

static void test_empty_and_stop(void) {
  mapo_loop *loop = new_loop();
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0); /* nothing to do: returns at once */
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  MAPO_ASSERT_INT(s.iterations, 0);

  /* A post alone keeps the loop until it has run. */
  int n = 0;
  MAPO_ASSERT_INT(mapo_loop_post(loop, count_cb, &n), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(n, 1);

  /* Stop from a timer: the run ends though a timer 10 s away is still pending. */
  int stopped = 0, late = 0;
  uint64_t far;
  const int64_t t0 = mapo_now_ns();
  MAPO_ASSERT_INT(mapo_loop_timer(loop, t0 + 1 * MS, stop_cb, &stopped, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_timer(loop, t0 + 10000 * MS, count_cb, &late, &far), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  CU_ASSERT(mapo_now_ns() - t0 < 9000 * MS); /* before the 10 s timer, on any machine */
  MAPO_ASSERT_INT(stopped, 1);
  MAPO_ASSERT_INT(late, 0);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(loop, far), 0); /* still pending */
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);

  /* Stop before run: the run returns before its first iteration, and only that run. */
  n = 0;
  MAPO_ASSERT_INT(mapo_loop_timer(loop, 0, count_cb, &n, NULL), 0);
  mapo_loop_stop(loop);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(n, 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(n, 1);
  mapo_loop_free(loop);
}

typedef struct ref_ctx {
  mapo_loop *loop;
  int ran;
  int64_t at;
} ref_ctx;

static void unref_cb(mapo_loop *loop, void *arg) {
  ref_ctx *r = arg;
  r->ran++;
  r->at = mapo_now_ns();
  mapo_loop_unref(loop);
}

static void *post_later(void *arg) {
  ref_ctx *r = arg;
  sleep_ms(5);
  CU_ASSERT(mapo_loop_post(r->loop, unref_cb, r) == 0);
  return NULL;
}

static void test_refs(void) {
  mapo_loop *loop = new_loop();
  ref_ctx r = {loop, 0, 0};
  /* A ref holds the loop, asleep, until a thread's post drops it. */
  mapo_loop_ref(loop);
  const int64_t t0 = mapo_now_ns();
  pthread_t th;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, post_later, &r), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  pthread_join(th, NULL);
  MAPO_ASSERT_INT(r.ran, 1);
  CU_ASSERT(r.at - t0 >= 5 * MS);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  CU_ASSERT(s.iterations <= 5); /* asleep until the eventfd woke it */

  /* Balanced refs hold nothing; an unref too many is ignored. */
  mapo_loop_ref(loop);
  mapo_loop_unref(loop);
  mapo_loop_unref(loop);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  mapo_loop_free(loop);
}

/* ---- errors: a negative code, and the callback is never called ---- */

static int never_calls;

static void never_timer(mapo_loop *loop, void *arg) {
  (void)loop, (void)arg;
  never_calls++;
}
static void never_io(mapo_loop *loop, int fd, int revents, void *arg) {
  (void)loop, (void)fd, (void)revents, (void)arg;
  never_calls++;
}
static void never_aio(mapo_loop *loop, ssize_t result, void *arg) {
  (void)loop, (void)result, (void)arg;
  never_calls++;
}

static void run_inside(mapo_loop *loop, void *arg) { *(int *)arg = mapo_loop_run(loop); }

static void test_errors(void) {
  mapo_loop *loop = new_loop();
  never_calls = 0;
  char buf[16];
  MAPO_ASSERT_INT(mapo_loop_new(NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_timer(NULL, 0, never_timer, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_timer(loop, 0, NULL, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_timer_cancel(NULL, 1), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_post(NULL, never_timer, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_post(loop, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_run(NULL), MAPO_EINVAL);

  int p[2];
  CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
  CU_ASSERT(write(p[1], "x", 1) == 1); /* readable: a wrongly kept watcher would fire */
  MAPO_ASSERT_INT(mapo_loop_watch(NULL, p[0], POLLIN, never_io, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], POLLIN, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, -1, POLLIN, never_io, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], 0, never_io, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], POLLHUP, never_io, NULL), MAPO_EINVAL);
  int q[2];
  CU_ASSERT_EQUAL_FATAL(pipe(q), 0);
  close(q[0]);
  close(q[1]);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, q[0], POLLIN, never_io, NULL), -EBADF);
  MAPO_ASSERT_INT(mapo_loop_unwatch(loop, p[0]), MAPO_EINVAL); /* not watched */
  MAPO_ASSERT_INT(mapo_loop_unwatch(loop, -1), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_unwatch(NULL, p[0]), MAPO_EINVAL);
  /* Double watch: the first stays, with its own callback; the second is refused. */
  pipe_ctx first = {.calls = 0};
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], POLLIN, on_readable, &first), 0);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], POLLIN, never_io, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_loop_watch(loop, p[0], POLLOUT, never_io, NULL), MAPO_EINVAL);

  MAPO_ASSERT_INT(mapo_aio_read(NULL, p[0], buf, 1, 0, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_read(loop, p[0], buf, 1, 0, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_read(loop, p[0], NULL, 1, 0, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_read(loop, -1, buf, 1, 0, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_read(loop, p[0], buf, 1, -1, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_write(NULL, p[1], buf, 1, 0, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_write(loop, p[1], buf, 1, 0, NULL, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_write(loop, p[1], NULL, 1, 0, never_aio, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_aio_write(loop, -1, buf, 1, 0, never_aio, NULL), MAPO_EINVAL);

  /* The loop cannot be run from its own callback. */
  int inner = 0;
  MAPO_ASSERT_INT(mapo_loop_timer(loop, 0, run_inside, &inner, NULL), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(inner, MAPO_EINVAL);
  MAPO_ASSERT_INT(first.calls, 1);
  MAPO_ASSERT_INT(never_calls, 0);

  /* NULL is harmless where nothing is returned. */
  mapo_loop_stats s = {1, 1, 1, 1};
  mapo_loop_get_stats(NULL, &s);
  MAPO_ASSERT_INT(s.iterations + s.timers + s.polls + s.completions, 0);
  mapo_loop_get_stats(loop, NULL);
  MAPO_ASSERT_INT(mapo_loop_now(NULL), 0);
  mapo_loop_ref(NULL);
  mapo_loop_unref(NULL);
  mapo_loop_stop(NULL);
  mapo_loop_free(NULL);
  mapo_aio_get_stats(NULL);
  close(p[0]);
  close(p[1]);
  mapo_loop_free(loop);
}

/* ---- POSIX aio ---- */

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#endif

/* ThreadSanitizer cannot follow glibc's aio threads (src/async/aio.c says why), so a
 * TSan build refuses aio: check that it does so cleanly, and skip the rest. */
static int aio_refused(mapo_loop *loop) {
#ifdef TSAN_BUILD
  char b;
  never_calls = 0;
  MAPO_ASSERT_INT(mapo_aio_read(loop, 0, &b, 1, 0, never_aio, NULL), -ENOTSUP);
  MAPO_ASSERT_INT(mapo_aio_write(loop, 1, &b, 1, 0, never_aio, NULL), -ENOTSUP);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0); /* no ref was left behind */
  MAPO_ASSERT_INT(never_calls, 0);
  fprintf(stderr, "(refused under ThreadSanitizer, as documented) ");
  mapo_loop_free(loop);
  return 1;
#else
  (void)loop;
  return 0;
#endif
}

static int temp_file(void) {
  char path[] = "/tmp/mapo-test-loop-XXXXXX";
  const int fd = mkstemp(path);
  if (fd >= 0) unlink(path); /* gone when closed, whatever happens to the test */
  return fd;
}

enum { ROUND = 64 * 1024 };

typedef struct round_trip {
  int fd;
  unsigned char out[ROUND], in[ROUND];
  ssize_t wrote, read;
  int off_thread, read_rc, same;
} round_trip;

static void on_read_back(mapo_loop *loop, ssize_t result, void *arg) {
  round_trip *r = arg;
  (void)loop;
  r->off_thread += !pthread_equal(pthread_self(), loop_thread);
  r->read = result;
  r->same = memcmp(r->in, r->out, ROUND) == 0;
}

static void on_written(mapo_loop *loop, ssize_t result, void *arg) {
  round_trip *r = arg;
  r->off_thread += !pthread_equal(pthread_self(), loop_thread);
  r->wrote = result;
  r->read_rc = mapo_aio_read(loop, r->fd, r->in, ROUND, 0, on_read_back, r);
}

static void test_aio_round_trip(void) {
  mapo_loop *loop = new_loop();
  if (aio_refused(loop)) return;
  round_trip *r = calloc(1, sizeof *r);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  r->fd = temp_file();
  CU_ASSERT_FATAL(r->fd >= 0);
  for (int i = 0; i < ROUND; i++) r->out[i] = (unsigned char)(i * 31 + (i >> 9));
  r->read = r->wrote = -1;
  MAPO_ASSERT_INT(mapo_aio_write(loop, r->fd, r->out, ROUND, 0, on_written, r), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0); /* the requests' refs keep it to the end */
  MAPO_ASSERT_INT(r->wrote, ROUND);
  MAPO_ASSERT_INT(r->read_rc, 0);
  MAPO_ASSERT_INT(r->read, ROUND);
  CU_ASSERT(r->same);
  MAPO_ASSERT_INT(r->off_thread, 0);
  close(r->fd);
  free(r);
  mapo_loop_free(loop);
}

enum { FILE_BYTES = 1 << 20, CHUNKS = 50 };

typedef struct chunk {
  size_t len;
  ssize_t result;
  int calls;
} chunk;

static void on_chunk(mapo_loop *loop, ssize_t result, void *arg) {
  chunk *c = arg;
  (void)loop;
  c->result = result;
  c->calls++;
}

/* 50 reads of one 1 MiB file, all submitted before the loop runs. */
static void test_aio_concurrent_reads(void) {
  mapo_loop *loop = new_loop();
  if (aio_refused(loop)) return;
  unsigned char *src = malloc(FILE_BYTES), *dst = calloc(1, FILE_BYTES);
  CU_ASSERT_FATAL(src != NULL && dst != NULL);
  for (size_t i = 0; i < FILE_BYTES; i++) src[i] = (unsigned char)(i * 7 + (i >> 12));
  const int fd = temp_file();
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_FATAL(pwrite(fd, src, FILE_BYTES, 0) == FILE_BYTES);
  chunk c[CHUNKS];
  const size_t per = (FILE_BYTES + CHUNKS - 1) / CHUNKS;
  int submitted = 0;
  for (int i = 0; i < CHUNKS; i++) {
    const size_t off = (size_t)i * per;
    c[i] = (chunk){off + per <= FILE_BYTES ? per : FILE_BYTES - off, -1, 0};
    submitted += mapo_aio_read(loop, fd, dst + off, c[i].len, (off_t)off, on_chunk, &c[i]) == 0;
  }
  MAPO_ASSERT_INT(submitted, CHUNKS);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  int bad = 0;
  for (int i = 0; i < CHUNKS; i++) bad += c[i].calls != 1 || c[i].result != (ssize_t)c[i].len;
  MAPO_ASSERT_INT(bad, 0);
  CU_ASSERT(memcmp(src, dst, FILE_BYTES) == 0);
  mapo_loop_stats s;
  mapo_loop_get_stats(loop, &s);
  MAPO_ASSERT_INT(s.completions, CHUNKS);
  CU_ASSERT(s.iterations > 0 && s.polls > 0); /* it slept while glibc read */
  close(fd);
  free(src);
  free(dst);
  mapo_loop_free(loop);
}

/* The closed descriptor is a high number: the lowest free one would be reused at once
 * (mapo_aio_read itself opens /proc/self/task to count threads), and glibc's helper
 * would then read whatever the number names by the time it runs. */
static void test_aio_closed_fd(void) {
  mapo_loop *loop = new_loop();
  if (aio_refused(loop)) return;
  const int tmp = temp_file();
  CU_ASSERT_FATAL(tmp >= 0);
  const int fd = fcntl(tmp, F_DUPFD_CLOEXEC, 900);
  CU_ASSERT_FATAL(fd >= 900);
  close(tmp);
  close(fd);
  char buf[64];
  chunk c = {sizeof buf, 0, 0};
  MAPO_ASSERT_INT(mapo_aio_read(loop, fd, buf, sizeof buf, 0, on_chunk, &c), 0);
  MAPO_ASSERT_INT(mapo_loop_run(loop), 0);
  MAPO_ASSERT_INT(c.calls, 1);
  MAPO_ASSERT_INT(c.result, -EBADF);
  mapo_loop_free(loop);
}

/* After the tests above: glibc's threads were seen. */
static void test_aio_stats(void) {
  mapo_aio_stats s = {0, 0};
  mapo_aio_get_stats(&s);
#ifdef TSAN_BUILD
  MAPO_ASSERT_INT(s.notify_threads, 0);
  return;
#endif
  CU_ASSERT(s.notify_threads >= 1);
  CU_ASSERT(s.peak_threads >= 2); /* this one and at least one of glibc's */
}

int main(void) {
  static const mapo_test tests[] = {
      {"timers fire in deadline order, ties first started first", test_timer_order},
      {"a 5 ms timer fires no earlier than 5 ms", test_timer_not_early},
      {"cancel before firing, twice, fired, unknown, from a callback", test_cancel},
      {"100,000 timers, a tenth cancelled, fire in order", test_many_timers},
      {"timers started from callbacks", test_timers_from_callbacks},
      {"a pipe becomes readable; unwatch in the callback", test_pipe_readable},
      {"unwatch and watch from callbacks", test_unwatch_in_callback},
      {"4 threads x 1000 posts run on the loop's thread, in order", test_post_from_threads},
      {"the loop returns when empty; stop", test_empty_and_stop},
      {"refs hold the loop", test_refs},
      {"errors: negative codes, callbacks never called", test_errors},
      {"aio: write a file, read it back", test_aio_round_trip},
      {"aio: 50 concurrent reads of a 1 MiB file", test_aio_concurrent_reads},
      {"aio: a closed descriptor reports through the callback", test_aio_closed_fd},
      {"aio: thread statistics", test_aio_stats},
      {NULL, NULL},
  };
  return mapo_test_run("loop", tests);
}
