/* test_rules.c - the kitchen's rules (include/mapo/kitchen.h, src/core/rules.c): models
 * broken on purpose, one rule each, must end in MAPO_EKITCHEN with one sentence naming
 * the rule, and nothing summarised (no makespan from a clock that never started, no
 * negative dispatch). Every model of the table keeps every rule (test_cook cooks them
 * all through mapo_cook, which checks).
 * Run: ctest -R unit.test_rules --output-on-failure
 */
#include <omp.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static const char *const two_chains = "title Two chains\n"
                                      "utensil knife 1\n"
                                      "step a 1 hands uses knife\n"
                                      "step b 1 wait after a\n"
                                      "step c 10 wait\n"
                                      "step d 10 wait\n";

/* Cook with a broken model; the code, and its sentence in msg. */
static int cook_with(mapo_cook_fn fn, int cooks, double unit_ms, char *msg, size_t size) {
  mapo_recipe r;
  mapo_diag d = {0};
  CU_ASSERT_FATAL(mapo_recipe_parse(&r, two_chains, strlen(two_chains), &d) == 0);
  const mapo_cook_model m = {"broken", fn, MAPO_HOLD_ALL, 0, "Broken on purpose.", NULL};
  const mapo_kitchen_opts o = {.unit_ms = unit_ms, .cooks = cooks};
  mapo_kitchen k;
  mapo_cook_summary s;
  const int rc = mapo_cook(&m, &r, &o, &k, &s, &d);
  if (rc < 0) CU_ASSERT_PTR_NULL(s.path); /* nothing summarised, nothing to report */
  snprintf(msg, size, "%s", d.msg);
  mapo_cook_summary_free(&s);
  mapo_kitchen_free(&k);
  mapo_recipe_free(&r);
  return rc;
}

/* The code is MAPO_EKITCHEN and the sentence holds every word given. */
static void expect(mapo_cook_fn fn, int cooks, const char *w1, const char *w2) {
  char msg[256];
  MAPO_ASSERT_INT(cook_with(fn, cooks, 0, msg, sizeof msg), MAPO_EKITCHEN);
  if (strstr(msg, w1) == NULL || strstr(msg, w2) == NULL)
    fprintf(stderr, "\n  the sentence: %s (expected '%s' and '%s')\n", msg, w1, w2);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, w1));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, w2));
  CU_ASSERT_PTR_NULL(strchr(msg, '\n')); /* one line */
}

/* Serial, in the recipe's order, with a twist chosen by `how`. */
enum { PLAIN, NO_OPEN, NO_ENTER, NO_CLOSE, REVERSE, TWICE, SKIP, COOK5 };
static int how;

static int serial_but(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  if (how != NO_OPEN) mapo_kitchen_open(k);
  if (how != NO_ENTER) mapo_kitchen_enter(k, 0, 1);
  for (int i = 0; i < r->nsteps - (how == SKIP); i++) {
    const int s = r->order[how == REVERSE ? r->nsteps - 1 - i : i];
    mapo_kitchen_step(k, s, how == COOK5 ? 5 : 0);
    if (how == TWICE && i == 0) mapo_kitchen_step(k, s, 0);
  }
  if (how != NO_CLOSE) mapo_kitchen_close(k);
  return 0;
}

/* A team of two threads in a kitchen of one cook. */
static int big_team(mapo_kitchen *k, mapo_diag *diag) {
  (void)diag;
  mapo_kitchen_open(k);
#pragma omp parallel num_threads(2)
  mapo_kitchen_enter(k, omp_get_thread_num(), omp_get_num_threads());
  for (int i = 0; i < k->recipe->nsteps; i++) mapo_kitchen_step(k, k->recipe->order[i], 0);
  mapo_kitchen_close(k);
  return 0;
}

static void test_plain(void) {
  char msg[256];
  how = PLAIN;
  MAPO_ASSERT_INT(cook_with(serial_but, 1, 0, msg, sizeof msg), 0);
}

static void test_each_rule(void) {
  how = NO_OPEN, expect(serial_but, 1, "rule 1", "mapo_kitchen_open");
  how = NO_ENTER, expect(serial_but, 1, "rule 2", "mapo_kitchen_enter");
  expect(big_team, 1, "rule 2", "a team of 2, but the kitchen has 1");
  how = REVERSE, expect(serial_but, 1, "rule 3", "started before");
  how = TWICE, expect(serial_but, 1, "rule 3", "ran twice");
  how = SKIP, expect(serial_but, 1, "rule 3", "never ran");
  how = COOK5, expect(serial_but, 1, "rule 3", "on cook 5");
  how = NO_CLOSE, expect(serial_but, 1, "rule 4", "mapo_kitchen_close");
  MAPO_ASSERT_INT(MAPO_EKITCHEN, -1009);
  CU_ASSERT_STRING_EQUAL(mapo_err_name(MAPO_EKITCHEN), "MAPO_EKITCHEN");
}

/* The case: forgetting enter timed a makespan from a clock at 0 ("67,927
 * units", "verified"). Now at any unit: refused, never summarised. */
static void test_no_enter_timed(void) {
  char msg[256];
  how = NO_ENTER;
  MAPO_ASSERT_INT(cook_with(serial_but, 1, 1, msg, sizeof msg), MAPO_EKITCHEN);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "before the clock started"));
}

/* The three-part form (an event loop's): a step with a utensil begun without taking it,
 * and a step ended that never began. */
static int begin_without_take(mapo_kitchen *k, mapo_diag *diag) {
  (void)diag;
  const mapo_recipe *r = k->recipe;
  mapo_kitchen_open(k);
  mapo_kitchen_enter(k, 0, 1);
  for (int i = 0; i < r->nsteps; i++) {
    const int s = r->order[i];
    if (r->steps[s].nuse == 0) (void)mapo_kitchen_try_take(k, s, NULL);
    (void)mapo_kitchen_begin(k, s, 0);
    mapo_kitchen_end(k, s);
  }
  mapo_kitchen_close(k);
  return 0;
}

static int end_never_begun(mapo_kitchen *k, mapo_diag *diag) {
  (void)diag;
  mapo_kitchen_open(k);
  mapo_kitchen_enter(k, 0, 1);
  mapo_kitchen_end(k, k->recipe->order[0]);
  mapo_kitchen_close(k);
  return 0;
}

static void test_three_parts(void) {
  expect(begin_without_take, 1, "rule 3", "without its utensils");
  expect(end_never_begun, 1, "rule 3", "without having begun");
}

/* Two threads pass one worker index: the second step is refused while the first cooks
 * (the two sources take 10 units, at 20 ms a unit: they overlap unless a thread waits
 * 200 ms to start). */
static int one_index(mapo_kitchen *k, mapo_diag *diag) {
  (void)diag;
  const mapo_recipe *r = k->recipe;
  mapo_kitchen_open(k);
#pragma omp parallel num_threads(2)
  {
    mapo_kitchen_enter(k, omp_get_thread_num(), omp_get_num_threads());
    mapo_kitchen_step(k, mapo_recipe_find(r, omp_get_thread_num() == 0 ? "c" : "d"), 0);
  }
  /* The rest after them, so that the warm-up (at 0 ms a unit: no overlap) keeps the
   * rules and the timed run is the one refused. */
  mapo_kitchen_step(k, mapo_recipe_find(r, "a"), 0);
  mapo_kitchen_step(k, mapo_recipe_find(r, "b"), 0);
  mapo_kitchen_close(k);
  return 0;
}

static void test_busy_cook(void) {
  if (!mapo_test_timing()) return; /* under valgrind the threads take turns */
  char msg[256];
  MAPO_ASSERT_INT(cook_with(one_index, 2, 20, msg, sizeof msg), MAPO_EKITCHEN);
  if (strstr(msg, "while still cooking another") == NULL) fprintf(stderr, "\n  %s\n", msg);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "while still cooking another"));
}

int main(int argc, char **argv) {
  (void)argc, (void)argv;
  static const mapo_test tests[] = {
      {"a model that keeps the rules", test_plain},
      {"each rule broken: MAPO_EKITCHEN and its sentence", test_each_rule},
      {"no enter, timed: refused, not summarised", test_no_enter_timed},
      {"the three-part form: utensils and order", test_three_parts},
      {"one worker index on two threads", test_busy_cook},
      {NULL, NULL},
  };
  return mapo_test_run("rules", tests);
}
