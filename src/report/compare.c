/* compare.c - `mapo compare`'s matrix as text and as JSON: workloads against ways of
 * running them, a verdict per row, and a note for every cell that has something to say
 * (what ran, or why nothing did).
 *
 * Notice that a cell that was not measured is NAN in the struct, "n/a" in the text and
 * null in the JSON: the reader always learns why from the notes. JSON keys are read by
 * scripts and tests: add keys freely, never rename one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "mapo/report.h"
#include "mapo/report_compare.h"

static const char *const column_names[MAPO_COMPARE_COLUMNS] = {"serial", "threads", "processes",
                                                               "async", "python"};

const char *mapo_compare_column(int column) {
  return column >= 0 && column < MAPO_COMPARE_COLUMNS ? column_names[column] : "?";
}

void mapo_compare_format_time(char *buf, size_t size, double seconds) {
  if (isnan(seconds))
    snprintf(buf, size, "n/a");
  else if (seconds < 1)
    snprintf(buf, size, "%.1f ms", seconds * 1e3);
  else
    snprintf(buf, size, "%.2f s", seconds);
}

/* Whether a cell has a time to divide by: a failed or missing cell is NAN, and a child
 * that printed 0 or garbage must not become "inf" or "nan" in a sentence. */
static int timed(const mapo_compare_cell *cell) {
  return isfinite(cell->seconds) && cell->seconds > 0;
}

/* num / den with `digits` decimals and `unit` after ("2.00x"), or "n/a" when either
 * cell has no time. */
static void ratio(char *buf, size_t size, int digits, const char *unit,
                  const mapo_compare_cell *num, const mapo_compare_cell *den) {
  if (timed(num) && timed(den))
    snprintf(buf, size, "%.*f%s", digits, num->seconds / den->seconds, unit);
  else
    snprintf(buf, size, "n/a");
}

/* The notebook's best Python beside the C threads, or "n/a" when it did not run. */
static void python_words(char *buf, size_t size, const mapo_compare_cell *cells) {
  const mapo_compare_cell *python = &cells[MAPO_COMPARE_PYTHON];
  if (!timed(python)) {
    snprintf(buf, size, "n/a");
    return;
  }
  char t[32], x[32];
  mapo_compare_format_time(t, sizeof t, python->seconds);
  ratio(x, sizeof x, 0, "x", python, &cells[MAPO_COMPARE_THREADS]);
  snprintf(buf, size, "%s, %s the C threads", t, x);
}

/* A row's verdict stands on the cells it compares (a mask of columns): when one of them
 * has no time, the verdict says which instead of comparing. Returns 1 when it did. */
static int no_verdict(mapo_compare_row *row, const char *workload, unsigned needs) {
  for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++)
    if ((needs >> col & 1u) && !timed(&row->cells[col])) {
      snprintf(row->verdict, sizeof row->verdict,
               "%s: no verdict, the %s cell has no time (see the notes).", workload,
               mapo_compare_column(col));
      return 1;
    }
  return 0;
}

void mapo_compare_verdicts(mapo_compare *c) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, P = MAPO_COMPARE_PROCESSES };
  enum { A = MAPO_COMPARE_ASYNC };
  mapo_compare_row *cpu = &c->rows[MAPO_COMPARE_CPU], *io = &c->rows[MAPO_COMPARE_IO];
  mapo_compare_row *rec = &c->rows[MAPO_COMPARE_RECIPE];
  char python[96], a[32], b[32];
  if (!no_verdict(cpu, "CPU-bound", 1u << S | 1u << T)) {
    python_words(python, sizeof python, cpu->cells);
    ratio(a, sizeof a, 2, "x", &cpu->cells[S], &cpu->cells[T]);
    ratio(b, sizeof b, 2, "x", &cpu->cells[S], &cpu->cells[P]);
    snprintf(cpu->verdict, sizeof cpu->verdict,
             "CPU-bound: threads win in C, %s serial on %d processors (MPI ranks: %s): C "
             "has no GIL. Async cannot help, one thread computes. The notebook's rule "
             "(processes for CPU-bound work) is about Python's GIL; its best, processes, took "
             "%s.",
             a, c->processors, b, python);
  }
  if (!no_verdict(io, "I/O-bound", 1u << S | 1u << T | 1u << A)) {
    ratio(a, sizeof a, 0, "x", &io->cells[S], &io->cells[A]);
    ratio(b, sizeof b, 0, "x", &io->cells[S], &io->cells[T]);
    snprintf(io->verdict, sizeof io->verdict,
             "I/O-bound: async (one thread, %s serial) and threads (%s) both overlap the "
             "waiting; async needs no thread per order. Serial pays every latency in turn.",
             a, b);
  }
  if (!no_verdict(rec, "The recipe", 1u << S | 1u << T | 1u << A)) {
    ratio(a, sizeof a, 2, "", &rec->cells[A], &rec->cells[S]);
    ratio(b, sizeof b, 2, "", &rec->cells[T], &rec->cells[S]);
    snprintf(rec->verdict, sizeof rec->verdict,
             "The recipe waits more than it works: async on one thread (%s of serial) is as "
             "good as a thread per chain (%s): be smart about waiting.",
             a, b);
  }
}

static void json_row(FILE *f, const mapo_compare_row *row) {
  fputs("{\"workload\":", f);
  mapo_json_string(f, row->workload);
  fputs(",\"seconds\":{", f);
  for (int c = 0; c < MAPO_COMPARE_COLUMNS; c++) {
    fprintf(f, "%s\"%s\":", c ? "," : "", column_names[c]);
    mapo_json_number(f, row->cells[c].seconds);
  }
  fputs("},\"notes\":{", f);
  for (int c = 0, n = 0; c < MAPO_COMPARE_COLUMNS; c++)
    if (row->cells[c].note[0]) {
      fprintf(f, "%s\"%s\":", n++ ? "," : "", column_names[c]);
      mapo_json_string(f, row->cells[c].note);
    }
  fputs("},\"verdict\":", f);
  mapo_json_string(f, row->verdict);
  fputc('}', f);
}

int mapo_report_compare_json(FILE *f, const mapo_compare *c) {
  fprintf(f, "{\"processors\":%d,\"mpi_as_root\":%s,\"rows\":[", c->processors,
          c->mpi_ran && c->as_root ? "true" : "false");
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    fputs(r ? "," : "", f);
    json_row(f, &c->rows[r]);
  }
  fputs("]}\n", f);
  return ferror(f) ? -EIO : 0;
}

static void text_matrix(FILE *f, const mapo_compare *c) {
  fprintf(f, "  %-52s %10s %10s %10s %10s %10s\n", "workload", "serial", "threads", "processes",
          "async", "Python");
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    fprintf(f, "  %-52s", c->rows[r].workload);
    for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++) {
      char t[32];
      mapo_compare_format_time(t, sizeof t, c->rows[r].cells[col].seconds);
      fprintf(f, " %10s", t);
    }
    fputc('\n', f);
  }
}

static void text_notes(FILE *f, const mapo_compare *c) {
  fputs("\n  notes:\n", f);
  if (c->mpi_ran)
    fprintf(f,
            "  - mpirun ran with OMPI_MCA_rmaps_base_oversubscribe=1 (more ranks than cores)%s\n",
            c->as_root ? " and OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, because "
                         "mapo runs as root and Open MPI refuses root otherwise"
                       : "");
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++)
    for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++)
      if (c->rows[r].cells[col].note[0])
        fprintf(f, "  - %s, %s: %s\n", c->rows[r].workload, column_names[col],
                c->rows[r].cells[col].note);
}

int mapo_report_compare_text(FILE *f, const mapo_compare *c) {
  fprintf(f, "\nmapo compare: when to use which? Measured on this machine (%d processors).\n\n",
          c->processors);
  text_matrix(f, c);
  fprintf(f, "\n  orders: %d, %d ms each; recipe: 1 unit = %g ms; threads: %d for the sums.\n\n",
          c->requests, c->latency_ms, c->unit_ms, c->processors);
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) fprintf(f, "  %s\n", c->rows[r].verdict);
  text_notes(f, c);
  return ferror(f) ? -EIO : 0;
}
