/* test_text.c - text as it enters mapo and as mapo writes it (mapo/text.h, issue 13):
 * UTF-8 checked by RFC 3629's table, cut only between characters, numbers strictly
 * decimal; the recipe parser refusing what is not UTF-8 with the line to blame; the JSON
 * and SVG writers turning any bytes into valid UTF-8 and XML characters.
 *
 * Run: ctest -R unit.test_text --output-on-failure  (or build/.../test_text)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "mapo/mapo.h"
#include "mapo_test.h"
#include "report/internal.h"

static int valid(const char *s) { return mapo_utf8_valid(s, strlen(s)) == strlen(s); }

static void test_utf8_valid(void) {
  CU_ASSERT(valid(""));
  CU_ASSERT(valid("plain ASCII, tabs\tand all"));
  CU_ASSERT(valid("Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\x9c")); /* é € 🍜 */
  CU_ASSERT(valid("\xef\xbf\xbe\xef\xbf\xbf\xf4\x8f\xbf\xbf"));  /* U+FFFE U+FFFF U+10FFFF */
  CU_ASSERT(!valid("Caf\xe9"));                                  /* Latin-1 é */
  CU_ASSERT(!valid("\xc3"));                                     /* cut in half */
  CU_ASSERT(!valid("\xe2\x82"));                                 /* cut in half */
  CU_ASSERT(!valid("\xc0\xaf"));                                 /* overlong '/' */
  CU_ASSERT(!valid("\xe0\x80\xaf"));                             /* overlong */
  CU_ASSERT(!valid("\xed\xa0\x80"));                             /* a surrogate */
  CU_ASSERT(!valid("\xf4\x90\x80\x80"));                         /* above U+10FFFF */
  CU_ASSERT(!valid("\xf8\x88\x80\x80\x80"));                     /* five bytes */
  CU_ASSERT(!valid("\x80"));                                     /* a lone continuation */
  MAPO_ASSERT_INT((int)mapo_utf8_valid("ab\xff"
                                       "cd",
                                       5),
                  2);
  uint32_t cp = 0;
  MAPO_ASSERT_INT(mapo_utf8_char("\xf0\x9f\x8d\x9c", 4, &cp), 4);
  MAPO_ASSERT_INT((int)cp, 0x1f35c);
  MAPO_ASSERT_INT(mapo_utf8_char("\xf0\x9f\x8d\x9c", 3, &cp), 0);
}

static void test_utf8_cut(void) {
  const char *s = "a\xc3\xa9\xe2\x82\xac"; /* a é € : 1 + 2 + 3 bytes */
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 100), 6);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 6), 6);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 5), 3);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 4), 3);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 3), 3);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 2), 1);
  MAPO_ASSERT_INT(mapo_utf8_cut(s, 0), 0);
  char t[16];
  strcpy(t, "a\xe2\x82");
  mapo_utf8_trim(t);
  CU_ASSERT_STRING_EQUAL(t, "a");
  strcpy(t, "a\xe2\x82\xac");
  mapo_utf8_trim(t);
  CU_ASSERT_STRING_EQUAL(t, "a\xe2\x82\xac");
  strcpy(t, "\xf0\x9f\x8d");
  mapo_utf8_trim(t);
  CU_ASSERT_STRING_EQUAL(t, "");
  /* A diagnostic too long for its buffer ends between characters. */
  mapo_diag d;
  char long_text[600];
  memset(long_text, 'x', 1);
  for (int i = 0; i < 199; i++) memcpy(long_text + 1 + 2 * i, "\xc3\xa9", 2);
  long_text[399] = '\0';
  mapo__diag(&d, 1, MAPO_EPARSE, "%s", long_text);
  CU_ASSERT(valid(d.msg));
  CU_ASSERT(strlen(d.msg) >= sizeof d.msg - 2);
  char first[64] = "";
  mapo__first(first, sizeof first, "%s", long_text);
  CU_ASSERT(valid(first));
}

static void test_decimal(void) {
  CU_ASSERT(mapo_is_decimal("5", 1));
  CU_ASSERT(mapo_is_decimal("-5", 1));
  CU_ASSERT(mapo_is_decimal("007", 1));
  CU_ASSERT(!mapo_is_decimal("+5", 1));
  CU_ASSERT(!mapo_is_decimal(" 5", 1));
  CU_ASSERT(!mapo_is_decimal("5 ", 1));
  CU_ASSERT(!mapo_is_decimal("0x10", 1));
  CU_ASSERT(!mapo_is_decimal("", 1));
  CU_ASSERT(!mapo_is_decimal("-", 1));
  CU_ASSERT(!mapo_is_decimal("1.5", 1));
  CU_ASSERT(mapo_is_decimal("1.5", 0));
  CU_ASSERT(mapo_is_decimal(".5", 0));
  CU_ASSERT(mapo_is_decimal("5.", 0));
  CU_ASSERT(mapo_is_decimal("1e3", 0));
  CU_ASSERT(mapo_is_decimal("-2.5E-3", 0));
  CU_ASSERT(!mapo_is_decimal(".", 0));
  CU_ASSERT(!mapo_is_decimal("1e", 0));
  CU_ASSERT(!mapo_is_decimal("0x10", 0));
  CU_ASSERT(!mapo_is_decimal("0x1p3", 0));
  CU_ASSERT(!mapo_is_decimal("inf", 0));
  CU_ASSERT(!mapo_is_decimal("nan", 0));
  CU_ASSERT(!mapo_is_decimal("+5", 0));
  CU_ASSERT(!mapo_is_decimal(" 5", 0));
}

/* Parse text; the code, and the diagnostic in d. */
static int parse(const char *text, mapo_diag *d) {
  mapo_recipe r;
  int rc = mapo_recipe_parse(&r, text, strlen(text), d);
  if (rc == 0) mapo_recipe_free(&r);
  return rc;
}

static void test_recipe(void) {
  mapo_diag d;
  MAPO_ASSERT_INT(parse("step a 1 wait\ntitle Caf\xe9\n", &d), MAPO_EPARSE);
  MAPO_ASSERT_INT(d.line, 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not valid UTF-8 (byte 0xe9 at column 10)"));
  MAPO_ASSERT_INT(parse("step a 1 wait says \xc3\n", &d), MAPO_EPARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not valid UTF-8"));
  MAPO_ASSERT_INT(parse("step a\xed\xa0\x80 1 wait\n", &d), MAPO_EPARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "not valid UTF-8"));
  /* A comment is never read: its bytes are its own. */
  MAPO_ASSERT_INT(parse("step a 1 wait # caf\xe9\n", &d), 0);
  MAPO_ASSERT_INT(
      parse("title Caf\xc3\xa9 \xf0\x9f\x8d\x9c <&\">\nstep a 1 wait says \xef\xbf\xbe\n", &d), 0);
  MAPO_ASSERT_INT(parse("utensil k 2\nstep a 1 wait uses *2\n", &d), MAPO_EPARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "'uses *2' names no utensil"));
  MAPO_ASSERT_INT(parse("utensil k 2\nstep a 1 wait uses k*\n", &d), MAPO_EPARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "no count after '*'"));
  const char *numbers[] = {"0x10", "+5", "1e", "inf", "0x1p3"};
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    char text[64];
    snprintf(text, sizeof text, "utensil k %s\nstep a 1 wait\n", numbers[i]);
    MAPO_ASSERT_INT(parse(text, &d), MAPO_EPARSE);
    snprintf(text, sizeof text, "step a %s wait\n", numbers[i]);
    MAPO_ASSERT_INT(parse(text, &d), MAPO_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "is not a number"));
  }
  MAPO_ASSERT_INT(parse("step a 2.5 wait\nrice a -5 0.5\n", &d), 0);
  /* A directive cut to 40 bytes in the message is cut between characters. */
  MAPO_ASSERT_INT(parse("x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                        "\xc3\xa9\xc3\xa9\xc3\xa9 1\n",
                        &d),
                  MAPO_EPARSE);
  CU_ASSERT(valid(d.msg));
}

/* What a writer printed for s, as one string (free it). */
static char *written(void (*write)(FILE *, const char *, size_t), const char *s, size_t max) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  write(f, s, max);
  fclose(f);
  return text;
}

static void json(FILE *f, const char *s, size_t max) {
  (void)max;
  mapo_json_string(f, s);
}

static void test_writers(void) {
  char *j = written(json, "a\"\\\n\x01 \xe9 \xc3\xa9 \xf0\x9f\x8d\x9c", 0);
  CU_ASSERT_STRING_EQUAL(j, "\"a\\\"\\\\\\n\\u0001 \xef\xbf\xbd \xc3\xa9 \xf0\x9f\x8d\x9c\"");
  free(j);
  char *x = written(mapo__xml_text, "<&\"> \xe9 \x01 \xef\xbf\xbe \xc3\xa9", SIZE_MAX);
  CU_ASSERT_STRING_EQUAL(x, "&lt;&amp;&quot;&gt; \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xc3\xa9");
  free(x);
  /* At most max characters, not bytes: the cut never falls inside one. */
  x = written(mapo__xml_text, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3);
  CU_ASSERT_STRING_EQUAL(x, "\xc3\xa9\xc3\xa9\xc3\xa9..");
  free(x);
}

/* A paragraph as mapo_report_paragraph folds it at `columns`, as one string (free it). */
static char *folded(int columns, const char *text) {
  char *out = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&out, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  mapo_report_paragraph(f, columns, "  ", "    ", text);
  fclose(f);
  return out;
}

static void test_paragraph(void) {
  char *p = folded(12, "one two three four");
  CU_ASSERT_STRING_EQUAL(p, "  one two\n    three\n    four\n");
  free(p);
  /* Characters, not bytes: six two-byte letters and a blank fit 12 columns with the lead. */
  p = folded(12, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9 x");
  CU_ASSERT_STRING_EQUAL(p, "  \xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9 x\n");
  free(p);
  /* A word longer than the line stands whole on its own line; blanks collapse. */
  p = folded(10, "a  /a/very/long/path b");
  CU_ASSERT_STRING_EQUAL(p, "  a\n    /a/very/long/path\n    b\n");
  free(p);
  p = folded(0, "never folded at all, however long the sentence runs on");
  CU_ASSERT_STRING_EQUAL(p, "  never folded at all, however long the sentence runs on\n");
  free(p);
  CU_ASSERT_EQUAL(mapo_report_columns_of("\xc2\xb0"
                                         "C ok"),
                  5);
}

/* mapo_report_line at `columns`, with the value column at 9, as one string (free it). */
static char *line_at(int columns, const char *text) {
  char *out = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&out, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  mapo_report_line(f, columns, 9, "  %-6s %s", "label", text);
  fclose(f);
  return out;
}

/* A line that fits keeps its spacing; a long one folds under its value column, keeping the
 * blanks inside each piece; the width a program asks for. */
static void test_line(void) {
  char *p = line_at(30, "1.0   2.0   3.0");
  CU_ASSERT_STRING_EQUAL(p, "  label  1.0   2.0   3.0\n");
  free(p);
  p = line_at(24, "1.0   2.0   3.0   (runs)");
  CU_ASSERT_STRING_EQUAL(p, "  label  1.0   2.0   3.0\n         (runs)\n");
  free(p);
  p = line_at(0, "1.0   2.0   3.0   (never folded at all, however long the line runs on)");
  CU_ASSERT_STRING_EQUAL(
      p, "  label  1.0   2.0   3.0   (never folded at all, however long the line runs on)\n");
  free(p);
  const mapo_text_width unset = {0, 0}, narrow = {60, 0}, wide = {60, 1};
  MAPO_ASSERT_INT(mapo_report_width(unset), MAPO_REPORT_COLUMNS);
  MAPO_ASSERT_INT(mapo_report_width(narrow), 60);
  MAPO_ASSERT_INT(mapo_report_width(wide), 0);
}

static void test_threads_probe(void) {
  MAPO_ASSERT_INT(mapo__threads_probe(1), 0);
  MAPO_ASSERT_INT(mapo__threads_probe(4), 0);
  MAPO_ASSERT_INT(mapo__threads_probe(2), 0); /* known to pass: not probed again */
  CU_ASSERT_STRING_EQUAL(mapo_err_name(MAPO_ETHREADS), "MAPO_ETHREADS");
}

int main(void) {
  static const mapo_test tests[] = {
      {"UTF-8: RFC 3629's table, overlong forms and surrogates refused", test_utf8_valid},
      {"cut and trimmed between characters, messages included", test_utf8_cut},
      {"numbers strictly decimal", test_decimal},
      {"recipes: UTF-8 with the line, uses *2, decimal numbers", test_recipe},
      {"JSON and SVG text: valid UTF-8 and XML characters whatever came in", test_writers},
      {"threads probed before a team", test_threads_probe},
      {"paragraphs folded to the reader's columns", test_paragraph},
      {"lines folded under their value column, spacing kept", test_line},
      {NULL, NULL}};
  return mapo_test_run("text", tests);
}
