/* svg.c - what every SVG chart shares (the cook's Gantt chart in cook_svg.c, the
 * scaling study's in scale.c): text made safe for XML, and round axis steps. */
#include <math.h>
#include <stdio.h>

#include "internal.h"

void mapo__xml_text(FILE *f, const char *s, size_t max) {
  /* Characters are counted, not bytes: a cut after a byte count could fall inside a
   * UTF-8 sequence and leave the chart invalid XML (tests/fuzz/fuzz_cook.c found it). A
   * continuation byte (10xxxxxx) belongs to the character already counted. */
  size_t n = 0;
  for (; *s; s++) {
    if (((unsigned char)*s & 0xC0) != 0x80 && n++ == max) break;
    switch (*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
  }
  if (*s) fputs("..", f);
}

double mapo__tick_step(double span, int most) {
  double raw = span / most, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
  for (int i = 0; i < 3; i++) {
    double m = (double[]){1, 2, 5}[i] * p;
    if (m >= raw) return m;
  }
  return 10 * p;
}
