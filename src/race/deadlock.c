/* deadlock.c - two cooks, a knife and a cutting board: locks that wait for each other.
 *
 * Run:    mapo race --demo deadlock --mode naive     (then ordered, trylock)
 * Notice: each utensil has a lock. In `naive` cook 0 takes the knife then the board,
 *         cook 1 the board then the knife. Each waits (--window-us, default 1 ms) for
 *         the other to take its first utensil, so that the bad interleaving happens
 *         every trial: then each holds what the other waits for. Nobody can go on: a
 *         dead-lock. A watchdog sees no progress for --watchdog-ms, reads what each cook
 *         says it holds and waits for, finds the cycle in that wait-for graph and names
 *         it. A cook blocked in a pthread mutex could never be woken, so each utensil
 *         has a lock of our own: a cook that finds it taken yields and tries again, and
 *         between tries checks whether the watchdog told it to give up: the watchdog
 *         picks one cook of the cycle, which puts its utensil back, and the others
 *         finish, as a database breaks a dead-lock. A dead-locked trial always ends.
 *         `ordered` (one global order: knife, then board) and `trylock` (put the first
 *         back, wait a random time, try again) never dead-lock.
 * And:    the lock tells ThreadSanitizer what it is (tsan_interface.h): a blocking lock
 *         for take(), a try-lock for trylock. So TSan sees the two opposite orders in
 *         `naive` and reports the lock-order inversion, as it would for pthread mutexes
 *         (it takes pthread_mutex_timedlock for a try-lock and would say nothing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "mapo/clock.h"
#include "sanitizer.h"

enum { KNIFE, BOARD, UTENSILS, COOKS = 2, CUT_US = 2 };

/* A utensil's lock: who holds it, or -1. */
typedef struct utensil_lock {
  atomic_int holder;
} utensil_lock;
static const char *const utensil[UTENSILS] = {"the knife", "the board"};

typedef struct kitchen {
  utensil_lock lock[UTENSILS];
  atomic_int holds[COOKS]; /* bit u: the cook holds utensil u (what it says) */
  atomic_int waits[COOKS]; /* the utensil the cook is blocked on, or -1 */
  atomic_int first_taken;  /* cooks holding their first utensil this trial */
  atomic_long progress;    /* bumped by every take and every return */
  atomic_int give_up;      /* the cook the watchdog sends back, + 1 (0: none this trial) */
  atomic_int over;         /* every trial done: the watchdog may stop */
  int watchdog_ms;
  mapo_race_result *r;
} kitchen;

/* Wait for a utensil the way a blocked cook does, except that between tries the cook
 * checks whether the watchdog told it (give_up: its number + 1) to give up. -1: it gave
 * up. */
static int take(kitchen *k, int me, int u) {
  utensil_lock *l = &k->lock[u];
  atomic_store(&k->waits[me], u);
  __tsan_mutex_pre_lock(l, 0);
  for (int free = -1; !atomic_compare_exchange_weak(&l->holder, &free, me); free = -1) {
    if (atomic_load(&k->give_up) == me + 1) {
      __tsan_mutex_post_lock(l, __tsan_mutex_try_lock_failed, 0);
      atomic_store(&k->waits[me], -1);
      return -1;
    }
    sched_yield();
  }
  __tsan_mutex_post_lock(l, 0, 0);
  atomic_store(&k->waits[me], -1);
  atomic_fetch_or(&k->holds[me], 1 << u);
  atomic_fetch_add(&k->progress, 1);
  return 0;
}

/* One try, no waiting: 0 when the cook got the utensil. */
static int try_take(kitchen *k, int me, int u) {
  utensil_lock *l = &k->lock[u];
  int free = -1;
  __tsan_mutex_pre_lock(l, __tsan_mutex_try_lock);
  if (!atomic_compare_exchange_strong(&l->holder, &free, me)) {
    __tsan_mutex_post_lock(l, __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed, 0);
    return -1;
  }
  __tsan_mutex_post_lock(l, __tsan_mutex_try_lock, 0);
  atomic_fetch_or(&k->holds[me], 1 << u);
  atomic_fetch_add(&k->progress, 1);
  return 0;
}

static void give_back(kitchen *k, int me, int u) {
  utensil_lock *l = &k->lock[u];
  atomic_fetch_and(&k->holds[me], ~(1 << u));
  __tsan_mutex_pre_unlock(l, 0);
  atomic_store(&l->holder, -1);
  __tsan_mutex_post_unlock(l, 0);
  atomic_fetch_add(&k->progress, 1);
}

/* Holding its first utensil, a cook waits up to window_us for the other to take theirs. */
static void meet_after_first(kitchen *k, int window_us) {
  atomic_fetch_add(&k->first_taken, 1);
  const double end = mapo_now_s() + window_us * 1e-6;
  while (atomic_load(&k->first_taken) < COOKS && mapo_now_s() < end) sched_yield();
}

/* A cook's trial: 0 when it cut, 1 when it gave up on the watchdog's word. */
typedef int (*cook_fn)(kitchen *k, int me, int window_us, unsigned *seed, long long *backoffs);

static int cut(kitchen *k, int me, int first, int second) {
  mapo__spin_us(CUT_US);
  give_back(k, me, second);
  give_back(k, me, first);
  return 0;
}

static int cook_naive(kitchen *k, int me, int window_us, unsigned *seed, long long *backoffs) {
  (void)seed, (void)backoffs;
  const int first = me == 0 ? KNIFE : BOARD, second = me == 0 ? BOARD : KNIFE; /* opposite */
  if (take(k, me, first) < 0) return 1;
  meet_after_first(k, window_us);
  if (take(k, me, second) < 0) {
    give_back(k, me, first);
    return 1;
  }
  return cut(k, me, first, second);
}

static int cook_ordered(kitchen *k, int me, int window_us, unsigned *seed, long long *backoffs) {
  (void)seed, (void)backoffs;
  const int first = KNIFE, second = BOARD; /* one global order for every cook */
  if (take(k, me, first) < 0) return 1;
  meet_after_first(k, window_us);
  if (take(k, me, second) < 0) {
    give_back(k, me, first);
    return 1;
  }
  return cut(k, me, first, second);
}

static int cook_trylock(kitchen *k, int me, int window_us, unsigned *seed, long long *backoffs) {
  const int first = me == 0 ? KNIFE : BOARD, second = me == 0 ? BOARD : KNIFE; /* opposite */
  for (;;) {
    if (take(k, me, first) < 0) return 1;
    meet_after_first(k, window_us);
    if (try_take(k, me, second) == 0) return cut(k, me, first, second);
    /* The second is taken: put the first back and try again after a random wait, so
     * that the two cooks do not back off and retry in step for ever. */
    give_back(k, me, first);
    ++*backoffs;
    mapo__spin_us((int)(rand_r(seed) % (unsigned)(window_us + 1)));
  }
}

/* The wait-for graph: cook i waits for cook j when j holds what i waits for. A cycle
 * in it is a dead-lock; name it. Returns the cook to break it (the highest number in
 * the cycle) + 1, or 0 when there is no cycle. */
static int find_cycle(kitchen *k, char *out, size_t size) {
  int next[COOKS], holds[COOKS], waits[COOKS];
  for (int i = 0; i < COOKS; i++)
    holds[i] = atomic_load(&k->holds[i]), waits[i] = atomic_load(&k->waits[i]);
  for (int i = 0; i < COOKS; i++) {
    next[i] = -1;
    for (int j = 0; j < COOKS && waits[i] >= 0; j++)
      if (j != i && (holds[j] & (1 << waits[i]))) next[i] = j;
  }
  for (int start = 0; start < COOKS; start++) {
    int i = start, steps = 0;
    while (next[i] >= 0 && steps <= COOKS && next[i] != start) i = next[i], steps++;
    if (next[i] != start) continue;
    size_t n = 0;
    int victim = start;
    i = start;
    do {
      victim = i > victim ? i : victim;
      int held = holds[i] & (1 << KNIFE) ? KNIFE : BOARD;
      n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%scook %d holds %s and waits for %s",
                            i == start ? "" : "; ", i, utensil[held], utensil[waits[i]]);
      i = next[i];
    } while (i != start && n < size);
    if (n < size) /* while there is room: the text is cut short where out fills */
      snprintf(out + n, size - n, ": cycle cook %d -> cook %d -> cook %d", start, next[start],
               start);
    return victim + 1;
  }
  return 0;
}

static void *watchdog(void *arg) {
  kitchen *k = arg;
  long last = atomic_load(&k->progress);
  double since = mapo_now_s();
  while (!atomic_load(&k->over)) {
    struct timespec tick = {0, 1000000};
    nanosleep(&tick, NULL);
    const long now_progress = atomic_load(&k->progress);
    const double now = mapo_now_s();
    if (now_progress != last || atomic_load(&k->give_up)) {
      last = now_progress;
      since = now;
      continue;
    }
    char cycle[256];
    int victim;
    /* One cook of the cycle gives up and puts its utensil back; the others then get what
     * they waited for and finish, as a database breaks a dead-lock. (So ThreadSanitizer
     * sees one order completed and the other attempted: its lock-order report.) */
    if (now - since >= k->watchdog_ms * 1e-3 && (victim = find_cycle(k, cycle, sizeof cycle))) {
      mapo__race_first(k->r, "no progress for %d ms; %s", k->watchdog_ms, cycle);
      atomic_store(&k->give_up, victim);
      since = now;
    }
  }
  return NULL;
}

static int trials(const mapo_race_opts *o, mapo_race_result *r, cook_fn cook) {
  kitchen k = {.watchdog_ms = o->watchdog_ms, .r = r};
  for (int u = 0; u < UTENSILS; u++) {
    atomic_store(&k.lock[u].holder, -1);
    __tsan_mutex_create(&k.lock[u], 0);
  }
  for (int i = 0; i < COOKS; i++) atomic_store(&k.holds[i], 0), atomic_store(&k.waits[i], -1);
  pthread_t dog;
  if (pthread_create(&dog, NULL, watchdog, &k) != 0) return -EAGAIN;
  mapo__meet meet = {0};
  int gave_up = 0;
  long long backoffs = 0;
#pragma omp parallel num_threads(COOKS) reduction(+ : backoffs)
  {
    const int me = omp_get_thread_num();
    unsigned seed = o->seed * 2654435761u + (unsigned)me;
    for (long t = 0; t < o->trials; t++) {
#pragma omp single
      {
        atomic_store(&k.first_taken, 0);
        atomic_store(&k.give_up, 0);
      }
      mapo__meet_wait(&meet, COOKS);
      if (cook(&k, me, o->window_us, &seed, &backoffs)) {
#pragma omp atomic write
        gave_up = 1;
      }
#pragma omp barrier
#pragma omp single
      {
        r->failures += gave_up;
        gave_up = 0;
      }
    }
  }
  atomic_store(&k.over, 1);
  pthread_join(dog, NULL);
  for (int u = 0; u < UTENSILS; u++) __tsan_mutex_destroy(&k.lock[u], 0);
  r->waits = backoffs;
  return 0;
}

int mapo_race_deadlock_naive(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_naive);
}
int mapo_race_deadlock_ordered(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_ordered);
}
int mapo_race_deadlock_trylock(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_trylock);
}

/* Every trial that ends well cuts (CUT_US). In naive, a cook holding its first utensil
 * waits for the other's through the window: either the window runs out, or both hold
 * one and the trial dead-locks until the watchdog has seen no progress for its time. */
double mapo__race_deadlock_trial_s(const mapo_race_mode *m, const mapo_race_opts *o) {
  if (m->run != mapo_race_deadlock_naive) return CUT_US * 1e-6;
  const double window = o->window_us * 1e-6, watchdog = o->watchdog_ms * 1e-3;
  return window < watchdog ? window : watchdog;
}
