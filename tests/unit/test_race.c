/* test_race.c - the race lab's library side: options are validated, the lists of demos
 * and modes are complete and consistent, every fix removes its bug (the broken modes are
 * run by tests/race/check_racy.py under their own label, since ThreadSanitizer flags
 * them), and the reports (mapo/report_race.h) say what synthetic results hold.
 *
 * Run: ctest -R unit.test_race --output-on-failure
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static void test_modes(void) {
  const char *const want[][2] = {
      {"cupboard", "unsafe"},  {"cupboard", "critical"}, {"cupboard", "lock"},
      {"cupboard", "atomic"},  {"counter", "unsafe"},    {"counter", "atomic"},
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
    if (r.failures)
      fprintf(stderr, "\n  %s %s: %lld failures: %s\n", m->demo, m->mode, r.failures, r.first);
    MAPO_ASSERT_INT(r.failures, 0);
    MAPO_ASSERT_INT(r.trials, o.trials);
    CU_ASSERT(r.seconds > 0);
    if (strcmp(m->demo, "counter") == 0) {
      MAPO_ASSERT_INT(r.expected, 2LL * 3 * 50000);
      MAPO_ASSERT_INT(r.counted, r.expected);
    }
  }
}

/* Every demo has modes, words for its report and defaults its own checks accept; a demo
 * that takes fewer threads than the option allows says how many. */
static void test_demos(void) {
  int ndemos = 0;
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++, ndemos++) {
    CU_ASSERT_PTR_EQUAL(mapo_race_demo_find(d->name), d);
    CU_ASSERT(d->about && d->who && d->fails);
    CU_ASSERT(d->threads_max >= MAPO_RACE_THREADS_MIN && d->threads_max <= MAPO_RACE_THREADS_MAX);
    CU_ASSERT(d->threads_max == MAPO_RACE_THREADS_MAX || d->team != NULL);
    CU_ASSERT(d->window != NULL || d->window_zero == NULL);
    int nmodes = 0;
    for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++)
      nmodes += strcmp(m->demo, d->name) == 0;
    CU_ASSERT(nmodes >= 2);
    mapo_race_opts o;
    mapo_race_defaults(d->name, &o);
    CU_ASSERT(memcmp(&o, &d->defaults, sizeof o) == 0);
  }
  CU_ASSERT(ndemos > 0);
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++)
    CU_ASSERT_PTR_NOT_NULL(mapo_race_demo_find(m->demo));
  CU_ASSERT_PTR_NULL(mapo_race_demo_find("kitchen"));
}

/* What a report wrote, as a string (free it). */
typedef int (*race_writer)(FILE *f, const mapo_race_report *r);
static char *written(race_writer w, const mapo_race_report *r, int *rc) {
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  *rc = w(f, r);
  fclose(f);
  return buf;
}

/* One line, brackets balanced outside strings, strings closed: enough to know that a
 * JSON parser will take it (tests/cli checks the real output with Python's). */
static int json_line(const char *s) {
  int depth = 0, in_string = 0;
  size_t n = strlen(s);
  if (n < 3 || s[0] != '{' || s[n - 1] != '\n' || s[n - 2] != '}') return 0;
  for (const char *p = s; p < s + n - 1; p++) {
    if (in_string) {
      if (*p == '\\')
        p++;
      else if (*p == '"')
        in_string = 0;
      else if (*p == '\n')
        return 0;
    } else if (*p == '"') {
      in_string = 1;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (--depth < 0) return 0;
    } else if (*p == '\n') {
      return 0;
    }
  }
  return depth == 0 && !in_string;
}

static mapo_race_outcome synthetic(const char *demo, const char *mode, long long failures) {
  mapo_race_outcome o = {.mode = mapo_race_find(demo, mode)};
  o.result.trials = 10;
  o.result.failures = failures;
  o.result.seconds = 0.0125;
  o.result.expected = 2000;
  o.result.counted = 2000 - failures;
  o.result.waits = 7;
  if (failures) snprintf(o.result.first, sizeof o.result.first, "trial 3, cook \"1\": no knife");
  return o;
}

static void test_report_one(void) {
  mapo_race_outcome run = synthetic("cupboard", "unsafe", 4);
  /* Unfolded (--wide), so that the lesson is found whole. */
  mapo_race_report rep = {
      .demo = mapo_race_demo_find("cupboard"), .nruns = 1, .runs = &run, .text = {0, 1}};
  mapo_race_defaults("cupboard", &rep.opts);
  int rc;
  char *text = written(mapo_report_race_text, &rep, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(strstr(text, "mapo race --demo cupboard --mode unsafe: 2 cooks, 10 trials, window "
                         "100 us\n") != NULL);
  CU_ASSERT(strstr(text, "  failures   4 of 10 (40%): trials where a cook found no knife") != NULL);
  CU_ASSERT(strstr(text, "  waits      7\n") != NULL);
  CU_ASSERT(strstr(text, "  first      trial 3, cook \"1\": no knife\n") != NULL);
  CU_ASSERT(strstr(text, "  time       12.500 ms\n") != NULL);
  CU_ASSERT(strstr(text, run.mode->lesson) != NULL);
  free(text);
  char *json = written(mapo_report_race_json, &rep, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(json_line(json));
  CU_ASSERT(strstr(json, "{\"demo\":\"cupboard\",\"mode\":\"unsafe\",\"trials\":10,"
                         "\"failures\":4,\"threads\":2,\"racy\":true,\"window_us\":100,"
                         "\"waits\":7,\"seconds\":0.0125,") == json);
  CU_ASSERT(strstr(json, "\"first\":\"trial 3, cook \\\"1\\\": no knife\"") != NULL);
  CU_ASSERT(strstr(json, "watchdog_ms") == NULL);
  free(json);
  rep.nruns = 2; /* two runs need --mode all */
  MAPO_ASSERT_INT(mapo_report_race_text(stdout, &rep), MAPO_EINVAL);
}

static void test_report_all(void) {
  mapo_race_outcome runs[] = {synthetic("counter", "unsafe", 500),
                              synthetic("counter", "atomic", 0)};
  mapo_race_report rep = {.demo = mapo_race_demo_find("counter"),
                          .all = 1,
                          .nruns = 2,
                          .runs = runs,
                          .text = {0, 1}}; /* unfolded: each line whole */
  mapo_race_defaults("counter", &rep.opts);
  int rc;
  char *text = written(mapo_report_race_text, &rep, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(strstr(text, "--mode unsafe: 2 threads, 10 trials, 1000000 increments per thread "
                         "per trial\n") != NULL);
  CU_ASSERT(strstr(text, "  lost       500 of 2000 updates (25.00%)\n") != NULL);
  CU_ASSERT(strstr(text, "  lost       0 of 2000 updates (0.00%)\n") != NULL);
  CU_ASSERT(strstr(text, "waits") == NULL); /* the counter has none */
  CU_ASSERT(strstr(text, "--mode atomic") > strstr(text, "--mode unsafe"));
  free(text);
  char *json = written(mapo_report_race_json, &rep, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(json_line(json));
  CU_ASSERT(strstr(json, "{\"demo\":\"counter\",\"runs\":[{\"demo\":\"counter\"") == json);
  CU_ASSERT(strstr(json, "\"increments\":1000000,\"expected\":2000,\"counted\":1500") != NULL);
  CU_ASSERT(strstr(json, "},{\"demo\":\"counter\",\"mode\":\"atomic\"") != NULL);
  CU_ASSERT(strstr(json, "window_us") == NULL);
  free(json);
  runs[0] = synthetic("deadlock", "naive", 3);
  rep = (mapo_race_report){.demo = mapo_race_demo_find("deadlock"), .nruns = 1, .runs = runs};
  mapo_race_defaults("deadlock", &rep.opts);
  text = written(mapo_report_race_text, &rep, &rc);
  CU_ASSERT(strstr(text, "  failures   3 of 10 (30%): trials that dead-locked") != NULL);
  CU_ASSERT(strstr(text, "  back-offs  7\n") != NULL);
  free(text);
  json = written(mapo_report_race_json, &rep, &rc);
  CU_ASSERT(json_line(json) && strstr(json, "\"watchdog_ms\":20,") != NULL);
  free(json);
}

static void test_report_cupboard(void) {
  const mapo_cupboard_method methods[] = {
      {"token", "one, a message round the ranks", 8, 0, 1, 4.0},
      {"onesided", "one, \"cas\"", 8, 1, 0, 6.0},
      {"openmp-lock", "one in shared memory, 2 threads of rank 0", 8, 0, 1, 0.5},
  };
  const mapo_cupboard_report rep = {
      .ranks = 2, .trials = 4, .same_node = 1, .crowded = 1, .nmethods = 3, .methods = methods};
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  MAPO_ASSERT_INT(mapo_report_cupboard_text(f, &rep), 0);
  fflush(f);
  CU_ASSERT(strstr(buf, "mapo-mpi cupboard: 2 ranks, 4 takes each") != NULL);
  CU_ASSERT(
      strstr(buf, "  all ranks              token            8        0     4.000     8.0\n") !=
      NULL);
  CU_ASSERT(strstr(buf, "onesided: one, \"cas\" (overlaps not checked: several nodes)") != NULL);
  CU_ASSERT(strstr(buf, "(More ranks than processors here") != NULL);
  fclose(f);
  free(buf);
  f = open_memstream(&buf, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  MAPO_ASSERT_INT(mapo_report_cupboard_json(f, &rep), 0);
  fclose(f);
  CU_ASSERT(json_line(buf));
  CU_ASSERT(strstr(buf, "{\"lesson\":\"cupboard\",\"ranks\":2,\"trials\":4,"
                        "\"same_node\":true,") == buf);
  CU_ASSERT(strstr(buf, "\"failures\":1,\"checked\":false,\"usec_per_take\":6,") != NULL);
  CU_ASSERT(strstr(buf, "\"environment\":{") != NULL);
  free(buf);
  const mapo_cupboard_report none = {.ranks = 2, .trials = 4};
  MAPO_ASSERT_INT(mapo_report_cupboard_text(stdout, &none), MAPO_EINVAL);
}

int main(void) {
  static const mapo_test tests[] = {
      {"every demo and mode is listed", test_modes},
      {"bad options refused", test_bad_options},
      {"every fix: no failure", test_fixes},
      {"every demo's row is complete", test_demos},
      {"report: one run, text and JSON", test_report_one},
      {"report: all of a demo, text and JSON", test_report_all},
      {"report: the cupboard over ranks", test_report_cupboard},
      {NULL, NULL},
  };
  return mapo_test_run("race", tests);
}
