/* mapo/report_load.h - the report of `mapo load`: too much load will strangle your
 * system, the grain of tasks, and the price of processes.
 *
 * The program fills one mapo_load_result with the spreads it measured (plain numbers:
 * nothing here knows OpenMP) and hands it over with the FILE* to write to. Every judging
 * sentence is chosen here, by a function of those numbers (mapo_verdict_of, then the
 * lesson's own words per class), and each function is unit-tested with synthetic ones.
 */
#ifndef MAPO_REPORT_LOAD_H
#define MAPO_REPORT_LOAD_H

#include <stddef.h>
#include <stdio.h>

#include "stats.h"
#include "verdict.h"

/* A team this many times slower than at the cores "strangles" (issue 15: at 4x the
 * cores, at least 2x slower); slower but less is only "slower". */
#define MAPO_LOAD_STRANGLED 2.0

/* The ways a worker waits at the barrier, as columns of the table. */
enum { MAPO_LOAD_SPINNING, MAPO_LOAD_BLOCKING, MAPO_LOAD_WAITS };

typedef struct mapo_load_strangle_row {
  int workers; /* times x processors */
  int times;   /* 1, 2, 4 */
  /* Per wait (MAPO_LOAD_SPINNING, MAPO_LOAD_BLOCKING): the wall seconds of the runs
   * (n 0: not measured) and the median CPU seconds of the process over each run. */
  mapo_spread wall[MAPO_LOAD_WAITS];
  double cpu[MAPO_LOAD_WAITS];
} mapo_load_strangle_row;

#define MAPO_LOAD_STRANGLE_ROWS 3
typedef struct mapo_load_strangle_result {
  int phases;
  long items; /* per phase */
  int rows;   /* up to MAPO_LOAD_STRANGLE_ROWS, the first at the processors (1x) */
  mapo_load_strangle_row row[MAPO_LOAD_STRANGLE_ROWS];
} mapo_load_strangle_result;

typedef struct mapo_load_grain_row {
  long grain; /* items per task */
  long tasks;
  mapo_spread wall;
} mapo_load_grain_row;

#define MAPO_LOAD_GRAINS_MAX 32
typedef struct mapo_load_grain_result {
  int threads;
  long items;
  int rows; /* grains from the smallest up */
  mapo_load_grain_row row[MAPO_LOAD_GRAINS_MAX];
} mapo_load_grain_result;

typedef struct mapo_load_handoff_result {
  double mb;                   /* the data, in MB (2^20 bytes) */
  mapo_spread thread, process; /* wall seconds */
} mapo_load_handoff_result;

typedef struct mapo_load_result {
  int processors; /* the affinity mask's */
  int repeat;     /* timed runs of every cell */
  int columns;    /* text width (mapo_report_paragraph; 0: unwrapped) */
  /* The parts run (NULL: not run). */
  const mapo_load_strangle_result *strangle;
  const mapo_load_grain_result *grain;
  const mapo_load_handoff_result *handoff;
  int verified;      /* every run's sum was right */
  char checksum[24]; /* the strangle part's sum (or the first part run), decimal */
} mapo_load_result;

/* ---- the verdicts (each one unit-tested with synthetic numbers) ------------------- */

/* The last row (most workers) against the first (one per processor), for one way of
 * waiting: *slowdown its median over the first's (NAN when missing). Writes the sentence
 * into buf ("" when missing): "8 workers on 2 processors took 5.10x as long as 2: they
 * strangle each other", slower short of MAPO_LOAD_STRANGLED, a tie, a win, or busy. */
mapo_verdict_class mapo_load_strangle_verdict(char *buf, size_t size,
                                              const mapo_load_strangle_result *s, int wait,
                                              double *slowdown);

/* The CPU time (process-wide, median) of the last row against the first for one way of
 * waiting: "8 workers used 9.11x the CPU time of 2 for the same work: the extra CPU is
 * waiting, burnt", or "... : waiting cost no CPU" within the tie band; "" when missing. */
mapo_verdict_class mapo_load_cpu_verdict(char *buf, size_t size, const mapo_load_strangle_result *s,
                                         int wait);

/* The grain study's crossover, computed from the medians. */
typedef struct mapo_load_crossover {
  int best;          /* the row with the smallest median (-1: some row missing) */
  int crossover;     /* the smallest grain within MAPO_VERDICT_TIE_BAND of the best */
  double tiniest;    /* the first row's median over the best's */
  double largest;    /* the last row's median over the best's */
  mapo_verdict tiny; /* the first row judged against the best */
  mapo_verdict big;  /* the last row judged against the best */
} mapo_load_crossover;
/* 0, or MAPO_EINVAL when a row is missing (no rows, a median not positive): then
 * best = crossover = -1 and both verdicts MAPO_VERDICT_MISSING. */
int mapo_load_crossover_of(const mapo_load_grain_result *g, mapo_load_crossover *out);
/* The grain sentence from the crossover ("" when missing): tasks of 1 item took 25x as
 * long as the best grain; the smallest grain within 10% of it; the largest grain too few
 * tasks; or busy. Returns the class of the tiniest against the best. */
mapo_verdict_class mapo_load_grain_verdict(char *buf, size_t size, const mapo_load_grain_result *g);

/* A process sent a copy against a thread reading in place ("" when missing). */
mapo_verdict_class mapo_load_handoff_verdict(char *buf, size_t size,
                                             const mapo_load_handoff_result *h);

/* The notebook's advice not to invite N friends for N steps, told from the strangle
 * numbers (both waits). "" (and MAPO_VERDICT_MISSING) when the spinning verdict is
 * missing or noisy: the advice is then not shown by this run. Returns the spinning
 * class. */
mapo_verdict_class mapo_load_friends(char *buf, size_t size, const mapo_load_strangle_result *s);

/* ---- the outputs ------------------------------------------------------------------ */

/* The tables and sentences for a person, folded to r->columns. Returns 0, MAPO_EINVAL or
 * -EIO when the stream failed. */
int mapo_report_load_text(FILE *f, const mapo_load_result *r);
/* One JSON object and a newline: processors, repeat, verified, checksum, strangle (null
 * or phases, items, rows[] of workers, times, spinning and blocking each
 * {seconds_median, seconds_min, seconds_max, cpu_seconds_median}, slowdown_spinning,
 * slowdown_blocking, verdict_spinning, verdict_spinning_class, verdict_blocking,
 * verdict_blocking_class), grain (null or threads, items, rows[] of grain, tasks,
 * seconds_median, seconds_min, seconds_max; best_grain, crossover_grain,
 * tiniest_slowdown, largest_slowdown, verdict, verdict_class), handoff (null or mb,
 * thread and process {seconds_median, seconds_min, seconds_max, ms_per_mb}, ratio,
 * verdict, verdict_class), friends (a sentence, "" when none), environment. */
int mapo_report_load_json(FILE *f, const mapo_load_result *r);

#endif
