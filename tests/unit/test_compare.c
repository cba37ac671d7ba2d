/* test_compare.c - `mapo compare`'s report (src/report/compare.c) on a matrix made up
 * here: the verdicts worded from synthetic numbers (the GIL lesson's win, tie, loss,
 * noisy spread and missing cell among them), a missing cell as "n/a" in the text and
 * null in the JSON with its note beside it, every line within 80 columns, and the notes
 * on mpirun's variables and each cell's command.
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
 * the Python rows left out. */
static void make(mapo_compare *c) {
  static const char *const names[MAPO_COMPARE_ROWS] = {"sums", "orders", "recipe"};
  *c = (mapo_compare){.processors = 4, .requests = 8, .latency_ms = 2, .unit_ms = 1.5};
  for (int r = 0; r < MAPO_COMPARE_ROWS; r++) {
    c->rows[r].workload = names[r];
    for (int col = 0; col < MAPO_COMPARE_COLUMNS; col++) c->rows[r].cells[col].seconds = NAN;
    for (int col = 0; col < MAPO_COMPARE_WAYS; col++) c->rows[r].py[col].seconds = NAN;
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
  CU_ASSERT_PTR_NOT_NULL(strstr(c.rows[MAPO_COMPARE_IO].verdict,
                                "async on one thread beats serial (10.00x serial); threads beat "
                                "serial too (2.00x serial)"));
  CU_ASSERT_PTR_NOT_NULL(strstr(c.rows[MAPO_COMPARE_RECIPE].verdict,
                                "beats serial (10.00x serial) and beats a thread per chain "
                                "(5.00x threads): be smart about waiting."));
  /* The Python rows left out: each says which cell it lacks, never "n/a". */
  CU_ASSERT_STRING_EQUAL(
      c.rows[MAPO_COMPARE_CPU].py_verdict,
      "CPU-bound in Python: no verdict, the serial cell has no time (see the notes).");
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].py_judged, MAPO_VERDICT_MISSING);
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

/* The CPU-bound Python row: serial 2 s in runs from 1.95 to 2.05 s, threads and
 * processes as given (each with a 2% range unless noisy), NAN for not measured. */
static void gil(mapo_compare *c, double threads, double processes, int noisy) {
  make(c);
  mapo_compare_cell *py = c->rows[MAPO_COMPARE_CPU].py;
  py[MAPO_COMPARE_SERIAL] = (mapo_compare_cell){2.0, 1.95, 2.05, "", ""};
  py[MAPO_COMPARE_THREADS] = (mapo_compare_cell){threads, threads * 0.99, threads * 1.01, "", ""};
  py[MAPO_COMPARE_PROCESSES] =
      (mapo_compare_cell){processes, processes * 0.99, processes * 1.01, "", ""};
  if (noisy) py[MAPO_COMPARE_THREADS].min = 0.9, py[MAPO_COMPARE_THREADS].max = 4.5;
  mapo_compare_verdicts(c);
  const char *v = c->rows[MAPO_COMPARE_CPU].py_verdict;
  CU_ASSERT_PTR_NULL(strstr(v, "nan"));
  CU_ASSERT_PTR_NULL(strstr(v, "inf"));
  CU_ASSERT_PTR_NULL(strstr(v, "n/a"));
}

static void test_gil(void) {
  mapo_compare c;
  const char *v = c.rows[MAPO_COMPARE_CPU].py_verdict;
  /* The notebook's lesson: threads tie with serial, processes win. */
  gil(&c, 2.1, 1.0, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "CPU-bound in Python: threads tie with serial (0.95x "
                                   "serial): the GIL lets one thread at a time run Python; "));
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "processes beat serial (2.00x serial): each has an "
                                   "interpreter and a GIL of its own"));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].py_judged, MAPO_VERDICT_FASTER);
  /* A loss for threads, a tie for processes. */
  gil(&c, 2.6, 1.9, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "threads lose to serial (0.77x serial): the GIL lets one thread "
                                   "at a time run Python, and they queue"));
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "processes tie with serial (1.05x serial): starting them"));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].py_judged, MAPO_VERDICT_TIE);
  /* A Python without the GIL: its threads win, and the sentence does not deny it. */
  gil(&c, 1.0, 2.5, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "threads beat serial (2.00x serial): this Python ran them"));
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "processes lose to serial (0.80x serial)"));
  CU_ASSERT_PTR_NULL(strstr(v, "tie"));
  /* A small win for threads with the GIL: drift between the runs, said so. */
  gil(&c, 1.6, 2.5, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "threads beat serial (1.25x serial): yet the GIL"));
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "the machine's drift between the runs"));
  /* A noisy spread: no verdict on threads, and the row's class says so. */
  gil(&c, 2.0, 1.0, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "threads against serial: the machine was busy (runs 5.0x "
                                   "apart): no verdict; processes beat serial"));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].py_judged, MAPO_VERDICT_NOISY);
  /* A missing cell: said, not compared. */
  gil(&c, 2.0, NAN, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "; processes: no time (see the notes)."));
  gil(&c, NAN, 1.0, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(v, "CPU-bound in Python: threads: no time (see the notes); "));
  MAPO_ASSERT_INT(c.rows[MAPO_COMPARE_CPU].py_judged, MAPO_VERDICT_MISSING);
  /* The JSON's python column stays what the program copies there: not judged here. */
  CU_ASSERT(isnan(c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_PYTHON].seconds));
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
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "{\"processors\":4,\"mpi_as_root\":false,\"base\":null,"));
  /* Keys are only ever added: the Python rows sit under "python", the ranges beside. */
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"seconds_min\":{\"serial\":null,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(json, ",\"python\":{\"seconds\":{\"serial\":null,"));
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
  /* A row: the row's name and language 22 wide, then each cell 11 wide. */
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  CPU-bound in C            200.0 ms    100.0 ms"
                                      "         n/a     20.0 ms\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  the recipe in Python           n/a"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "orders: 8, 2 ms each; recipe: 1 unit = 1.5 ms; threads: 4"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "(more ranks than cores)\n"));
  CU_ASSERT_PTR_NULL(strstr(text, "OMPI_ALLOW_RUN_AS_ROOT"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "  - the recipe in C, processes: not available: no MPI\n"));
  /* Every line fits 80 columns, the long notes folded with a hanging indent. */
  for (const char *line = text; *line;) {
    const size_t n = strcspn(line, "\n");
    char one[512];
    snprintf(one, sizeof one, "%.*s", (int)n, line);
    CU_ASSERT(mapo_report_columns_of(one) <= 80);
    line += n + (line[n] == '\n');
  }
  free(text);
  /* A cell's command and the range of its runs, in its note. */
  snprintf(c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_SERIAL].command, 512,
           "mapo sum --model serial --numbers 20 --base 120000000 --repeat 3");
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_SERIAL].min = 0.19;
  c.rows[MAPO_COMPARE_CPU].cells[MAPO_COMPARE_SERIAL].max = 0.25;
  text = written(mapo_report_compare_text, &c, &rc);
  CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                "  - CPU-bound in C, serial: mapo sum --model serial --numbers"
                                " 20 --base\n    120000000 --repeat 3 (runs from 190.0 ms"
                                " to 250.0 ms)\n"));
  free(text);
}

int main(void) {
  static const mapo_test tests[] = {{"verdicts from synthetic numbers", test_verdicts},
                                    {"the GIL lesson from synthetic numbers", test_gil},
                                    {"times and column names", test_times},
                                    {"JSON: a missing cell is null, its note beside it", test_json},
                                    {"text: the matrix, the sizes and the notes", test_text},
                                    {NULL, NULL}};
  return mapo_test_run("compare", tests);
}
