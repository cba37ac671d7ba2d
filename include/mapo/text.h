/* mapo/text.h - text as it enters mapo and as mapo writes it: UTF-8 checked, cut only
 * between characters, numbers strictly decimal.
 *
 * Notice that mapo checks text where it enters (a recipe's every line, a flag's number)
 * and the writers (JSON, SVG) still make whatever reaches them safe for their format:
 * a path from the command line is bytes, not text, and is written, not refused.
 */
#ifndef MAPO_TEXT_H
#define MAPO_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The length of the valid UTF-8 character (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF) at the start of the n bytes at s, 1 to 4, its code point in
 * *cp (may be NULL); 0 when the bytes are not one, or n is 0. */
int mapo_utf8_char(const char *s, size_t n, uint32_t *cp);

/* How many of the n bytes at s are valid UTF-8 from the start: n when all are. */
size_t mapo_utf8_valid(const char *s, size_t n);

/* The longest prefix of the NUL-terminated s, at most max bytes, that does not end
 * inside a character: for "%.*s" instead of "%.Ns", which can cut one in half. */
int mapo_utf8_cut(const char *s, size_t max);

/* Remove from the end of s (NUL-terminated) a character cut in half, as snprintf
 * leaves one when the text did not fit. */
void mapo_utf8_trim(char *s);

/* Whether s is a decimal number as mapo reads them: digits, an optional '-' before
 * them and, unless whole, a fraction (.5, 2.5) and an exponent (1e3). No '+', no
 * blank, no hexadecimal (0x10), no inf or nan: what strtod would take beyond that is
 * refused. */
int mapo_is_decimal(const char *s, int whole);

/* How wide a report's text may be, as a program asks (a report takes one, see
 * mapo_report_width in report.h): zero-initialised, it folds to 80 columns
 * (MAPO_REPORT_COLUMNS) with the narrow tables. */
typedef struct mapo_text_width {
  int columns; /* fold sentences to this many columns; 0 or less: MAPO_REPORT_COLUMNS */
  int wide;    /* nonzero (--wide): nothing folded, and the long tables */
} mapo_text_width;

#endif
