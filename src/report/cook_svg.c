/* cook_svg.c - a cooking run's Gantt chart for a slide (`mapo cook --svg`): a row per
 * cook, steps labelled, the time axis in units (milliseconds when a unit is 0 ms), the
 * path that decided the makespan drawn in red, and the lower bound as a dashed line.
 * The SVG helpers it shares with the other charts are in svg.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/report_cook.h"

/* Where things go: margins and rows in pixels, the time axis in units (ms when a unit
 * is 0 ms), long enough for the makespan and the bound. */
typedef struct frame {
  int left, top, row, bar, plot, width, height, workers, in_units;
  double per;   /* nanoseconds per axis unit */
  double bound; /* in axis units; 0 when a unit is 0 ms */
  double span;  /* the axis' length, in axis units */
} frame;

static frame frame_of(const mapo_kitchen *k, const mapo_cook_summary *s) {
  frame g = {.left = 90, .top = 64, .row = 34, .bar = 24, .plot = 860};
  const int right = 30;
  g.workers = mapo__cook_workers(k);
  g.width = g.left + g.plot + right;
  g.height = g.top + g.workers * g.row + 70;
  g.in_units = k->unit_ns > 0;
  g.per = g.in_units ? k->unit_ns : 1e6;
  g.bound = g.in_units ? s->bound_units : 0;
  g.span = (double)k->makespan_ns / g.per;
  if (g.bound > g.span) g.span = g.bound;
  if (g.span <= 0) g.span = 1;
  return g;
}

/* The x coordinate of time v (axis units). */
static double x_at(const frame *g, double v) { return g->left + v / g->span * g->plot; }

/* The SVG's opening, the title and the line of figures under it. */
static void heading(FILE *f, const frame *g, const mapo_cook_model *m, const mapo_kitchen *k,
                    const mapo_cook_summary *s) {
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n",
          g->width, g->height, g->width, g->height);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", g->width, g->height);
  fputs("<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\">", f);
  mapo__xml_text(f, k->recipe->title, 60);
  fprintf(f, ": %s, %d cook%s</text>\n", m->name, s->cooks, s->cooks == 1 ? "" : "s");
  fputs("<text x=\"16\" y=\"46\" font-size=\"13\" fill=\"#444\">", f);
  if (g->in_units)
    fprintf(f, "makespan %.2f units, lower bound %.2f, dispatch %.3f ms", s->makespan_units,
            s->bound_units, s->dispatch_ms);
  else
    fprintf(f, "makespan %.3f ms for %d steps at 0 ms a unit", s->makespan_ms, k->recipe->nsteps);
  if (!isnan(s->rice_temperature)) fprintf(f, ", rice %.1f degrees", s->rice_temperature);
  fputs("</text>\n", f);
}

/* The time axis with its grid, the bound as a dashed line, and a label per cook. */
static void axis(FILE *f, const frame *g) {
  const int axis_y = g->top + g->workers * g->row + 8;
  const double step = mapo__tick_step(g->span, 12);
  /* An integer index, each tick its multiple of the step: no error summed over the ticks. */
  for (int i = 0; i * step <= g->span + 1e-9; i++) {
    const double v = i * step;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x_at(g, v),
            g->top - 4, x_at(g, v), axis_y);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
            x_at(g, v), axis_y + 16, v);
  }
  fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">time (%s)</text>\n",
          g->left + g->plot / 2.0, axis_y + 34, g->in_units ? "units" : "ms");
  if (g->in_units && g->bound > 0)
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" "
            "stroke-dasharray=\"5,4\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
            "text-anchor=\"end\">bound %g</text>\n",
            x_at(g, g->bound), g->top - 10, x_at(g, g->bound), axis_y, x_at(g, g->bound) - 3,
            g->top - 12, g->bound);
  for (int w = 0; w < g->workers; w++)
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">cook %d</text>\n",
            g->left - 10, g->top + w * g->row + g->bar / 2 + 5, w);
}

/* Step t as a bar on its cook's row, with a tooltip, and its words when they fit. */
static void step_bar(FILE *f, const frame *g, const mapo_kitchen *k, int t, int on_path) {
  const mapo_slot *sl = &k->slots[t];
  const mapo_step *st = &k->recipe->steps[t];
  double x0 = x_at(g, (double)sl->start_ns / g->per), x1 = x_at(g, (double)sl->end_ns / g->per);
  if (x1 - x0 < 1) x1 = x0 + 1;
  int y = g->top + sl->worker * g->row;
  fprintf(f, "<g><title>");
  mapo__xml_text(f, st->says, 200);
  fprintf(f, " (%s): %.3f to %.3f %s</title>", st->name, (double)sl->start_ns / g->per,
          (double)sl->end_ns / g->per, g->in_units ? "units" : "ms");
  fprintf(f,
          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\" "
          "stroke=\"%s\" stroke-width=\"%s\"/>",
          x0, y, x1 - x0, g->bar, st->kind == MAPO_HANDS ? "#f4b183" : "#9dc3e6",
          on_path ? "#c00000" : "#41719c", on_path ? "2.5" : "1");
  size_t fits = (size_t)((x1 - x0 - 6) / 6.5);
  if (fits >= 3) {
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">", x0 + 4, y + g->bar / 2 + 4);
    mapo__xml_text(f, st->says, fits - 2);
    fputs("</text>", f);
  }
  fputs("</g>\n", f);
}

/* What the colours and the red outline mean, along the bottom. */
static void legend(FILE *f, const frame *g) {
  const int ly = g->height - 12, left = g->left;
  fprintf(f,
          "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"#9dc3e6\" "
          "stroke=\"#41719c\"/>"
          "<text x=\"%d\" y=\"%d\" font-size=\"11\">wait (the cook is free)</text>\n",
          left, ly - 9, left + 18, ly);
  fprintf(f,
          "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"#f4b183\" "
          "stroke=\"#41719c\"/>"
          "<text x=\"%d\" y=\"%d\" font-size=\"11\">hands (the cook is busy)</text>\n",
          left + 170, ly - 9, left + 188, ly);
  fprintf(f,
          "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"white\" stroke=\"#c00000\" "
          "stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">the path that decided "
          "the makespan</text>\n",
          left + 350, ly - 9, left + 368, ly);
}

int mapo_report_svg(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                    const mapo_cook_summary *s) {
  char *on_path = mapo__cook_on_path(k, s);
  if (on_path == NULL) return -ENOMEM;
  const frame g = frame_of(k, s);
  heading(f, &g, m, k, s);
  axis(f, &g);
  for (int t = 0; t < k->recipe->nsteps; t++)
    if (k->slots[t].worker >= 0) step_bar(f, &g, k, t, on_path[t]);
  legend(f, &g);
  fputs("</svg>\n", f);
  free(on_path);
  return ferror(f) ? -EIO : 0;
}
