/* json.c - the JSON helpers every report writes with: strings escaped and always UTF-8,
 * numbers that are not finite written as null (JSON has no NaN), members after the
 * first. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mapo/report.h"
#include "mapo/text.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, the replacement character */

void mapo_json_string(FILE *f, const char *s) {
  fputc('"', f);
  const char *end = s + strlen(s);
  for (const char *at = s; at < end;) {
    const unsigned char c = (unsigned char)*at;
    if (c >= 0x80) {
      /* A path from the command line is bytes: what is not UTF-8 becomes U+FFFD, so that
       * the document stays JSON (RFC 8259 wants UTF-8) whatever it quotes. */
      int len = mapo_utf8_char(at, (size_t)(end - at), NULL);
      if (len == 0)
        fputs(REPLACEMENT, f);
      else
        fwrite(at, 1, (size_t)len, f);
      at += len ? len : 1;
      continue;
    }
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
    at++;
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
