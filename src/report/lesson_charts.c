/* lesson_charts.c - the lesson page's charts, inline SVG sized by a viewBox so that they
 * fill a projector's width and a printed page's alike: bars with their range, Gantt
 * charts that share one time axis, and the dead-lock's cycle. Every chart has a title
 * (its figcaption, and the SVG's aria-label) and axes that name their unit; the
 * sentence saying what to notice is the section's (mapo__notice). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "lesson_internal.h"

enum { WIDTH = 1000 };

void mapo__html(FILE *f, const char *text) { mapo__xml_text(f, text ? text : "", (size_t)-1); }

void mapo__notice(FILE *f, const char *text) {
  fputs("<p class=\"notice\"><b>Notice:</b> ", f);
  mapo__html(f, text);
  fputs("</p>\n", f);
}

void mapo__fig_open(FILE *f, const char *title, int width, int height) {
  fputs("<figure>\n<figcaption>", f);
  mapo__html(f, title);
  fprintf(f, "</figcaption>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height);
  mapo__html(f, title);
  fprintf(f, "\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", width, height);
}

void mapo__fig_close(FILE *f) { fputs("</svg>\n</figure>\n", f); }

/* Ticks along a horizontal axis at y from x0 (value 0) to x0 + len (value span), the
 * grid up to `top`, and the axis' name under it. */
static void x_axis(FILE *f, double x0, double len, int y, int top, double span, const char *name) {
  const double step = mapo__tick_step(span, 8);
  for (int i = 0; i * step <= span * (1 + 1e-9); i++) {
    const double x = x0 + i * step / span * len;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ccc\"/>", x, top, x, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"17\" text-anchor=\"middle\">%g</text>\n", x,
            y + 20, i * step);
  }
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" stroke-width=\"2\"/>",
          x0, y, x0 + len, y);
  fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"18\" text-anchor=\"middle\">", x0 + len / 2,
          y + 44);
  mapo__html(f, name);
  fputs("</text>\n", f);
}

void mapo__bars(FILE *f, const char *title, const char *axis, const lesson_bar *bars, int n) {
  const int left = 250, top = 10, row = 42, bar = 28, plot = WIDTH - left - 40;
  const int height = top + n * row + 60;
  double span = 0;
  for (int i = 0; i < n; i++) {
    const double hi = isfinite(bars[i].max) ? bars[i].max : bars[i].value;
    if (isfinite(hi) && hi > span) span = hi;
  }
  if (span <= 0) span = 1;
  span = ceil(span / mapo__tick_step(span, 8)) * mapo__tick_step(span, 8);
  mapo__fig_open(f, title, WIDTH, height);
  x_axis(f, left, plot, top + n * row, top, span, axis);
  for (int i = 0; i < n; i++) {
    const lesson_bar *b = &bars[i];
    const int y = top + i * row + (row - bar) / 2;
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"18\" text-anchor=\"end\">", left - 10,
            y + bar / 2 + 6);
    mapo__xml_text(f, b->label, 26);
    fputs("</text>", f);
    if (!isfinite(b->value)) {
      fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"16\" fill=\"#555\">not measured</text>\n",
              left + 8, y + bar / 2 + 6);
      continue;
    }
    const double w = b->value / span * plot;
    fprintf(f,
            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%g</title>"
            "</rect>",
            left, y, w > 1 ? w : 1, bar, b->accent ? "#c55a11" : "#5b9bd5", b->value);
    if (isfinite(b->min) && isfinite(b->max) && b->max > b->min) {
      const double x0 = left + b->min / span * plot, x1 = left + b->max / span * plot;
      fprintf(f,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" "
              "stroke-width=\"2\"/>",
              x0, y + bar / 2, x1, y + bar / 2);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"16\">%.3g</text>\n",
            left + (w > 1 ? w : 1) + 6, y + bar / 2 - 2, b->value);
  }
  mapo__fig_close(f);
}

void mapo__gantt(FILE *f, const lesson_gantt *g) {
  const int left = 110, top = 10, row = 34, bar = 26, plot = WIDTH - left - 30;
  const int height = top + g->rows * row + 60;
  const double span = g->axis_max > 0 ? g->axis_max : 1;
  mapo__fig_open(f, g->title, WIDTH, height);
  x_axis(f, left, plot, top + g->rows * row, top, span, g->axis);
  for (int r = 0; r < g->rows; r++) {
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"18\" text-anchor=\"end\">", left - 10,
            top + r * row + bar / 2 + 8);
    mapo__html(f, g->row_labels[r]);
    fputs("</text>\n", f);
  }
  for (int i = 0; i < g->nspans; i++) {
    const lesson_span *s = &g->spans[i];
    double x0 = left + s->start / span * plot, x1 = left + s->end / span * plot;
    if (x1 - x0 < 2) x1 = x0 + 2;
    const int y = top + s->row * row + (row - bar) / 2;
    fputs("<g><title>", f);
    mapo__html(f, s->label);
    fprintf(f, ": %.2f to %.2f</title>", s->start, s->end);
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\" "
            "stroke=\"%s\" stroke-width=\"%s\"/>",
            x0, y, x1 - x0, bar, s->critical ? "#f4b183" : "#9dc3e6",
            s->critical ? "#c00000" : "#41719c", s->critical ? "3" : "1");
    const size_t fits = (size_t)((x1 - x0 - 8) / 9);
    if (fits >= 3) {
      fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"15\">", x0 + 4, y + bar / 2 + 5);
      mapo__xml_text(f, s->label, fits - 2);
      fputs("</text>", f);
    }
    fputs("</g>\n", f);
  }
  if (isfinite(g->bound) && g->bound > 0) {
    const double x = left + g->bound / span * plot;
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" "
            "stroke-width=\"2\" stroke-dasharray=\"6,5\"/>\n",
            x, top, x, top + g->rows * row);
  }
  mapo__fig_close(f);
}

/* A box or a circle with its word in the middle. */
static void node(FILE *f, int x, int y, int cook, const char *word) {
  if (cook)
    fprintf(f,
            "<circle cx=\"%d\" cy=\"%d\" r=\"48\" fill=\"#dde6f3\" stroke=\"#2f5597\" "
            "stroke-width=\"3\"/>",
            x, y);
  else
    fprintf(f,
            "<rect x=\"%d\" y=\"%d\" width=\"130\" height=\"60\" rx=\"8\" fill=\"#fbe5d6\" "
            "stroke=\"#c55a11\" stroke-width=\"3\"/>",
            x - 65, y - 30);
  fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"20\" text-anchor=\"middle\">%s</text>\n", x,
          y + 7, word);
}

static void arrow(FILE *f, int x1, int y1, int x2, int y2, const char *word, int waits) {
  fprintf(f,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\" "
          "%smarker-end=\"url(#mapo-arrow)\"/>",
          x1, y1, x2, y2, waits ? "#c00000" : "#333", waits ? "stroke-dasharray=\"8,6\" " : "");
  fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\" text-anchor=\"%s\" fill=\"%s\">%s</text>\n",
          (x1 + x2) / 2 + (x1 == x2 ? 12 : 0), (y1 + y2) / 2 - (x1 == x2 ? -6 : 8),
          x1 == x2 ? "start" : "middle", waits ? "#c00000" : "#333", word);
}

void mapo__cycle(FILE *f, const char *title, long long deadlocked, long trials) {
  mapo__fig_open(f, title, WIDTH, 330);
  fputs("<defs><marker id=\"mapo-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
        "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n",
        f);
  node(f, 250, 70, 1, "cook 0");
  node(f, 750, 70, 0, "board");
  node(f, 750, 250, 1, "cook 1");
  node(f, 250, 250, 0, "knife");
  arrow(f, 250, 190, 250, 124, "held by", 0);   /* knife -> cook 0 */
  arrow(f, 300, 70, 680, 70, "waits for", 1);   /* cook 0 -> board */
  arrow(f, 750, 100, 750, 196, "held by", 0);   /* board -> cook 1 */
  arrow(f, 700, 250, 320, 250, "waits for", 1); /* cook 1 -> knife */
  fputs("<text x=\"500\" y=\"165\" font-size=\"18\" text-anchor=\"middle\">", f);
  if (trials > 0)
    fprintf(f, "the naive order dead-locked in %lld of %ld trials", deadlocked, trials);
  else
    fputs("each holds what the other waits for", f);
  fputs("</text>\n", f);
  mapo__fig_close(f);
}
