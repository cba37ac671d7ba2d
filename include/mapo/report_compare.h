/* mapo/report_compare.h - `mapo compare`'s matrix written down: workloads (rows) against
 * ways of running them (columns), each cell a measured time (the median of its runs, and
 * their range) or a note saying why not, each row a verdict chosen from its numbers.
 *
 * Each workload is measured twice: in C (cells) and in the notebook's own Python (py),
 * so that the GIL shows where it bites: Python's threads no faster than serial on the
 * CPU-bound row, its processes faster, C's threads faster.
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

/* The ways of running, the columns of the Python row: serial to async (python is not one). */
#define MAPO_COMPARE_WAYS MAPO_COMPARE_PYTHON

/* The rows, each a workload; the verdicts are written for these three. */
enum { MAPO_COMPARE_CPU, MAPO_COMPARE_IO, MAPO_COMPARE_RECIPE, MAPO_COMPARE_ROWS };

typedef struct mapo_compare_cell {
  double seconds;    /* NAN: not measured */
  double min, max;   /* the best and worst run where the child reported them (0: not known) */
  char note[320];    /* why not, or what was run ("" when there is nothing to say) */
  char command[512]; /* the command that filled it, to rerun by hand ("" when none ran) */
} mapo_compare_cell;

typedef struct mapo_compare_row {
  const char *workload; /* in words, with its size */
  /* In C; cells[MAPO_COMPARE_PYTHON] is the notebook's choice for this workload in
   * Python (processes for the sums, asyncio for the rest), a copy of its py cell. */
  mapo_compare_cell cells[MAPO_COMPARE_COLUMNS];
  mapo_compare_cell py[MAPO_COMPARE_WAYS]; /* the same workload in the notebook's Python */
  char verdict[400];                       /* mapo_compare_verdicts(): the C cells */
  mapo_verdict_class judged;    /* the class the sentence was chosen from (mapo/verdict.h) */
  char py_verdict[480];         /* the Python cells */
  mapo_verdict_class py_judged; /* the class that one was chosen from */
} mapo_compare_row;

typedef struct mapo_compare {
  int processors;           /* the threads (and MPI ranks) the sums ran with */
  int requests;             /* the I/O-bound row: orders, */
  int latency_ms;           /* each answered after this long */
  double unit_ms;           /* the recipe row: milliseconds per unit */
  int mpi_ran;              /* mpirun was there: the notes name the variables it was given */
  int as_root;              /* and, running as root, Open MPI's permission to */
  double base, python_base; /* the CPU-bound row: the first n of the sums (0: not said) */
  int repeat;               /* and the timed runs of each cell (0: not said) */
  const char *programs;     /* a note naming the programs the commands run ("": none) */
  mapo_compare_row rows[MAPO_COMPARE_ROWS];
} mapo_compare;

/* The columns' names: "serial", "threads", "processes", "async", "python". */
const char *mapo_compare_column(int column);

/* A cell's time as printed: "n/a", "12.3 ms" or "1.23 s". */
void mapo_compare_format_time(char *buf, size_t size, double seconds);

/* Word every row's verdicts (C and Python) from its cells through mapo_verdict_of: a row
 * whose main cells have no time says which, and compares nothing; a spread that says the
 * machine was busy withholds the verdict. Never nan, inf or n/a in a sentence. */
void mapo_compare_verdicts(mapo_compare *c);

/* The matrix, the verdicts and the notes (each cell's command among them), folded to
 * `columns` (0: unwrapped; the table itself is 76 columns). Return 0, or -EIO when f has
 * failed. mapo_report_compare_text is the same at MAPO_REPORT_COLUMNS. */
int mapo_report_compare_text_at(FILE *f, const mapo_compare *c, int columns);
int mapo_report_compare_text(FILE *f, const mapo_compare *c);
int mapo_report_compare_json(FILE *f, const mapo_compare *c);

#endif
