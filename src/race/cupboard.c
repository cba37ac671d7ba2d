/* cupboard.c - the notebook's catch: cooks share one cupboard with one knife in it.
 *
 * Run:    mapo race --demo cupboard --mode unsafe      (then critical, lock, atomic)
 * Notice: the notebook's cut_meat() does cupboard.pop(cupboard.index("knive")): look for
 *         the knife, then take it. Between the two the other cook can take it first. In
 *         `unsafe` both cooks see the knife at index 0; one pops it, the other pops
 *         index 0 again and holds the spoon, or looks after the knife is gone and gets
 *         the notebook's ValueError: 'knife' is not in list. --window-us widens the gap
 *         between looking and taking (default 100 us) so that it happens in nearly every
 *         trial; --window-us 0 shows how often it happens by itself. The three fixes
 *         below make looking and taking one step, or make the cook wait for the knife.
 * Each trial: the cupboard is ["knife", "spoon", "fork"]; the cooks meet (all running),
 * then each takes the knife, cuts for a moment, and puts it back.
 */
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

enum { KNIFE, SPOON, FORK, NOTHING };
static const char *const names[] = {"knife", "spoon", "fork", "nothing"};
enum { CUT_US = 2 }; /* how long a cook holds the knife */

/* The notebook's list. `volatile`: every look and every change goes to memory, as the
 * Python list does, so the compiler cannot hide the race by keeping copies. */
typedef struct cupboard {
  volatile int item[3];
  volatile int n;
} cupboard;

static void fill(cupboard *c) {
  c->item[0] = KNIFE, c->item[1] = SPOON, c->item[2] = FORK;
  c->n = 3;
}

/* In `unsafe` two cooks change the list at once, so its length is read once and
 * checked before it is used as an index: the race may lose a utensil, never write
 * outside the list. */
static int length(cupboard *c) {
  const int n = c->n;
  return n < 0 ? 0 : n > 3 ? 3 : n;
}

static int index_of(cupboard *c, int what) { /* cupboard.index(what), -1 if absent */
  const int n = length(c);
  for (int i = 0; i < n; i++)
    if (c->item[i] == what) return i;
  return -1;
}

static int pop(cupboard *c, int at) { /* cupboard.pop(at) */
  const int n = length(c);
  if (at < 0 || at >= n) return NOTHING;
  const int got = c->item[at];
  for (int i = at; i + 1 < n; i++) c->item[i] = c->item[i + 1];
  c->n = n - 1;
  return got;
}

static void append(cupboard *c, int what) { /* cupboard.append(what) */
  const int n = length(c);
  if (n < 3) {
    c->item[n] = what;
    c->n = n + 1;
  }
}

/* One cook, one mode: 0 when it cut with the knife, 1 when it failed (*why says how). */
typedef int (*cook_fn)(cupboard *c, int window_us, long long *waits, char *why, size_t size);

static int cook_unsafe(cupboard *c, int window_us, long long *waits, char *why, size_t size) {
  (void)waits;
  const int at = index_of(c, KNIFE); /* look ... */
  if (at < 0) {
    snprintf(why, size, "ValueError: 'knife' is not in list (the other cook had taken it)");
    return 1;
  }
  mapo__spin_us(window_us);
  const int got = pop(c, at); /* ... then take what is at that place now */
  if (got != KNIFE) {
    snprintf(why, size,
             "took the %s instead of the knife: the list changed between "
             "index() and pop()",
             names[got]);
    if (got != NOTHING) append(c, got);
    return 1;
  }
  mapo__spin_us(CUT_US);
  append(c, KNIFE);
  return 0;
}

static int cook_critical(cupboard *c, int window_us, long long *waits, char *why, size_t size) {
  (void)why, (void)size;
  for (int got = NOTHING; got != KNIFE;) {
#pragma omp critical(cupboard)
    {
      const int at = index_of(c, KNIFE);
      if (at >= 0) {
        mapo__spin_us(window_us);
        got = pop(c, at);
      }
    }
    if (got != KNIFE) ++*waits; /* out: come back and look again */
  }
  mapo__spin_us(CUT_US);
#pragma omp critical(cupboard)
  append(c, KNIFE);
  return 0;
}

static omp_lock_t knife_lock; /* the lock stands for the knife itself */

static int cook_lock(cupboard *c, int window_us, long long *waits, char *why, size_t size) {
  (void)why, (void)size;
  if (!omp_test_lock(&knife_lock)) {
    ++*waits;
    omp_set_lock(&knife_lock); /* wait until the other cook puts it back */
  }
  const int at = index_of(c, KNIFE);
  mapo__spin_us(window_us);
  const int got = pop(c, at);
  mapo__spin_us(CUT_US);
  append(c, got);
  omp_unset_lock(&knife_lock);
  return 0;
}

static atomic_int knife_in = 1; /* 1: the knife is in the cupboard */

static int cook_atomic(cupboard *c, int window_us, long long *waits, char *why, size_t size) {
  (void)c, (void)why, (void)size;
  int expected = 1;
  mapo__spin_us(window_us);
  /* Look and take in one instruction: only one cook can turn 1 into 0. */
  while (!atomic_compare_exchange_weak(&knife_in, &expected, 0)) {
    expected = 1;
    ++*waits;
  }
  mapo__spin_us(CUT_US);
  atomic_store(&knife_in, 1);
  return 0;
}

/* The trials, the same for every mode. */
static int trials(const mapo_race_opts *o, mapo_race_result *r, cook_fn cook) {
  cupboard c;
  mapo__meet meet = {0};
  int failed = 0;
  long long waits = 0;
  omp_init_lock(&knife_lock);
  atomic_store(&knife_in, 1);
#pragma omp parallel num_threads(o->threads) reduction(+ : waits)
  for (long t = 0; t < o->trials; t++) {
#pragma omp single
    fill(&c); /* its implicit barrier: everyone sees a full cupboard */
    mapo__meet_wait(&meet, omp_get_num_threads());
    char why[200];
    if (cook(&c, o->window_us, &waits, why, sizeof why)) {
#pragma omp atomic write
      failed = 1;
      mapo__race_first(r, "trial %ld, cook %d: %s", t + 1, omp_get_thread_num(), why);
    }
#pragma omp barrier
#pragma omp single
    {
      r->failures += failed;
      failed = 0;
    }
  }
  omp_destroy_lock(&knife_lock);
  r->waits = waits;
  return 0;
}

int mapo_race_cupboard_unsafe(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_unsafe);
}
int mapo_race_cupboard_critical(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_critical);
}
int mapo_race_cupboard_lock(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_lock);
}
int mapo_race_cupboard_atomic(const mapo_race_opts *o, mapo_race_result *r) {
  return trials(o, r, cook_atomic);
}

/* Every mode spins through the window and the cut in every trial, the cooks at once
 * (critical makes them take turns, which only adds). */
double mapo__race_cupboard_trial_s(const mapo_race_mode *m, const mapo_race_opts *o) {
  (void)m;
  return (o->window_us + CUT_US) * 1e-6;
}
