/* internal.h - private to src/race: what the demos share. */
#ifndef MAPO_RACE_INTERNAL_H
#define MAPO_RACE_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>

#include "mapo/race.h"

/* A meeting point for `team` cooks that spins (yielding the core), so that all of them
 * are running when they leave it: a sleeping barrier lets one cook start tens of
 * microseconds after the other on a VM, and the race would be a matter of luck. */
typedef struct mapo__meet {
  atomic_int arrived;
  atomic_int round;
} mapo__meet;

void mapo__meet_wait(mapo__meet *m, int team);

/* Each demo's least time a trial (mapo_race_demo.trial_s), in its own file. */
double mapo__race_cupboard_trial_s(const mapo_race_mode *m, const mapo_race_opts *o);
double mapo__race_counter_trial_s(const mapo_race_mode *m, const mapo_race_opts *o);
double mapo__race_deadlock_trial_s(const mapo_race_mode *m, const mapo_race_opts *o);

/* Busy-wait for us microseconds (the window, a cut): a sleep would give the core away. */
void mapo__spin_us(int us);

/* Record the first failure's words in r->first (thread-safe; later ones are dropped). */
void mapo__race_first(mapo_race_result *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
