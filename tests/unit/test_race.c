/* test_race.c - the race lab's library side: options are validated, the list of modes
 * is complete, and every fix removes its bug (the broken modes are run by
 * tests/race/check_racy.py under their own label, since ThreadSanitizer flags them).
 *
 * Run: ctest -R unit.test_race --output-on-failure
 */
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static void test_modes(void) {
  const char *const want[][2] = {{"cupboard", "unsafe"}, {"cupboard", "critical"}, {"cupboard", "lock"},
                                 {"cupboard", "atomic"}, {"counter", "unsafe"},    {"counter", "atomic"},
                                 {"counter", "critical"}, {"counter", "reduction"}, {"deadlock", "naive"},
                                 {"deadlock", "ordered"}, {"deadlock", "trylock"}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const mapo_race_mode *m = mapo_race_find(want[i][0], want[i][1]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    MAPO_ASSERT_INT(m->racy, strcmp(want[i][1], "unsafe") == 0 || strcmp(want[i][1], "naive") == 0);
    CU_ASSERT(m->lesson != NULL && strlen(m->lesson) > 20);
  }
  CU_ASSERT_PTR_NULL(mapo_race_find("counter", "lock"));
  CU_ASSERT_PTR_NULL(mapo_race_find("nope", "unsafe"));
}

static void test_bad_options(void) {
  const mapo_race_mode *m = mapo_race_find("cupboard", "lock");
  mapo_race_opts o;
  mapo_race_result r;
  mapo_race_defaults("cupboard", &o);
  o.trials = 0;
  MAPO_ASSERT_INT(mapo_race_run(m, &o, &r), MAPO_EINVAL);
  mapo_race_defaults("cupboard", &o);
  o.threads = 1;
  MAPO_ASSERT_INT(mapo_race_run(m, &o, &r), MAPO_EINVAL);
  mapo_race_defaults("cupboard", &o);
  o.window_us = -1;
  MAPO_ASSERT_INT(mapo_race_run(m, &o, &r), MAPO_EINVAL);
  mapo_race_defaults("deadlock", &o);
  o.threads = 3;
  MAPO_ASSERT_INT(mapo_race_run(mapo_race_find("deadlock", "ordered"), &o, &r), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_race_run(NULL, &o, &r), MAPO_EINVAL);
}

static void test_fixes(void) {
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) {
    if (m->racy) continue;
    mapo_race_opts o;
    mapo_race_defaults(m->demo, &o);
    o.trials = strcmp(m->demo, "counter") == 0 ? 2 : 300;
    o.increments = 50000;
    o.window_us = strcmp(m->demo, "deadlock") == 0 ? 100 : 2;
    o.threads = strcmp(m->demo, "deadlock") == 0 ? 2 : 3;
    mapo_race_result r;
    MAPO_ASSERT_INT(mapo_race_run(m, &o, &r), 0);
    if (r.failures) fprintf(stderr, "\n  %s %s: %lld failures: %s\n", m->demo, m->mode, r.failures, r.first);
    MAPO_ASSERT_INT(r.failures, 0);
    MAPO_ASSERT_INT(r.trials, o.trials);
    CU_ASSERT(r.seconds > 0);
    if (strcmp(m->demo, "counter") == 0) {
      MAPO_ASSERT_INT(r.expected, 2LL * 3 * 50000);
      MAPO_ASSERT_INT(r.counted, r.expected);
    }
  }
}

int main(void) {
  static const mapo_test tests[] = {
      {"every demo and mode is listed", test_modes},
      {"bad options refused", test_bad_options},
      {"every fix: no failure", test_fixes},
      {NULL, NULL},
  };
  return mapo_test_run("race", tests);
}
