/* scale.c - the reports of a scaling study (`mapo scale`): a text table, one JSON
 * object, CSV for a spreadsheet, and an SVG chart for a report or a slide.
 *
 * What to notice in all of them: the speedup follows the ideal line while every thread
 * has a processor of its own, and bends away from it past the processor count, where
 * threads only share cores and the efficiency falls like P/p (the notebook: "too much
 * load will strangle your system"). The Karp-Flatt column says whether what is lost is
 * a fixed serial part (a constant column) or overhead that grows with the threads.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/report.h"
#include "mapo/scale.h"

/* The numbers at point i: under weak scaling the work grows with the threads. */
static long long numbers_at(const mapo_scale_study *s, int i) {
  return (long long)s->numbers * (s->weak ? s->points[i].threads : 1);
}

/* 5000000 -> "5,000,000": sizes are read, not parsed, in titles and headings. */
static const char *grouped(uint64_t v, char buf[32]) {
  char digits[24];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, v), o = 0;
  for (int i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
  return buf;
}

static const char *law_name(const mapo_scale_fit *fit) {
  return fit->law == MAPO_LAW_AMDAHL ? "Amdahl" : "Gustafson";
}

/* The thread counts the fit used (a prefix of the points): all of them when few. */
static void used_counts(FILE *f, const mapo_scale_study *s) {
  int n = s->fit.points_used;
  if (n <= 8) {
    for (int i = 0; i < n; i++) fprintf(f, "%s%d", i ? ", " : "", s->points[i].threads);
  } else {
    fprintf(f, "%d to %d", s->points[0].threads, s->points[n - 1].threads);
  }
}

/* ---------------------------------------------------------------------------- verdict */

/* Point c against point b: under weak scaling b did fewer numbers, so its times are
 * scaled by the work before they are compared. */
static mapo_verdict against(const mapo_scale_study *s, int c, int b) {
  const mapo_scale_point *pc = &s->points[c], *pb = &s->points[b];
  const double k = s->weak ? (double)pc->threads / pb->threads : 1;
  const mapo_spread sc = {pc->seconds_median, pc->seconds_min, pc->seconds_max, s->repeat};
  const mapo_spread sb = {pb->seconds_median * k, pb->seconds_min * k, pb->seconds_max * k,
                          s->repeat};
  return mapo_verdict_of(&sc, &sb);
}

/* "Up to 2 threads ...": the most threads with a processor each against one thread. */
static mapo_verdict_class within(char *buf, size_t size, const mapo_scale_study *s, int one,
                                 int c) {
  const mapo_verdict v = against(s, c, one);
  const int p = s->points[c].threads;
  char x[32], busy[96];
  mapo_verdict_ratio(x, sizeof x, v.ratio);
  if (v.cls == MAPO_VERDICT_NOISY)
    snprintf(buf, size, "Up to %d threads: %s.", p, mapo_verdict_busy(busy, sizeof busy, &v));
  else if (v.cls == MAPO_VERDICT_FASTER)
    snprintf(buf, size,
             "Up to %d threads, each on a processor, the threads speed the work up "
             "(speedup %s against 1 thread).",
             p, x);
  else if (v.cls != MAPO_VERDICT_MISSING)
    snprintf(buf, size,
             "%d threads, each on a processor, are %s than 1 (speedup %s against "
             "1 thread): the threads wait on each other, or the cores were busy.",
             p, v.cls == MAPO_VERDICT_TIE ? "no faster" : "slower", x);
  return v.cls;
}

/* "Past 2 processors ...": the most threads against the most that had a processor each. */
static mapo_verdict_class past(char *buf, size_t size, const mapo_scale_study *s, int b, int c) {
  const mapo_verdict v = against(s, c, b);
  const int p = s->points[c].threads, q = s->points[b].threads, n = s->processors;
  char x[32], busy[96];
  mapo_verdict_ratio(x, sizeof x, v.ratio);
  if (v.cls == MAPO_VERDICT_NOISY)
    snprintf(buf, size, "Past %d processor%s: %s.", n, n == 1 ? "" : "s",
             mapo_verdict_busy(busy, sizeof busy, &v));
  else if (v.cls == MAPO_VERDICT_SLOWER)
    snprintf(buf, size,
             "Past %d processor%s the threads only share cores, and %d are slower "
             "than %d (speedup %s against %d threads): too much load will strangle your system "
             "(the notebook).",
             n, n == 1 ? "" : "s", p, q, x, q);
  else if (v.cls == MAPO_VERDICT_TIE)
    snprintf(buf, size,
             "Past %d processor%s the threads only share cores: %d are no faster "
             "than %d (speedup %s against %d threads), and the efficiency falls like %d/p.",
             n, n == 1 ? "" : "s", p, q, x, q, n);
  else if (v.cls == MAPO_VERDICT_FASTER)
    snprintf(buf, size,
             "Past %d processor%s %d threads are still faster than %d (speedup %s "
             "against %d threads): the cores were not all kept busy before.",
             n, n == 1 ? "" : "s", p, q, x, q);
  return v.cls;
}

mapo_verdict_class mapo_scale_verdict(char *buf, size_t size, const mapo_scale_study *s,
                                      const char *sep) {
  int one = -1, c = -1, out = -1;
  buf[0] = '\0';
  for (int i = 0; s->points != NULL && i < s->npoints; i++) {
    const int p = s->points[i].threads;
    if (p == 1) one = i;
    if (p > 1 && p <= s->processors && (c < 0 || p > s->points[c].threads)) c = i;
    if (p > s->processors && (out < 0 || p > s->points[out].threads)) out = i;
  }
  mapo_verdict_class cls = MAPO_VERDICT_MISSING;
  size_t used = 0;
  if (one >= 0 && c >= 0) {
    cls = within(buf, size, s, one, c);
    used = strlen(buf);
  }
  const int b = c >= 0 ? c : one;
  if (b >= 0 && out >= 0 && used + strlen(sep) < size) {
    if (used) used += (size_t)snprintf(buf + used, size - used, "%s", sep);
    cls = past(buf + used, size - used, s, b, out);
  }
  return cls;
}

/* ------------------------------------------------------------------------------ text */

/* The fit's sentence: which counts it used, the serial fraction, what it predicts. */
static void fit_text(FILE *f, int cols, const mapo_scale_study *s) {
  const mapo_scale_fit *fit = &s->fit;
  char text[1024];
  if (isnan(fit->serial_fraction)) {
    snprintf(text, sizeof text, "No %s fit: no point with 1 < threads <= %d processor%s.",
             law_name(fit), s->processors, s->processors == 1 ? "" : "s");
    mapo_report_paragraph(f, cols, "  ", "  ", text);
    return;
  }
  char *counts = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&counts, &len);
  if (mem == NULL) return;
  used_counts(mem, s);
  if (fclose(mem) != 0) { /* what was written is not to be trusted */
    free(counts);
    counts = NULL;
  }
  if (counts == NULL) return;
  size_t n = (size_t)snprintf(text, sizeof text,
                              "%s fit over threads %s (those with a processor each): serial "
                              "fraction %s = %.4f; ",
                              law_name(fit), counts, fit->law == MAPO_LAW_AMDAHL ? "f" : "s",
                              fit->serial_fraction);
  free(counts);
  if (n >= sizeof text) n = sizeof text - 1;
  if (fit->law == MAPO_LAW_GUSTAFSON)
    n += (size_t)snprintf(text + n, sizeof text - n, "the scaled speedup p - s(p-1) has no limit.");
  else if (isinf(fit->max_speedup))
    n +=
        (size_t)snprintf(text + n, sizeof text - n, "no serial part showed: Amdahl sets no limit.");
  else
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "no thread count can beat a speedup of %.1f (1/f).", fit->max_speedup);
  if (n < sizeof text) {
    if (fit->points_used == 2)
      snprintf(text + n, sizeof text - n,
               " One point above one thread decides it alone: what it predicts further out is "
               "a guess.");
    else
      snprintf(text + n, sizeof text - n, " rms error of the fit %.3f.", fit->rms_residual);
  }
  mapo_report_paragraph(f, cols, "  ", "  ", text);
}

/* The table: a column of numbers under weak scaling; narrow enough for 80 columns. */
static void table(FILE *f, const mapo_scale_study *s, double k, const char *unit, int *marked) {
  fprintf(f, "  %7s%s %9s %9s %9s %9s %10s %10s\n", "threads", s->weak ? "  numbers" : "", "median",
          "min", "max", s->weak ? "scaled" : "speedup", "efficiency", "Karp-Flatt");
  fprintf(f, "  %7s%s %9s %9s %9s %9s %10s %10s\n", "", s->weak ? "         " : "", unit, unit,
          unit, s->weak ? "speedup" : "", "", "e");
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    if (!*marked && q->threads > s->processors) {
      fprintf(f, "  ---- past %d processor%s: the threads below share cores ----\n", s->processors,
              s->processors == 1 ? "" : "s");
      *marked = 1;
    }
    fprintf(f, "  %7d", q->threads);
    if (s->weak) fprintf(f, " %8lld", numbers_at(s, i));
    fprintf(f, " %9.4f %9.4f %9.4f %9.3f %10.3f ", q->seconds_median * k, q->seconds_min * k,
            q->seconds_max * k, q->speedup, q->efficiency);
    if (isnan(q->karp_flatt))
      fprintf(f, "%10s\n", "-");
    else
      fprintf(f, "%10.4f\n", q->karp_flatt);
  }
}

int mapo_report_scale_text(FILE *f, const mapo_scale_study *s, mapo_text_width w) {
  const int cols = mapo_report_width(w);
  char b[32], text[1024];
  snprintf(text, sizeof text,
           "mapo scale --model %s: %s scaling, %d number%s%s from n = %s (split %s)", s->model,
           s->weak ? "weak" : "strong", s->numbers, s->numbers == 1 ? "" : "s",
           s->weak ? " per thread" : "", grouped(s->base, b), s->split);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "", "  ", text);
  snprintf(text, sizeof text,
           "median, min and max of %d timed run%s per thread count, each after its own "
           "warm-up; %d processor%s",
           s->repeat, s->repeat == 1 ? "" : "s", s->processors, s->processors == 1 ? "" : "s");
  mapo_report_paragraph(f, cols, "", "", text);

  /* Milliseconds unless the runs are long: three significant digits at least. */
  double fastest = INFINITY;
  for (int i = 0; i < s->npoints; i++)
    if (s->points[i].seconds_min < fastest) fastest = s->points[i].seconds_min;
  int in_ms = fastest < 1, marked = 0;
  fputc('\n', f);
  table(f, s, in_ms ? 1e3 : 1, in_ms ? "ms" : "s", &marked);
  fputc('\n', f);
  fit_text(f, cols, s);
  mapo_report_paragraph(f, cols, "  ", "  ",
                        "Karp-Flatt e is the serial fraction each point implies: constant, it is "
                        "a serial part; growing with the threads, it is overhead that grows with "
                        "them.");
  char verdict[768];
  mapo_scale_verdict(verdict, sizeof verdict, s, "\n");
  for (char *line = verdict, *next; *line != '\0'; line = next) {
    next = line + strcspn(line, "\n");
    if (*next == '\n') *next++ = '\0';
    mapo_report_paragraph(f, cols, "  ", "  ", line);
  }
  if (!marked) {
    snprintf(text, sizeof text,
             "No point went past the %d processor%s; --threads 1-%d shows what sharing cores "
             "costs.",
             s->processors, s->processors == 1 ? "" : "s", 4 * s->processors);
    mapo_report_paragraph(f, cols, "  ", "  ", text);
  }
  if (s->lesson) {
    snprintf(text, sizeof text, "%s: %s", s->model, s->lesson);
    fputc('\n', f);
    mapo_report_paragraph(f, cols, "  ", "  ", text);
  }
  char openmp[32] = "";
  if (s->openmp > 0) snprintf(openmp, sizeof openmp, ", OpenMP %d", s->openmp);
  mapo_report_line(f, cols, 13, "  built with %s, %s%s", mapo_build_compiler(), mapo_build_flags(),
                   openmp);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------ JSON */

static void fit_json(FILE *f, const mapo_scale_study *s) {
  fputs("{\"serial_fraction\":", f);
  mapo_json_number(f, s->fit.serial_fraction);
  mapo_json_member(f, "max_speedup", s->fit.max_speedup);
  mapo_json_member(f, "rms_residual", s->fit.rms_residual);
  fputs(",\"points_used\":[", f);
  for (int i = 0; i < s->fit.points_used; i++)
    fprintf(f, "%s%d", i ? "," : "", s->points[i].threads);
  fputs("]}", f);
}

int mapo_report_scale_json(FILE *f, const mapo_scale_study *s) {
  fputs("{\"model\":", f);
  mapo_json_string(f, s->model);
  fputs(",\"split\":", f);
  mapo_json_string(f, s->split);
  fprintf(f, ",\"weak\":%s,\"numbers\":%d,\"base\":%" PRIu64 ",\"repeat\":%d,\"processors\":%d",
          s->weak ? "true" : "false", s->numbers, s->base, s->repeat, s->processors);
  char verdict[768];
  const mapo_verdict_class cls = mapo_scale_verdict(verdict, sizeof verdict, s, " ");
  fputs(",\"verdict\":", f);
  mapo_json_string(f, verdict);
  fputs(",\"verdict_class\":", f);
  mapo_json_string(f, mapo_verdict_name(cls));
  if (s->lesson) {
    fputs(",\"lesson\":", f);
    mapo_json_string(f, s->lesson);
  }
  fputs(",\"points\":[", f);
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    fprintf(f, "%s{\"threads\":%d,\"numbers\":%lld", i ? "," : "", q->threads, numbers_at(s, i));
    mapo_json_member(f, "seconds_median", q->seconds_median);
    mapo_json_member(f, "seconds_min", q->seconds_min);
    mapo_json_member(f, "seconds_max", q->seconds_max);
    mapo_json_member(f, "speedup", q->speedup);
    mapo_json_member(f, "efficiency", q->efficiency);
    mapo_json_member(f, "karp_flatt", q->karp_flatt);
    fputc('}', f);
  }
  /* Each law under its own name, the other null: Amdahl's limit means nothing for a
   * problem that grows with the threads. */
  fputs("],\"amdahl\":", f);
  if (s->fit.law == MAPO_LAW_AMDAHL)
    fit_json(f, s);
  else
    fputs("null", f);
  fputs(",\"gustafson\":", f);
  if (s->fit.law == MAPO_LAW_GUSTAFSON)
    fit_json(f, s);
  else
    fputs("null", f);
  fprintf(f, ",\"openmp\":%d,\"environment\":", s->openmp);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------- CSV */

static void csv_number(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.9g", v);
}

int mapo_report_scale_csv(FILE *f, const mapo_scale_study *s) {
  fputs("threads,numbers,seconds_median,seconds_min,seconds_max,speedup,efficiency,"
        "karp_flatt\n",
        f);
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    const double v[] = {q->seconds_median, q->seconds_min, q->seconds_max,
                        q->speedup,        q->efficiency,  q->karp_flatt};
    fprintf(f, "%d,%lld", q->threads, numbers_at(s, i));
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
      fputc(',', f);
      csv_number(f, v[j]);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------- SVG */

/* One panel's frame: a y range, its place on the page. */
typedef struct panel {
  double top, height, ymax;
} panel;

enum { SVG_W = 860, LEFT = 78, RIGHT = 24, PLOT_W = SVG_W - LEFT - RIGHT };

static double px(double x, double xmax) { return LEFT + x / xmax * PLOT_W; }
static double py(const panel *p, double y) { return p->top + p->height * (1 - y / p->ymax); }

static void axes(FILE *f, const panel *p, double xmax, double xstep, const char *ylabel,
                 int xlabels) {
  double ystep = mapo__tick_step(p->ymax, 6);
  /* Integer indices, each tick its multiple of the step: no error summed over the ticks. */
  for (int i = 0; i * ystep <= p->ymax + 1e-9; i++) {
    const double y = i * ystep;
    fprintf(f,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
            "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n",
            LEFT, py(p, y), LEFT + PLOT_W, py(p, y), LEFT - 6, py(p, y) + 4, y);
  }
  for (int i = 0; i * xstep <= xmax + 1e-9; i++) {
    const double x = i * xstep;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
            px(x, xmax), p->top, px(x, xmax), p->top + p->height);
    if (xlabels)
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
              px(x, xmax), p->top + p->height + 16, x);
  }
  fprintf(f,
          "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"none\" "
          "stroke=\"#888\"/>\n",
          LEFT, p->top, PLOT_W, p->height);
  double cy = p->top + p->height / 2;
  fprintf(f,
          "<text x=\"24\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
          "transform=\"rotate(-90 24 %.1f)\">%s</text>\n",
          cy, cy, ylabel);
}

/* The measured curve: a line through the medians, a bar from the slowest to the
 * fastest run, a dot per point with its figures in a tooltip. */
static void curve(FILE *f, const mapo_scale_study *s, const panel *p, double xmax, int eff,
                  const char *color) {
  double t1 = s->points[0].seconds_median;
  fputs("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"", f);
  fputs(color, f);
  fputs("\" points=\"", f);
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    fprintf(f, "%s%.1f,%.1f", i ? " " : "", px(q->threads, xmax),
            py(p, eff ? q->efficiency : q->speedup));
  }
  fputs("\"/>\n", f);
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    double scale = s->weak ? q->threads : 1, div = eff ? q->threads : 1;
    double lo = scale * t1 / q->seconds_max / div, hi = scale * t1 / q->seconds_min / div;
    double x = px(q->threads, xmax);
    fprintf(f,
            "<g><title>%d thread%s: speedup %.3f, efficiency %.3f, median %.6g s "
            "(min %.6g, max %.6g)</title>",
            q->threads, q->threads == 1 ? "" : "s", q->speedup, q->efficiency, q->seconds_median,
            q->seconds_min, q->seconds_max);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x,
            py(p, lo), x, py(p, hi), color);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/></g>\n", x,
            py(p, eff ? q->efficiency : q->speedup), color);
  }
}

int mapo_report_scale_svg(FILE *f, const mapo_scale_study *s) {
  const mapo_scale_fit *fit = &s->fit;
  int pmax = s->points[s->npoints - 1].threads;
  double xmax = pmax > s->processors ? pmax : s->processors;
  double xstep = xmax <= 16 ? 1 : mapo__tick_step(xmax, 16);
  xmax = ceil(xmax / xstep) * xstep;

  /* The speedup panel holds the ideal line to the last point, every measured run and
   * the fit; the efficiency panel at least 0..1.2 so that 1 (ideal) sits inside it. */
  double smax = pmax, emax = 1.2;
  for (int i = 0; i < s->npoints; i++) {
    const mapo_scale_point *q = &s->points[i];
    double hi = (s->weak ? q->threads : 1) * s->points[0].seconds_median / q->seconds_min;
    if (hi > smax) smax = hi;
    if (hi / q->threads > emax) emax = hi / q->threads;
  }
  panel sp = {104, 300, 0}, ep = {sp.top + sp.height + 34, 150, 0};
  sp.ymax = ceil(smax * 1.05 / mapo__tick_step(smax * 1.05, 6)) * mapo__tick_step(smax * 1.05, 6);
  ep.ymax = ceil(emax / mapo__tick_step(emax, 4)) * mapo__tick_step(emax, 4);
  int height = (int)(ep.top + ep.height) + 58;

  char b[32];
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n",
          SVG_W, height, SVG_W, height);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, height);
  fputs("<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\">mapo scale: ", f);
  mapo__xml_text(f, s->model, SIZE_MAX);
  fprintf(f, ", %s scaling, %d number%s%s from n = %s</text>\n", s->weak ? "weak" : "strong",
          s->numbers, s->numbers == 1 ? "" : "s", s->weak ? " per thread" : "",
          grouped(s->base, b));
  fputs("<text x=\"16\" y=\"46\" font-size=\"13\" fill=\"#444\">split ", f);
  mapo__xml_text(f, s->split, SIZE_MAX);
  fprintf(f, ", median of %d run%s per point (bars: fastest to slowest), %d processor%s", s->repeat,
          s->repeat == 1 ? "" : "s", s->processors, s->processors == 1 ? "" : "s");
  if (!isnan(fit->serial_fraction)) {
    fprintf(f, "; %s fit: %s = %.4f", law_name(fit), fit->law == MAPO_LAW_AMDAHL ? "f" : "s",
            fit->serial_fraction);
    if (fit->law == MAPO_LAW_AMDAHL && isfinite(fit->max_speedup))
      fprintf(f, ", at most %.1fx", fit->max_speedup);
  }
  fputs("</text>\n", f);

  /* Past the processors: shaded in both panels, so the eye finds the knee. */
  if (s->processors < xmax) {
    double x0 = px(s->processors, xmax);
    const panel *both[] = {&sp, &ep};
    for (int i = 0; i < 2; i++)
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n",
              x0, both[i]->top, LEFT + PLOT_W - x0, both[i]->height);
  }
  axes(f, &sp, xmax, xstep, s->weak ? "scaled speedup p T1 / Tp" : "speedup T1 / Tp", 0);
  axes(f, &ep, xmax, xstep, "efficiency", 1);
  fprintf(f,
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">threads "
          "(p)%s</text>\n",
          LEFT + PLOT_W / 2.0, ep.top + ep.height + 36, s->weak ? ", numbers growing with p" : "");

  /* The ideal: S = p, and efficiency 1. */
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
          "stroke-dasharray=\"6,4\"/>\n",
          px(1, xmax), py(&sp, 1), px(pmax, xmax), py(&sp, pmax));
  fprintf(f,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\" "
          "stroke-dasharray=\"6,4\"/>\n",
          LEFT, py(&ep, 1), LEFT + PLOT_W, py(&ep, 1));

  /* The best that P processors allow: min(p, P), efficiency min(1, P/p). Past the
   * processors the measured curve follows this, not the ideal. */
  if (s->processors < pmax) {
    fprintf(f,
            "<polyline fill=\"none\" stroke=\"#7030a0\" stroke-width=\"1\" "
            "stroke-dasharray=\"1,3\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
            px(1, xmax), py(&sp, 1), px(s->processors, xmax), py(&sp, s->processors),
            px(pmax, xmax), py(&sp, s->processors));
    fputs("<polyline fill=\"none\" stroke=\"#7030a0\" stroke-width=\"1\" "
          "stroke-dasharray=\"1,3\" points=\"",
          f);
    for (int k = 0; k <= 100; k++) {
      double p = s->processors + (pmax - s->processors) * k / 100.0;
      fprintf(f, "%s%.1f,%.1f", k ? " " : "", px(p, xmax), py(&ep, s->processors / p));
    }
    fputs("\"/>\n", f);
  }

  /* The fitted law, over the whole range: where it leaves the points past the
   * processors is what sharing cores costs beyond any serial part. */
  if (!isnan(fit->serial_fraction)) {
    fputs("<polyline fill=\"none\" stroke=\"#c55a11\" stroke-width=\"1.5\" "
          "stroke-dasharray=\"2,3\" points=\"",
          f);
    for (int k = 0; k <= 200; k++) {
      double p = 1 + (pmax - 1) * k / 200.0;
      double v = fit->law == MAPO_LAW_AMDAHL ? mapo_scale_amdahl(fit->serial_fraction, p)
                                             : mapo_scale_gustafson(fit->serial_fraction, p);
      fprintf(f, "%s%.1f,%.1f", k ? " " : "", px(p, xmax), py(&sp, v));
    }
    fputs("\"/>\n", f);
  }

  /* The processor count: a marker through both panels. */
  if (s->processors <= xmax) {
    double x = px(s->processors, xmax);
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#7030a0\" "
            "stroke-width=\"1.5\"/>\n",
            x, sp.top - 6, x, ep.top + ep.height);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#7030a0\" "
            "text-anchor=\"%s\">%d processor%s%s</text>\n",
            x + (s->processors < xmax ? 4 : -4), sp.top - 8, s->processors < xmax ? "start" : "end",
            s->processors, s->processors == 1 ? "" : "s",
            s->processors < xmax ? ": past here threads share cores" : "");
  }

  curve(f, s, &sp, xmax, 0, "#2e75b6");
  curve(f, s, &ep, xmax, 1, "#2e75b6");

  /* The legend: a row between the heading and the chart, where it hides nothing. */
  double lx = LEFT, ly = 70;
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2e75b6\" "
          "stroke-width=\"2\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#2e75b6\"/>"
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">measured (median)</text>\n",
          lx, ly - 4, lx + 24, ly - 4, lx + 12, ly - 4, lx + 30, ly);
  lx += 160;
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
          "stroke-dasharray=\"6,4\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">ideal "
          "(speedup = p, efficiency = 1)</text>\n",
          lx, ly - 4, lx + 24, ly - 4, lx + 30, ly);
  lx += 250;
  if (s->processors < pmax) {
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#7030a0\" "
            "stroke-dasharray=\"1,3\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">"
            "best on %d processor%s</text>\n",
            lx, ly - 4, lx + 24, ly - 4, lx + 30, ly, s->processors, s->processors == 1 ? "" : "s");
    lx += 172;
  }
  if (!isnan(fit->serial_fraction))
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c55a11\" "
            "stroke-width=\"1.5\" stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%.1f\" "
            "font-size=\"12\">%s fit, p &lt;= %d</text>\n",
            lx, ly - 4, lx + 24, ly - 4, lx + 30, ly, law_name(fit), s->processors);
  fputs("</svg>\n", f);
  return ferror(f) ? -EIO : 0;
}

/* ---------------------------------------------------------------------------- files */

int mapo_report_scale_csv_writer(FILE *f, const void *study) {
  return mapo_report_scale_csv(f, study);
}

int mapo_report_scale_svg_writer(FILE *f, const void *study) {
  return mapo_report_scale_svg(f, study);
}
