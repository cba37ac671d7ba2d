/* race.c - the list of race-lab demos, their defaults, and what they share. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

/* The demos' defaults: 100 trials of 2 cooks, a 100 us window (deadlock: a cook waits
 * 1 ms for the other before reaching for its second utensil), a million increments,
 * a 20 ms watchdog; the counter runs 10 trials, each of which is long. */
#define DEFAULTS(trials_, window_)                                                    \
  {                                                                                   \
    .trials = (trials_), .threads = 2, .window_us = (window_), .increments = 1000000, \
    .watchdog_ms = 20, .seed = 1                                                      \
  }

const mapo_race_demo mapo_race_demos[] = {
    {.name = "cupboard",
     .about = "two cooks take the one knife",
     .who = "cooks",
     .threads_max = MAPO_RACE_THREADS_MAX,
     .fails = "trials where a cook found no knife or took the wrong thing",
     .waits = "waits",
     .window = "the gap between looking for the knife and taking it",
     .window_zero = "the natural rate",
     .defaults = DEFAULTS(100, 100),
     .trial_s = mapo__race_cupboard_trial_s},
    {.name = "counter",
     .about = "threads add to one counter",
     .who = "threads",
     .threads_max = MAPO_RACE_THREADS_MAX,
     .lost_updates = 1,
     .fails = "updates lost",
     .increments = "additions per thread per trial",
     .defaults = DEFAULTS(10, 100),
     .trial_s = mapo__race_counter_trial_s},
    {.name = "deadlock",
     .about = "two cooks, two utensils, opposite orders",
     .who = "cooks",
     .threads_max = 2,
     .team = "two cooks",
     .fails = "trials that dead-locked (each found by the watchdog)",
     .waits = "back-offs",
     .window = "how long a cook holding its first utensil waits for the other",
     .watchdog = "no progress for this long is examined for a cycle",
     .defaults = DEFAULTS(100, 1000),
     .trial_s = mapo__race_deadlock_trial_s},
    {.name = NULL},
};

const mapo_race_mode mapo_race_modes[] = {
    {"cupboard", "unsafe", mapo_race_cupboard_unsafe, 1,
     "Each cook looks for the knife (index), then takes it (pop) with nothing to stop the "
     "other cook in between: both see it, one takes it, the other finds it gone or takes "
     "the spoon by mistake. A race condition: the outcome depends on who is faster."},
    {"cupboard", "critical", mapo_race_cupboard_critical, 0,
     "Looking and taking happen in one critical section, so no cook can slip in between; a "
     "cook that finds the knife out comes back and looks again."},
    {"cupboard", "lock", mapo_race_cupboard_lock, 0,
     "The knife has an OpenMP lock: a cook who wants it waits until the other puts it back, "
     "instead of failing."},
    {"cupboard", "atomic", mapo_race_cupboard_atomic, 0,
     "The knife is a flag taken with compare-and-swap: one instruction checks and takes, so "
     "only one cook can win; the other tries again."},
    {"counter", "unsafe", mapo_race_counter_unsafe, 1,
     "counter++ is a load, an add and a store: two threads load the same value, both add 1, "
     "both store, and one update is lost."},
    {"counter", "atomic", mapo_race_counter_atomic, 0,
     "omp atomic makes the load-add-store one indivisible instruction (lock add): no update "
     "is lost, but the cores pass the counter's cache line back and forth."},
    {"counter", "critical", mapo_race_counter_critical, 0,
     "A critical section around every increment: correct, and the slowest, because every "
     "increment takes and gives back a lock."},
    {"counter", "reduction", mapo_race_counter_reduction, 0,
     "Each thread counts privately and OpenMP adds the counts once at the end: correct and "
     "nearly free, because nothing is shared while counting (the compiler may even keep "
     "the private count in a register and do the loop in one addition)."},
    {"deadlock", "naive", mapo_race_deadlock_naive, 1,
     "One cook takes the knife then the board, the other the board then the knife: each "
     "holds what the other waits for, and neither can ever go on. A dead-lock."},
    {"deadlock", "ordered", mapo_race_deadlock_ordered, 0,
     "Both cooks take the utensils in one global order (knife, then board): a cycle of "
     "waiting cannot form, so there is no dead-lock."},
    {"deadlock", "trylock", mapo_race_deadlock_trylock, 0,
     "A cook that cannot get its second utensil puts the first back, waits a random time "
     "and tries again: no dead-lock, and the random wait keeps the cooks from backing off "
     "in step for ever (a livelock)."},
    {NULL, NULL, NULL, 0, NULL},
};

const mapo_race_mode *mapo_race_find(const char *demo, const char *mode) {
  for (const mapo_race_mode *m = mapo_race_modes; demo && mode && m->demo; m++)
    if (strcmp(m->demo, demo) == 0 && strcmp(m->mode, mode) == 0) return m;
  return NULL;
}

const mapo_race_demo *mapo_race_demo_find(const char *name) {
  for (const mapo_race_demo *d = mapo_race_demos; name && d->name; d++)
    if (strcmp(d->name, name) == 0) return d;
  return NULL;
}

void mapo_race_defaults(const char *demo, mapo_race_opts *o) {
  const mapo_race_demo *d = mapo_race_demo_find(demo);
  *o = (d ? d : mapo_race_demos)->defaults;
}

/* The options within the ranges of mapo/race.h, for demo d. */
static int opts_ok(const mapo_race_demo *d, const mapo_race_opts *o) {
  return d != NULL && o != NULL && o->trials >= 1 && o->trials <= MAPO_RACE_TRIALS_MAX &&
         o->threads >= MAPO_RACE_THREADS_MIN && o->threads <= d->threads_max && o->window_us >= 0 &&
         o->window_us <= MAPO_RACE_WINDOW_US_MAX && o->increments >= 1 &&
         o->increments <= MAPO_RACE_INCREMENTS_MAX && o->watchdog_ms >= 1 &&
         o->watchdog_ms <= MAPO_RACE_WATCHDOG_MS_MAX;
}

double mapo_race_estimate_s(const mapo_race_demo *d, const char *mode, const mapo_race_opts *o) {
  if (!opts_ok(d, o) || (mode != NULL && mapo_race_find(d->name, mode) == NULL)) return NAN;
  double s = 0;
  for (const mapo_race_mode *m = mapo_race_modes; m->demo && d->trial_s; m++)
    if (strcmp(m->demo, d->name) == 0 && (mode == NULL || strcmp(m->mode, mode) == 0))
      s += (double)o->trials * d->trial_s(m, o);
  return s;
}

int mapo_race_run(const mapo_race_mode *m, const mapo_race_opts *o, mapo_race_result *r) {
  const mapo_race_demo *d = m ? mapo_race_demo_find(m->demo) : NULL;
  if (!opts_ok(d, o) || r == NULL) return MAPO_EINVAL;
  /* Its threads (and a deadlock's watchdog): proved possible first (see
   * mapo__threads_probe). */
  int rc = mapo__threads_probe(o->threads);
  if (rc < 0) return rc;
  memset(r, 0, sizeof *r);
  r->trials = o->trials;
  const double t0 = mapo_now_s();
  rc = m->run(o, r);
  r->seconds = mapo_now_s() - t0;
  return rc;
}

void mapo__meet_wait(mapo__meet *m, int team) {
  const int round = atomic_load_explicit(&m->round, memory_order_acquire);
  if (atomic_fetch_add_explicit(&m->arrived, 1, memory_order_acq_rel) + 1 == team) {
    atomic_store_explicit(&m->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&m->round, round + 1, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&m->round, memory_order_acquire) == round) sched_yield();
}

void mapo__spin_us(int us) {
  if (us <= 0) return;
  const double end = mapo_now_s() + us * 1e-6;
  while (mapo_now_s() < end) {
  }
}

void mapo__race_first(mapo_race_result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mapo__vfirst(r->first, sizeof r->first, fmt, ap);
  va_end(ap);
}
