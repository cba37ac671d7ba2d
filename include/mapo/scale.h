/* mapo/scale.h - the arithmetic of a scaling study, and its reports.
 *
 * A study times one workload at several thread counts p (`mapo scale` runs the sum
 * benchmark). From the times T(p) come, per point:
 *
 *   strong scaling (the work is fixed):      speedup S = T1/Tp,  efficiency S/p
 *   weak scaling (the work grows with p):    efficiency T1/Tp,   scaled speedup p*T1/Tp
 *   Karp-Flatt serial fraction, for p > 1:   e = (1/S - 1/p) / (1 - 1/p)
 *
 * and, for the whole study, a fit of a law with one serial fraction to the points with
 * p <= the number of processors (past that, threads only share cores, which no serial
 * fraction describes):
 *
 *   strong, Amdahl:     S(p) = 1 / (f + (1-f)/p); no p can beat S = 1/f
 *   weak, Gustafson:    S(p) = p - s(p-1);        the scaled speedup has no limit
 *
 * What to notice: a Karp-Flatt e that stays put as p grows is a real serial part (the
 * Amdahl f); an e that grows with p is overhead that grows with the threads (a lock,
 * a shared cache line, threads sharing cores), which no serial fraction explains.
 *
 * Everything here is a pure function on arrays: input is validated (MAPO_EINVAL), the
 * library prints nothing; the writers write to the FILE* they are handed.
 */
#ifndef MAPO_SCALE_H
#define MAPO_SCALE_H

#include <stdint.h>
#include <stdio.h>

#include "text.h"
#include "verdict.h"

/* Most points in one study: enough for every count from 1 to 64. */
#define MAPO_SCALE_POINTS_MAX 64

/* One thread count. The caller fills threads and the three times; mapo_scale_compute()
 * fills the rest. Under weak scaling `speedup` is the scaled speedup p*T1/Tp. */
typedef struct mapo_scale_point {
  int threads;
  double seconds_median, seconds_min, seconds_max;
  double speedup, efficiency;
  double karp_flatt; /* NAN at p = 1, where it is undefined */
} mapo_scale_point;

/* Fill speedup, efficiency and karp_flatt from the median times, against the point
 * with one thread. n points, 1 <= n <= MAPO_SCALE_POINTS_MAX, threads strictly
 * increasing from 1 (so p = 1 is the first), times finite, > 0 and min <= median <=
 * max. MAPO_EINVAL (and nothing written) otherwise. */
int mapo_scale_compute(mapo_scale_point *pts, int n, int weak);

/* The Karp-Flatt serial fraction of speedup s at p threads (NAN for p <= 1 or s <= 0).
 * Negative when s > p (superlinear: caches). */
double mapo_scale_karp_flatt(double s, double p);
/* The two laws, at p threads, for serial fraction f. */
double mapo_scale_amdahl(double f, double p);
double mapo_scale_gustafson(double f, double p);

typedef enum {
  MAPO_LAW_AMDAHL = 0,   /* strong scaling */
  MAPO_LAW_GUSTAFSON = 1 /* weak scaling */
} mapo_scale_law;

typedef struct mapo_scale_fit {
  mapo_scale_law law;
  double serial_fraction; /* in [0, 1]; NAN when no point with 1 < p <= processors */
  double max_speedup;     /* Amdahl: 1/f (INFINITY at f = 0); Gustafson: INFINITY */
  double rms_residual;    /* of the speedup over the points used */
  int processors;         /* the fit uses the points with threads <= this */
  int points_used;        /* how many (p = 1 included: it pins T1) */
} mapo_scale_fit;

/* The serial fraction, in [0, 1], minimising the sum of squared differences between
 * the points' speedups (as mapo_scale_compute() left them) and the law's, over the
 * points with threads <= processors. f is bounded: superlinear points (S > p) give 0.
 * MAPO_EINVAL on bad points or processors < 1. */
int mapo_scale_fit_law(const mapo_scale_point *pts, int n, mapo_scale_law law, int processors,
                       mapo_scale_fit *out);

/* A whole study: what was run and what came of it. The writers below read it. */
typedef struct mapo_scale_study {
  const char *model;  /* "reduction" */
  const char *split;  /* "numbers" or "range" */
  const char *lesson; /* the model's one sentence, or NULL */
  int weak;           /* numbers x p numbers at p threads */
  int numbers;        /* numbers at one thread */
  uint64_t base;
  int repeat;     /* timed runs per point */
  int processors; /* what the machine has (the marker in the chart, the fit's limit) */
  int openmp;     /* _OPENMP of the models' compiler (0: not known) */
  int npoints;
  const mapo_scale_point *points;
  mapo_scale_fit fit;
} mapo_scale_study;

/* compute + fit: the law is Gustafson's under weak scaling, Amdahl's otherwise. */
int mapo_scale_analyze(mapo_scale_point *pts, int n, int weak, int processors, mapo_scale_fit *fit);

/* How long `mapo scale` takes at least, in seconds: at each of the n thread counts,
 * `repeat` timings of the sum kernel, each after its own warm-up, over `numbers` numbers
 * (under weak scaling numbers x p) from base, on min(p, processors) cores
 * (mapo_sum_estimate_s, a lower bound). */
double mapo_scale_estimate_s(const int *threads, int n, int numbers, uint64_t base, int weak,
                             int processors, int repeat);

/* Reports (src/report/scale.c). Each returns 0 or -EIO when the stream failed. */
/* The study's verdict, chosen by mapo_verdict_of() (mapo/verdict.h) from the points'
 * spreads, in two sentences written into buf: the most threads that each had a
 * processor against one thread ("speedup 1.93x against 1 thread"), then the most threads
 * past the processors against those ("... slower than 2 (speedup 0.71x against 2
 * threads): too much load will strangle your system"), or that the machine was busy.
 * Under weak scaling the baseline's time is scaled by the work (p times the numbers).
 * `sep` goes between the two sentences. Returns the class of the last comparison made
 * (MAPO_VERDICT_MISSING: none). */
mapo_verdict_class mapo_scale_verdict(char *buf, size_t size, const mapo_scale_study *s,
                                      const char *sep);
int mapo_report_scale_text(FILE *f, const mapo_scale_study *s, mapo_text_width w);
/* One JSON object and a newline: model, split, weak, numbers, base, repeat,
 * processors, points[] (threads, numbers, seconds_median, seconds_min, seconds_max,
 * speedup, efficiency, karp_flatt: null at p = 1), amdahl (strong: serial_fraction,
 * max_speedup, rms_residual, points_used: the thread counts fitted; null under weak
 * scaling), gustafson (the same for weak scaling; null otherwise), openmp and the
 * environment (mapo_report_environment_json). */
int mapo_report_scale_json(FILE *f, const mapo_scale_study *s);
/* A header row, then one row per point; karp_flatt empty at p = 1. */
int mapo_report_scale_csv(FILE *f, const mapo_scale_study *s);
/* Speedup against threads with the ideal line, efficiency in a panel below, the
 * processor count marked: the chart for a report or a slide. */
int mapo_report_scale_svg(FILE *f, const mapo_scale_study *s);
/* The CSV and SVG writers in the shape mapo_report_write_file() takes (`study` is a
 * const mapo_scale_study *): a file written all or nothing. */
int mapo_report_scale_csv_writer(FILE *f, const void *study);
int mapo_report_scale_svg_writer(FILE *f, const void *study);

#endif
