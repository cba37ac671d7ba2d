/* test_scale.c - the scaling-study arithmetic (src/core/scale.c) on points worked out
 * by hand: perfect scaling, exact Amdahl and Gustafson curves fitted back, the
 * processor limit of the fit, superlinear points, weak scaling, and bad input.
 *
 * Run: ctest -R unit.test_scale --output-on-failure  (or build/.../test_scale)
 */
#include <math.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

/* Points at the given thread counts and median times; min and max a little apart so
 * that only the medians matter. */
static void make(mapo_scale_point *pts, const int *threads, const double *t, int n) {
  for (int i = 0; i < n; i++)
    pts[i] = (mapo_scale_point){.threads = threads[i],
                                .seconds_median = t[i],
                                .seconds_min = t[i] * 0.9,
                                .seconds_max = t[i] * 1.1};
}

static void test_perfect(void) {
  const int p[] = {1, 2, 4, 8};
  const double t[] = {8, 4, 2, 1};
  mapo_scale_point pts[4];
  mapo_scale_fit fit;
  make(pts, p, t, 4);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 4, 0, 8, &fit), 0);
  for (int i = 0; i < 4; i++) {
    MAPO_ASSERT_NEAR(pts[i].speedup, p[i], 1e-12);
    MAPO_ASSERT_NEAR(pts[i].efficiency, 1, 1e-12);
  }
  CU_ASSERT(isnan(pts[0].karp_flatt)); /* undefined at one thread */
  for (int i = 1; i < 4; i++) MAPO_ASSERT_NEAR(pts[i].karp_flatt, 0, 1e-12);
  CU_ASSERT_EQUAL(fit.law, MAPO_LAW_AMDAHL);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0, 1e-12);
  CU_ASSERT(isinf(fit.max_speedup)); /* f = 0: Amdahl sets no limit */
  MAPO_ASSERT_NEAR(fit.rms_residual, 0, 1e-9);
  MAPO_ASSERT_INT(fit.points_used, 4);
  MAPO_ASSERT_INT(fit.processors, 8);
}

/* T(p) = T1 (f + (1-f)/p) with f = 0.1: Karp-Flatt gives 0.1 at every p, the fit gives
 * 0.1 back, and the limit is 10. */
static void test_amdahl_exact(void) {
  mapo_scale_point pts[8];
  int p[8];
  double t[8];
  for (int i = 0; i < 8; i++) {
    p[i] = i + 1;
    t[i] = 3.0 * (0.1 + 0.9 / p[i]);
  }
  make(pts, p, t, 8);
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 8, 0, 8, &fit), 0);
  for (int i = 1; i < 8; i++) {
    MAPO_ASSERT_NEAR(pts[i].speedup, mapo_scale_amdahl(0.1, p[i]), 1e-12);
    MAPO_ASSERT_NEAR(pts[i].karp_flatt, 0.1, 1e-12);
  }
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0.1, 1e-6);
  MAPO_ASSERT_NEAR(fit.max_speedup, 10, 1e-4);
  MAPO_ASSERT_NEAR(fit.rms_residual, 0, 1e-6);
  MAPO_ASSERT_INT(fit.points_used, 8);

  /* Another fraction, off the search's grid. */
  for (int i = 0; i < 8; i++) t[i] = 0.5 * (0.0374 + 0.9626 / p[i]);
  make(pts, p, t, 8);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 8, 0, 8, &fit), 0);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0.0374, 1e-6);
}

/* Past the processors, threads share cores: T grows as p/cores and those points are
 * left out of the fit, which still finds the f = 0.2 of the points that had a core. */
static void test_fit_stops_at_processors(void) {
  const int p[] = {1, 2, 3, 4, 6, 8, 16};
  double t[7];
  for (int i = 0; i < 4; i++) t[i] = 1.0 * (0.2 + 0.8 / p[i]);
  for (int i = 4; i < 7; i++) t[i] = t[3] * p[i] / 4.0; /* oversubscribed: worse */
  mapo_scale_point pts[7];
  make(pts, p, t, 7);
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 7, 0, 4, &fit), 0);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0.2, 1e-6);
  MAPO_ASSERT_NEAR(fit.max_speedup, 5, 1e-4);
  MAPO_ASSERT_INT(fit.points_used, 4);
  /* Efficiency falls past the processors, and Karp-Flatt grows: overhead, not a
   * serial part. */
  CU_ASSERT(pts[6].efficiency < pts[3].efficiency);
  CU_ASSERT(pts[6].karp_flatt > pts[3].karp_flatt + 0.1);
  /* The same points fitted over all of them give another (worse) f. */
  CU_ASSERT_EQUAL_FATAL(mapo_scale_fit_law(pts, 7, MAPO_LAW_AMDAHL, 16, &fit), 0);
  MAPO_ASSERT_INT(fit.points_used, 7);
  CU_ASSERT(fit.serial_fraction > 0.25);
}

/* By hand: T = 10, 5.5, 4 s at 1, 2, 4 threads. S = 1, 20/11, 2.5; efficiency 1,
 * 10/11, 0.625; Karp-Flatt at 2: (0.55 - 0.5) / 0.5 = 0.1; at 4: (0.4 - 0.25) / 0.75 =
 * 0.2: growing, so overhead grows with the threads. */
static void test_by_hand(void) {
  const int p[] = {1, 2, 4};
  const double t[] = {10, 5.5, 4};
  mapo_scale_point pts[3];
  make(pts, p, t, 3);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_compute(pts, 3, 0), 0);
  MAPO_ASSERT_NEAR(pts[0].speedup, 1, 0);
  MAPO_ASSERT_NEAR(pts[0].efficiency, 1, 0);
  MAPO_ASSERT_NEAR(pts[1].speedup, 20.0 / 11, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].efficiency, 10.0 / 11, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].speedup, 2.5, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].efficiency, 0.625, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].karp_flatt, 0.1, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].karp_flatt, 0.2, 1e-12);
  /* The fit lies between the two Karp-Flatt values. */
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_fit_law(pts, 3, MAPO_LAW_AMDAHL, 4, &fit), 0);
  CU_ASSERT(fit.serial_fraction > 0.1 && fit.serial_fraction < 0.2);
  CU_ASSERT(fit.rms_residual > 0);
}

/* Caches can make p threads more than p times faster: Karp-Flatt goes negative and
 * the Amdahl fraction stays at its bound, 0. */
static void test_superlinear(void) {
  const int p[] = {1, 2};
  const double t[] = {10, 4};
  mapo_scale_point pts[2];
  make(pts, p, t, 2);
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 2, 0, 2, &fit), 0);
  MAPO_ASSERT_NEAR(pts[1].speedup, 2.5, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].efficiency, 1.25, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].karp_flatt, -0.2, 1e-12);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0, 0);
  CU_ASSERT(isinf(fit.max_speedup));
}

/* Weak scaling, by hand: T = 2, 2, 2.5 s at 1, 2, 4 threads with the work x p.
 * Efficiency T1/Tp = 1, 1, 0.8; scaled speedup 1, 2, 3.2; Karp-Flatt at 4:
 * (1/3.2 - 0.25) / 0.75 = 1/12. Gustafson: s = sum (p - S)(p - 1) / sum (p - 1)^2 =
 * (0 + 0.8 * 3) / (1 + 9) = 0.24. */
static void test_weak(void) {
  const int p[] = {1, 2, 4};
  const double t[] = {2, 2, 2.5};
  mapo_scale_point pts[3];
  make(pts, p, t, 3);
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 3, 1, 4, &fit), 0);
  MAPO_ASSERT_NEAR(pts[1].efficiency, 1, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].efficiency, 0.8, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].speedup, 2, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].speedup, 3.2, 1e-12);
  MAPO_ASSERT_NEAR(pts[1].karp_flatt, 0, 1e-12);
  MAPO_ASSERT_NEAR(pts[2].karp_flatt, 1.0 / 12, 1e-12);
  CU_ASSERT_EQUAL(fit.law, MAPO_LAW_GUSTAFSON);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0.24, 1e-12);
  CU_ASSERT(isinf(fit.max_speedup)); /* scaled speedup has no limit */
  MAPO_ASSERT_INT(fit.points_used, 3);

  /* An exact Gustafson curve, s = 0.1, fitted back: T_p = p T1 / S(p). */
  mapo_scale_point q[6];
  int pp[6];
  double tt[6];
  for (int i = 0; i < 6; i++) {
    pp[i] = i + 1;
    tt[i] = pp[i] * 1.5 / mapo_scale_gustafson(0.1, pp[i]);
  }
  make(q, pp, tt, 6);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(q, 6, 1, 6, &fit), 0);
  MAPO_ASSERT_NEAR(fit.serial_fraction, 0.1, 1e-9);
}

/* No point with 1 < p <= processors: nothing to fit, and that is not an error. */
static void test_nothing_to_fit(void) {
  const int p[] = {1, 2, 4};
  const double t[] = {4, 2, 1};
  mapo_scale_point pts[3];
  make(pts, p, t, 3);
  mapo_scale_fit fit;
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 3, 0, 1, &fit), 0);
  CU_ASSERT(isnan(fit.serial_fraction));
  CU_ASSERT(isnan(fit.max_speedup));
  MAPO_ASSERT_INT(fit.points_used, 1);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_analyze(pts, 1, 0, 8, &fit), 0); /* one point alone */
  CU_ASSERT(isnan(fit.serial_fraction));
  MAPO_ASSERT_NEAR(pts[0].speedup, 1, 0);
}

static void test_helpers(void) {
  CU_ASSERT(isnan(mapo_scale_karp_flatt(1, 1)));
  CU_ASSERT(isnan(mapo_scale_karp_flatt(0, 4)));
  CU_ASSERT(isnan(mapo_scale_karp_flatt(NAN, 4)));
  MAPO_ASSERT_NEAR(mapo_scale_karp_flatt(1, 4), 1, 1e-12); /* no speedup: all serial */
  MAPO_ASSERT_NEAR(mapo_scale_amdahl(0, 7), 7, 1e-12);
  MAPO_ASSERT_NEAR(mapo_scale_amdahl(1, 7), 1, 1e-12);
  MAPO_ASSERT_NEAR(mapo_scale_gustafson(0.25, 5), 4, 1e-12);
}

/* Expect MAPO_EINVAL from compute and fit, and the points left as they were. */
static void expect_bad(mapo_scale_point *pts, int n, const char *what) {
  mapo_scale_point before[MAPO_SCALE_POINTS_MAX + 1];
  if (pts != NULL && n > 0) memcpy(before, pts, (size_t)n * sizeof *pts);
  mapo_scale_fit fit;
  int rc1 = mapo_scale_compute(pts, n, 0);
  int rc2 = mapo_scale_fit_law(pts, n, MAPO_LAW_AMDAHL, 4, &fit);
  if (rc1 != MAPO_EINVAL || rc2 != MAPO_EINVAL)
    fprintf(stderr, "\n  %s: compute %d, fit %d, expected MAPO_EINVAL\n", what, rc1, rc2);
  MAPO_ASSERT_INT(rc1, MAPO_EINVAL);
  MAPO_ASSERT_INT(rc2, MAPO_EINVAL);
  if (pts != NULL && n > 0) CU_ASSERT(memcmp(before, pts, (size_t)n * sizeof *pts) == 0);
}

static void test_bad_input(void) {
  mapo_scale_point pts[MAPO_SCALE_POINTS_MAX + 1];
  const int p[] = {1, 2, 4};
  const double t[] = {4, 2, 1};
  expect_bad(NULL, 3, "NULL points");
  make(pts, p, t, 3);
  expect_bad(pts, 0, "no points");
  expect_bad(pts, -1, "negative count");

  make(pts, (const int[]){2, 4, 8}, t, 3);
  expect_bad(pts, 3, "no point at one thread");
  make(pts, (const int[]){1, 2, 2}, t, 3);
  expect_bad(pts, 3, "a count twice");
  make(pts, (const int[]){1, 4, 2}, t, 3);
  expect_bad(pts, 3, "counts not increasing");
  make(pts, (const int[]){1, 0, 2}, t, 3);
  expect_bad(pts, 3, "zero threads");

  const double bad_times[][3] = {{4, 0, 1}, {4, -2, 1}, {4, NAN, 1}, {4, INFINITY, 1}};
  for (int k = 0; k < 4; k++) {
    make(pts, p, bad_times[k], 3);
    expect_bad(pts, 3, "a bad time");
  }
  make(pts, p, t, 3);
  pts[1].seconds_min = pts[1].seconds_median * 1.5; /* min above the median */
  expect_bad(pts, 3, "min > median");
  make(pts, p, t, 3);
  pts[2].seconds_max = pts[2].seconds_median / 2; /* max below the median */
  expect_bad(pts, 3, "median > max");
  make(pts, p, t, 3);
  pts[0].seconds_min = 0;
  expect_bad(pts, 3, "min of 0");

  /* Too many points; exactly the maximum is fine. */
  int many[MAPO_SCALE_POINTS_MAX + 1];
  double tm[MAPO_SCALE_POINTS_MAX + 1];
  for (int i = 0; i <= MAPO_SCALE_POINTS_MAX; i++) {
    many[i] = i + 1;
    tm[i] = 1.0 / many[i];
  }
  make(pts, many, tm, MAPO_SCALE_POINTS_MAX + 1);
  expect_bad(pts, MAPO_SCALE_POINTS_MAX + 1, "too many points");
  mapo_scale_fit fit;
  MAPO_ASSERT_INT(mapo_scale_analyze(pts, MAPO_SCALE_POINTS_MAX, 0, 4, &fit), 0);

  /* The fit's own arguments. */
  make(pts, p, t, 3);
  CU_ASSERT_EQUAL_FATAL(mapo_scale_compute(pts, 3, 0), 0);
  MAPO_ASSERT_INT(mapo_scale_fit_law(pts, 3, MAPO_LAW_AMDAHL, 0, &fit), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_scale_fit_law(pts, 3, MAPO_LAW_AMDAHL, 4, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_scale_fit_law(pts, 3, (mapo_scale_law)7, 4, &fit), MAPO_EINVAL);
  pts[1].speedup = NAN; /* speedups not computed */
  MAPO_ASSERT_INT(mapo_scale_fit_law(pts, 3, MAPO_LAW_AMDAHL, 4, &fit), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_scale_analyze(pts, 3, 0, 0, &fit), MAPO_EINVAL);
}

int main(void) {
  static const mapo_test tests[] = {
      {"perfect scaling: efficiency 1, Karp-Flatt 0, Amdahl f 0", test_perfect},
      {"an exact Amdahl curve (f = 0.1) fitted back", test_amdahl_exact},
      {"the fit uses only the points with a processor each", test_fit_stops_at_processors},
      {"speedup, efficiency and Karp-Flatt by hand", test_by_hand},
      {"superlinear points", test_superlinear},
      {"weak scaling and Gustafson's law", test_weak},
      {"nothing to fit", test_nothing_to_fit},
      {"helpers", test_helpers},
      {"bad input rejected", test_bad_input},
      {NULL, NULL}};
  return mapo_test_run("scale", tests);
}
