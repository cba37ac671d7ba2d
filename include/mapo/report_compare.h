/* mapo/report_compare.h - `mapo compare`'s matrix written down: workloads (rows) against
 * ways of running them (columns), each cell a measured time or a note saying why not,
 * each row a verdict chosen from its numbers.
 *
 * The program fills a mapo_compare (src/cli/cmd_compare.c runs every cell as a process
 * of its own); mapo_compare_verdicts() words the rows; the writers print text or JSON.
 */
#ifndef MAPO_REPORT_COMPARE_H
#define MAPO_REPORT_COMPARE_H

#include <stdio.h>

#include "verdict.h"

/* The columns, in the order they are printed. */
enum {
  MAPO_COMPARE_SERIAL,
  MAPO_COMPARE_THREADS,
  MAPO_COMPARE_PROCESSES,
  MAPO_COMPARE_ASYNC,
  MAPO_COMPARE_PYTHON,
  MAPO_COMPARE_COLUMNS
};

/* The rows, each a workload; the verdicts are written for these three. */
enum { MAPO_COMPARE_CPU, MAPO_COMPARE_IO, MAPO_COMPARE_RECIPE, MAPO_COMPARE_ROWS };

typedef struct mapo_compare_cell {
  double seconds;  /* NAN: not measured */
  double min, max; /* the best and worst run where the child reported them (0: not known) */
  char note[320];  /* why not, or what was run ("" when there is nothing to say) */
} mapo_compare_cell;

typedef struct mapo_compare_row {
  const char *workload; /* in words, with its size */
  mapo_compare_cell cells[MAPO_COMPARE_COLUMNS];
  char verdict[400];         /* mapo_compare_verdicts() */
  mapo_verdict_class judged; /* the class the sentence was chosen from (mapo/verdict.h) */
} mapo_compare_row;

typedef struct mapo_compare {
  int processors; /* the threads (and MPI ranks) the sums ran with */
  int requests;   /* the I/O-bound row: orders, */
  int latency_ms; /* each answered after this long */
  double unit_ms; /* the recipe row: milliseconds per unit */
  int mpi_ran;    /* mpirun was there: the notes name the variables it was given */
  int as_root;    /* and, running as root, Open MPI's permission to */
  mapo_compare_row rows[MAPO_COMPARE_ROWS];
} mapo_compare;

/* The columns' names: "serial", "threads", "processes", "async", "python". */
const char *mapo_compare_column(int column);

/* A cell's time as printed: "n/a", "12.3 ms" or "1.23 s". */
void mapo_compare_format_time(char *buf, size_t size, double seconds);

/* Word every row's verdict from its cells: a ratio with a cell that has no time reads "n/a";
 * a row whose main cells have none says which, and compares nothing (never nan or inf). */
void mapo_compare_verdicts(mapo_compare *c);

/* The matrix, the verdicts and the notes. Return 0, or -EIO when f has failed. */
int mapo_report_compare_text(FILE *f, const mapo_compare *c);
int mapo_report_compare_json(FILE *f, const mapo_compare *c);

#endif
