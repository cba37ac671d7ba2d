/* svg.c - what every SVG chart shares (the cook's Gantt chart in cook_svg.c, the
 * scaling study's in scale.c): text made safe for XML (escaped, UTF-8, only characters XML
 * 1.0 allows; cut between characters), and round axis steps. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "mapo/text.h"

/* Whether XML 1.0 allows the character at all (its production Char): not the C0
 * controls but tab, newline and return, not U+FFFE and U+FFFF. Surrogates and what lies
 * above U+10FFFF are no UTF-8 to begin with. */
static int xml_char(uint32_t cp) {
  if (cp < 0x20) return cp == '\t' || cp == '\n' || cp == '\r';
  return cp != 0xfffe && cp != 0xffff;
}

void mapo__xml_text(FILE *f, const char *s, size_t max) {
  const char *end = s + strlen(s);
  size_t n = 0;
  for (; s < end && n < max; n++) {
    uint32_t cp = 0;
    int len = mapo_utf8_char(s, (size_t)(end - s), &cp);
    switch (len == 0 ? 0 : cp) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    default:
      /* What is not UTF-8, or not a character XML allows, becomes U+FFFD: a chart must
       * stay well-formed XML whatever bytes its text came with. */
      if (len == 0 || !xml_char(cp))
        fputs("\xef\xbf\xbd", f);
      else
        fwrite(s, 1, (size_t)len, f);
    }
    s += len ? len : 1;
  }
  if (s < end) fputs("..", f);
}

double mapo__tick_step(double span, int most) {
  double raw = span / most, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
  for (int i = 0; i < 3; i++) {
    double m = (double[]){1, 2, 5}[i] * p;
    if (m >= raw) return m;
  }
  return 10 * p;
}
