/* test_env.c - the environment recorded with every measurement: gathered by the core
 * (src/core/env.c), written by src/report/env.c. Which variables are kept, in what
 * order, and the JSON object they make.
 *
 * Run: ctest -R unit.test_env --output-on-failure  (or build/.../test_env)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

/* The index of variable `name` in e, or -1. */
static int find(const mapo_env *e, const char *name) {
  for (int i = 0; i < e->nvars; i++)
    if (strcmp(e->vars[i].name, name) == 0) return i;
  return -1;
}

static void test_gather(void) {
  setenv("OMP_MAPO_TEST", "a\"b", 1);
  setenv("SLURM_MAPO_TEST", "", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("MAPO_NOT_KEPT", "x", 1);
  mapo_env e;
  MAPO_ASSERT_INT(mapo_env_gather(&e), 0);
  CU_ASSERT_STRING_EQUAL(e.compiler, mapo_build_compiler());
  CU_ASSERT_STRING_EQUAL(e.flags, mapo_build_flags());
  CU_ASSERT(e.processors_online >= 1);
  CU_ASSERT(e.host[0] != '\0' && e.kernel[0] != '\0' && e.machine[0] != '\0');
  int omp = find(&e, "OMP_MAPO_TEST");
  CU_ASSERT_FATAL(omp >= 0);
  CU_ASSERT_STRING_EQUAL(e.vars[omp].value, "a\"b");
  CU_ASSERT(find(&e, "SLURM_MAPO_TEST") >= 0);
  CU_ASSERT(find(&e, "OMPI_ALLOW_RUN_AS_ROOT") < 0); /* it only says who ran mapo */
  CU_ASSERT(find(&e, "MAPO_NOT_KEPT") < 0);
  mapo_env_free(&e);
  MAPO_ASSERT_INT(e.nvars, 0);
}

static void test_json(void) {
  mapo_env_var vars[] = {{"OMP_NUM_THREADS", "4"}, {"SLURM_JOB_ID", "a\"b"}};
  mapo_env e = {.compiler = "cc 1",
                .flags = "-O2",
                .processors_online = 2,
                .host = "h",
                .kernel = "k",
                .machine = "m",
                .sum_kernel = "avx2",
                .vars = vars,
                .nvars = 2};
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  MAPO_ASSERT_INT(mapo_report_env_json(f, &e), 0);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(
      text, "{\"compiler\":\"cc 1\",\"flags\":\"-O2\","
            "\"processors_online\":2,\"host\":\"h\",\"kernel\":\"k\","
            "\"machine\":\"m\",\"sum_kernel\":\"avx2\",\"variables\":{\"OMP_NUM_THREADS\":\"4\","
            "\"SLURM_JOB_ID\":\"a\\\"b\"}}");
  free(text);
}

int main(void) {
  static const mapo_test tests[] = {{"the variables kept, and the facts", test_gather},
                                    {"the JSON object, byte for byte", test_json},
                                    {NULL, NULL}};
  return mapo_test_run("env", tests);
}
