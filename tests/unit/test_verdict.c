/* test_verdict.c - the verdicts (src/report/verdict.c and each lesson's sentence in
 * src/report/sum.c, scale.c, compare.c, race.c and cook.c) fed synthetic numbers: a win, a loss, a
 * tie, a noisy spread and a missing cell, for the rule and for every lesson's sentence.
 *
 * Run: ctest -R unit.test_verdict --output-on-failure  (or build/.../test_verdict)
 * Notice: no sentence may carry "nan", "inf" or "n/a", and a sentence that says faster or
 * slower must agree with the ratio it prints.
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

/* What no sentence may ever hold. */
static void clean(const char *s) {
  CU_ASSERT_PTR_NULL(strstr(s, "nan"));
  CU_ASSERT_PTR_NULL(strstr(s, "inf"));
  CU_ASSERT_PTR_NULL(strstr(s, "n/a"));
  if (strstr(s, "nan") || strstr(s, "inf") || strstr(s, "n/a")) printf("\n  in: %s\n", s);
}

static int has(const char *s, const char *want) {
  if (strstr(s, want) != NULL) return 1;
  printf("\n  want \"%s\" in: %s\n", want, s);
  return 0;
}

static void test_rule(void) {
  const mapo_spread base = spread(2.0, 1.9, 2.1);
  mapo_spread c = spread(1.0, 0.95, 1.05);
  mapo_verdict v = mapo_verdict_of(&c, &base); /* a win */
  MAPO_ASSERT_INT(v.cls, MAPO_VERDICT_FASTER);
  MAPO_ASSERT_NEAR(v.ratio, 2.0, 1e-12);
  c = spread(4.0, 3.9, 4.1); /* a loss */
  v = mapo_verdict_of(&c, &base);
  MAPO_ASSERT_INT(v.cls, MAPO_VERDICT_SLOWER);
  MAPO_ASSERT_NEAR(v.ratio, 0.5, 1e-12);
  c = spread(2.1, 2.0, 2.2); /* a tie: 5% apart */
  MAPO_ASSERT_INT(mapo_verdict_of(&c, &base).cls, MAPO_VERDICT_TIE);
  c = spread(2.4, 2.3, 2.5); /* 20% apart: no tie */
  MAPO_ASSERT_INT(mapo_verdict_of(&c, &base).cls, MAPO_VERDICT_SLOWER);
  c = spread(1.0, 0.9, 3.0); /* busy: its range covers the baseline's */
  v = mapo_verdict_of(&c, &base);
  MAPO_ASSERT_INT(v.cls, MAPO_VERDICT_NOISY);
  MAPO_ASSERT_NEAR(v.spread, 3.0 / 0.9, 1e-12);
  c = spread(1.0, 0.6, 1.5); /* wide, but every run beat every baseline run */
  MAPO_ASSERT_INT(mapo_verdict_of(&c, &base).cls, MAPO_VERDICT_FASTER);
  c = spread(2.0, 1.5, 2.2); /* overlapping, but narrow: the medians decide (a tie) */
  MAPO_ASSERT_INT(mapo_verdict_of(&c, &base).cls, MAPO_VERDICT_TIE);
  /* Missing: NAN, 0, infinity, NULL. */
  const double bad[] = {NAN, 0, INFINITY, -1};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    c = mapo_verdict_one(bad[i]);
    v = mapo_verdict_of(&c, &base);
    MAPO_ASSERT_INT(v.cls, MAPO_VERDICT_MISSING);
    CU_ASSERT(isnan(v.ratio));
    MAPO_ASSERT_INT(mapo_verdict_of(&base, &c).cls, MAPO_VERDICT_MISSING);
  }
  MAPO_ASSERT_INT(mapo_verdict_of(NULL, &base).cls, MAPO_VERDICT_MISSING);
  /* One number each (no range known): the medians alone decide. */
  const mapo_spread one = mapo_verdict_one(1.0), two = {2.0, NAN, NAN, 1};
  v = mapo_verdict_of(&one, &two);
  MAPO_ASSERT_INT(v.cls, MAPO_VERDICT_FASTER);
  MAPO_ASSERT_NEAR(v.spread, 1.0, 1e-12);
}

static void test_words(void) {
  CU_ASSERT_STRING_EQUAL(mapo_verdict_name(MAPO_VERDICT_FASTER), "faster");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_name(MAPO_VERDICT_SLOWER), "slower");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_name(MAPO_VERDICT_TIE), "tie");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_name(MAPO_VERDICT_NOISY), "noisy");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_name(MAPO_VERDICT_MISSING), "missing");
  char b[64];
  CU_ASSERT_STRING_EQUAL(mapo_verdict_ratio(b, sizeof b, 1.954), "1.95x");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_ratio(b, sizeof b, 0.00213), "0.0021x");
  CU_ASSERT_STRING_EQUAL(mapo_verdict_ratio(b, sizeof b, NAN), "0.00x");
  const mapo_verdict v = {MAPO_VERDICT_NOISY, 1.2, 2.14};
  CU_ASSERT_STRING_EQUAL(mapo_verdict_busy(b, sizeof b, &v),
                         "the machine was busy (runs 2.1x apart): no verdict");
}

/* ------------------------------------------------------------------------------- sum */

static const double sum_seconds[5] = {1, 1, 1, 1, 1};
static const int sum_cpus[2] = {0, 1};

static mapo_sum_result sum_of(mapo_spread threads, const mapo_spread *serial) {
  mapo_sum_result r = {.model = "reduction",
                       .numbers = 4,
                       .base = 100,
                       .split = "numbers",
                       .threads = 2,
                       .threads_used = 2,
                       .repeat = 5,
                       .seconds = sum_seconds,
                       .spread = threads,
                       .verified = 1,
                       .cpus = sum_cpus,
                       .processors = 2,
                       .openmp = 201511,
                       .serial = serial};
  strcpy(r.checksum, "1");
  return r;
}

static void test_sum(void) {
  const mapo_spread serial = spread(6e-3, 5.9e-3, 6.1e-3);
  char b[256];
  mapo_sum_result r = sum_of(spread(3e-3, 2.9e-3, 3.1e-3), &serial);
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_FASTER);
  CU_ASSERT(has(b, "2 threads 2.00x serial: they speed up"));
  /* The case: 14.8 ms against 6 ms serial must not say "speed up". */
  r = sum_of(spread(14.8e-3, 14e-3, 15e-3), &serial);
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "2 threads 0.41x serial: slower than one thread"));
  CU_ASSERT_PTR_NULL(strstr(b, "speed up"));
  r = sum_of(spread(6.2e-3, 6e-3, 6.4e-3), &serial);
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "2 threads 0.97x serial: no faster than one thread"));
  r = sum_of(spread(4e-3, 2e-3, 9e-3), &serial);
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "2 threads against serial: the machine was busy (runs 4.5x apart)"));
  clean(b);
  r = sum_of(spread(3e-3, 2.9e-3, 3.1e-3), NULL); /* the serial model: no baseline */
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  const mapo_spread broken = mapo_verdict_one(NAN);
  r = sum_of(spread(3e-3, 2.9e-3, 3.1e-3), &broken);
  MAPO_ASSERT_INT(mapo_sum_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  /* The report carries the line and the keys. */
  r = sum_of(spread(3e-3, 2.9e-3, 3.1e-3), &serial);
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  MAPO_ASSERT_INT(mapo_report_sum_text(f, &r), 0);
  MAPO_ASSERT_INT(mapo_report_sum_json(f, &r), 0);
  fclose(f);
  CU_ASSERT(has(text, "\n  verdict    2 threads 2.00x serial: they speed up"));
  CU_ASSERT(has(text, "\"verdict_class\":\"faster\""));
  CU_ASSERT(has(text, "\"serial_seconds_median\":0.006"));
  free(text);
}

/* ----------------------------------------------------------------------------- scale */

/* Points at 1, 2 and 4 threads on 2 processors, each a 2% range around its median. */
static mapo_scale_study scale_of(mapo_scale_point *pts, const double *median, int n, int weak) {
  static const int threads[] = {1, 2, 4};
  for (int i = 0; i < n; i++)
    pts[i] = (mapo_scale_point){.threads = threads[i],
                                .seconds_median = median[i],
                                .seconds_min = median[i] * 0.99,
                                .seconds_max = median[i] * 1.01};
  return (mapo_scale_study){.model = "reduction",
                            .split = "numbers",
                            .weak = weak,
                            .numbers = 20,
                            .repeat = 5,
                            .processors = 2,
                            .npoints = n,
                            .points = pts};
}

static void test_scale(void) {
  mapo_scale_point pts[3];
  char b[768];
  /* A win within the cores, then a loss past them: the notebook's strangling. */
  mapo_scale_study s = scale_of(pts, (const double[]){1.0, 0.5, 0.8}, 3, 0);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " | "), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "Up to 2 threads, each on a processor, the threads speed the work up "
                   "(speedup 2.00x against 1 thread). | "));
  CU_ASSERT(has(b, "4 are slower than 2 (speedup 0.62x against 2 threads): too much load"));
  /* The case: 8 threads no worse than 2 do not "strangle". */
  s = scale_of(pts, (const double[]){1.0, 0.5, 0.51}, 3, 0);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "4 are no faster than 2 (speedup 0.98x against 2 threads)"));
  CU_ASSERT_PTR_NULL(strstr(b, "strangle"));
  /* A loss within the cores. */
  s = scale_of(pts, (const double[]){1.0, 1.5}, 2, 0);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "2 threads, each on a processor, are slower than 1 (speedup 0.67x"));
  CU_ASSERT_PTR_NULL(strstr(b, "speed the work up"));
  /* Noisy: 2 threads ran anywhere from 0.3 to 1.2. */
  s = scale_of(pts, (const double[]){1.0, 0.5}, 2, 0);
  pts[1].seconds_min = 0.3, pts[1].seconds_max = 1.2;
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "Up to 2 threads: the machine was busy (runs 4.0x apart): no verdict."));
  clean(b);
  /* Missing: one point only, or a point with no time. */
  s = scale_of(pts, (const double[]){1.0}, 1, 0);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  s = scale_of(pts, (const double[]){1.0, NAN}, 2, 0);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  /* Weak scaling: twice the numbers in the same time is a speedup of 2. */
  s = scale_of(pts, (const double[]){1.0, 1.0, 2.0}, 3, 1);
  MAPO_ASSERT_INT(mapo_scale_verdict(b, sizeof b, &s, " "), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "(speedup 2.00x against 1 thread)"));
  CU_ASSERT(has(b, "(speedup 1.00x against 2 threads)"));
}

/* --------------------------------------------------------------------------- compare */

/* Every C cell measured with a 2% range, serial 0.2 s; threads, async and the MPI cell
 * as given (NAN: not measured). */
static void compare_of(mapo_compare *c, double threads, double async, double mpi) {
  static const char *const names[MAPO_COMPARE_ROWS] = {"sums", "orders", "recipe"};
  *c = (mapo_compare){.processors = 2, .requests = 8, .latency_ms = 2, .unit_ms = 1};
  const double t[MAPO_COMPARE_COLUMNS] = {0.2, threads, mpi, async, NAN};
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    c->rows[r].workload = names[r];
    for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++)
      c->rows[r].cells[col] = (mapo_compare_cell){t[col], t[col] * 0.99, t[col] * 1.01, "", ""};
  }
  mapo_compare_verdicts(c);
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) clean(c->rows[r].verdict);
}

static void test_compare(void) {
  mapo_compare c;
  compare_of(&c, 0.1, 0.02, NAN); /* wins */
  const char *cpu = c.rows[MAPO_COMPARE_CPU].verdict;
  CU_ASSERT(has(cpu, "CPU-bound: threads win in C, 2.00x serial on 2 processors: C has no GIL."));
  CU_ASSERT(has(cpu, "Async cannot help: one thread computes."));
  CU_ASSERT(has(c.rows[MAPO_COMPARE_CPU].py_verdict, "the serial cell has no time"));
  CU_ASSERT_PTR_NULL(strstr(cpu, "MPI ranks"));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].judged, MAPO_VERDICT_FASTER);
  CU_ASSERT(
      has(c.rows[MAPO_COMPARE_IO].verdict,
          "async on one thread beats serial (10.00x serial); threads beat serial too (2.00x"));
  CU_ASSERT(has(c.rows[MAPO_COMPARE_RECIPE].verdict,
                "async on one thread beats serial (10.00x serial) and beats a thread per chain "
                "(5.00x threads): be smart about waiting."));
  /* The case: threads at 0.72x serial lose, and MPI's cell is told when it ran. */
  compare_of(&c, 0.2 / 0.72, 0.2, 0.1);
  CU_ASSERT(has(cpu, "CPU-bound: threads lose in C here, 0.72x serial on 2 processors "
                     "(MPI ranks: 2.00x)"));
  CU_ASSERT_PTR_NULL(strstr(cpu, "win"));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].judged, MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(c.rows[MAPO_COMPARE_IO].verdict,
                "async on one thread ties with serial (1.00x serial); threads lose to serial "
                "(0.72x serial)"));
  CU_ASSERT(has(c.rows[MAPO_COMPARE_RECIPE].verdict,
                "async on one thread ties with serial (1.00x serial); threads lose to serial "
                "(0.72x serial)"));
  /* A tie. */
  compare_of(&c, 0.19, 0.19, NAN);
  CU_ASSERT(has(cpu, "threads tie with serial in C, 1.05x serial"));
  CU_ASSERT(has(c.rows[MAPO_COMPARE_RECIPE].verdict,
                "ties with serial (1.05x serial); threads tie with serial (1.05x serial)"));
  /* Noisy: the threads cell ran from 0.05 to 0.4. */
  compare_of(&c, 0.1, 0.02, NAN);
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_THREADS].min = 0.05;
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_THREADS].max = 0.4;
  mapo_compare_verdicts(&c);
  CU_ASSERT_STRING_EQUAL(cpu, "CPU-bound: the machine was busy (runs 8.0x apart): no verdict.");
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].judged, MAPO_VERDICT_NOISY);
  /* Missing. */
  compare_of(&c, NAN, 0.02, NAN);
  CU_ASSERT_STRING_EQUAL(cpu,
                         "CPU-bound: no verdict, the threads cell has no time (see the notes).");
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].judged, MAPO_VERDICT_MISSING);
}

/* ------------------------------------------------------------------------------ race */

static void test_race(void) {
  const mapo_race_demo *counter = mapo_race_demo_find("counter");
  const mapo_race_demo *deadlock = mapo_race_demo_find("deadlock");
  CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
  CU_ASSERT_PTR_NOT_NULL_FATAL(deadlock);
  mapo_race_outcome run = {.mode = mapo_race_find("counter", "unsafe"),
                           .result = {.trials = 3, .failures = 17, .expected = 6000}};
  char b[256];
  MAPO_ASSERT_INT(mapo_race_verdict(b, sizeof b, counter, &run), 1);
  CU_ASSERT_STRING_EQUAL(b, "the bug showed, 17 updates lost");
  run.result.failures = 0; /* the race did not show: the lesson's claim is not made */
  MAPO_ASSERT_INT(mapo_race_verdict(b, sizeof b, counter, &run), 0);
  CU_ASSERT(has(b, "the bug did not show in 3 trials: it is there all the same"));
  run.mode = mapo_race_find("counter", "atomic");
  MAPO_ASSERT_INT(mapo_race_verdict(b, sizeof b, counter, &run), 1);
  CU_ASSERT_STRING_EQUAL(b, "the fix held in all 3 trials");
  run.result.failures = 1;
  MAPO_ASSERT_INT(mapo_race_verdict(b, sizeof b, counter, &run), 0);
  CU_ASSERT_STRING_EQUAL(b, "the fix FAILED, 1 update lost");
  run = (mapo_race_outcome){.mode = mapo_race_find("deadlock", "naive"),
                            .result = {.trials = 4, .failures = 2}};
  MAPO_ASSERT_INT(mapo_race_verdict(b, sizeof b, deadlock, &run), 1);
  CU_ASSERT_STRING_EQUAL(b, "the bug showed, in 2 of 4 trials");
  /* The cupboard: exchanges against the lock (the last method). */
  mapo_cupboard_method m[] = {{"own", "k", 10, 0, 1, 0.1},
                              {"token", "k", 10, 0, 1, 5.0},
                              {"onesided", "k", 10, 0, 1, 3.0},
                              {"openmp-lock", "k", 10, 0, 1, 1.0}};
  mapo_cupboard_report cr = {.ranks = 2, .trials = 10, .same_node = 1, .nmethods = 4, .methods = m};
  mapo_cupboard_verdict(b, sizeof b, &cr);
  CU_ASSERT_STRING_EQUAL(b, "every exchange cost more than a lock in shared memory (x lock).");
  m[2].usec = 1.02; /* a tie */
  mapo_cupboard_verdict(b, sizeof b, &cr);
  CU_ASSERT_STRING_EQUAL(b, "onesided cost no more than a lock in shared memory here (x lock).");
  m[1].usec = NAN, m[2].usec = 0; /* missing */
  mapo_cupboard_verdict(b, sizeof b, &cr);
  CU_ASSERT_STRING_EQUAL(b, "no exchange was timed against the lock here.");
}

/* cook: the makespan against the bound no schedule can beat. */
static void test_cook(void) {
  char b[256];
  mapo_spread made = spread(9.1, 9.05, 9.2);
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, 9.0), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "at the bound: the makespan is 1.01x"));
  made = spread(13.5, 13.4, 13.6); /* a schedule that lost 50% */
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, 9.0), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "above the bound: the makespan is 1.50x"));
  CU_ASSERT_PTR_NULL(strstr(b, "at the bound"));
  made = spread(10, 8.99, 20); /* runs 2.2x apart, the fastest at the bound */
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, 9.0), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "the machine was busy"));
  clean(b);
  made = mapo_verdict_one(9.0); /* one run, exactly at the bound: no "0.00x", no nan */
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, 9.0), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "1.00x"));
  clean(b);
  made = spread(0.2, 0.1, 0.3); /* a unit of 0 ms: there is no bound */
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, 0), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  MAPO_ASSERT_INT(mapo_cook_verdict(b, sizeof b, &made, NAN), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
}

int main(void) {
  static const mapo_test tests[] = {{"the rule: win, loss, tie, noisy, missing", test_rule},
                                    {"names, ratios and the busy sentence", test_words},
                                    {"sum: the verdict against serial", test_sum},
                                    {"scale: within and past the processors", test_scale},
                                    {"compare: every row from its cells", test_compare},
                                    {"race and cupboard: from the counts and times", test_race},
                                    {"cook: the makespan against the bound", test_cook},
                                    {NULL, NULL}};
  return mapo_test_run("verdict", tests);
}
