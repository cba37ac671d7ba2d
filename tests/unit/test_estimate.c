/* test_estimate.c - the run-time estimates that a command checks against its limit
 * before it runs (issue 13: accepted values that run for years): mapo_cook_estimate_s,
 * mapo_io_estimate_s, mapo_sum_estimate_s, mapo_scale_estimate_s, mapo_race_estimate_s,
 * each on inputs worked out by hand, and each issue example far above 10 minutes.
 *
 * Run: ctest -R unit.test_estimate --output-on-failure  (or build/.../test_estimate)
 * Notice: every estimate is a lower bound from the waits the flags ask for, so the
 * figures here are exact arithmetic, not measurements: nothing is run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

enum { LIMIT_S = 600 };

/* The notebook's Mapo Tofu: work 23 units, span 9 (fry the spices or the meat, 7, then
 * mix, 2), 3 steps at once at most. */
static void test_cook_builtin(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  const mapo_kitchen_opts o = {.unit_ms = 100};
  /* One cook does all the work; 3 cooks (the width, by default) reach the span. */
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("serial"), &r, &o, 1), 2.3, 1e-9);
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("tasks"), &r, &o, 1), 0.9, 1e-9);
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("tasks"), &r, &o, 5), 4.5, 1e-9);
  /* The event loop holds no cook while a step waits: every step here waits. */
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("async"), &r, &o, 1), 0.9, 1e-9);
  /* --blocking: every step holds the one thread, the whole work. */
  const mapo_kitchen_opts blocking = {.unit_ms = 100, .blocking = 1};
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("async"), &r, &blocking, 1), 2.3,
                   1e-9);
  /* Two cooks: the work shared, 11.5 units, above the span. */
  const mapo_kitchen_opts two = {.unit_ms = 100, .cooks = 2};
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(mapo_cook_model_find("tasks"), &r, &two, 1), 1.15, 1e-9);
  /* --model all: every model of the table, one after another. */
  double sum = 0;
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++)
    sum += mapo_cook_estimate_s(m, &r, &o, 2);
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(NULL, &r, &o, 2), sum, 1e-9);
  /* At 0 ms a unit nothing waits. */
  const mapo_kitchen_opts zero = {.unit_ms = 0};
  MAPO_ASSERT_NEAR(mapo_cook_estimate_s(NULL, &r, &zero, 1000), 0, 0);
  CU_ASSERT(isnan(mapo_cook_estimate_s(NULL, NULL, &o, 1)));
  CU_ASSERT(isnan(mapo_cook_estimate_s(NULL, &r, &o, 0)));
  mapo_recipe_free(&r);
}

/* The example: one step of a million units at 60 s a unit, 1.9 years. */
static void test_cook_years(void) {
  const char text[] = "title Long\nstep forever 1000000 wait says Waiting\n";
  mapo_recipe r;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_parse(&r, text, strlen(text), &d), 0);
  const mapo_kitchen_opts o = {.unit_ms = 60000};
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++)
    MAPO_ASSERT_NEAR(mapo_cook_estimate_s(m, &r, &o, 1), 6e7, 1e-3);
  CU_ASSERT(mapo_cook_estimate_s(NULL, &r, &o, 1) > LIMIT_S);
  mapo_recipe_free(&r);
}

/* Each model's ideal, repeat times, and the warm-up's round. */
static void test_io(void) {
  const mapo_io_model *serial = mapo_io_model_find("serial"),
                      *threads = mapo_io_model_find("threads");
  const mapo_io_model *poll = mapo_io_model_find("poll"), *aio = mapo_io_model_find("aio");
  CU_ASSERT_PTR_NOT_NULL_FATAL(serial);
  CU_ASSERT_PTR_NOT_NULL_FATAL(threads);
  CU_ASSERT_PTR_NOT_NULL_FATAL(poll);
  CU_ASSERT_PTR_NOT_NULL_FATAL(aio);
  mapo_io_opts o = {.requests = 100, .latency_ms = 20};
  CU_ASSERT_EQUAL_FATAL(mapo_io_opts_check(serial, &o, NULL, 0), 0);
  MAPO_ASSERT_NEAR(mapo_io_estimate_s(serial, &o, 3), 3 * 100 * 0.02 + 0.02, 1e-9);
  o = (mapo_io_opts){.requests = 100, .latency_ms = 20, .threads = 30};
  CU_ASSERT_EQUAL_FATAL(mapo_io_opts_check(threads, &o, NULL, 0), 0);
  MAPO_ASSERT_NEAR(mapo_io_estimate_s(threads, &o, 1), 4 * 0.02 + 0.02, 1e-9); /* ceil(100/30) */
  o = (mapo_io_opts){.requests = 100, .latency_ms = 20};
  CU_ASSERT_EQUAL_FATAL(mapo_io_opts_check(poll, &o, NULL, 0), 0);
  MAPO_ASSERT_NEAR(mapo_io_estimate_s(poll, &o, 2), 2 * 0.02 + 0.02, 1e-9); /* all in flight */
  o = (mapo_io_opts){.requests = 100, .file_kib = 64};
  CU_ASSERT_EQUAL_FATAL(mapo_io_opts_check(aio, &o, NULL, 0), 0);
  MAPO_ASSERT_NEAR(mapo_io_estimate_s(aio, &o, 5), 0, 0); /* the disk's time, not the flags' */
  /* compare's example: its serial cell alone is 100,000 orders of 10 s, 11.6 days. */
  o = (mapo_io_opts){.requests = 100000, .latency_ms = 10000};
  CU_ASSERT_EQUAL_FATAL(mapo_io_opts_check(serial, &o, NULL, 0), 0);
  CU_ASSERT(mapo_io_estimate_s(serial, &o, 1) > 1e6);
  /* Options mapo_io_opts_check did not fill in: no width, no estimate. */
  o = (mapo_io_opts){.requests = 100, .latency_ms = 20};
  CU_ASSERT(isnan(mapo_io_estimate_s(threads, &o, 1)));
  CU_ASSERT(isnan(mapo_io_estimate_s(NULL, &o, 1)));
}

/* Terms: n for each number n, at MAPO_SUM_TERMS_PER_S a core. */
static void test_sum(void) {
  /* 20 numbers from 5,000,000: 20 x 5e6 + 190 terms. */
  const double terms = 20 * 5e6 + 190;
  MAPO_ASSERT_NEAR(mapo_sum_estimate_s(20, 5000000, 1, 1), terms / MAPO_SUM_TERMS_PER_S, 1e-15);
  MAPO_ASSERT_NEAR(mapo_sum_estimate_s(20, 5000000, 2, 6), 3 * terms / MAPO_SUM_TERMS_PER_S, 1e-15);
  MAPO_ASSERT_NEAR(mapo_sum_estimate_s(0, 5000000, 1, 1), 0, 0);
  MAPO_ASSERT_NEAR(mapo_sum_estimate_s(20, 5000000, 0, 1), 0, 0);
  /* The default run is far below a second; the largest one asks for days. */
  CU_ASSERT(mapo_sum_estimate_s(20, 5000000, 1, 6) < 1);
  CU_ASSERT(mapo_sum_estimate_s(MAPO_SUM_NUMBERS_MAX, MAPO_SUM_N_MAX - MAPO_SUM_NUMBERS_MAX, 2,
                                1001) > LIMIT_S);
}

/* Each thread count's timings, each with its own warm-up, on min(p, processors) cores. */
static void test_scale(void) {
  const int p[] = {1, 2, 4};
  const double one = mapo_sum_estimate_s(20, 5000000, 1, 1);
  /* Strong, 2 processors: 1 core, then 2 and 2 (4 threads share 2 cores). */
  MAPO_ASSERT_NEAR(mapo_scale_estimate_s(p, 3, 20, 5000000, 0, 2, 5), 10 * one * (1 + 0.5 + 0.5),
                   1e-12);
  /* Weak: 20 x p numbers at p threads. */
  const double weak = mapo_sum_estimate_s(20, 5000000, 1, 10) +
                      mapo_sum_estimate_s(40, 5000000, 2, 10) +
                      mapo_sum_estimate_s(80, 5000000, 2, 10);
  MAPO_ASSERT_NEAR(mapo_scale_estimate_s(p, 3, 20, 5000000, 1, 2, 5), weak, 1e-12);
  MAPO_ASSERT_NEAR(mapo_scale_estimate_s(NULL, 3, 20, 5000000, 0, 2, 5), 0, 0);
}

static void test_race(void) {
  const mapo_race_demo *cupboard = mapo_race_demo_find("cupboard");
  const mapo_race_demo *counter = mapo_race_demo_find("counter");
  const mapo_race_demo *deadlock = mapo_race_demo_find("deadlock");
  CU_ASSERT_PTR_NOT_NULL_FATAL(cupboard);
  CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
  CU_ASSERT_PTR_NOT_NULL_FATAL(deadlock);
  /* Cupboard: the window and the 2 us cut, every trial, every mode. */
  mapo_race_opts o = cupboard->defaults;
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(cupboard, "unsafe", &o), 100 * 102e-6, 1e-12);
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(cupboard, NULL, &o), 4 * 100 * 102e-6, 1e-12);
  /* Counter: a thread's increments at 4e9 a second, nothing for reduction. */
  o = counter->defaults;
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(counter, "atomic", &o), 10 * 1e6 / 4e9, 1e-12);
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(counter, "reduction", &o), 0, 0);
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(counter, NULL, &o), 3 * 10 * 1e6 / 4e9, 1e-12);
  /* Deadlock: naive waits the window or the watchdog, whichever is shorter; the fixes cut. */
  o = deadlock->defaults; /* window 1000 us, watchdog 20 ms */
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(deadlock, "naive", &o), 100 * 1e-3, 1e-12);
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(deadlock, "ordered", &o), 100 * 2e-6, 1e-12);
  o.window_us = 0;
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(deadlock, "naive", &o), 0, 0);
  o.window_us = 1000000;
  MAPO_ASSERT_NEAR(mapo_race_estimate_s(deadlock, "naive", &o), 100 * 20e-3, 1e-12);
  /* The example: ten million trials, a 60 s watchdog. */
  o = deadlock->defaults;
  o.trials = 10000000;
  o.watchdog_ms = 60000;
  CU_ASSERT(mapo_race_estimate_s(deadlock, "naive", &o) > LIMIT_S);
  CU_ASSERT(mapo_race_estimate_s(deadlock, NULL, &o) > mapo_race_estimate_s(deadlock, "naive", &o));
  /* Out of range, or no such mode: no estimate. */
  o.trials = 0;
  CU_ASSERT(isnan(mapo_race_estimate_s(deadlock, "naive", &o)));
  o = deadlock->defaults;
  CU_ASSERT(isnan(mapo_race_estimate_s(deadlock, "atomic", &o)));
  CU_ASSERT(isnan(mapo_race_estimate_s(NULL, NULL, &o)));
}

/* Every demo's defaults, every mode: well below the limit (the lab's default runs take a
 * second or so). */
static void test_race_defaults(void) {
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++) {
    const double s = mapo_race_estimate_s(d, NULL, &d->defaults);
    CU_ASSERT(s >= 0 && s < 10);
  }
}

int main(void) {
  static const mapo_test tests[] = {
      {"cook: the notebook's recipe, each model's bound", test_cook_builtin},
      {"cook: a million units at 60 s a unit", test_cook_years},
      {"io: each model's ideal and the warm-up", test_io},
      {"sum: terms at the fastest rate", test_sum},
      {"scale: every point's timings", test_scale},
      {"race: each demo's least time a trial", test_race},
      {"race: the defaults are short", test_race_defaults},
      {NULL, NULL}};
  return mapo_test_run("estimate", tests);
}
