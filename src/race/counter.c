/* counter.c - the classic lost update: threads add 1 to one shared counter.
 *
 * Run:    mapo race --demo counter --mode unsafe      (then atomic, critical, reduction)
 * Notice: `counter++` is three steps, load, add, store. Two threads load the same value,
 *         both add one, both store: one update is lost. The fixes cost differently:
 *         atomic makes the three steps one instruction but the cores still pass the
 *         counter's cache line back and forth; critical takes a lock per increment;
 *         reduction gives every thread a private counter and adds them once at the end.
 *         The report gives each mode's time: correctness has a price, and reduction
 *         avoids most of it.
 * Each trial: the threads meet (all running), then every thread adds 1, `increments`
 * times (default 1,000,000).
 */
#include <omp.h>

#include "internal.h"

/* volatile: each increment is a real load and store, as it is when the compiler cannot
 * keep the counter in a register, instead of one addition at the end. */
typedef volatile long long counter;

static void tally(const mapo_race_opts *o, mapo_race_result *r, long long counted, int team) {
  const long long expected = (long long)team * o->increments;
  r->expected += expected;
  r->counted += counted;
  if (counted != expected && r->failures == 0)
    mapo__race_first(r,
                     "%d threads added 1 %ld times each: the counter holds %lld, not %lld "
                     "(%lld updates lost)",
                     team, o->increments, counted, expected, expected - counted);
  r->failures += expected - counted;
}

int mapo_race_counter_unsafe(const mapo_race_opts *o, mapo_race_result *r) {
  for (long t = 0; t < o->trials; t++) {
    counter n = 0;
    int team = 1;
    mapo__meet meet = {0};
#pragma omp parallel num_threads(o->threads)
    {
#pragma omp single
      team = omp_get_num_threads();
      mapo__meet_wait(&meet, team); /* every thread running before anyone counts */
#pragma omp for schedule(static)
      for (long i = 0; i < team * o->increments; i++) n++;
    }
    tally(o, r, n, team);
  }
  return 0;
}

int mapo_race_counter_atomic(const mapo_race_opts *o, mapo_race_result *r) {
  for (long t = 0; t < o->trials; t++) {
    counter n = 0;
    int team = 1;
    mapo__meet meet = {0};
#pragma omp parallel num_threads(o->threads)
    {
#pragma omp single
      team = omp_get_num_threads();
      mapo__meet_wait(&meet, team); /* every thread running before anyone counts */
#pragma omp for schedule(static)
      for (long i = 0; i < team * o->increments; i++) {
#pragma omp atomic
        n++;
      }
    }
    tally(o, r, n, team);
  }
  return 0;
}

int mapo_race_counter_critical(const mapo_race_opts *o, mapo_race_result *r) {
  for (long t = 0; t < o->trials; t++) {
    counter n = 0;
    int team = 1;
    mapo__meet meet = {0};
#pragma omp parallel num_threads(o->threads)
    {
#pragma omp single
      team = omp_get_num_threads();
      mapo__meet_wait(&meet, team); /* every thread running before anyone counts */
#pragma omp for schedule(static)
      for (long i = 0; i < team * o->increments; i++) {
#pragma omp critical
        n++;
      }
    }
    tally(o, r, n, team);
  }
  return 0;
}

int mapo_race_counter_reduction(const mapo_race_opts *o, mapo_race_result *r) {
  for (long t = 0; t < o->trials; t++) {
    long long n = 0;
    int team = 1;
    mapo__meet meet = {0};
#pragma omp parallel num_threads(o->threads)
    {
#pragma omp single
      team = omp_get_num_threads();
      mapo__meet_wait(&meet, team); /* every thread running before anyone counts */
#pragma omp for schedule(static) reduction(+ : n)
      for (long i = 0; i < team * o->increments; i++) n++;
    }
    tally(o, r, n, team);
  }
  return 0;
}

/* Each thread makes its own increments, each a real load and store (volatile) or more:
 * one a cycle at 4 GHz is faster than any of them. Reduction's loop may be folded into
 * one addition (see its lesson), so it costs nothing certain. */
double mapo__race_counter_trial_s(const mapo_race_mode *m, const mapo_race_opts *o) {
  return m->run == mapo_race_counter_reduction ? 0 : (double)o->increments / 4e9;
}
