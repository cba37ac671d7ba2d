/* json.c - the JSON helpers every report writes with: strings escaped, numbers that
 * are not finite written as null (JSON has no NaN), members after the first. */
#include <math.h>
#include <stdio.h>

#include "mapo/report.h"

void mapo_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p == '\t')
      fputs("\\t", f);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

void mapo_json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.10g", v);
  else
    fputs("null", f);
}

void mapo_json_member(FILE *f, const char *key, double v) {
  fprintf(f, ",\"%s\":", key);
  mapo_json_number(f, v);
}
