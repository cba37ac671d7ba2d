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

/* The notebook's best Python beside the C threads, or "n/a" when it did not run. */
static void python_words(char *buf, size_t size, const mapo_compare_cell *cells) {
  double python = cells[MAPO_COMPARE_PYTHON].seconds;
  if (isnan(python)) {
    snprintf(buf, size, "n/a");
    return;
  }
  char t[32];
  mapo_compare_format_time(t, sizeof t, python);
  snprintf(buf, size, "%s, %.0fx the C threads", t, python / cells[MAPO_COMPARE_THREADS].seconds);
}

void mapo_compare_verdicts(mapo_compare *c) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, P = MAPO_COMPARE_PROCESSES };
  enum { A = MAPO_COMPARE_ASYNC };
  mapo_compare_row *cpu = &c->rows[MAPO_COMPARE_CPU], *io = &c->rows[MAPO_COMPARE_IO];
  mapo_compare_row *rec = &c->rows[MAPO_COMPARE_RECIPE];
  char python[96];
  python_words(python, sizeof python, cpu->cells);
  snprintf(cpu->verdict, sizeof cpu->verdict,
           "CPU-bound: threads win in C, %.2fx serial on %d processors (MPI ranks: %.2fx): C "
           "has no GIL. Async cannot help, one thread computes. The notebook's rule "
           "(processes for CPU-bound work) is about Python's GIL; its best, processes, took %s.",
           cpu->cells[S].seconds / cpu->cells[T].seconds, c->processors,
           cpu->cells[S].seconds / cpu->cells[P].seconds, python);
  snprintf(io->verdict, sizeof io->verdict,
           "I/O-bound: async (one thread, %.0fx serial) and threads (%.0fx) both overlap the "
           "waiting; async needs no thread per order. Serial pays every latency in turn.",
           io->cells[S].seconds / io->cells[A].seconds,
           io->cells[S].seconds / io->cells[T].seconds);
  snprintf(rec->verdict, sizeof rec->verdict,
           "The recipe waits more than it works: async on one thread (%.2f of serial) is as "
           "good as a thread per chain (%.2f): be smart about waiting.",
           rec->cells[A].seconds / rec->cells[S].seconds,
           rec->cells[T].seconds / rec->cells[S].seconds);
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
