/* test_sum.c - the sum module: the kernel is exact from n = 0 to the top of its range
 * (against a one-by-one 128-bit loop and the closed form), the pieces cover every
 * number exactly once, every model verifies at 1, 2 and 3 threads with both splits,
 * bad jobs are refused, and a wrong answer is caught.
 *
 * Run: ctest -R unit.test_sum --output-on-failure
 */
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static mapo_u128 one_by_one(uint64_t lo, uint64_t hi) {
  mapo_u128 s = 0;
  for (uint64_t i = lo; i < hi; i++) s += (mapo_u128)i * i;
  return s;
}

static void assert_u128(mapo_u128 got, mapo_u128 want, const char *what, uint64_t a, uint64_t b) {
  if (got != want) {
    char g[40], w[40];
    fprintf(stderr, "\n  %s(%llu, %llu) = %s, want %s\n", what, (unsigned long long)a,
            (unsigned long long)b, mapo_u128_format(got, g), mapo_u128_format(want, w));
  }
  CU_ASSERT(got == want);
}

static void test_kernel_small(void) {
  for (uint64_t n = 0; n <= 300; n++) {
    assert_u128(mapo_sum_squares(0, n), one_by_one(0, n), "squares", 0, n);
    assert_u128(mapo_sum_formula(n), one_by_one(0, n), "formula", 0, n);
  }
  /* Ranges that start anywhere, across the 32-term rounds. */
  for (uint64_t lo = 0; lo < 70; lo += 7)
    for (uint64_t hi = lo; hi < lo + 200; hi += 13)
      assert_u128(mapo_sum_squares(lo, hi), one_by_one(lo, hi), "squares", lo, hi);
  assert_u128(mapo_sum_squares(5, 5), 0, "squares", 5, 5);
  assert_u128(mapo_sum_squares(9, 3), 0, "squares", 9, 3); /* empty, not wrapped */
}

/* The notebook's size: each sum is about 4.2e19, past 2^64. */
static void test_kernel_notebook(void) {
  const uint64_t n = 5000000;
  mapo_u128 s = mapo_sum_squares(0, n);
  assert_u128(s, mapo_sum_formula(n), "squares", 0, n);
  CU_ASSERT(s > (mapo_u128)UINT64_MAX);
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(s, buf), "41666654166667500000");
}

/* Near the top of the range, where a lane may take a single round before it must be
 * flushed: n = 2^32 is the largest n, and its closed form must not overflow. */
static void test_kernel_top(void) {
  const uint64_t top = MAPO_SUM_N_MAX;
  for (uint64_t lo = top - 3000; lo < top; lo += 997)
    assert_u128(mapo_sum_squares(lo, top), one_by_one(lo, top), "squares", lo, top);
  assert_u128(mapo_sum_formula(top) - mapo_sum_formula(top - 1), (mapo_u128)(top - 1) * (top - 1),
              "formula step", top - 1, top);
  /* 2^32 (2^32 - 1)(2^33 - 1) / 6, worked out by hand in decimal */
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(mapo_sum_formula(top), buf),
                         "26409387495531407161709035520");
  /* Out of range: nothing, never a wrong number. */
  assert_u128(mapo_sum_squares(0, top + 1), 0, "squares", 0, top + 1);
  assert_u128(mapo_sum_formula(top + 1), 0, "formula", top + 1, 0);
}

/* Every copy of the kernel this CPU runs, not only the one the loader chose (a portable
 * build has an SSE2, an AVX2 and an AVX-512 copy): small ranges across the rounds, blocks
 * flushed after 256, 4 and 1 rounds (n near 2^28, 2^31, 2^32), the notebook's size. */
static void test_kernel_copies(void) {
  static const char *const names[] = {"sse2", "avx2", "avx512", "generic"};
  int found = 0;
  for (int c = 0; c < 4; c++) {
    const mapo_sum_squares_fn f = mapo_sum_kernel_copy(names[c]);
    if (f == NULL) continue;
    found++;
    for (uint64_t lo = 0; lo < 130; lo += 11)
      for (uint64_t hi = lo; hi < lo + 450; hi += 17)
        assert_u128(f(lo, hi), one_by_one(lo, hi), names[c], lo, hi);
    const uint64_t ends[][2] = {{(UINT64_C(1) << 28) - 20000, UINT64_C(1) << 28},
                                {(UINT64_C(1) << 31) - 3001, UINT64_C(1) << 31},
                                {MAPO_SUM_N_MAX - 2999, MAPO_SUM_N_MAX}};
    for (int e = 0; e < 3; e++)
      assert_u128(f(ends[e][0], ends[e][1]), one_by_one(ends[e][0], ends[e][1]), names[c],
                  ends[e][0], ends[e][1]);
    assert_u128(f(0, 5000000), mapo_sum_formula(5000000), names[c], 0, 5000000);
    assert_u128(f(0, MAPO_SUM_N_MAX + 1), 0, names[c], 0, MAPO_SUM_N_MAX + 1);
  }
  CU_ASSERT(found >= 1);
  CU_ASSERT_PTR_NOT_NULL(mapo_sum_kernel_copy(mapo_sum_kernel()));
  CU_ASSERT_PTR_NULL(mapo_sum_kernel_copy("nope"));
}

static void test_format(void) {
  char buf[40];
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(0, buf), "0");
  CU_ASSERT_STRING_EQUAL(mapo_u128_format((mapo_u128)UINT64_MAX + 1, buf), "18446744073709551616");
  CU_ASSERT_STRING_EQUAL(mapo_u128_format(~(mapo_u128)0, buf),
                         "340282366920938463463374607431768211455");
}

static void test_job_validation(void) {
  mapo_sum_job job;
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 0, 100, 1, MAPO_SPLIT_NUMBERS), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, MAPO_SUM_NUMBERS_MAX + 1, 1, 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, 100, 0, MAPO_SPLIT_NUMBERS), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, 100, MAPO_SUM_THREADS_MAX + 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, MAPO_SUM_N_MAX - 18, 1, MAPO_SPLIT_NUMBERS),
                  MAPO_EINVAL); /* the last n would be 2^32 + 1 */
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 20, MAPO_SUM_N_MAX - 19, 1, MAPO_SPLIT_NUMBERS), 0);
  mapo_sum_job_free(&job);
  MAPO_ASSERT_INT(mapo_sum_job_init(&job, 1, 1, 1, (mapo_split)7), MAPO_EINVAL);
}

/* Every number's [0, n) is covered by its pieces, in order, without gaps or overlap. */
static void test_pieces(void) {
  for (int threads = 1; threads <= 5; threads++)
    for (int split = 0; split < 2; split++) {
      mapo_sum_job job;
      CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 7, 10, threads, (mapo_split)split), 0);
      uint64_t next[7] = {0};
      const int pieces = mapo_sum_pieces(&job);
      MAPO_ASSERT_INT(pieces, split ? 7 * threads : 7);
      for (int p = 0; p < pieces; p++) {
        mapo_sum_piece w = mapo_sum_piece_at(&job, p);
        CU_ASSERT(w.number >= 0 && w.number < 7);
        MAPO_ASSERT_INT(w.lo, next[w.number]);
        CU_ASSERT(w.hi >= w.lo);
        next[w.number] = w.hi;
      }
      for (int k = 0; k < 7; k++) MAPO_ASSERT_INT(next[k], 10 + k);
      mapo_sum_job_free(&job);
    }
}

static void test_every_model(void) {
  for (const mapo_sum_model *m = mapo_sum_models; m->name; m++)
    for (int threads = 1; threads <= 3; threads++)
      for (int split = 0; split < 2; split++) {
        mapo_sum_job job;
        CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 7, 2001, threads, (mapo_split)split), 0);
        double seconds[2];
        mapo_spread s;
        int bad = -1, rc = mapo_sum_time(m, &job, 2, seconds, &s, &bad);
        if (rc != 0)
          fprintf(stderr, "\n  %s, %d threads, split %d: %s (number %d)\n", m->name, threads, split,
                  mapo_strerror(rc), bad);
        MAPO_ASSERT_INT(rc, 0);
        MAPO_ASSERT_INT(job.threads_used, m->threaded ? threads : 1);
        CU_ASSERT(s.min > 0 && s.min <= s.median && s.median <= s.max);
        mapo_u128 want = 0;
        for (int k = 0; k < 7; k++) want += mapo_sum_formula(2001 + (uint64_t)k);
        assert_u128(mapo_sum_checksum(&job), want, m->name, (uint64_t)threads, (uint64_t)split);
        mapo_sum_job_free(&job);
      }
}

/* A model that gets number 3 wrong: the harness says so, and which. */
static int wrong(mapo_sum_job *job) {
  for (int k = 0; k < job->numbers; k++) job->result[k] = mapo_sum_formula(job->base + (uint64_t)k);
  job->result[3] += 1;
  return 0;
}

static void test_wrong_answer_caught(void) {
  const mapo_sum_model broken = {"broken", wrong, 0, "wrong on purpose"};
  mapo_sum_job job;
  CU_ASSERT_EQUAL_FATAL(mapo_sum_job_init(&job, 5, 100, 1, MAPO_SPLIT_NUMBERS), 0);
  double seconds[1];
  int bad = -1;
  MAPO_ASSERT_INT(mapo_sum_time(&broken, &job, 1, seconds, NULL, &bad), MAPO_EVERIFY);
  MAPO_ASSERT_INT(bad, 3);
  mapo_sum_job_free(&job);
  CU_ASSERT_PTR_NULL(mapo_sum_model_find("nope"));
  CU_ASSERT_PTR_NOT_NULL(mapo_sum_model_find("reduction"));
  CU_ASSERT(mapo_sum_openmp_version() >= 201511);
  CU_ASSERT(mapo_sum_processors() >= 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(mapo_sum_atomic_how(), "lock"));
}

int main(void) {
  static const mapo_test tests[] = {
      {"kernel: exact for n = 0..300 and any range", test_kernel_small},
      {"kernel: the notebook's size, past 2^64", test_kernel_notebook},
      {"kernel: the top of the range, no overflow", test_kernel_top},
      {"kernel: every copy this CPU runs (SSE2, AVX2, AVX-512)", test_kernel_copies},
      {"128-bit decimal text", test_format},
      {"bad jobs refused", test_job_validation},
      {"pieces cover every number once", test_pieces},
      {"every model, 1-3 threads, both splits, verified", test_every_model},
      {"a wrong answer is caught, and where", test_wrong_answer_caught},
      {NULL, NULL},
  };
  return mapo_test_run("sum", tests);
}
