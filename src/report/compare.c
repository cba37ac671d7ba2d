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

/* Python threads this many times faster than serial cannot be drift. */
#define MAPO_COMPARE_NO_GIL_RATIO 1.5

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

/* One cell against another: mapo_verdict_of on their medians and ranges. */
static mapo_verdict judge_cells(const mapo_compare_cell *candidate,
                                const mapo_compare_cell *baseline) {
  const mapo_spread c = spread_of(candidate), b = spread_of(baseline);
  return mapo_verdict_of(&c, &b);
}

/* The candidate column against the baseline column of one row, in C. */
static mapo_verdict judge(const mapo_compare_row *row, int candidate, int baseline) {
  return judge_cells(&row->cells[candidate], &row->cells[baseline]);
}

/* A verdict's sentence stands on the cells it compares (a mask of columns): when one of
 * them has no time, the sentence says which instead of comparing. Returns 1 when it did. */
static int no_verdict(char *out, size_t size, mapo_verdict_class *judged,
                      const mapo_compare_cell *cells, const char *workload, unsigned needs) {
  for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++)
    if ((needs >> col & 1u) && !timed(&cells[col])) {
      snprintf(out, size, "%s: no verdict, the %s cell has no time (see the notes).", workload,
               mapo_compare_column(col));
      *judged = MAPO_VERDICT_MISSING;
      return 1;
    }
  return 0;
}

/* A row whose comparisons the busy machine blurred: says so and judges nothing. */
static int busy(char *out, size_t size, mapo_verdict_class *judged, const char *workload,
                const mapo_verdict *a, const mapo_verdict *b) {
  const mapo_verdict *v = a->cls == MAPO_VERDICT_NOISY ? a : b;
  if (v->cls != MAPO_VERDICT_NOISY) return 0;
  char words[96];
  snprintf(out, size, "%s: %s.", workload, mapo_verdict_busy(words, sizeof words, v));
  *judged = MAPO_VERDICT_NOISY;
  return 1;
}

/* "beats", "ties with", "loses to": what one way did to another, in the present. */
static const char *verb_now(mapo_verdict_class cls, int plural) {
  switch (cls) {
  case MAPO_VERDICT_FASTER: return plural ? "beat" : "beats";
  case MAPO_VERDICT_TIE: return plural ? "tie with" : "ties with";
  default: return plural ? "lose to" : "loses to";
  }
}

/* The CPU-bound row in C: threads against serial decide; MPI's ranks are told beside,
 * where they ran. */
static void cpu_verdict(mapo_compare_row *row, int processors) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, P = MAPO_COMPARE_PROCESSES };
  const mapo_verdict v = judge(row, T, S), mpi = judge(row, P, S);
  char *out = row->verdict;
  const size_t size = sizeof row->verdict;
  if (no_verdict(out, size, &row->judged, row->cells, "CPU-bound", 1u << S | 1u << T) ||
      busy(out, size, &row->judged, "CPU-bound", &v, &v))
    return;
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
  char ranks[48] = "", x[32], y[32];
  if (mpi.cls != MAPO_VERDICT_MISSING)
    snprintf(ranks, sizeof ranks, " (MPI ranks: %s)", mapo_verdict_ratio(y, sizeof y, mpi.ratio));
  row->judged = v.cls;
  snprintf(out, size,
           "CPU-bound: %s, %s serial on %d processors%s: %s. Async cannot help: one thread "
           "computes.",
           how[v.cls], mapo_verdict_ratio(x, sizeof x, v.ratio), processors, ranks, why[v.cls]);
}

/* Why Python's threads did what they did against its serial run. With the GIL, threads
 * cannot compute at once: a small win is drift between the runs (the GIL's own lesson),
 * a large one (MAPO_COMPARE_NO_GIL_RATIO) a Python that ran them at once. */
static const char *threads_why(const mapo_verdict *v) {
  switch (v->cls) {
  case MAPO_VERDICT_FASTER:
    return v->ratio >= MAPO_COMPARE_NO_GIL_RATIO
               ? "this Python ran them at once (one built without the GIL?)"
               : "yet the GIL lets one thread at a time run Python: the gap is the "
                 "machine's drift between the runs, not the threads' (rerun it)";
  case MAPO_VERDICT_TIE: return "the GIL lets one thread at a time run Python";
  default: return "the GIL lets one thread at a time run Python, and they queue for it";
  }
}

/* Why Python's processes did what they did against its serial run. */
static const char *processes_why(mapo_verdict_class cls) {
  switch (cls) {
  case MAPO_VERDICT_FASTER:
    return "each has an interpreter and a GIL of its own, hence the notebook's rule: "
           "processes for CPU-bound work";
  case MAPO_VERDICT_TIE:
    return "starting them and sending them the work cost what the other cores gave";
  default: return "starting them and sending them the work cost more than the other cores gave";
  }
}

/* One clause of the GIL lesson: how Python's `way` did against its serial run. */
static void gil_clause(char *buf, size_t size, const char *way, const mapo_verdict *v,
                       const char *why) {
  char x[32], words[96];
  if (v->cls == MAPO_VERDICT_MISSING)
    snprintf(buf, size, "%s: no time (see the notes)", way);
  else if (v->cls == MAPO_VERDICT_NOISY)
    snprintf(buf, size, "%s against serial: %s", way, mapo_verdict_busy(words, sizeof words, v));
  else
    snprintf(buf, size, "%s %s serial (%s serial): %s", way, verb_now(v->cls, 1),
             mapo_verdict_ratio(x, sizeof x, v->ratio), why);
}

/* The CPU-bound row in Python, the notebook's GIL lesson: threads against serial and
 * processes against serial, each worded from its own class. */
static void py_cpu_verdict(mapo_compare_row *row) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, P = MAPO_COMPARE_PROCESSES };
  const mapo_verdict t = judge_cells(&row->py[T], &row->py[S]);
  const mapo_verdict p = judge_cells(&row->py[P], &row->py[S]);
  if (no_verdict(row->py_verdict, sizeof row->py_verdict, &row->py_judged, row->py,
                 "CPU-bound in Python", 1u << S))
    return;
  char a[200], b[200];
  gil_clause(a, sizeof a, "threads", &t, threads_why(&t));
  gil_clause(b, sizeof b, "processes", &p, processes_why(p.cls));
  const int unsure = t.cls == MAPO_VERDICT_NOISY || p.cls == MAPO_VERDICT_NOISY;
  row->py_judged = unsure ? MAPO_VERDICT_NOISY : t.cls == MAPO_VERDICT_MISSING ? t.cls : p.cls;
  snprintf(row->py_verdict, sizeof row->py_verdict, "CPU-bound in Python: %s; %s.", a, b);
}

/* The I/O-bound row in C: async and threads, each against serial. */
static void io_verdict(mapo_compare_row *row) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, A = MAPO_COMPARE_ASYNC };
  const mapo_verdict a = judge(row, A, S), t = judge(row, T, S);
  char *out = row->verdict, x[32], y[32];
  const size_t size = sizeof row->verdict;
  if (no_verdict(out, size, &row->judged, row->cells, "I/O-bound", 1u << S | 1u << T | 1u << A) ||
      busy(out, size, &row->judged, "I/O-bound", &a, &t))
    return;
  /* Both must beat serial for the lesson's claim; the row's class is the weaker one's. */
  row->judged = a.cls == MAPO_VERDICT_FASTER ? t.cls : a.cls;
  mapo_verdict_ratio(x, sizeof x, a.ratio);
  mapo_verdict_ratio(y, sizeof y, t.ratio);
  if (a.cls == MAPO_VERDICT_FASTER && t.cls == MAPO_VERDICT_FASTER)
    snprintf(out, size,
             "I/O-bound: async on one thread beats serial (%s serial); threads beat serial too "
             "(%s serial): both overlap the waiting, and async needs no thread per order. Serial "
             "pays every latency in turn.",
             x, y);
  else
    snprintf(out, size,
             "I/O-bound: async on one thread %s serial (%s serial); threads %s serial (%s "
             "serial): the waiting was too short to hide, or the orders were not waited on.",
             verb_now(a.cls, 0), x, verb_now(t.cls, 1), y);
}

/* The I/O-bound row in Python: asyncio against a thread per order (its serial run would
 * only repeat the C row's every latency in turn). */
static void py_io_verdict(mapo_compare_row *row) {
  enum { T = MAPO_COMPARE_THREADS, A = MAPO_COMPARE_ASYNC };
  const mapo_verdict v = judge_cells(&row->py[A], &row->py[T]);
  char *out = row->py_verdict, x[32];
  const size_t size = sizeof row->py_verdict;
  const char *what = "I/O-bound in Python";
  if (no_verdict(out, size, &row->py_judged, row->py, what, 1u << T | 1u << A) ||
      busy(out, size, &row->py_judged, what, &v, &v))
    return;
  static const char *const why[] = {
      [MAPO_VERDICT_FASTER] = "no thread to start or switch to per order",
      [MAPO_VERDICT_TIE] = "a waiting thread lets go of the GIL, so threads wait together too",
      [MAPO_VERDICT_SLOWER] = "its one thread also did all the work between the waits",
  };
  row->py_judged = v.cls;
  snprintf(out, size, "%s: asyncio on one thread %s a thread per order (%s threads): %s.", what,
           verb_now(v.cls, 0), mapo_verdict_ratio(x, sizeof x, v.ratio), why[v.cls]);
}

/* The recipe, in C or in Python (cells): async against serial and against a thread per
 * chain. */
static void recipe_words(char *out, size_t size, mapo_verdict_class *judged,
                         const mapo_compare_cell *cells, const char *what) {
  enum { S = MAPO_COMPARE_SERIAL, T = MAPO_COMPARE_THREADS, A = MAPO_COMPARE_ASYNC };
  const mapo_verdict at = judge_cells(&cells[A], &cells[T]);
  const mapo_verdict as = judge_cells(&cells[A], &cells[S]), ts = judge_cells(&cells[T], &cells[S]);
  if (no_verdict(out, size, judged, cells, what, 1u << S | 1u << T | 1u << A) ||
      busy(out, size, judged, what, &at, &as))
    return;
  char x[32], y[32];
  mapo_verdict_ratio(x, sizeof x, as.ratio);
  *judged = as.cls != MAPO_VERDICT_FASTER ? as.cls : at.cls;
  if (as.cls != MAPO_VERDICT_FASTER)
    snprintf(out, size,
             "%s: async on one thread %s serial (%s serial); threads %s serial (%s serial): at "
             "this unit the waiting is too short to hide.",
             what, verb_now(as.cls, 0), x, verb_now(ts.cls, 1),
             mapo_verdict_ratio(y, sizeof y, ts.ratio));
  else
    snprintf(out, size,
             "%s waits more than it works: async on one thread beats serial (%s serial) and %s "
             "a thread per chain (%s threads)%s.",
             what, x, verb_now(at.cls, 0), mapo_verdict_ratio(y, sizeof y, at.ratio),
             at.cls == MAPO_VERDICT_SLOWER ? "" : ": be smart about waiting");
}

void mapo_compare_verdicts(mapo_compare *c) {
  cpu_verdict(&c->rows[MAPO_COMPARE_CPU], c->processors);
  py_cpu_verdict(&c->rows[MAPO_COMPARE_CPU]);
  io_verdict(&c->rows[MAPO_COMPARE_IO]);
  py_io_verdict(&c->rows[MAPO_COMPARE_IO]);
  mapo_compare_row *r = &c->rows[MAPO_COMPARE_RECIPE];
  recipe_words(r->verdict, sizeof r->verdict, &r->judged, r->cells, "The recipe");
  recipe_words(r->py_verdict, sizeof r->py_verdict, &r->py_judged, r->py, "The recipe in Python");
}

/* {"serial":...,...}: a number (or null) of each of the first n cells. */
static void json_numbers(FILE *f, const mapo_compare_cell *cells, int n, int which) {
  fputc('{', f);
  for (int c = 0; c < n; c++) {
    const mapo_compare_cell *cell = &cells[c];
    fprintf(f, "%s\"%s\":", c ? "," : "", column_names[c]);
    /* A range is known only beside a time: 0 (not reported) is null, like NAN. */
    const double v = which == 0 ? cell->seconds : which == 1 ? cell->min : cell->max;
    mapo_json_number(f, which == 0 || (timed(cell) && v > 0) ? v : NAN);
  }
  fputc('}', f);
}

/* {"serial":"...",...}: the texts of the first n cells that have one (note or command). */
static void json_texts(FILE *f, const mapo_compare_cell *cells, int n, int command) {
  fputc('{', f);
  for (int c = 0, k = 0; c < n; c++) {
    const char *text = command ? cells[c].command : cells[c].note;
    if (!text[0]) continue;
    fprintf(f, "%s\"%s\":", k++ ? "," : "", column_names[c]);
    mapo_json_string(f, text);
  }
  fputc('}', f);
}

/* The Python cells of a row: the same keys as the row's own, one level down. */
static void json_python(FILE *f, const mapo_compare_row *row) {
  fputs("{\"seconds\":", f);
  json_numbers(f, row->py, MAPO_COMPARE_WAYS, 0);
  fputs(",\"seconds_min\":", f);
  json_numbers(f, row->py, MAPO_COMPARE_WAYS, 1);
  fputs(",\"seconds_max\":", f);
  json_numbers(f, row->py, MAPO_COMPARE_WAYS, 2);
  fputs(",\"notes\":", f);
  json_texts(f, row->py, MAPO_COMPARE_WAYS, 0);
  fputs(",\"commands\":", f);
  json_texts(f, row->py, MAPO_COMPARE_WAYS, 1);
  fputs(",\"verdict\":", f);
  mapo_json_string(f, row->py_verdict);
  fputs(",\"verdict_class\":", f);
  mapo_json_string(f, mapo_verdict_name(row->py_judged));
  fputc('}', f);
}

static void json_row(FILE *f, const mapo_compare_row *row) {
  fputs("{\"workload\":", f);
  mapo_json_string(f, row->workload);
  fputs(",\"seconds\":", f);
  json_numbers(f, row->cells, MAPO_COMPARE_COLUMNS, 0);
  fputs(",\"notes\":", f);
  json_texts(f, row->cells, MAPO_COMPARE_COLUMNS, 0);
  fputs(",\"verdict\":", f);
  mapo_json_string(f, row->verdict);
  fputs(",\"verdict_class\":", f);
  mapo_json_string(f, mapo_verdict_name(row->judged));
  fputs(",\"seconds_min\":", f);
  json_numbers(f, row->cells, MAPO_COMPARE_COLUMNS, 1);
  fputs(",\"seconds_max\":", f);
  json_numbers(f, row->cells, MAPO_COMPARE_COLUMNS, 2);
  fputs(",\"commands\":", f);
  json_texts(f, row->cells, MAPO_COMPARE_COLUMNS, 1);
  fputs(",\"python\":", f);
  json_python(f, row);
  fputc('}', f);
}

int mapo_report_compare_json(FILE *f, const mapo_compare *c) {
  fprintf(f, "{\"processors\":%d,\"mpi_as_root\":%s", c->processors,
          c->mpi_ran && c->as_root ? "true" : "false");
  mapo_json_member(f, "base", c->base > 0 ? c->base : NAN);
  mapo_json_member(f, "python_base", c->python_base > 0 ? c->python_base : NAN);
  mapo_json_member(f, "repeat", c->repeat > 0 ? (double)c->repeat : NAN);
  fputs(",\"rows\":[", f);
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    fputs(r ? "," : "", f);
    json_row(f, &c->rows[r]);
  }
  fputs("]}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* The rows' names in the table and the notes: short, so that the table fits 80 columns
 * (the workloads in full are the JSON's). */
static const char *const row_names[MAPO_COMPARE_ROWS] = {"CPU-bound", "I/O-bound", "the recipe"};

static void text_cells(FILE *f, const char *name, const char *lang,
                       const mapo_compare_cell *cells) {
  char label[48];
  snprintf(label, sizeof label, "%s in %s", name, lang);
  fprintf(f, "  %-22s", label);
  for (int col = 0; col < MAPO_COMPARE_WAYS; col++) {
    char t[32];
    mapo_compare_format_time(t, sizeof t, cells[col].seconds);
    fprintf(f, " %11s", t);
  }
  fputc('\n', f);
}

/* 2 + 22 + 4 x 12 = 72 columns: the matrix fits a projector's 80 at any width asked. */
static void text_matrix(FILE *f, const mapo_compare *c) {
  fprintf(f, "  %-22s %11s %11s %11s %11s\n", "workload", "serial", "threads", "processes",
          "async");
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    text_cells(f, row_names[r], "C", c->rows[r].cells);
    text_cells(f, row_names[r], "Python", c->rows[r].py);
  }
}

/* One cell's note: what it is, the command that filled it and the range of its runs. */
static void text_note(FILE *f, int columns, const char *row, const char *lang, int col,
                      const mapo_compare_cell *cell) {
  if (!cell->note[0] && !cell->command[0]) return;
  char range[96] = "", lo[32], hi[32], text[1200];
  if (timed(cell) && cell->min > 0 && cell->max >= cell->min) {
    mapo_compare_format_time(lo, sizeof lo, cell->min);
    mapo_compare_format_time(hi, sizeof hi, cell->max);
    snprintf(range, sizeof range, " (runs from %s to %s)", lo, hi);
  }
  snprintf(text, sizeof text, "%s in %s, %s: %s%s%s%s", row, lang, column_names[col], cell->note,
           cell->note[0] && cell->command[0] ? "; " : "", cell->command[0] ? cell->command : "",
           range);
  mapo_report_paragraph(f, columns, "  - ", "    ", text);
}

static void text_notes(FILE *f, const mapo_compare *c, int columns) {
  fputs("\n  notes:\n", f);
  if (c->programs && c->programs[0]) mapo_report_paragraph(f, columns, "  - ", "    ", c->programs);
  if (c->mpi_ran) {
    char text[400];
    snprintf(text, sizeof text,
             "mpirun ran with OMPI_MCA_rmaps_base_oversubscribe=1 (more ranks than cores)%s",
             c->as_root ? " and OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, "
                          "because mapo runs as root and Open MPI refuses root otherwise"
                        : "");
    mapo_report_paragraph(f, columns, "  - ", "    ", text);
  }
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    for (int col = 0; col < MAPO_COMPARE_WAYS; col++)
      text_note(f, columns, row_names[r], "C", col, &c->rows[r].cells[col]);
    for (int col = 0; col < MAPO_COMPARE_WAYS; col++)
      text_note(f, columns, row_names[r], "Python", col, &c->rows[r].py[col]);
  }
}

/* The sizes the cells ran at, as a sentence. */
static void text_sizes(FILE *f, const mapo_compare *c, int columns) {
  char sums[160] = "", text[400];
  if (c->base > 0 && c->python_base > 0)
    snprintf(sums, sizeof sums, "sums: 20 numbers from n = %.0f in C, %.0f in Python; ", c->base,
             c->python_base);
  snprintf(text, sizeof text,
           "%sorders: %d, %d ms each; recipe: 1 unit = %g ms; threads: %d for the sums. Each "
           "time is the median of its runs (their range in the notes).",
           sums, c->requests, c->latency_ms, c->unit_ms, c->processors);
  mapo_report_paragraph(f, columns, "  ", "  ", text);
}

int mapo_report_compare_text_at(FILE *f, const mapo_compare *c, int columns) {
  char head[160];
  snprintf(head, sizeof head,
           "mapo compare: when to use which? Measured on this machine (%d processors).",
           c->processors);
  fputc('\n', f);
  mapo_report_paragraph(f, columns, "", "", head);
  fputc('\n', f);
  text_matrix(f, c);
  fputc('\n', f);
  text_sizes(f, c, columns);
  fputc('\n', f);
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    mapo_report_paragraph(f, columns, "  ", "    ", c->rows[r].verdict);
    if (c->rows[r].py_verdict[0])
      mapo_report_paragraph(f, columns, "  ", "    ", c->rows[r].py_verdict);
  }
  text_notes(f, c, columns);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_compare_text(FILE *f, const mapo_compare *c) {
  return mapo_report_compare_text_at(f, c, MAPO_REPORT_COLUMNS);
}
