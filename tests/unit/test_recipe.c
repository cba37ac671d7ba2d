/* test_recipe.c - the recipe module: the text format (every feature, every error and
 * the line it is reported on), the built-in recipe, work/span/width/bounds on DAGs
 * worked out by hand, the sections shape, and the generator.
 *
 * Run: ctest -R unit.test_recipe --output-on-failure  (or build/.../test_recipe)
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

/* Parse text; return the code and leave the diagnostic in *d. */
static int parse(const char *text, mapo_recipe *r, mapo_diag *d) {
  return mapo_recipe_parse(r, text, strlen(text), d);
}

/* Expect text to fail with code on line, the message containing `says`. */
static void expect_error(const char *text, int code, int line, const char *says) {
  mapo_recipe r;
  mapo_diag d;
  int rc = parse(text, &r, &d);
  if (rc != code || d.line != line || strstr(d.msg, says) == NULL)
    fprintf(stderr, "\n  for %.60s...: got %d (%s) line %d '%s', want %d line %d '%s'\n", text, rc,
            mapo_err_name(rc), d.line, d.msg, code, line, says);
  MAPO_ASSERT_INT(rc, code);
  MAPO_ASSERT_INT(d.line, line);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, says));
  CU_ASSERT_EQUAL(r.nsteps, 0); /* nothing half-built is left */
  mapo_recipe_free(&r);
}

static void test_builtin(void) {
  mapo_recipe r;
  mapo_recipe_stats s;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  MAPO_ASSERT_INT(r.nsteps, 8);
  CU_ASSERT_STRING_EQUAL(r.title, "Mapo Tofu");
  for (int i = 0; i < r.nsteps; i++) CU_ASSERT_EQUAL(r.steps[i].kind, MAPO_WAIT);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_NEAR(s.work, 23, 0);
  MAPO_ASSERT_NEAR(s.span, 9, 0);
  MAPO_ASSERT_INT(s.width, 3);
  MAPO_ASSERT_NEAR(s.parallelism, 23.0 / 9.0, 1e-12);
  const char *path[] = {"wash-rice", "boil-rice", "mix-oil-meat", "serve"};
  MAPO_ASSERT_INT(s.npath, 4);
  for (int i = 0; i < 4 && i < s.npath; i++)
    CU_ASSERT_STRING_EQUAL(r.steps[s.path[i]].name, path[i]);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 1), 23, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 2), 11.5, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 3), 9, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_HANDS, 1), 9, 0);
  /* The rice: boiled by boil-rice at 80 degrees, 2 lost a unit. */
  CU_ASSERT_STRING_EQUAL(r.steps[r.rice].name, "boil-rice");
  MAPO_ASSERT_NEAR(r.rice_temp, 80, 0);
  MAPO_ASSERT_NEAR(r.rice_rate, 2, 0);
  /* The serial order is the order written. */
  for (int i = 0; i < r.nsteps; i++) MAPO_ASSERT_INT(r.order[i], i);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
}

/* Every feature of the format at once: comments, blank lines, CRLF, tabs, forward
 * references, utensils with counts, says, hands, fractional units, rice. */
static void test_format_features(void) {
  const char *text =
      "# a comment line\r\n"
      "\r\n"
      "title  A test   kitchen  \r\n"
      "step c 1.5 hands after a b uses knife burner*2 says Stirring, gently  # comment\r\n"
      "\tstep a 1 wait   # defined after its use\n"
      "step b 0.25 wait uses burner\n"
      "utensil knife 1\n"
      "utensil burner 2\n"
      "rice a 90.5 1.25\n";
  mapo_recipe r;
  mapo_diag d;
  int rc = parse(text, &r, &d);
  if (rc) fprintf(stderr, "\n  line %d: %s\n", d.line, d.msg);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_STRING_EQUAL(r.title, "A test   kitchen");
  MAPO_ASSERT_INT(r.nsteps, 3);
  MAPO_ASSERT_INT(r.nutensils, 2);
  int c = mapo_recipe_find(&r, "c"), a = mapo_recipe_find(&r, "a"), b = mapo_recipe_find(&r, "b");
  CU_ASSERT_FATAL(a >= 0 && b >= 0 && c >= 0);
  MAPO_ASSERT_INT(mapo_recipe_find(&r, "nope"), -1);
  const mapo_step *sc = &r.steps[c];
  CU_ASSERT_EQUAL(sc->kind, MAPO_HANDS);
  MAPO_ASSERT_NEAR(sc->units, 1.5, 0);
  CU_ASSERT_STRING_EQUAL(sc->says, "Stirring, gently");
  MAPO_ASSERT_INT(sc->npred, 2);
  MAPO_ASSERT_INT(sc->nuse, 2);
  MAPO_ASSERT_INT(sc->use[1].count, 2);
  CU_ASSERT_STRING_EQUAL(r.utensils[sc->use[1].utensil].name, "burner");
  CU_ASSERT_STRING_EQUAL(r.steps[a].says, "a"); /* no says: the name */
  MAPO_ASSERT_INT(r.lines[c], 4);
  MAPO_ASSERT_INT(r.steps[a].nsucc, 1);
  MAPO_ASSERT_INT(r.rice, a);
  MAPO_ASSERT_NEAR(r.rice_temp, 90.5, 0);
  /* Topological order, ties in written order: a, b before c. */
  MAPO_ASSERT_INT(r.order[2], c);

  /* Written back and read again: the same recipe. */
  char *t;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_format(&r, &t, NULL), 0);
  mapo_recipe r2;
  CU_ASSERT_EQUAL_FATAL(parse(t, &r2, &d), 0);
  char *t2;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_format(&r2, &t2, NULL), 0);
  CU_ASSERT_STRING_EQUAL(t, t2);
  free(t);
  free(t2);
  mapo_recipe_free(&r2);
  mapo_recipe_free(&r);
}

static void test_errors(void) {
  expect_error("step a 1 wait after nope\n", MAPO_EPARSE, 1, "unknown step 'nope'");
  expect_error("step a 1 wait\nstep a 2 wait\n", MAPO_EPARSE, 2, "duplicate step 'a'");
  expect_error("step a 1 wait after b\nstep b 1 wait after a\n", MAPO_ECYCLE, 1,
               "cycle: a -> b -> a");
  expect_error("step a 1 wait after c\nstep b 1 wait after a\nstep c 1 wait after b\n", MAPO_ECYCLE,
               1, "cycle: a -> b -> c -> a");
  expect_error("step a 1 wait after a\n", MAPO_ECYCLE, 1, "itself");
  expect_error("step a abc wait\n", MAPO_EPARSE, 1, "not a number");
  expect_error("step a 1x wait\n", MAPO_EPARSE, 1, "not a number");
  expect_error("step a nan wait\n", MAPO_EPARSE, 1, "not a number");
  expect_error("step a inf wait\n", MAPO_EPARSE, 1, "not a number");
  expect_error("\nstep a -1 wait\n", MAPO_EPARSE, 2, "below");
  expect_error("step a 1e9 wait\n", MAPO_EPARSE, 1, "absurd");
  expect_error("step a 1 sleep\n", MAPO_EPARSE, 1, "neither wait nor hands");
  expect_error("step a 1\n", MAPO_EPARSE, 1, "needs a name, a duration and a kind");
  expect_error("step a 1 wait uses pan\n", MAPO_EPARSE, 1, "unknown utensil 'pan'");
  expect_error("utensil pan 1\nstep a 1 wait uses pan*2\n", MAPO_EPARSE, 2, "needs 2 pan");
  expect_error("utensil pan 1\nstep a 1 wait uses pan pan\n", MAPO_EPARSE, 2, "twice");
  expect_error("utensil pan 1\nutensil pan 2\n", MAPO_EPARSE, 2, "duplicate utensil");
  expect_error("utensil pan 0\n", MAPO_EPARSE, 1, "below 1");
  expect_error("utensil pan 1.5\n", MAPO_EPARSE, 1, "whole number");
  expect_error("utensil pan\n", MAPO_EPARSE, 1, "utensil NAME COUNT");
  expect_error("stepp a 1 wait\n", MAPO_EPARSE, 1, "unknown directive 'stepp'");
  expect_error("step after 1 wait\n", MAPO_EPARSE, 1, "keyword");
  expect_error("step a/b 1 wait\n", MAPO_EPARSE, 1, "'/'");
  expect_error("step a 1 wait after\n", MAPO_EPARSE, 1, "at least one name");
  expect_error("step a 1 wait after b after b\n", MAPO_EPARSE, 1, "twice");
  expect_error("step b 1 wait\nstep a 1 wait after b b\n", MAPO_EPARSE, 2, "twice");
  expect_error("step a 1 wait then\n", MAPO_EPARSE, 1, "unexpected 'then'");
  expect_error("step a 1 wait says\n", MAPO_EPARSE, 1, "words");
  expect_error("title x\ntitle y\nstep a 1 wait\n", MAPO_EPARSE, 2, "second title");
  expect_error("step a 1 wait\nrice b 80 2\n", MAPO_EPARSE, 2, "unknown step 'b'");
  expect_error("step a 1 wait\nrice a 80\n", MAPO_EPARSE, 2, "rice STEP");
  expect_error("step a 1 wait\nrice a 80 -2\n", MAPO_EPARSE, 2, "below");
  expect_error("step a 1 wait\nrice a 80 2\nrice a 80 2\n", MAPO_EPARSE, 3, "second rice");
  expect_error("", MAPO_EEMPTY, 1, "empty");
  expect_error("# only\n# comments\n\n", MAPO_EEMPTY, 3, "empty");
  expect_error("step a 1 wait\nstep b 1 w\001it\n", MAPO_EPARSE, 2, "binary");
  char name[100];
  memset(name, 'x', sizeof name);
  name[99] = '\0';
  char longname[200];
  snprintf(longname, sizeof longname, "step %s 1 wait\n", name);
  expect_error(longname, MAPO_EPARSE, 1, "longer than");

  /* A NUL byte in the middle of a line. */
  mapo_recipe r;
  mapo_diag d;
  const char nul[] = "step a 1 wait\nstep b\0 1 wait\n";
  MAPO_ASSERT_INT(mapo_recipe_parse(&r, nul, sizeof nul - 1, &d), MAPO_EPARSE);
  MAPO_ASSERT_INT(d.line, 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "0x00"));

  /* A line over the limit. */
  size_t n = MAPO_LINE_MAX + 10;
  char *big = malloc(n + 64);
  CU_ASSERT_FATAL(big != NULL);
  strcpy(big, "step a 1 wait\nstep b 1 wait says ");
  size_t at = strlen(big);
  memset(big + at, 'y', n);
  big[at + n] = '\0';
  MAPO_ASSERT_INT(parse(big, &r, &d), MAPO_ELIMIT);
  MAPO_ASSERT_INT(d.line, 2);
  free(big);
}

static void test_step_limit(void) {
  /* One step over the limit: rejected, on the line of the extra step. */
  size_t cap = (size_t)(MAPO_STEPS_MAX + 1) * 24;
  char *text = malloc(cap);
  CU_ASSERT_FATAL(text != NULL);
  size_t len = 0;
  for (int i = 0; i <= MAPO_STEPS_MAX; i++)
    len += (size_t)snprintf(text + len, cap - len, "step s%d 0 wait\n", i);
  mapo_recipe r;
  mapo_diag d;
  MAPO_ASSERT_INT(mapo_recipe_parse(&r, text, len, &d), MAPO_ELIMIT);
  MAPO_ASSERT_INT(d.line, MAPO_STEPS_MAX + 1);
  free(text);
}

static void test_load(void) {
  mapo_recipe r;
  mapo_diag d;
  MAPO_ASSERT_INT(mapo_recipe_load(&r, "/nonexistent/recipe", &d), -ENOENT);
  MAPO_ASSERT_INT(d.line, 0);
  CU_ASSERT(mapo_recipe_load(&r, "/", &d) < 0); /* a folder */
  CU_ASSERT_EQUAL(r.nsteps, 0);
  MAPO_ASSERT_INT(mapo_recipe_parse(NULL, "", 0, &d), MAPO_EINVAL);
  CU_ASSERT_STRING_EQUAL(mapo_err_name(MAPO_ECYCLE), "MAPO_ECYCLE");
  CU_ASSERT_PTR_NOT_NULL(strstr(mapo_strerror(MAPO_ECYCLE), "cycle"));
  CU_ASSERT_PTR_NOT_NULL(mapo_strerror(-ENOENT));
}

/* mapo_recipe_read: the bytes mapo_recipe_load parses (mapo-mpi's rank 0 reads them
 * once and every rank parses them), with its errors; an empty file is "", not NULL. */
static void test_read(void) {
  char path[] = "/tmp/mapo-test-read-XXXXXX";
  const int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  const char *text = mapo_recipe_builtin_text();
  CU_ASSERT_EQUAL_FATAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  char *got = NULL;
  size_t len = 0;
  mapo_diag d;
  MAPO_ASSERT_INT(mapo_recipe_read(path, &got, &len, &d), 0);
  CU_ASSERT_EQUAL(len, strlen(text));
  CU_ASSERT(got != NULL && strcmp(got, text) == 0);
  free(got);
  CU_ASSERT_EQUAL_FATAL(truncate(path, 0), 0);
  MAPO_ASSERT_INT(mapo_recipe_read(path, &got, &len, &d), 0);
  CU_ASSERT(got != NULL && len == 0 && got[0] == '\0');
  free(got);
  unlink(path);
  MAPO_ASSERT_INT(mapo_recipe_read("/nonexistent/recipe", &got, &len, &d), -ENOENT);
  CU_ASSERT_PTR_NULL(got);
  MAPO_ASSERT_INT(d.line, 0);
  MAPO_ASSERT_INT(mapo_recipe_read(NULL, &got, &len, &d), MAPO_EINVAL);
}

/* Diamond: a(1) -> b(2), c(3) -> d(1). Work 7, span 5 (a c d), width 2. */
static void test_diamond(void) {
  mapo_recipe r;
  mapo_recipe_stats s;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(parse("step a 1 wait\nstep b 2 wait after a\nstep c 3 hands after a\n"
                              "step d 1 wait after b c\n",
                              &r, &d),
                        0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_NEAR(s.work, 7, 0);
  MAPO_ASSERT_NEAR(s.hands_work, 3, 0);
  MAPO_ASSERT_NEAR(s.span, 5, 0);
  MAPO_ASSERT_INT(s.width, 2);
  MAPO_ASSERT_INT(s.npath, 3);
  CU_ASSERT_STRING_EQUAL(r.steps[s.path[1]].name, "c");
  MAPO_ASSERT_NEAR(s.earliest[3], 4, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 1), 7, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 2), 5, 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_HANDS, 1), 5, 0);
  mapo_chains c;
  MAPO_ASSERT_INT(mapo_recipe_chains(&r, &c, &d), MAPO_ESHAPE); /* a forks: not chains */
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
}

/* Utensils bound the makespan: three 2-unit steps on one knife take 6 units however
 * many cooks there are; with two knives, 4 (ceil is not the bound: 3 steps * 2 / 2 = 3,
 * so the bound is max(span 2, 3) = 3). */
static void test_utensil_bound(void) {
  mapo_recipe r;
  mapo_recipe_stats s;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(parse("utensil knife 1\nstep a 2 hands uses knife\n"
                              "step b 2 hands uses knife\nstep c 2 hands uses knife\n",
                              &r, &d),
                        0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_INT(s.width, 3);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 3), 6, 0);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  CU_ASSERT_EQUAL_FATAL(parse("utensil knife 2\nstep a 2 hands uses knife\n"
                              "step b 2 hands uses knife\nstep c 2 hands uses knife\n",
                              &r, &d),
                        0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_NEAR(mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, 3), 3, 0);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
}

/* Width counts steps that overlap in time, not steps that merely touch; a zero-length
 * step counts at its instant. */
static void test_width(void) {
  mapo_recipe r;
  mapo_recipe_stats s;
  mapo_diag d;
  /* x(2) then y(2); z(4) alongside: width 2. Two zero-length steps at t=2 make it 4. */
  CU_ASSERT_EQUAL_FATAL(parse("step x 2 wait\nstep y 2 wait after x\nstep z 4 wait\n", &r, &d), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_INT(s.width, 2);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  CU_ASSERT_EQUAL_FATAL(parse("step x 2 wait\nstep y 2 wait after x\nstep z 4 wait\n"
                              "step p 0 wait after x\nstep q 0 wait after x\n",
                              &r, &d),
                        0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_INT(s.width, 4);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  /* A chain: width 1, parallelism 1. */
  CU_ASSERT_EQUAL_FATAL(parse("step x 2 wait\nstep y 3 wait after x\n", &r, &d), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  MAPO_ASSERT_INT(s.width, 1);
  MAPO_ASSERT_NEAR(s.parallelism, 1, 0);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
}

static void test_chains(void) {
  mapo_recipe r;
  mapo_chains c;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_chains(&r, &c, &d), 0);
  MAPO_ASSERT_INT(c.nchains, 3);
  MAPO_ASSERT_INT(c.len[0], 2);
  MAPO_ASSERT_INT(c.ntail, 2);
  CU_ASSERT_STRING_EQUAL(r.steps[c.tail[0]].name, "mix-oil-meat");
  CU_ASSERT_STRING_EQUAL(r.steps[c.steps[c.first[2]]].name, "fry-meat");
  mapo_chains_free(&c);
  mapo_recipe_free(&r);
  /* Independent chains with no tail are fine; a tail that forks is not. */
  CU_ASSERT_EQUAL_FATAL(parse("step a 1 wait\nstep b 1 wait after a\nstep c 1 wait\n", &r, &d), 0);
  CU_ASSERT_EQUAL(mapo_recipe_chains(&r, &c, &d), 0);
  MAPO_ASSERT_INT(c.nchains, 2);
  MAPO_ASSERT_INT(c.ntail, 0);
  mapo_chains_free(&c);
  mapo_recipe_free(&r);
  CU_ASSERT_EQUAL_FATAL(parse("step a 1 wait\nstep b 1 wait\nstep j 1 wait after a b\n"
                              "step x 1 wait after j\nstep y 1 wait after j\n",
                              &r, &d),
                        0);
  MAPO_ASSERT_INT(mapo_recipe_chains(&r, &c, &d), MAPO_ESHAPE);
  mapo_recipe_free(&r);
}

static void test_generate(void) {
  char *t1, *t2, *t3;
  size_t n1, n2, n3;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_generate(&t1, &n1, 3000, 42), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_generate(&t2, &n2, 3000, 42), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_generate(&t3, &n3, 3000, 43), 0);
  CU_ASSERT(n1 == n2 && memcmp(t1, t2, n1) == 0); /* reproducible */
  CU_ASSERT(n1 != n3 || memcmp(t1, t3, n1) != 0); /* the seed matters */
  mapo_recipe r;
  mapo_recipe_stats s;
  mapo_diag d;
  int rc = mapo_recipe_parse(&r, t1, n1, &d);
  if (rc) fprintf(stderr, "\n  generated recipe, line %d: %s\n", d.line, d.msg);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  MAPO_ASSERT_INT(r.nsteps, 3000);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_analyze(&r, &s), 0);
  CU_ASSERT(s.width > 1 && s.span < s.work);
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  MAPO_ASSERT_INT(mapo_recipe_generate(&t3, &n3, 0, 1), MAPO_EINVAL);
  free(t1);
  free(t2);
  free(t3);
}

int main(void) {
  static const mapo_test tests[] = {
      {"built-in recipe is the notebook's", test_builtin},
      {"every feature of the format", test_format_features},
      {"every error, on its line", test_errors},
      {"step limit", test_step_limit},
      {"loading files", test_load},
      {"reading a file's bytes", test_read},
      {"diamond: work, span, bound", test_diamond},
      {"utensils bound the makespan", test_utensil_bound},
      {"width", test_width},
      {"fork-join chains for sections", test_chains},
      {"generated recipes", test_generate},
      {NULL, NULL},
  };
  return mapo_test_run("recipe", tests);
}
