/* wrap.c - sentences folded to the reader's width (mapo/report.h): every text report
 * writes its judging sentences and notes through mapo_report_paragraph, so that no line
 * runs past a projector's 80 columns, and on a wide terminal none is cut short.
 *
 * What to notice: width is counted in characters, not bytes (a UTF-8 name or the
 * degree sign is one column), and a word longer than the line (a path) is written
 * whole on a line of its own rather than cut.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/report.h"
#include "mapo/text.h"

/* Columns the n bytes at s take: one per character, one per byte that is not UTF-8. */
static int columns_of(const char *s, size_t n) {
  int cols = 0;
  for (size_t i = 0; i < n; cols++) {
    const int len = mapo_utf8_char(s + i, n - i, NULL);
    i += len > 0 ? (size_t)len : 1;
  }
  return cols;
}

int mapo_report_columns_of(const char *s) { return columns_of(s, strlen(s)); }

void mapo_report_paragraph(FILE *f, int columns, const char *first, const char *rest,
                           const char *text) {
  const int limit = columns > 0 ? columns : MAPO_REPORT_UNWRAPPED;
  int used = columns_of(first, strlen(first)), words = 0;
  fputs(first, f);
  for (const char *p = text; *p != '\0';) {
    if (*p == ' ' || *p == '\n') {
      p++;
      continue;
    }
    size_t n = strcspn(p, " \n");
    const int w = columns_of(p, n);
    if (words > 0 && used + 1 + w > limit) {
      fputc('\n', f);
      fputs(rest, f);
      used = columns_of(rest, strlen(rest));
      words = 0;
    }
    if (words > 0) {
      fputc(' ', f);
      used++;
    }
    fwrite(p, 1, n, f);
    used += w;
    words++;
    p += n;
  }
  fputc('\n', f);
}

int mapo_report_width(mapo_text_width w) {
  if (w.wide) return 0;
  return w.columns > 0 ? w.columns : MAPO_REPORT_COLUMNS;
}

void mapo_report_line(FILE *f, int columns, int indent, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  char *line = small;
  if ((size_t)n >= sizeof small) {
    line = malloc((size_t)n + 1);
    if (line == NULL) { /* written unfolded rather than not at all */
      va_start(ap, fmt);
      vfprintf(f, fmt, ap);
      va_end(ap);
      return;
    }
    va_start(ap, fmt);
    vsnprintf(line, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  line[strcspn(line, "\n")] = '\0'; /* one line: a trailing newline is the paragraph's */
  /* A line that fits is written as it is; a long one is broken at blanks, and the
   * blanks inside each piece are kept (aligned figures stay aligned). */
  if (indent > 64) indent = 64;
  const int limit = columns > 0 ? columns : MAPO_REPORT_UNWRAPPED;
  const char *p = line;
  int used = 0;
  while (*p != '\0') {
    const size_t gap = strspn(p, " ");
    const size_t len = strcspn(p + gap, " ");
    if (len == 0) break; /* trailing blanks */
    const int w = columns_of(p + gap, len);
    if (used > indent && used + (int)gap + w > limit) {
      fprintf(f, "\n%*s", indent, "");
      used = indent;
    } else {
      fwrite(p, 1, gap, f);
      used += (int)gap;
    }
    fwrite(p + gap, 1, len, f);
    used += w;
    p += gap + len;
  }
  fputc('\n', f);
  if (line != small) free(line);
}
