/* mapo/report_sum.h - the report of a sum benchmark: `mapo sum` and `mapo-mpi sum` print
 * through it, so that both say the same things in the same words and keys.
 *
 * A program fills one mapo_sum_result (plain numbers and strings: the report knows
 * nothing of OpenMP or MPI) and hands it over with the FILE* to write to. A run on MPI
 * ranks adds its part (`mpi`): the ranks, where each one ran, and the time of the whole
 * problem on rank 0 alone, the baseline of the speedup and the efficiency.
 */
#ifndef MAPO_REPORT_SUM_H
#define MAPO_REPORT_SUM_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "stats.h"
#include "verdict.h"

/* Where one rank ran. */
typedef struct mapo_sum_placement {
  const char *host; /* the rank's host name (NULL: not known) */
  int allowed_cpus; /* how many CPUs the rank may run on (-1: not known) */
  const int *cpus;  /* per thread the CPU it last ran on (-1: not known), `threads` of them */
} mapo_sum_placement;

/* The MPI part of a run (mapo-mpi sum). */
typedef struct mapo_sum_mpi {
  int ranks;
  const mapo_sum_placement *placement; /* `ranks` of them, rank 0 first */
  /* The baseline: the whole problem on one thread of rank 0 alone, timed as the ranks
   * are (a warm-up, then the same number of runs: median, min, max), so that the
   * verdict compares like with like (mapo_sum_mpi_verdict). */
  mapo_spread one_thread;
  int columns; /* the text's width (mapo_report_paragraph): 0 unwrapped */
} mapo_sum_mpi;

typedef struct mapo_sum_result {
  /* What ran. */
  const char *model;  /* "reduction"; "mpi" for mapo-mpi */
  const char *lesson; /* the model's one sentence (NULL: none) */
  const char *how;    /* how this build carries the model out (NULL: nothing to add) */
  const char *atomic; /* how this build does a 128-bit omp atomic (NULL: not said) */
  int numbers;
  uint64_t base;
  const char *split; /* "numbers" or "range" */
  int threads;       /* asked for (per rank under MPI) */
  int threads_used;  /* what the runtime gave (-1: not reported) */
  int repeat;
  /* What was measured: repeat times (the slowest rank's under MPI) and their spread. */
  const double *seconds;
  mapo_spread spread;
  /* The verification: the checksum and, when a number was wrong, which and how. */
  int verified;
  char checksum[40];
  uint64_t bad_n;         /* the first wrong n (when not verified) */
  char got[40], want[40]; /* its result and the formula's ("" when not known) */
  /* Where it ran and with what: the CPUs of threads_used threads (one process). */
  const int *cpus;
  int processors;      /* what OpenMP sees (0: not reported) */
  int openmp;          /* _OPENMP of the models' compiler */
  const char *warning; /* one sentence about the run's placement (NULL or "": none) */
  /* The same numbers on one thread (the serial model), timed beside a threaded model:
   * the baseline its verdict stands on. NULL: not measured (the serial model itself). */
  const mapo_spread *serial;
  const mapo_sum_mpi *mpi; /* NULL: one process */
  mapo_text_width text;    /* the text's width (zero: MAPO_REPORT_COLUMNS) */
} mapo_sum_result;

/* The run's verdict against its serial baseline, chosen from the two spreads by
 * mapo_verdict_of() (mapo/verdict.h) and written into buf: "2 threads 1.95x serial:
 * they speed up this CPU-bound work", a tie, a loss, or that the machine was busy. Returns
 * the class; MAPO_VERDICT_MISSING (buf "") where there is no baseline or no time. */
mapo_verdict_class mapo_sum_verdict(char *buf, size_t size, const mapo_sum_result *r);

/* MPI's verdict: the ranks (x threads) against one thread, from the two spreads by
 * mapo_verdict_of(): "2 ranks x 1 thread 1.95x one thread (efficiency 0.97): the ranks
 * share this CPU-bound work", a tie, a loss, or that the machine was busy. One rank of
 * one thread claims no speedup (it does what the baseline does). Returns the class
 * (MAPO_VERDICT_TIE for one rank of one thread); MAPO_VERDICT_MISSING where a time is
 * missing (buf then says so). */
mapo_verdict_class mapo_sum_mpi_verdict(char *buf, size_t size, const mapo_sum_result *r);

/* A few lines for a person. Returns 0, MAPO_EINVAL, or -EIO when the stream failed. */
int mapo_report_sum_text(FILE *f, const mapo_sum_result *r);
/* One JSON object and a newline. Always: model, threads, numbers, base, split, repeat,
 * seconds_median, seconds_min, seconds_max, seconds[], verified, checksum, warnings[],
 * environment. One process adds threads_used, cpus[], processors, openmp, atomic and
 * lesson, and beside a serial baseline serial_seconds_median, serial_seconds_min,
 * serial_seconds_max, speedup, verdict (the sentence) and verdict_class; MPI adds ranks,
 * seconds_one_thread (the baseline's median), one_thread_seconds_min and _max, speedup,
 * efficiency, verdict, verdict_class and placement[] (rank, host, allowed_cpus, cpus[]).
 * Returns as the text does. */
int mapo_report_sum_json(FILE *f, const mapo_sum_result *r);

#endif
