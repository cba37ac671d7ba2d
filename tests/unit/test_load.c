/* test_load.c - `mapo load`'s verdicts fed synthetic numbers (a strangle, no strangle, a
 * busy machine, a missing cell; a crossover found from the medians), and its three parts
 * run small, their sums checked (never their speed).
 *
 * Run: ctest -R unit.test_load --output-on-failure  (or build/.../test_load)
 * Notice: the sentences must print the ratios the numbers give, and never "nan", "inf"
 * or "n/a"; under the tsan preset the spinning barrier runs at 4x the processors, so a
 * race in it would be reported here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static mapo_spread spread(double median, double min, double max) {
  return (mapo_spread){median, min, max, 5};
}

static void clean(const char *s) {
  const int bad = strstr(s, "nan") || strstr(s, "inf") || strstr(s, "n/a");
  if (bad) printf("\n  in: %s\n", s);
  CU_ASSERT_FALSE(bad);
}

static int has(const char *s, const char *want) {
  if (strstr(s, want) != NULL) return 1;
  printf("\n  want \"%s\" in: %s\n", want, s);
  return 0;
}

/* Two processors: rows of 2, 4 and 8 workers, spinning times as given, blocking 0.1 s. */
static mapo_load_strangle_result strangle(mapo_spread one, mapo_spread four) {
  mapo_load_strangle_result s = {.phases = 30, .items = 1000, .rows = 3};
  for (int i = 0; i < 3; i++) {
    s.row[i].workers = 2 << i;
    s.row[i].times = 1 << i;
    s.row[i].wall[MAPO_LOAD_SPINNING] = i == 0 ? one : i == 2 ? four : spread(0.2, 0.19, 0.21);
    s.row[i].wall[MAPO_LOAD_BLOCKING] = spread(0.1, 0.095, 0.105);
    s.row[i].cpu[MAPO_LOAD_SPINNING] = 0.2 * (1 << i);
    s.row[i].cpu[MAPO_LOAD_BLOCKING] = 0.2;
  }
  return s;
}

static void test_strangle(void) {
  char b[512];
  double slow;
  /* A strangle: 0.5 s at 4x against 0.1 s at the cores, ranges apart. */
  mapo_load_strangle_result s = strangle(spread(0.1, 0.09, 0.11), spread(0.5, 0.45, 0.6));
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_SLOWER);
  MAPO_ASSERT_NEAR(slow, 5.0, 1e-9);
  CU_ASSERT(has(b, "8 workers on 2 processors took 5.00x as long as 2: they strangle"));
  clean(b);
  CU_ASSERT(mapo_load_friends(b, sizeof b, &s) == MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "Don't invite N friends") && has(b, "5.00x") && has(b, "took 1.00x as long"));
  clean(b);
  MAPO_ASSERT_INT(mapo_load_cpu_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "8 workers used 4.00x the CPU time of 2"));
  MAPO_ASSERT_INT(mapo_load_cpu_verdict(b, sizeof b, &s, MAPO_LOAD_BLOCKING), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "1.00x") && has(b, "waiting cost no CPU"));
  /* Slower, short of strangled: 1.5x. */
  s = strangle(spread(0.1, 0.09, 0.11), spread(0.15, 0.14, 0.16));
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "1.50x as long as 2: slower, but short of strangled"));
  /* No strangle: the blocking column, and a spinning tie. */
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_BLOCKING, &slow),
                  MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "took 1.00x as long as 2: no harm done"));
  s = strangle(spread(0.1, 0.09, 0.11), spread(0.104, 0.1, 0.11));
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_TIE);
  CU_ASSERT(mapo_load_friends(b, sizeof b, &s) == MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "does not show the notebook's advice") && has(b, "1.04x"));
  clean(b);
}

static void test_strangle_noisy_missing(void) {
  char b[512];
  double slow;
  /* Busy: the ranges overlap and one spans 3x. */
  mapo_load_strangle_result s = strangle(spread(0.1, 0.09, 0.3), spread(0.25, 0.2, 0.27));
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "8 workers against 2: the machine was busy (runs 3.3x apart): no verdict"));
  CU_ASSERT(strstr(b, "strangle") == NULL);
  CU_ASSERT(mapo_load_friends(b, sizeof b, &s) == MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  /* Missing: a cell not measured, a NAN median, a table of one row. */
  s = strangle(spread(0.1, 0.09, 0.11), (mapo_spread){0, 0, 0, 0});
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  CU_ASSERT(isnan(slow));
  MAPO_ASSERT_INT(mapo_load_cpu_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING), MAPO_VERDICT_MISSING);
  s = strangle(spread(NAN, NAN, NAN), spread(0.5, 0.45, 0.6));
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_SPINNING, &slow),
                  MAPO_VERDICT_MISSING);
  s.rows = 1;
  MAPO_ASSERT_INT(mapo_load_strangle_verdict(b, sizeof b, &s, MAPO_LOAD_BLOCKING, &slow),
                  MAPO_VERDICT_MISSING);
  CU_ASSERT(mapo_load_friends(b, sizeof b, NULL) == MAPO_VERDICT_MISSING);
}

/* Grains 1, 4, ..., 4^(n-1) with the given medians (ranges +-2%). */
static mapo_load_grain_result grains(const double *median, int n) {
  mapo_load_grain_result g = {.threads = 2, .items = 1L << (2 * (n - 1)), .rows = n};
  for (int i = 0; i < n; i++) {
    g.row[i].grain = 1L << (2 * i);
    g.row[i].tasks = g.items / g.row[i].grain;
    g.row[i].wall = spread(median[i], median[i] * 0.98, median[i] * 1.02);
  }
  return g;
}

static void test_crossover(void) {
  char b[1024];
  /* Best at 256 (1.0); 64 within 10% (1.08), 16 not (1.3): the crossover is 64. The
   * tiniest took 25x, the largest (one task) 2x. */
  const double t[] = {25, 8, 1.3, 1.08, 1.0, 1.05, 2.0};
  mapo_load_grain_result g = grains(t, 7);
  mapo_load_crossover c;
  MAPO_ASSERT_INT(mapo_load_crossover_of(&g, &c), 0);
  MAPO_ASSERT_INT(g.row[c.best].grain, 256);
  MAPO_ASSERT_INT(g.row[c.crossover].grain, 64);
  MAPO_ASSERT_NEAR(c.tiniest, 25.0, 1e-9);
  MAPO_ASSERT_NEAR(c.largest, 2.0, 1e-9);
  MAPO_ASSERT_INT(mapo_load_grain_verdict(b, sizeof b, &g), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "Tasks of 1 item took 25.00x as long as the best grain (256 items"));
  CU_ASSERT(has(b, "within 10% of the best: 64 items a task"));
  CU_ASSERT(has(b, "The largest grain (4096 items, 1 task) took 2.00x"));
  clean(b);
  /* The smallest grain within the band wins even past one that is outside it (a dip). */
  const double dip[] = {1.09, 1.3, 1.0};
  g = grains(dip, 3);
  MAPO_ASSERT_INT(mapo_load_crossover_of(&g, &c), 0);
  MAPO_ASSERT_INT(g.row[c.crossover].grain, 1);
  MAPO_ASSERT_INT(mapo_load_grain_verdict(b, sizeof b, &g), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "took 1.09x as long as the best grain (16 items): here a task costs less"));
  CU_ASSERT(strstr(b, "largest") == NULL); /* the largest is the best */
}

static void test_crossover_noisy_missing(void) {
  char b[1024];
  const double t[] = {3, 1.0, 1.0};
  mapo_load_grain_result g = grains(t, 3);
  g.row[0].wall = spread(3, 0.9, 4); /* busy: it overlaps the best and spans 4.4x */
  MAPO_ASSERT_INT(mapo_load_grain_verdict(b, sizeof b, &g), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "the machine was busy (runs 4.4x apart): no verdict"));
  CU_ASSERT(strstr(b, "crossover") == NULL);
  g.row[1].wall = (mapo_spread){0, 0, 0, 0}; /* missing */
  mapo_load_crossover c;
  MAPO_ASSERT_INT(mapo_load_crossover_of(&g, &c), MAPO_EINVAL);
  MAPO_ASSERT_INT(c.best, -1);
  MAPO_ASSERT_INT(mapo_load_grain_verdict(b, sizeof b, &g), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  g.rows = 0;
  MAPO_ASSERT_INT(mapo_load_crossover_of(&g, &c), MAPO_EINVAL);
}

static void test_handoff_verdict(void) {
  char b[1024];
  mapo_load_handoff_result h = {64, spread(0.01, 0.0098, 0.0102), spread(0.2, 0.19, 0.21)};
  MAPO_ASSERT_INT(mapo_load_handoff_verdict(b, sizeof b, &h), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "A process took 20.00x as long as a thread to sum 64 MB") &&
            has(b, "3.125 ms a MB") && has(b, "against 0.156 reading in place"));
  clean(b);
  h.process = spread(0.0105, 0.01, 0.011); /* a tie */
  MAPO_ASSERT_INT(mapo_load_handoff_verdict(b, sizeof b, &h), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "1.05x") && has(b, "costs little"));
  h.process = spread(0.02, 0.005, 0.03); /* busy */
  MAPO_ASSERT_INT(mapo_load_handoff_verdict(b, sizeof b, &h), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "no verdict"));
  h.process = (mapo_spread){0, 0, 0, 0}; /* missing */
  MAPO_ASSERT_INT(mapo_load_handoff_verdict(b, sizeof b, &h), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
}

/* The report of synthetic numbers: 80 columns, every part, the busy words. */
static void test_report(void) {
  const double t[] = {25, 8, 1.3, 1.08, 1.0, 1.05, 2.0};
  const mapo_load_strangle_result s = strangle(spread(0.1, 0.09, 0.11), spread(0.5, 0.45, 0.6));
  const mapo_load_grain_result g = grains(t, 7);
  const mapo_load_handoff_result h = {64, spread(0.01, 0.0098, 0.0102), spread(0.2, 0.19, 0.21)};
  const mapo_load_result r = {2, 5, 80, &s, &g, &h, 1, "42"};
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  CU_ASSERT_FATAL(f != NULL);
  MAPO_ASSERT_INT(mapo_report_load_text(f, &r), 0);
  MAPO_ASSERT_INT(mapo_report_load_json(f, &r), 0);
  fclose(f);
  int widest = 0;
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    if (line[0] == '{') break; /* the JSON is one line */
    const int n = mapo_report_columns_of(line);
    if (n > widest) widest = n;
  }
  CU_ASSERT(widest <= 80);
  free(text);
}

/* The parts themselves, small: every sum right, whatever the speed. */
static void test_runs(void) {
  const int p = mapo_load_processors();
  CU_ASSERT(p >= 1);
  for (int wait = 0; wait < 2; wait++)
    for (int times = 1; times <= 4; times *= 2) {
      mapo_load_phases job = {p * times, 5, 1000, wait ? MAPO_LOAD_BLOCK : MAPO_LOAD_SPIN, 0, 0};
      double s, cpu;
      MAPO_ASSERT_INT(mapo_load_time_phases(&job, mapo_load_phases_expected(&job), 1, &s, &cpu), 0);
      CU_ASSERT(job.sum == mapo_load_phases_expected(&job));
      MAPO_ASSERT_INT(job.team, p * times);
      CU_ASSERT(s > 0 && cpu >= 0);
    }
  const uint64_t want = mapo_load_items(0, 1000);
  for (long grain = 1; grain <= 1000; grain *= 10) {
    mapo_load_grain job = {p, 1000, grain, 0, 0};
    double s;
    MAPO_ASSERT_INT(mapo_load_time_grain(&job, want, 0, &s), 0);
    CU_ASSERT(job.sum == want);
  }
  enum { WORDS = 1 << 17 };
  uint64_t *data = malloc(WORDS * sizeof *data), *spare = malloc(WORDS * sizeof *spare);
  CU_ASSERT_FATAL(data != NULL && spare != NULL);
  uint64_t sum = 0;
  for (size_t i = 0; i < WORDS; i++) sum += data[i] = mapo_load_item(i);
  for (int process = 0; process < 2; process++) {
    mapo_load_handoff h;
    mapo_load_handoff_init(&h, data, WORDS, spare);
    double s;
    MAPO_ASSERT_INT(mapo_load_time_handoff(&h, process, sum, 1, &s), 0);
    CU_ASSERT(h.sum == sum);
    MAPO_ASSERT_INT(h.child, -1);
  }
  /* A wrong expectation is a run that did not verify. */
  mapo_load_handoff h;
  mapo_load_handoff_init(&h, data, WORDS, spare);
  double s;
  MAPO_ASSERT_INT(mapo_load_time_handoff(&h, 1, sum + 1, 0, &s), MAPO_EVERIFY);
  free(data);
  free(spare);
  mapo_load_phases bad = {0, 1, 1, MAPO_LOAD_SPIN, 0, 0};
  MAPO_ASSERT_INT(mapo_load_phases_run(&bad), MAPO_EINVAL);
}

int main(void) {
  static const mapo_test tests[] = {
      {"strangle: a strangle, short of it, a tie, the friends", test_strangle},
      {"strangle: a busy machine and missing cells", test_strangle_noisy_missing},
      {"grain: the crossover from the medians", test_crossover},
      {"grain: busy and missing", test_crossover_noisy_missing},
      {"handoff: a process against a thread", test_handoff_verdict},
      {"the report fits 80 columns", test_report},
      {"every part runs small and verifies", test_runs},
      {NULL, NULL}};
  return mapo_test_run("load", tests);
}
