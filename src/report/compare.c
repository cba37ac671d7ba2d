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
#include "mapo/verdict.h"

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

/* A cell as a spread: its median and, where the child reported them, its best and worst. */
static mapo_spread spread_of(const mapo_compare_cell *cell) {
  if (!timed(cell)) return mapo_verdict_one(NAN);
  return (mapo_spread){cell->seconds, cell->min, cell->max, 1};
}

/* The candidate column against the baseline column of one row. */
static mapo_verdict judge(const mapo_compare_row *row, int candidate, int baseline) {
  const mapo_spread c = spread_of(&row->cells[candidate]), b = spread_of(&row->cells[baseline]);
  return mapo_verdict_of(&c, &b);
}

/* The notebook's best Python beside the C threads, only when both have a time: a
 * sentence never carries "n/a". */
static void python_words(char *buf, size_t size, const mapo_compare_row *row) {
  const mapo_verdict v = judge(row, MAPO_COMPARE_THREADS, MAPO_COMPARE_PYTHON);
  if (v.cls == MAPO_VERDICT_MISSING) {
    snprintf(buf, size, " (its Python did not run here: see the notes)");
    return;
  }
  char t[32];
  mapo_compare_format_time(t, sizeof t, row->cells[MAPO_COMPARE_PYTHON].seconds);
  snprintf(buf, size, "; its best, processes, took %s, %.*fx the C threads", t,
           v.ratio < 10 ? 1 : 0, v.ratio);
}

/* A row's verdict stands on the cells it compares (a mask of columns): when one of them
 * has no time, the verdict says which instead of comparing. Returns 1 when it did. */
static int no_verdict(mapo_compare_row *row, const char *workload, unsigned needs) {
  for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++)
    if ((needs >> col & 1u) && !timed(&row->cells[col])) {
      snprintf(row->verdict, sizeof row->verdict,
               "%s: no verdict, the %s cell has no time (see the notes).", workload,
               mapo_compare_column(col));
      row->judged = MAPO_VERDICT_MISSING;
      return 1;
    }
  return 0;
}

/* A row whose comparisons the busy machine blurred: says so and judges nothing. */
static int busy(mapo_compare_row *row, const char *workload, const mapo_verdict *a,
                const mapo_verdict *b) {
  const mapo_verdict *v = a->cls == MAPO_VERDICT_NOISY ? a : b;
  if (v->cls != MAPO_VERDICT_NOISY) return 0;
  char words[96];
  snprintf(row->verdict, sizeof row->verdict, "%s: %s.", workload,
           mapo_verdict_busy(words, sizeof words, v));
  row->judged = MAPO_VERDICT_NOISY;
  return 1;
}

/* The CPU-bound row: threads against serial decide; MPI's ranks and Python are told
 * beside, where they ran. */
static void cpu_verdict(mapo_compare_row *row, int processors) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, P = MAPO_COMPARE_PROCESSES };
  const mapo_verdict v = judge(row, T, S), mpi = judge(row, P, S);
  if (no_verdict(row, "CPU-bound", 1u << S | 1u << T) || busy(row, "CPU-bound", &v, &v)) return;
  static const char *const how[] = {
      [MAPO_VERDICT_FASTER] = "threads win in C",
      [MAPO_VERDICT_TIE] = "threads tie with serial in C",
      [MAPO_VERDICT_SLOWER] = "threads lose in C here",
  };
  static const char *const why[] = {
      [MAPO_VERDICT_FASTER] = "C has no GIL",
      [MAPO_VERDICT_TIE] = "C has no GIL, but the work was too small or the cores taken",
      [MAPO_VERDICT_SLOWER] = "C has no GIL, but the cores were taken or the work too small",
  };
  char ranks[48] = "", python[96], x[32], y[32];
  if (mpi.cls != MAPO_VERDICT_MISSING)
    snprintf(ranks, sizeof ranks, " (MPI ranks: %s)", mapo_verdict_ratio(y, sizeof y, mpi.ratio));
  python_words(python, sizeof python, row);
  row->judged = v.cls;
  snprintf(row->verdict, sizeof row->verdict,
           "CPU-bound: %s, %s serial on %d processors%s: %s. Async cannot help, one thread "
           "computes. The notebook's rule (processes for CPU-bound work) is about Python's "
           "GIL%s.",
           how[v.cls], mapo_verdict_ratio(x, sizeof x, v.ratio), processors, ranks, why[v.cls],
           python);
}

/* The I/O-bound row: async and threads, each against serial. */
static void io_verdict(mapo_compare_row *row) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, A = MAPO_COMPARE_ASYNC };
  const mapo_verdict a = judge(row, A, S), t = judge(row, T, S);
  if (no_verdict(row, "I/O-bound", 1u << S | 1u << T | 1u << A) || busy(row, "I/O-bound", &a, &t))
    return;
  /* Both must beat serial for the lesson's claim; the row's class is the weaker one's. */
  row->judged = a.cls == MAPO_VERDICT_FASTER ? t.cls : a.cls;
  if (a.cls == MAPO_VERDICT_FASTER && t.cls == MAPO_VERDICT_FASTER)
    snprintf(row->verdict, sizeof row->verdict,
             "I/O-bound: async (one thread, %.0fx serial) and threads (%.0fx) both overlap the "
             "waiting; async needs no thread per order. Serial pays every latency in turn.",
             a.ratio, t.ratio);
  else
    snprintf(row->verdict, sizeof row->verdict,
             "I/O-bound: async (one thread, %.2fx serial) %s serial and threads (%.2fx) %s it: "
             "the waiting was too short to overlap, or the orders were not waited on.",
             a.ratio, mapo_verdict_verb(a.cls), t.ratio, mapo_verdict_verb(t.cls));
}

/* The recipe row: async against a thread per chain, and async against serial. */
static void recipe_verdict(mapo_compare_row *row) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, A = MAPO_COMPARE_ASYNC };
  const mapo_verdict at = judge(row, A, T), as = judge(row, A, S), ts = judge(row, T, S);
  if (no_verdict(row, "The recipe", 1u << S | 1u << T | 1u << A) ||
      busy(row, "The recipe", &at, &as))
    return;
  const double a = 1 / as.ratio, t = 1 / ts.ratio; /* each as a fraction of serial */
  row->judged = as.cls != MAPO_VERDICT_FASTER ? as.cls : at.cls;
  if (as.cls != MAPO_VERDICT_FASTER)
    snprintf(row->verdict, sizeof row->verdict,
             "The recipe: async on one thread (%.2f of serial) %s serial, threads (%.2f) %s "
             "it: at this unit the waiting is too short to overlap.",
             a, mapo_verdict_verb(as.cls), t, mapo_verdict_verb(ts.cls));
  else if (at.cls == MAPO_VERDICT_TIE)
    snprintf(row->verdict, sizeof row->verdict,
             "The recipe waits more than it works: async on one thread (%.2f of serial) is as "
             "good as a thread per chain (%.2f): be smart about waiting.",
             a, t);
  else
    snprintf(row->verdict, sizeof row->verdict,
             "The recipe waits more than it works: async on one thread (%.2f of serial) %s a "
             "thread per chain (%.2f).",
             a, mapo_verdict_verb(at.cls), t);
}

void mapo_compare_verdicts(mapo_compare *c) {
  cpu_verdict(&c->rows[MAPO_COMPARE_CPU], c->processors);
  io_verdict(&c->rows[MAPO_COMPARE_IO]);
  recipe_verdict(&c->rows[MAPO_COMPARE_RECIPE]);
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
  fputs(",\"verdict_class\":", f);
  mapo_json_string(f, mapo_verdict_name(row->judged));
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
