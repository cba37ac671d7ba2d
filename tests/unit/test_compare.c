/* test_compare.c - `mapo compare`'s report (src/report/compare.c) on a matrix made up
 * here: the verdicts worded from synthetic numbers, a missing cell as "n/a" in the text
 * and null in the JSON with its note beside it, and the notes on mpirun's variables.
 *
 * Run: ctest -R unit.test_compare --output-on-failure  (or build/.../test_compare)
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

/* Every C cell measured, serial twice as slow as threads and ten times async; no MPI;
 * the Python column left out. */
static void make(mapo_compare *c) {
  static const char *const names[MAPO_COMPARE_ROWS] = {"sums", "orders", "recipe"};
  *c = (mapo_compare){.processors = 4, .requests = 8, .latency_ms = 2, .unit_ms = 1.5};
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    c->rows[r].workload = names[r];
    for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++) c->rows[r].cells[col].seconds = NAN;
    c->rows[r].cells[MAPO_COMPARE_SERIAL].seconds = 0.2;
    c->rows[r].cells[MAPO_COMPARE_THREADS].seconds = 0.1;
    c->rows[r].cells[MAPO_COMPARE_ASYNC].seconds = 0.02;
    snprintf(c->rows[r].cells[MAPO_COMPARE_PROCESSES].note, 320, "not available: no MPI");
  }
}

/* What a writer printed, as one string (free it). */
static char *written(int (*write)(FILE *, const mapo_compare *), const mapo_compare *c, int *rc) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  *rc = write(f, c);
  fclose(f);
  return text;
}

static void test_verdicts(void) {
  mapo_compare c;
  make(&c);
  mapo_compare_verdicts(&c);
  /* No MPI and no Python: the sentence leaves them out, it never says "n/a". */
  CU_ASSERT_PTR_NOT_NULL(
      strstr(c.rows[MAPO_COMPARE_CPU].verdict, "threads win in C, 2.00x serial on 4 processors:"));
  CU_ASSERT_PTR_NULL(strstr(c.rows[MAPO_COMPARE_CPU].verdict, "n/a"));
  CU_ASSERT_PTR_NOT_NULL(
      strstr(c.rows[MAPO_COMPARE_IO].verdict, "async (one thread, 10x serial) and threads (2x)"));
  CU_ASSERT_PTR_NOT_NULL(strstr(c.rows[MAPO_COMPARE_RECIPE].verdict,
                                "(0.10 of serial) beat a thread per chain (0.50)"));
  /* The Python cell, when there, is set beside the C threads. */
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_PYTHON].seconds = 2.5;
  mapo_compare_verdicts(&c);
  CU_ASSERT_PTR_NOT_NULL(strstr(c.rows[MAPO_COMPARE_CPU].verdict, "took 2.50 s, 25x the C"));
  /* A failed cell (NAN) or one that printed 0: the verdict says so, never nan or inf. */
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_THREADS].seconds = NAN;
  c.rows[MAPO_COMPARE_IO].cells[MAPO_COMPARE_ASYNC].seconds = 0;
  c.rows[MAPO_COMPARE_RECIPE].cells[MAPO_COMPARE_SERIAL].seconds = INFINITY;
  mapo_compare_verdicts(&c);
  CU_ASSERT_STRING_EQUAL(c.rows[MAPO_COMPARE_CPU].verdict,
                         "CPU-bound: no verdict, the threads cell has no time (see the notes).");
  CU_ASSERT_STRING_EQUAL(c.rows[MAPO_COMPARE_IO].verdict,
                         "I/O-bound: no verdict, the async cell has no time (see the notes).");
  CU_ASSERT_STRING_EQUAL(c.rows[MAPO_COMPARE_RECIPE].verdict,
                         "The recipe: no verdict, the serial cell has no time (see the notes).");
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    CU_ASSERT_PTR_NULL(strstr(c.rows[r].verdict, "nan"));
    CU_ASSERT_PTR_NULL(strstr(c.rows[r].verdict, "inf"));
  }
}

static void test_times(void) {
  char t[32];
  mapo_compare_format_time(t, sizeof t, NAN);
  CU_ASSERT_STRING_EQUAL(t, "n/a");
  mapo_compare_format_time(t, sizeof t, 0.0123);
  CU_ASSERT_STRING_EQUAL(t, "12.3 ms");
  mapo_compare_format_time(t, sizeof t, 1.234);
  CU_ASSERT_STRING_EQUAL(t, "1.23 s");
  CU_ASSERT_STRING_EQUAL(mapo_compare_column(MAPO_COMPARE_PYTHON), "python");
  CU_ASSERT_STRING_EQUAL(mapo_compare_column(MAPO_COMPARE_COLUMNS), "?");
}

static void test_json(void) {
  mapo_compare c;
  make(&c);
  mapo_compare_verdicts(&c);
  int rc;
  char *json = written(mapo_report_compare_json, &c, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "{\"processors\":4,\"mpi_as_root\":false,\"rows\":["));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "{\"workload\":\"sums\",\"seconds\":{\"serial\":0.2,"
                                      "\"threads\":0.1,\"processes\":null,\"async\":0.02,"
                                      "\"python\":null},\"notes\":{\"processes\":"
                                      "\"not available: no MPI\"},\"verdict\":\"CPU-bound: "));
  CU_ASSERT(strlen(json) > 4 && strcmp(json + strlen(json) - 4, "}]}\n") == 0);
  free(json);
}

static void test_text(void) {
  mapo_compare c;
  make(&c);
  c.mpi_ran = 1, c.as_root = 0;
  mapo_compare_verdicts(&c);
  int rc;
  char *text = written(mapo_report_compare_text, &c, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "Measured on this machine (4 processors)."));
  /* A row: the workload 52 wide, then each cell 10 wide. */
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  sums                    "));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "   200.0 ms   100.0 ms        n/a    20.0 ms        n/a\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "orders: 8, 2 ms each; recipe: 1 unit = 1.5 ms; threads: 4"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "(more ranks than cores)\n"));
  CU_ASSERT_PTR_NULL(strstr(text, "OMPI_ALLOW_RUN_AS_ROOT"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  - recipe, processes: not available: no MPI\n"));
  free(text);
}

int main(void) {
  static const mapo_test tests[] = {{"verdicts from synthetic numbers", test_verdicts},
                                    {"times and column names", test_times},
                                    {"JSON: a missing cell is null, its note beside it", test_json},
                                    {"text: the matrix, the sizes and the notes", test_text},
                                    {NULL, NULL}};
  return mapo_test_run("compare", tests);
}
