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

int mapo_report_svg(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                    const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  const int workers = mapo__cook_workers(k);
  char *on_path = mapo__cook_on_path(k, s);
  if (on_path == NULL) return -ENOMEM;

  const int left = 90, right = 30, top = 64, row = 34, bar = 24;
  const int plot = 860, width = left + plot + right, height = top + workers * row + 70;
  int in_units = k->unit_ns > 0;
  double per = in_units ? k->unit_ns : 1e6; /* nanoseconds per axis unit */
  double bound = in_units ? s->bound_units : 0;
  double span = (double)k->makespan_ns / per;
  if (bound > span) span = bound;
  if (span <= 0) span = 1;
#define X(v) (left + (v) / span * plot)

  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n",
          width, height, width, height);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height);
  fputs("<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\">", f);
  mapo__xml_text(f, r->title, 60);
  fprintf(f, ": %s, %d cook%s</text>\n", m->name, s->cooks, s->cooks == 1 ? "" : "s");
  fputs("<text x=\"16\" y=\"46\" font-size=\"13\" fill=\"#444\">", f);
  if (in_units)
    fprintf(f, "makespan %.2f units, lower bound %.2f, dispatch %.3f ms", s->makespan_units,
            s->bound_units, s->dispatch_ms);
  else
    fprintf(f, "makespan %.3f ms for %d steps at 0 ms a unit", s->makespan_ms, r->nsteps);
  if (!isnan(s->rice_temperature)) fprintf(f, ", rice %.1f degrees", s->rice_temperature);
  fputs("</text>\n", f);

  /* Axis and grid. */
  int axis_y = top + workers * row + 8;
  double step = mapo__tick_step(span, 12);
  for (double v = 0; v <= span + 1e-9; v += step) {
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", X(v), top - 4,
            X(v), axis_y);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
            X(v), axis_y + 16, v);
  }
  fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">time (%s)</text>\n",
          left + plot / 2.0, axis_y + 34, in_units ? "units" : "ms");
  if (in_units && bound > 0)
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" "
               "stroke-dasharray=\"5,4\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
               "text-anchor=\"end\">bound %g</text>\n",
            X(bound), top - 10, X(bound), axis_y, X(bound) - 3, top - 12, bound);

  for (int w = 0; w < workers; w++)
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">cook %d</text>\n",
            left - 10, top + w * row + bar / 2 + 5, w);
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    const mapo_step *st = &r->steps[t];
    if (sl->worker < 0) continue;
    double x0 = X(sl->start_ns / per), x1 = X(sl->end_ns / per);
    if (x1 - x0 < 1) x1 = x0 + 1;
    int y = top + sl->worker * row;
    fprintf(f, "<g><title>");
    mapo__xml_text(f, st->says, 200);
    fprintf(f, " (%s): %.3f to %.3f %s</title>", st->name, sl->start_ns / per, sl->end_ns / per,
            in_units ? "units" : "ms");
    fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\" "
               "stroke=\"%s\" stroke-width=\"%s\"/>",
            x0, y, x1 - x0, bar, st->kind == MAPO_HANDS ? "#f4b183" : "#9dc3e6",
            on_path[t] ? "#c00000" : "#41719c", on_path[t] ? "2.5" : "1");
    size_t fits = (size_t)((x1 - x0 - 6) / 6.5);
    if (fits >= 3) {
      fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">", x0 + 4, y + bar / 2 + 4);
      mapo__xml_text(f, st->says, fits - 2);
      fputs("</text>", f);
    }
    fputs("</g>\n", f);
  }
  int ly = height - 12;
  fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"#9dc3e6\" stroke=\"#41719c\"/>"
             "<text x=\"%d\" y=\"%d\" font-size=\"11\">wait (the cook is free)</text>\n",
          left, ly - 9, left + 18, ly);
  fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"#f4b183\" stroke=\"#41719c\"/>"
             "<text x=\"%d\" y=\"%d\" font-size=\"11\">hands (the cook is busy)</text>\n",
          left + 170, ly - 9, left + 188, ly);
  fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"white\" stroke=\"#c00000\" "
             "stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">the path that decided "
             "the makespan</text>\n",
          left + 350, ly - 9, left + 368, ly);
  fputs("</svg>\n", f);
#undef X
  free(on_path);
  return ferror(f) ? -EIO : 0;
}
