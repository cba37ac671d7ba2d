/* loop.c - one thread, smart about waiting: an event loop on ppoll() with a timer heap.
 *
 * Run:    ctest -R unit.test_loop --output-on-failure; `mapo cook --model async` cooks on it.
 * Notice: the loop sleeps in exactly one place, ppoll(), and only until the next
 *         timer's deadline: no thread spins, so a loop that waits for a boiling pot
 *         uses no CPU. Each iteration runs its phases in one fixed order, as libuv
 *         documents its own:
 *           1. time:        read the monotonic clock once (mapo_loop_now);
 *           2. timers:      fire every timer whose deadline has passed, earliest first,
 *                           equal deadlines in the order they were started (a timer
 *                           started by one of these callbacks waits for the next
 *                           iteration, even if it is due already);
 *           3. poll:        ppoll() the watched descriptors, the loop's eventfd and
 *                           its timerfd, at most until the next deadline, then call
 *                           the ready watchers;
 *           4. completions: run what mapo_loop_post() queued (from any thread), first
 *                           posted, first run.
 *         The loop ends when nothing is left (no timer, watcher, queued completion or
 *         ref) or after mapo_loop_stop(), at the end of the iteration.
 * And:    ppoll()'s own timeout is not precise: the kernel lets a poll sleep 0.1% of its
 *         timeout past it (select_estimate_accuracy; the thread's timer slack does not
 *         change that), 0.5 ms late for a 500 ms wait. So the next deadline is also set
 *         on a timerfd in the poll set, which wakes ppoll as closely as clock_nanosleep
 *         would; ppoll's timeout stays as a backstop.
 *         Every callback may start or cancel timers, watch or unwatch descriptors and
 *         post completions; the loop never holds a pointer into its own arrays across
 *         a callback.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/heap.h"
#include "core/internal.h"
#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

enum { NO_SLOT = 0xffffffffu };

/* pfd[0] is the eventfd, pfd[1] the timerfd; the watchers come after them. */
enum { EVENTFD, TIMERFD, FIRST_WATCHER };
#define NOT_ARMED INT64_MIN

/* A timer's callback lives in a slot that does not move while the heap is reordered;
 * the slot knows where its entry is in the heap, so a cancel removes it there in
 * O(log n) instead of searching or leaving a tombstone behind. An id is the slot's
 * index and the slot's generation: the generation changes when the timer fires or is
 * cancelled, so a stale id never names a later timer that reuses the slot. */
typedef struct timer_slot {
  mapo_timer_cb cb;
  void *arg;
  uint32_t pos; /* index in the heap while pending; the next free slot while free */
  uint32_t gen; /* never 0, so no id is 0 */
} timer_slot;

/* A heap entry carries its own sort key, so that sifting compares neighbours in the
 * heap array and never reaches into the slots; it points at its slot (the same 24
 * bytes an index would take with its padding), so that the heap's `moved` hook can
 * tell the slot where the entry landed without knowing the loop. */
typedef struct heap_ent {
  int64_t deadline;
  uint64_t seq; /* start order: equal deadlines fire first started, first fired */
  timer_slot *slot;
} heap_ent;

typedef struct watcher {
  mapo_io_cb cb;
  void *arg;
} watcher;

struct mapo_loop {
  int64_t now;
  int running, stop, refs;
  mapo_loop_stats stats;

  heap_ent *heap;
  size_t nheap, capheap;
  timer_slot *slots;
  size_t nslots, capslots;
  uint32_t free_slot; /* head of the free list, or NO_SLOT */
  uint64_t seq;

  /* pfd[i] and w[i] for i >= FIRST_WATCHER are the watchers. An unwatched entry gets
   * fd -1 (ppoll skips it) and is compacted away before the next ppoll, so that
   * indices never move while ready watchers are being called. */
  struct pollfd *pfd;
  watcher *w;
  size_t npfd, cappfd, ndead;
  int *slot_of_fd; /* fd -> index in pfd, or -1: watch and unwatch in O(1) */
  size_t nfdmap;

  pthread_mutex_t lock; /* guards head and tail: posts come from any thread */
  mapo__post *head, *tail;
  int efd;

  int tfd;       /* a timerfd, armed at the next deadline before ppoll sleeps */
  int64_t armed; /* the deadline it is set to, or NOT_ARMED */
};

/* ---- timers: a binary min-heap ordered by (deadline, seq) (src/core/heap.h) ---- */

#define EARLIER(a, b) \
  ((a)->deadline < (b)->deadline || ((a)->deadline == (b)->deadline && (a)->seq < (b)->seq))
#define TELL_SLOT(h, i) ((h)[i].slot->pos = (uint32_t)(i))
MAPO__HEAP_DEFINE(timers, heap_ent, EARLIER, TELL_SLOT)

/* The slots move only here, when there are no free ones left: a new array, every
 * pending timer's entry pointed at its slot's new place, then the old array freed.
 * Doubling keeps this O(1) per timer on average, as mapo__grow() would. */
static int grow_slots(mapo_loop *l) {
  const size_t cap = l->capslots ? 2 * l->capslots : 16;
  timer_slot *s = malloc(cap * sizeof *s);
  if (s == NULL) return -ENOMEM;
  if (l->nslots > 0) memcpy(s, l->slots, l->nslots * sizeof *s);
  for (size_t i = 0; i < l->nheap; i++) l->heap[i].slot = s + (l->heap[i].slot - l->slots);
  free(l->slots);
  l->slots = s;
  l->capslots = cap;
  return 0;
}

static void slot_release(mapo_loop *l, uint32_t s) {
  timer_slot *t = &l->slots[s];
  t->gen = t->gen == UINT32_MAX ? 1 : t->gen + 1;
  t->cb = NULL;
  t->pos = l->free_slot;
  l->free_slot = s;
}

int mapo_loop_timer(mapo_loop *loop, int64_t deadline_ns, mapo_timer_cb cb, void *arg,
                    uint64_t *id) {
  if (loop == NULL || cb == NULL) return MAPO_EINVAL;
  /* Take every resource before changing anything, so that a failure leaves no trace. */
  if (loop->free_slot == NO_SLOT && loop->nslots >= NO_SLOT) return MAPO_ELIMIT;
  if (mapo__grow((void **)&loop->heap, &loop->capheap, loop->nheap + 1, sizeof *loop->heap) ||
      (loop->free_slot == NO_SLOT && loop->nslots == loop->capslots && grow_slots(loop) < 0))
    return -ENOMEM;
  uint32_t s;
  if (loop->free_slot != NO_SLOT) {
    s = loop->free_slot;
    loop->free_slot = loop->slots[s].pos;
  } else {
    s = (uint32_t)loop->nslots++;
    loop->slots[s].gen = 1;
  }
  loop->slots[s].cb = cb;
  loop->slots[s].arg = arg;
  timers_push(loop->heap, &loop->nheap, (heap_ent){deadline_ns, loop->seq++, &loop->slots[s]});
  if (id != NULL) *id = (uint64_t)loop->slots[s].gen << 32 | s;
  return 0;
}

int mapo_loop_timer_cancel(mapo_loop *loop, uint64_t id) {
  const uint32_t s = (uint32_t)id, gen = (uint32_t)(id >> 32);
  if (loop == NULL || s >= loop->nslots || loop->slots[s].gen != gen || loop->slots[s].cb == NULL)
    return MAPO_EINVAL;
  timers_remove(loop->heap, &loop->nheap, loop->slots[s].pos);
  slot_release(loop, s);
  return 0;
}

/* Phase 2. A timer started during this phase (seq >= first_new) waits for the next
 * iteration even when its deadline has passed: a callback that keeps starting timers
 * due now would otherwise keep the loop here forever, and poll would never run. */
static void run_timers(mapo_loop *l) {
  const uint64_t first_new = l->seq;
  while (l->nheap > 0) {
    const heap_ent top = l->heap[0];
    if (top.deadline > l->now || top.seq >= first_new) break;
    const mapo_timer_cb cb = top.slot->cb;
    void *arg = top.slot->arg;
    timers_pop(l->heap, &l->nheap);
    slot_release(l, (uint32_t)(top.slot - l->slots)); /* before cb: its id is stale now */
    l->stats.timers++;
    cb(l, arg);
  }
}

/* ---- watchers ---- */

int mapo_loop_watch(mapo_loop *loop, int fd, int events, mapo_io_cb cb, void *arg) {
  if (loop == NULL || cb == NULL || fd < 0 || fd == loop->efd || fd == loop->tfd || events == 0 ||
      (events & ~(POLLIN | POLLOUT | POLLPRI)) != 0)
    return MAPO_EINVAL;
  if ((size_t)fd < loop->nfdmap && loop->slot_of_fd[fd] >= 0) return MAPO_EINVAL;
  if (fcntl(fd, F_GETFD) == -1) return -errno; /* -EBADF: ppoll would only say POLLNVAL */
  if ((size_t)fd >= loop->nfdmap) {
    size_t cap = loop->nfdmap;
    if (mapo__grow((void **)&loop->slot_of_fd, &cap, (size_t)fd + 1, sizeof *loop->slot_of_fd))
      return -ENOMEM;
    for (size_t i = loop->nfdmap; i < cap; i++) loop->slot_of_fd[i] = -1;
    loop->nfdmap = cap;
  }
  size_t cap = loop->cappfd;
  if (mapo__grow((void **)&loop->pfd, &cap, loop->npfd + 1, sizeof *loop->pfd)) return -ENOMEM;
  if (mapo__grow((void **)&loop->w, &loop->cappfd, loop->npfd + 1, sizeof *loop->w)) return -ENOMEM;
  /* revents 0: a watcher added by a callback is not called until the next ppoll. */
  loop->pfd[loop->npfd] = (struct pollfd){.fd = fd, .events = (short)events, .revents = 0};
  loop->w[loop->npfd] = (watcher){cb, arg};
  loop->slot_of_fd[fd] = (int)loop->npfd++;
  return 0;
}

int mapo_loop_unwatch(mapo_loop *loop, int fd) {
  if (loop == NULL || fd < 0 || (size_t)fd >= loop->nfdmap || loop->slot_of_fd[fd] < 0)
    return MAPO_EINVAL;
  const int i = loop->slot_of_fd[fd];
  loop->pfd[i].fd = -1;
  loop->w[i].cb = NULL;
  loop->slot_of_fd[fd] = -1;
  loop->ndead++;
  return 0;
}

static size_t live_watchers(const mapo_loop *l) { return l->npfd - FIRST_WATCHER - l->ndead; }

/* Drop unwatched entries, keeping the order of the others. Only between dispatches. */
static void compact(mapo_loop *l) {
  size_t j = FIRST_WATCHER;
  for (size_t i = FIRST_WATCHER; i < l->npfd; i++) {
    if (l->pfd[i].fd < 0) continue;
    if (i != j) {
      l->pfd[j] = l->pfd[i];
      l->w[j] = l->w[i];
      l->slot_of_fd[l->pfd[j].fd] = (int)j;
    }
    j++;
  }
  l->npfd = j;
  l->ndead = 0;
}

/* ---- completions ---- */

static int queue_nonempty(mapo_loop *l) {
  pthread_mutex_lock(&l->lock);
  const int r = l->head != NULL;
  pthread_mutex_unlock(&l->lock);
  return r;
}

void mapo__loop_post_node(mapo_loop *loop, mapo__post *p) {
  p->next = NULL;
  pthread_mutex_lock(&loop->lock);
  const int was_empty = loop->head == NULL;
  if (was_empty)
    loop->head = p;
  else
    loop->tail->next = p;
  loop->tail = p;
  pthread_mutex_unlock(&loop->lock);
  /* Only the post that makes the queue non-empty wakes the loop: the loop reads the
   * eventfd before it takes the queue, so a post that finds the queue non-empty is
   * either taken with the queue or follows a wake-up that is still to come. */
  if (was_empty) {
    const uint64_t one = 1;
    while (write(loop->efd, &one, sizeof one) < 0 && errno == EINTR) {
    }
    /* EAGAIN would mean the counter is full, so the eventfd is readable anyway. */
  }
}

int mapo_loop_post(mapo_loop *loop, mapo_post_cb cb, void *arg) {
  if (loop == NULL || cb == NULL) return MAPO_EINVAL;
  mapo__post *p = malloc(sizeof *p);
  if (p == NULL) return -ENOMEM;
  *p = (mapo__post){.cb = cb, .arg = arg, .owned = 1};
  mapo__loop_post_node(loop, p);
  return 0;
}

/* Phase 4. The queue is taken whole: what the callbacks post runs next iteration. */
static void run_completions(mapo_loop *l) {
  pthread_mutex_lock(&l->lock);
  mapo__post *p = l->head;
  l->head = l->tail = NULL;
  pthread_mutex_unlock(&l->lock);
  while (p != NULL) {
    mapo__post *next = p->next;
    const mapo_post_cb cb = p->cb;
    void *arg = p->arg;
    if (p->owned) free(p); /* an embedded node belongs to arg, which cb may free */
    l->stats.completions++;
    cb(l, arg);
    p = next;
  }
}

/* ---- poll ---- */

/* Set the timerfd to the deadline (absolute, monotonic) unless it is set there
 * already: waking for an unchanged deadline costs no system call. Setting it also
 * clears an expiry not yet read. If it fails, ppoll's timeout still ends the wait. */
static void arm(mapo_loop *l, int64_t deadline) {
  if (l->armed == deadline) return;
  const struct itimerspec it = {{0, 0},
                                {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)}};
  l->armed = timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &it, NULL) == 0 ? deadline : NOT_ARMED;
}

/* Phase 3. Returns 0 or -errno from ppoll. */
static int run_poll(mapo_loop *l) {
  if (l->ndead > 0) compact(l);
  struct timespec ts = {0, 0}, *timeout = &ts;
  if (l->stop || queue_nonempty(l)) {
    /* do not sleep: the loop is ending, or completions are waiting to run */
  } else if (l->nheap > 0) {
    /* A fresh reading of the clock: the timer callbacks of this iteration took time,
     * and sleeping from the iteration's start time would oversleep by that much. */
    const int64_t deadline = l->heap[0].deadline, d = deadline - mapo_now_ns();
    if (d > 0) {
      ts = (struct timespec){(time_t)(d / 1000000000), (long)(d % 1000000000)};
      arm(l, deadline);
    }
  } else if (live_watchers(l) > 0 || l->refs > 0) {
    timeout = NULL; /* until a descriptor, or a post through the eventfd */
  }
  const int sleeps = timeout == NULL || ts.tv_sec > 0 || ts.tv_nsec > 0;
  /* Nothing to wait for and nothing to watch: ppoll could only tell us about the
   * eventfd, and the completions phase takes the queue regardless. Skipping the
   * system call keeps a chain of timers that are already due cheap. */
  if (!sleeps && live_watchers(l) == 0) return 0;
  if (sleeps) l->stats.polls++;
  const int n = ppoll(l->pfd, (nfds_t)l->npfd, timeout, NULL);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  if (n == 0) return 0;
  uint64_t count;
  if (l->pfd[EVENTFD].revents & POLLIN)
    while (read(l->efd, &count, sizeof count) < 0 && errno == EINTR) {
    }
  if (l->pfd[TIMERFD].revents & POLLIN) {
    /* It expired (perhaps for a deadline since cancelled: one spare iteration). The
     * timers phase of the next iteration fires what is due. */
    while (read(l->tfd, &count, sizeof count) < 0 && errno == EINTR) {
    }
    l->armed = NOT_ARMED;
  }
  /* Only the entries that were polled; the arrays may grow (and move) under a callback
   * that watches, so each is read by index, and one unwatched by a callback has fd -1
   * and is skipped even if it was ready. */
  const size_t polled = l->npfd;
  for (size_t i = FIRST_WATCHER; i < polled; i++) {
    const int revents = l->pfd[i].revents;
    const int fd = l->pfd[i].fd;
    if (revents == 0 || fd < 0) continue;
    l->pfd[i].revents = 0;
    const watcher w = l->w[i];
    w.cb(l, fd, revents, w.arg);
  }
  return 0;
}

/* ---- the loop ---- */

int mapo_loop_new(mapo_loop **loop) {
  if (loop == NULL) return MAPO_EINVAL;
  *loop = NULL;
  mapo_loop *l = calloc(1, sizeof *l);
  if (l == NULL) return -ENOMEM;
  l->free_slot = NO_SLOT;
  l->armed = NOT_ARMED;
  l->tfd = -1;
  l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int rc = l->efd < 0 ? -errno : 0;
  if (rc == 0) {
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (l->tfd < 0) rc = -errno;
  }
  if (rc == 0) rc = mapo__grow((void **)&l->pfd, &l->cappfd, FIRST_WATCHER, sizeof *l->pfd);
  if (rc == 0) {
    size_t cap = 0;
    rc = mapo__grow((void **)&l->w, &cap, l->cappfd, sizeof *l->w);
  }
  if (rc == 0) rc = -pthread_mutex_init(&l->lock, NULL);
  if (rc < 0) {
    if (l->efd >= 0) close(l->efd);
    if (l->tfd >= 0) close(l->tfd);
    free(l->pfd);
    free(l->w);
    free(l);
    return rc;
  }
  // mapo__grow returned 0, so it set l->pfd and l->w to FIRST_WATCHER entries or more.
  // NOLINTNEXTLINE(clang-analyzer-core.NullDereference): mapo__grow is in another file
  l->pfd[EVENTFD] = (struct pollfd){.fd = l->efd, .events = POLLIN, .revents = 0};
  l->pfd[TIMERFD] = (struct pollfd){.fd = l->tfd, .events = POLLIN, .revents = 0};
  l->w[EVENTFD] = l->w[TIMERFD] = (watcher){NULL, NULL};
  l->npfd = FIRST_WATCHER;
  l->now = mapo_now_ns();
  *loop = l;
  return 0;
}

void mapo_loop_free(mapo_loop *loop) {
  if (loop == NULL) return;
  for (mapo__post *p = loop->head, *next; p != NULL; p = next) {
    next = p->next;
    if (p->owned) free(p);
  }
  pthread_mutex_destroy(&loop->lock);
  close(loop->efd);
  close(loop->tfd);
  free(loop->heap);
  free(loop->slots);
  free(loop->pfd);
  free(loop->w);
  free(loop->slot_of_fd);
  free(loop);
}

int64_t mapo_loop_now(const mapo_loop *loop) { return loop ? loop->now : 0; }

void mapo_loop_ref(mapo_loop *loop) {
  if (loop) loop->refs++;
}

void mapo_loop_unref(mapo_loop *loop) {
  if (loop && loop->refs > 0) loop->refs--;
}

void mapo_loop_stop(mapo_loop *loop) {
  if (loop) loop->stop = 1;
}

void mapo_loop_get_stats(const mapo_loop *loop, mapo_loop_stats *s) {
  if (s == NULL) return;
  *s = loop ? loop->stats : (mapo_loop_stats){0, 0, 0, 0};
}

static int alive(mapo_loop *l) {
  return l->nheap > 0 || live_watchers(l) > 0 || l->refs > 0 || queue_nonempty(l);
}

int mapo_loop_run(mapo_loop *loop) {
  if (loop == NULL || loop->running) return MAPO_EINVAL; /* not from its own callback */
  /* The default timer slack lets the kernel end a ppoll up to 50 us late; the loop's
   * timers promise better, so its thread asks for 1 ns, as the kitchen's threads do. */
  (void)mapo_clock_tighten();
  loop->running = 1;
  int rc = 0;
  while (rc == 0 && !loop->stop && alive(loop)) {
    loop->stats.iterations++;
    loop->now = mapo_now_ns();          /* 1. time */
    run_timers(loop);                   /* 2. timers */
    rc = run_poll(loop);                /* 3. poll and the ready watchers */
    if (rc == 0) run_completions(loop); /* 4. completions */
  }
  loop->stop = 0;
  loop->running = 0;
  return rc;
}
