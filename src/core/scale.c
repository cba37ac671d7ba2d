/* scale.c - the arithmetic of a scaling study: speedup, efficiency, the Karp-Flatt
 * serial fraction per point, and a one-parameter fit of Amdahl's law (strong scaling)
 * or Gustafson's (weak scaling) over the points that had a processor each.
 *
 * Pure functions on arrays, no OpenMP: `mapo scale` times the runs, this file only
 * does the sums. Tested in tests/unit/test_scale.c on points worked out by hand.
 */
#include <math.h>
#include <stddef.h>

#include "mapo/error.h"
#include "mapo/scale.h"
#include "mapo/sum.h"

/* The checks every entry point shares: thread counts strictly increasing from 1 (so
 * T1 is the first point and no count is timed twice), times positive and ordered. */
static int valid_points(const mapo_scale_point *pts, int n) {
  if (pts == NULL || n < 1 || n > MAPO_SCALE_POINTS_MAX || pts[0].threads != 1) return 0;
  for (int i = 0; i < n; i++) {
    const mapo_scale_point *q = &pts[i];
    if (i > 0 && q->threads <= pts[i - 1].threads) return 0;
    if (!isfinite(q->seconds_median) || !isfinite(q->seconds_min) || !isfinite(q->seconds_max) ||
        q->seconds_min <= 0 || q->seconds_min > q->seconds_median ||
        q->seconds_median > q->seconds_max)
      return 0;
  }
  return 1;
}

double mapo_scale_karp_flatt(double s, double p) {
  if (!(p > 1) || !(s > 0) || !isfinite(s) || !isfinite(p)) return NAN;
  return (1 / s - 1 / p) / (1 - 1 / p);
}

double mapo_scale_amdahl(double f, double p) { return 1 / (f + (1 - f) / p); }

double mapo_scale_gustafson(double f, double p) { return p - f * (p - 1); }

int mapo_scale_compute(mapo_scale_point *pts, int n, int weak) {
  if (!valid_points(pts, n)) return MAPO_EINVAL;
  double t1 = pts[0].seconds_median;
  for (int i = 0; i < n; i++) {
    mapo_scale_point *q = &pts[i];
    double p = q->threads, ratio = t1 / q->seconds_median;
    /* Strong: the same work in less time. Weak: p times the work in (ideally) the
     * same time, so the time ratio is already the efficiency. */
    q->speedup = weak ? p * ratio : ratio;
    q->efficiency = q->speedup / p;
    q->karp_flatt = mapo_scale_karp_flatt(q->speedup, p);
  }
  return 0;
}

typedef struct fit_data {
  const mapo_scale_point *pts;
  int n; /* the points used: the first n */
  mapo_scale_law law;
} fit_data;

static double law_at(mapo_scale_law law, double f, double p) {
  return law == MAPO_LAW_AMDAHL ? mapo_scale_amdahl(f, p) : mapo_scale_gustafson(f, p);
}

static double squared_error(const fit_data *d, double f) {
  double e = 0;
  for (int i = 0; i < d->n; i++) {
    double r = d->pts[i].speedup - law_at(d->law, f, d->pts[i].threads);
    e += r * r;
  }
  return e;
}

/* Amdahl's S is not linear in f: scan [0, 1] on a grid, then narrow the best cell by
 * golden-section search. The error is smooth in f, so the grid cannot step over the
 * minimum's valley; the search then pins f far below any measurement's noise. */
static double fit_amdahl(const fit_data *d) {
  enum { GRID = 1000 };
  int best = 0;
  double best_err = squared_error(d, 0);
  for (int k = 1; k <= GRID; k++) {
    double e = squared_error(d, (double)k / GRID);
    if (e < best_err) {
      best_err = e;
      best = k;
    }
  }
  double a = best > 0 ? (double)(best - 1) / GRID : 0;
  double b = best < GRID ? (double)(best + 1) / GRID : 1;
  const double g = (sqrt(5.0) - 1) / 2;
  double x1 = b - g * (b - a), x2 = a + g * (b - a);
  double e1 = squared_error(d, x1), e2 = squared_error(d, x2);
  for (int it = 0; it < 200 && b - a > 1e-15; it++) {
    if (e1 <= e2) {
      b = x2;
      x2 = x1;
      e2 = e1;
      x1 = b - g * (b - a);
      e1 = squared_error(d, x1);
    } else {
      a = x1;
      x1 = x2;
      e1 = e2;
      x2 = a + g * (b - a);
      e2 = squared_error(d, x2);
    }
  }
  double f = (a + b) / 2;
  /* At a bound (superlinear points want f < 0), keep the bound itself. */
  if (squared_error(d, 0) <= squared_error(d, f)) f = 0;
  if (squared_error(d, 1) < squared_error(d, f)) f = 1;
  return f;
}

/* Gustafson's S is linear in s: least squares in closed form, then held to [0, 1]
 * (the error is a parabola in s, so the bound nearest its vertex is the best). */
static double fit_gustafson(const fit_data *d) {
  double num = 0, den = 0;
  for (int i = 0; i < d->n; i++) {
    double p = d->pts[i].threads;
    num += (p - d->pts[i].speedup) * (p - 1);
    den += (p - 1) * (p - 1);
  }
  double s = num / den;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

int mapo_scale_fit_law(const mapo_scale_point *pts, int n, mapo_scale_law law, int processors,
                       mapo_scale_fit *out) {
  if (out == NULL || processors < 1 || !valid_points(pts, n) ||
      (law != MAPO_LAW_AMDAHL && law != MAPO_LAW_GUSTAFSON))
    return MAPO_EINVAL;
  for (int i = 0; i < n; i++)
    if (!(pts[i].speedup > 0) || !isfinite(pts[i].speedup)) return MAPO_EINVAL;
  /* Threads are increasing, so the points used are a prefix. */
  fit_data d = {pts, 0, law};
  while (d.n < n && pts[d.n].threads <= processors) d.n++;
  *out = (mapo_scale_fit){.law = law,
                          .serial_fraction = NAN,
                          .max_speedup = NAN,
                          .rms_residual = NAN,
                          .processors = processors,
                          .points_used = d.n};
  /* p = 1 has S = 1 under any f: without a point above it there is nothing to fit. */
  if (d.n < 2) return 0;
  double f = law == MAPO_LAW_AMDAHL ? fit_amdahl(&d) : fit_gustafson(&d);
  out->serial_fraction = f;
  out->max_speedup = law == MAPO_LAW_AMDAHL && f > 0 ? 1 / f : INFINITY;
  out->rms_residual = sqrt(squared_error(&d, f) / d.n);
  return 0;
}

int mapo_scale_analyze(mapo_scale_point *pts, int n, int weak, int processors,
                       mapo_scale_fit *fit) {
  int rc = mapo_scale_compute(pts, n, weak);
  if (rc < 0) return rc;
  return mapo_scale_fit_law(pts, n, weak ? MAPO_LAW_GUSTAFSON : MAPO_LAW_AMDAHL, processors, fit);
}

double mapo_scale_estimate_s(const int *threads, int n, int numbers, uint64_t base, int weak,
                             int processors, int repeat) {
  double s = 0;
  for (int i = 0; threads != NULL && i < n; i++) {
    const int cores = threads[i] < processors ? threads[i] : processors;
    const long long count = weak ? (long long)numbers * threads[i] : numbers;
    s += mapo_sum_estimate_s(count, base, cores, 2 * repeat);
  }
  return s;
}
