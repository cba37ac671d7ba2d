/* mapo_test.h - private to tests/: what every CUnit program shares.
 *
 * CU_basic_run_tests() returns 0 even when assertions fail, so main() returns the
 * number of failures, read before the registry is cleaned up. */
#ifndef MAPO_TEST_H
#define MAPO_TEST_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct mapo_test {
  const char *name;
  void (*fn)(void);
} mapo_test;

/* Assert a == b for numbers, printing both when they differ. */
#define MAPO_ASSERT_NEAR(a, b, tol)                                                               \
  do {                                                                                            \
    double a_ = (double)(a), b_ = (double)(b);                                                    \
    if (!(a_ - b_ <= (tol) && b_ - a_ <= (tol)))                                                  \
      fprintf(stderr, "\n  %s:%d: %s = %g, %s = %g (tolerance %g)\n", __FILE__, __LINE__, #a, a_, \
              #b, b_, (double)(tol));                                                             \
    CU_ASSERT(a_ - b_ <= (tol) && b_ - a_ <= (tol));                                              \
  } while (0)

#define MAPO_ASSERT_INT(a, b)                                                                   \
  do {                                                                                          \
    long long a_ = (long long)(a), b_ = (long long)(b);                                         \
    if (a_ != b_)                                                                               \
      fprintf(stderr, "\n  %s:%d: %s = %lld, %s = %lld\n", __FILE__, __LINE__, #a, a_, #b, b_); \
    CU_ASSERT_EQUAL(a_, b_);                                                                    \
  } while (0)

/* Timing assertions hold at full speed only: under valgrind (the test sets
 * MAPO_TEST_SLOW) a program runs 20-50x slower and its threads take turns, so there only
 * what does not depend on time is checked. */
static inline int mapo_test_timing(void) {
  const char *slow = getenv("MAPO_TEST_SLOW");
  return slow == NULL || *slow == '\0';
}

#define MAPO_ASSERT_TIME_NEAR(a, b, tol)                 \
  do {                                                   \
    if (mapo_test_timing()) MAPO_ASSERT_NEAR(a, b, tol); \
  } while (0)

/* A measured time (or what follows from one: the rice cools while it waits) on the
 * right side of a limit that only a broken program crosses. A load or a slow machine
 * only makes runs longer, so a bound no run can beat is asserted always (CU_ASSERT),
 * and one a load moves towards, halfway to the broken case and only at full speed:
 * MAPO_ASSERT_TIME_BELOW(makespan, 16), MAPO_ASSERT_TIME_ABOVE(rice, 56). */
#define MAPO_ASSERT_TIME_CMP(a, op, limit, word)                                           \
  do {                                                                                     \
    double a_ = (double)(a);                                                               \
    if (mapo_test_timing() && !(a_ op(limit)))                                             \
      fprintf(stderr, "\n  %s:%d: %s = %g, not %s %g\n", __FILE__, __LINE__, #a, a_, word, \
              (double)(limit));                                                            \
    if (mapo_test_timing()) CU_ASSERT(a_ op(limit));                                       \
  } while (0)
#define MAPO_ASSERT_TIME_BELOW(a, limit) MAPO_ASSERT_TIME_CMP(a, <, limit, "below")
#define MAPO_ASSERT_TIME_ABOVE(a, limit) MAPO_ASSERT_TIME_CMP(a, >, limit, "above")

static inline int mapo_test_run(const char *suite, const mapo_test *tests) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  for (const mapo_test *t = tests; s != NULL && t->name != NULL; t++)
    CU_add_test(s, t->name, t->fn);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  int ok = s != NULL && CU_get_error() == CUE_SUCCESS;
  CU_cleanup_registry();
  return (failures > 0 || !ok) ? 1 : 0;
}

#endif
