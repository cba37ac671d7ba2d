/* test_io.c - the I/O models' table and the report of a run: every row is complete and
 * findable, flags are taken or refused as the rows say (in their words), the defaults
 * of the width, the report's lines and keys for a synthetic result, and one real aio
 * run through the harness (the network models need the supplier: tests/cli/check_io.py).
 *
 * Run: ctest -R unit.test_io --output-on-failure  (or build/.../test_io)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static void test_table(void) {
  int n = 0;
  for (const mapo_io_model *m = mapo_io_models; m->name != NULL; m++, n++) {
    CU_ASSERT_PTR_EQUAL(mapo_io_model_find(m->name), m);
    CU_ASSERT(m->help != NULL && m->setup != NULL && m->run != NULL && m->teardown != NULL);
    CU_ASSERT(m->width_one != NULL && m->width_many != NULL && m->before_clock != NULL);
    CU_ASSERT(m->ideal != NULL && m->lesson != NULL && m->flags != NULL);
    if (!m->network) CU_ASSERT(m->how != NULL);
    if (m->baseline != NULL) CU_ASSERT(m->baseline_name && m->baseline_label && m->baseline_about);
    if (m->width == MAPO_IO_WIDTH_THREADS || m->width == MAPO_IO_WIDTH_CONNECTIONS)
      CU_ASSERT(m->width_default >= 1 && m->width_max >= m->width_default);
    /* Every flag a row takes, it takes; every flag it refuses, it refuses in its words. */
    for (const mapo_io_flag *f = m->flags; f->name != NULL; f++) {
      char why[160] = "";
      MAPO_ASSERT_INT(mapo_io_flag_check(m, f->name, why, sizeof why),
                      f->why == NULL ? 0 : MAPO_EINVAL);
      if (f->why != NULL) CU_ASSERT(strstr(why, f->why) != NULL);
    }
  }
  CU_ASSERT(n >= 4 && n <= MAPO_IO_MODELS_MAX);
  CU_ASSERT_PTR_NULL(mapo_io_model_find("nope"));
}

static void test_flags(void) {
  char why[160];
  const mapo_io_model *poll = mapo_io_model_find("poll"), *aio = mapo_io_model_find("aio");
  MAPO_ASSERT_INT(mapo_io_flag_check(poll, "threads", why, sizeof why), MAPO_EINVAL);
  CU_ASSERT_STRING_EQUAL(why, "--threads is for --model threads");
  MAPO_ASSERT_INT(mapo_io_flag_check(aio, "latency-ms", why, sizeof why), MAPO_EINVAL);
  CU_ASSERT_STRING_EQUAL(why, "--latency-ms: the aio model reads files and has no supplier");
  MAPO_ASSERT_INT(mapo_io_flag_check(poll, "dir", why, sizeof why), MAPO_EINVAL);
  CU_ASSERT_STRING_EQUAL(why, "--dir is for --model aio");
  /* A flag no row names is every model's. */
  for (const mapo_io_model *m = mapo_io_models; m->name != NULL; m++)
    MAPO_ASSERT_INT(mapo_io_flag_check(m, "requests", why, sizeof why), 0);
}

static void test_width(void) {
  mapo_io_opts o = {500, 10, 0, 0, 0, 4, NULL, 0};
  const mapo_io_model *threads = mapo_io_model_find("threads");
  MAPO_ASSERT_INT(mapo_io_opts_check(threads, &o, NULL, 0), 0);
  MAPO_ASSERT_INT(mapo_io_width(threads, &o), MAPO_IO_THREADS_DEFAULT);
  MAPO_ASSERT_NEAR(mapo_io_ideal_seconds(threads, &o), 2 * 0.010, 1e-12);
  mapo_io_opts p = {500, 10, 0, 0, 0, 4, NULL, 0};
  const mapo_io_model *poll = mapo_io_model_find("poll");
  MAPO_ASSERT_INT(mapo_io_opts_check(poll, &p, NULL, 0), 0);
  MAPO_ASSERT_INT(mapo_io_width(poll, &p), 500);
  char why[160];
  p.connections = 501;
  MAPO_ASSERT_INT(mapo_io_opts_check(poll, &p, why, sizeof why), MAPO_EINVAL);
  CU_ASSERT_STRING_EQUAL(why, "501 connections for 500 requests: a connection would have no order");
  CU_ASSERT(isnan(mapo_io_ideal_seconds(mapo_io_model_find("aio"), &o)));
}

/* A result as mapo_io_time would leave it, with round numbers. */
static mapo_io_result synthetic(const char *model, const double *runs) {
  mapo_io_result r;
  memset(&r, 0, sizeof r);
  r.model = mapo_io_model_find(model);
  r.opts = (mapo_io_opts){50, 5, 1, 0, 50, 4, NULL, 0};
  r.repeat = 2;
  r.verified = 1;
  r.seconds_runs = runs;
  r.baseline_runs = r.model->baseline ? runs : NULL;
  r.seconds = (mapo_spread){0.006, 0.006, 0.006, 2};
  r.baseline = (mapo_spread){0.001, 0.001, 0.001, 2};
  r.width = 50;
  r.answered = 100;
  r.ideal_seconds = r.model->network ? 0.005 : NAN;
  r.above_seconds = r.model->network ? 0.001 : 0.005;
  r.per_request_us = r.above_seconds / 50 * 1e6;
  return r;
}

static int has(const char *text, const char *part) { return strstr(text, part) != NULL; }

static char *report(const mapo_io_result *r, int json) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  MAPO_ASSERT_INT(
      json ? mapo_report_io_json(f, r) : mapo_report_io_text(f, r, (mapo_text_width){0, 1}), 0);
  fclose(f);
  return text;
}

static void test_report(void) {
  const double runs[2] = {0.006, 0.006};
  mapo_io_result r = synthetic("poll", runs);
  char *t = report(&r, 0);
  CU_ASSERT(has(t, "\nmapo io --model poll: 50 orders, the supplier answers each after 5 "
                   "ms\n"));
  CU_ASSERT(has(t, "  setup        50 connections, opened before the clock (a client with "
                   "keep-alive)\n"));
  CU_ASSERT(has(t, "  above ideal  1.000 ms in all, 20.00 us per order (median)\n"));
  CU_ASSERT(has(t, "  verified     all 100 orders of the timed runs came back right"));
  CU_ASSERT(has(t, "  loop         per run:"));
  free(t);
  t = report(&r, 1);
  CU_ASSERT(has(t, "\"connections\":50,\"threads\":1,") && has(t, "\"loop\":{"));
  CU_ASSERT(has(t, "\"verified\":true,\"answered\":100,\"wrong\":0"));
  free(t);
  r = synthetic("aio", runs);
  t = report(&r, 0);
  CU_ASSERT(has(t, "50 files of 4 KiB, read through POSIX aio on the event loop\n"));
  CU_ASSERT(has(t, "  read()       median 0.001000"));
  CU_ASSERT(has(t, "  aio - read   +5.000 ms in all, +100.00 us per file (medians)\n"));
  CU_ASSERT(has(t, "  glibc        ") && !has(t, "  ideal"));
  free(t);
  t = report(&r, 1);
  CU_ASSERT(has(t, "\"above_ideal_seconds\":null") && has(t, "\"read_seconds_runs\":["));
  CU_ASSERT(has(t, "\"file_kib\":4,\"files\":50") && !has(t, "\"latency_ms\""));
  free(t);
}

/* The harness end to end on the one model that needs no supplier. */
static void test_aio_run(void) {
  const mapo_io_model *m = mapo_io_model_find("aio");
  mapo_io_opts o = {8, 0, 0, 0, 0, 4, NULL, 0};
  double seconds[2], baseline[2];
  mapo_io_result r;
  int rc = mapo_io_time(m, &o, 2, seconds, baseline, &r);
  if (rc == -ENOTSUP) return; /* ThreadSanitizer builds refuse aio */
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT(r.verified);
  MAPO_ASSERT_INT(r.answered, 16);
  MAPO_ASSERT_INT(r.width, 8);
  MAPO_ASSERT_INT(r.seconds.n, 2);
  MAPO_ASSERT_INT(r.baseline.n, 2);
  CU_ASSERT(seconds[0] > 0 && baseline[0] > 0);
  MAPO_ASSERT_INT(r.loop.completions, 16); /* the warm-up's reads are not counted */
}

int main(void) {
  static const mapo_test tests[] = {
      {"every model's row is complete", test_table},
      {"flags taken and refused as the rows say", test_flags},
      {"the width's defaults and checks", test_width},
      {"the report of a synthetic run", test_report},
      {"aio through the harness", test_aio_run},
      {NULL, NULL},
  };
  return mapo_test_run("io", tests);
}
