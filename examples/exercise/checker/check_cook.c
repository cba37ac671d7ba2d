/* check_cook.c - task 1: exercise_cook() keeps every kitchen rule with the kitchen's 3
 * cooks, and (speed judged) reaches at most 9.1 units on the notebook's recipe.
 *
 * The kitchen itself enforces the rules (mapo_kitchen_check, called by mapo_cook on
 * every run): a run that broke one ends in MAPO_EKITCHEN and one sentence, before
 * anything is timed or reported. The makespan is the median of 5 runs; its spread
 * against the target (mapo_verdict_of) says whether the machine was quiet enough to
 * judge it.
 */
#include <math.h>
#include <stdio.h>

#include "checker.h"
#include "exercise.h"

enum { COOKS = 3, REPEAT = 5 };
static const double TARGET_UNITS = 9.1;

/* The run's rules and team: GRADE_PASSED when both are kept. */
static grade_status rules(const mapo_cook_run *x, int rc, char *text, size_t size) {
  if (rc == MAPO_EKITCHEN) {
    snprintf(text, size, "%s", x->diag.msg);
    return GRADE_FIX;
  }
  if (rc < 0) {
    snprintf(text, size, "exercise_cook returned %s (%s)", mapo_err_name(rc), mapo_strerror(rc));
    return GRADE_FIX;
  }
  if (x->k.cooks < COOKS) {
    snprintf(text, size,
             "your model cooked with %d of the kitchen's %d cooks: cook.c's TODO: start a "
             "team of k->cooks threads and let each enter with omp_get_thread_num() and "
             "omp_get_num_threads(), then start each step as soon as the steps it comes "
             "after have ended",
             x->k.cooks, COOKS);
    return GRADE_FIX;
  }
  return GRADE_PASSED;
}

/* The makespan against the target, judged only from a quiet machine's runs. A target
 * missed is "to fix" only where mapo's own tasks model (the reference solution's) meets
 * it now: a load that slows every run alike spreads them little. */
static grade_status speed(const mapo_cook_run *x, const mapo_recipe *r, const mapo_kitchen_opts *ko,
                          char *text, size_t size) {
  const double unit_ms = ko->unit_ms, median = x->makespan.median / unit_ms;
  const mapo_spread target = mapo_verdict_one(TARGET_UNITS * unit_ms);
  const mapo_verdict v = mapo_verdict_of(&x->makespan, &target);
  char busy[96];
  if (v.cls == MAPO_VERDICT_NOISY) {
    snprintf(text, size,
             "every rule kept; makespan %.2f units (median of %d runs), target %.1f: %s: run "
             "it again on a quiet machine",
             median, REPEAT, TARGET_UNITS, mapo_verdict_busy(busy, sizeof busy, &v));
    return GRADE_UNJUDGED;
  }
  if (median <= TARGET_UNITS) {
    snprintf(text, size,
             "makespan %.2f units with %d cooks (median of %d runs at %g ms a unit), the "
             "target is at most %.1f",
             median, COOKS, REPEAT, unit_ms, TARGET_UNITS);
    return GRADE_PASSED;
  }
  mapo_cook_run ref;
  const int rc = mapo_cook_repeat(&ref, mapo_cook_model_find("tasks"), r, ko, REPEAT);
  const double ref_median = rc == 0 ? ref.makespan.median / unit_ms : NAN;
  mapo_cook_run_free(&ref);
  if (rc < 0) {
    snprintf(text, size,
             "every rule kept; makespan %.2f units (median of %d runs), target %.1f; not "
             "judged: mapo's tasks model, the reference, could not cook here (%s)",
             median, REPEAT, TARGET_UNITS, mapo_strerror(rc));
    return GRADE_UNJUDGED;
  }
  if (!(ref_median <= TARGET_UNITS)) {
    snprintf(text, size,
             "every rule kept; makespan %.2f units (median of %d runs), target %.1f; not "
             "judged: mapo's own tasks model takes %.2f here now (a busy machine): run it "
             "again on a quiet machine",
             median, REPEAT, TARGET_UNITS, ref_median);
    return GRADE_UNJUDGED;
  }
  snprintf(text, size,
           "makespan %.2f units with %d cooks (median of %d runs), over the target of %.1f "
           "that mapo's tasks model meets here (%.2f): start each step as soon as the steps "
           "it comes after have ended, not when a whole level is done or in a fixed order",
           median, COOKS, REPEAT, TARGET_UNITS, ref_median);
  return GRADE_FIX;
}

grade_status grade_cook(const grade_opts *o, char *text, size_t size) {
  mapo_recipe r;
  int rc = mapo_recipe_builtin(&r);
  if (rc < 0) {
    snprintf(text, size, "the built-in recipe: %s", mapo_strerror(rc));
    return GRADE_FIX;
  }
  const mapo_cook_model m = {"yours", exercise_cook, MAPO_HOLD_ALL, 0, "Your model.", NULL};
  /* --no-speed: one run at 1 ms a unit (after mapo_cook's warm-up at 0), rules only. */
  const double unit_ms = o->speed ? o->unit_ms : 1;
  const mapo_kitchen_opts ko = {.unit_ms = unit_ms, .cooks = COOKS};
  mapo_cook_run x;
  rc = mapo_cook_repeat(&x, &m, &r, &ko, o->speed ? REPEAT : 1);
  grade_status st = rules(&x, rc, text, size);
  if (st == GRADE_PASSED && !o->speed)
    snprintf(text, size, "every kitchen rule kept, with %d cooks (makespan not judged: --no-speed)",
             COOKS);
  else if (st == GRADE_PASSED)
    st = speed(&x, &r, &ko, text, size);
  mapo_cook_run_free(&x);
  mapo_recipe_free(&r);
  return st;
}
