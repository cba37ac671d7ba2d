/* test_mpi_verdicts.c - the sentences of mapo-mpi's lessons fed synthetic numbers: the
 * pingpong's message against a task and across nodes against one node
 * (src/report/pingpong.c), the ranks against one thread in `mapo-mpi sum`
 * (src/report/sum.c), the cupboard's pairs (src/report/race.c) and who is who among the
 * cook's ranks (src/report/ranks.c).
 *
 * Run: ctest -R unit.test_mpi_verdicts --output-on-failure
 * Notice: each case is a number the class must follow (a negligible message, a
 * significant one, a win, a tie, a loss, a busy machine, a missing time), and no
 * sentence may carry "nan", "inf" or "n/a".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static void clean(const char *s) {
  const int bad = strstr(s, "nan") || strstr(s, "inf") || strstr(s, "n/a");
  CU_ASSERT(!bad);
  if (bad) printf("\n  in: %s\n", s);
}

static int has(const char *s, const char *want) {
  if (strstr(s, want) != NULL) return 1;
  printf("\n  want \"%s\" in: %s\n", want, s);
  return 0;
}

static void test_share(void) {
  const double task = MAPO_PINGPONG_TASK_USEC;
  MAPO_ASSERT_INT(mapo_pingpong_share_of(0.18, task), MAPO_PINGPONG_NEGLIGIBLE);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(49.9, task), MAPO_PINGPONG_NEGLIGIBLE);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(50, task), MAPO_PINGPONG_NOTICEABLE);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(500, task), MAPO_PINGPONG_SIGNIFICANT);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(5000, task), MAPO_PINGPONG_DOMINANT);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(NAN, task), MAPO_PINGPONG_UNTIMED);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(0, task), MAPO_PINGPONG_UNTIMED);
  MAPO_ASSERT_INT(mapo_pingpong_share_of(1, 0), MAPO_PINGPONG_UNTIMED);
  CU_ASSERT_STRING_EQUAL(mapo_pingpong_share_name(MAPO_PINGPONG_SIGNIFICANT), "significant");
}

/* The case: an empty message at 1/28,000 of a 5 ms task is no "significant
 * overhead"; a message that costs a fifth of the task is. */
static void test_pingpong_sentence(void) {
  char b[512];
  mapo_pingpong_row row = {.bytes = 0, .repetitions = 1000, .usec = 0.18};
  MAPO_ASSERT_INT(mapo_pingpong_sentence(b, sizeof b, &row, 5000), MAPO_PINGPONG_NEGLIGIBLE);
  CU_ASSERT(has(b, "An empty message costs 0.18 us, 1/27778 of a 5 ms task: negligible"));
  CU_ASSERT(has(b, "beside tasks of 1.80 us or less."));
  CU_ASSERT_PTR_NULL(strstr(b, "significant overhead:"));
  clean(b);
  row = (mapo_pingpong_row){.bytes = 4194304, .usec = 410, .mbytes_per_sec = 10230};
  MAPO_ASSERT_INT(mapo_pingpong_sentence(b, sizeof b, &row, 5000), MAPO_PINGPONG_NOTICEABLE);
  CU_ASSERT(has(b, "A message of 4194304 bytes costs 410 us (10230 MB/s), 8.2% of a"));
  CU_ASSERT(has(b, "noticeable, not yet significant"));
  row.usec = 1000;
  MAPO_ASSERT_INT(mapo_pingpong_sentence(b, sizeof b, &row, 5000), MAPO_PINGPONG_SIGNIFICANT);
  CU_ASSERT(has(b, "20.0% of a 5 ms task: significant overhead"));
  row.usec = 12000;
  MAPO_ASSERT_INT(mapo_pingpong_sentence(b, sizeof b, &row, 5000), MAPO_PINGPONG_DOMINANT);
  CU_ASSERT(has(b, "2.4x a 5 ms task: the exchange costs more than the work"));
  clean(b);
  row.usec = NAN;
  MAPO_ASSERT_INT(mapo_pingpong_sentence(b, sizeof b, &row, 5000), MAPO_PINGPONG_UNTIMED);
  CU_ASSERT(has(b, "nothing to judge"));
  clean(b);
}

static void test_pingpong_nodes(void) {
  char b[512];
  mapo_pingpong_row near_row = {.usec = 0.5}, far_row = {.usec = 12.5};
  mapo_pingpong_report near = {.nrows = 1, .rows = &near_row, .pair = "one node"};
  mapo_pingpong_report far = {.nrows = 1, .rows = &far_row, .pair = "across nodes", .peer = 2};
  MAPO_ASSERT_INT(mapo_pingpong_nodes_verdict(b, sizeof b, &near, &far), MAPO_VERDICT_FASTER);
  CU_ASSERT(has(b, "Across nodes an empty message costs 25.00x what it costs on one node"));
  CU_ASSERT(has(b, "(12.5 us against 0.50 us)"));
  far_row.usec = 0.52; /* within the tie band */
  MAPO_ASSERT_INT(mapo_pingpong_nodes_verdict(b, sizeof b, &near, &far), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "about what it costs on one node"));
  far_row.usec = 0.2; /* cheaper across: said, never called a win */
  MAPO_ASSERT_INT(mapo_pingpong_nodes_verdict(b, sizeof b, &near, &far), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "cost less than on one node"));
  clean(b);
  MAPO_ASSERT_INT(mapo_pingpong_nodes_verdict(b, sizeof b, &near, NULL), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  far_row.usec = NAN;
  MAPO_ASSERT_INT(mapo_pingpong_nodes_verdict(b, sizeof b, &near, &far), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
}

static mapo_spread spread(double median, double min, double max) {
  return (mapo_spread){median, min, max, 5};
}

/* mapo-mpi sum: the ranks against one thread, timed alike. */
static void test_sum(void) {
  char b[512];
  mapo_sum_mpi mpi = {.ranks = 1, .one_thread = spread(2.0, 1.9, 2.1)};
  mapo_sum_result r = {.model = "mpi", .threads = 1, .spread = spread(1.16, 1.1, 1.2), .mpi = &mpi};
  /* One rank of one thread: no speedup claimed, whatever the numbers say. */
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "no speedup to claim"));
  CU_ASSERT_PTR_NULL(strstr(b, "1.72"));
  mpi.ranks = 2; /* a win */
  r.spread = spread(1.0, 0.95, 1.05);
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_FASTER);
  CU_ASSERT(has(b, "2 ranks x 1 thread 2.00x one thread (efficiency 1.00): the ranks share"));
  r.spread = spread(2.05, 2.0, 2.1); /* a tie */
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_TIE);
  CU_ASSERT(has(b, "no faster"));
  r.spread = spread(3.0, 2.9, 3.1); /* a loss */
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_SLOWER);
  CU_ASSERT(has(b, "0.67x one thread") && has(b, "slower"));
  r.spread = spread(1.0, 0.9, 3.0); /* busy: no verdict */
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_NOISY);
  CU_ASSERT(has(b, "the machine was busy") && has(b, "no verdict"));
  mpi.one_thread = spread(NAN, NAN, NAN); /* the baseline did not run */
  MAPO_ASSERT_INT(mapo_sum_mpi_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT(has(b, "no verdict"));
  clean(b);
}

static void test_cook_ranks(void) {
  char b[256];
  CU_ASSERT(has(mapo_report_cook_ranks(b, sizeof b, 2), "rank 1 is the one cook (cook 0 in"));
  CU_ASSERT(has(mapo_report_cook_ranks(b, sizeof b, 3), "ranks 1 and 2 are the 2 cooks"));
  CU_ASSERT(
      has(mapo_report_cook_ranks(b, sizeof b, 4), "ranks 1 to 3 are the 3 cooks (cooks 0 to 2"));
  for (int n = 1; n < 6; n++) {
    mapo_report_cook_ranks(b, sizeof b, n);
    CU_ASSERT_PTR_NULL(strstr(b, "1 to 1"));
    CU_ASSERT_PTR_NULL(strstr(b, "0 to 0"));
    CU_ASSERT_PTR_NULL(strstr(b, "1 to 2"));
  }
}

static void test_cupboard_pairs(void) {
  char b[1024];
  mapo_cupboard_method near[] = {{"token", "k", 10, 0, 1, 0.6}, {"onesided", "k", 10, 0, 1, 0.9}};
  mapo_cupboard_method far[] = {{"token", "k", 10, 0, 0, 12.0}, {"onesided", "k", 10, 0, 0, 0.92}};
  mapo_cupboard_pair pairs[] = {{"one node", 1, 2, near}, {"across nodes", 2, 2, far}};
  mapo_cupboard_method m[] = {{"token", "k", 10, 0, 1, 1.0}, {"openmp-lock", "k", 10, 0, 1, 0.1}};
  mapo_cupboard_report r = {.ranks = 4,
                            .trials = 5,
                            .nmethods = 2,
                            .methods = m,
                            .nodes = 2,
                            .npairs = 2,
                            .pairs = pairs};
  MAPO_ASSERT_INT(mapo_cupboard_nodes_verdict(b, sizeof b, &r), MAPO_VERDICT_FASTER);
  CU_ASSERT(has(b, "token: a take across nodes costs 20.00x one on a node (12.00 us against"));
  CU_ASSERT(has(b, "onesided: a take costs about the same across nodes as on one"));
  clean(b);
  r.npairs = 1; /* one node only */
  MAPO_ASSERT_INT(mapo_cupboard_nodes_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT(has(b, "All 4 ranks run on one node: there is no pair across nodes"));
  r.pairs = pairs + 1; /* every rank alone on its node */
  MAPO_ASSERT_INT(mapo_cupboard_nodes_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT(has(b, "no pair on one node"));
  r.npairs = 0;
  MAPO_ASSERT_INT(mapo_cupboard_nodes_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT_STRING_EQUAL(b, "");
  r.pairs = pairs, r.npairs = 2, far[0].usec = NAN, far[1].usec = 0; /* nothing timed */
  MAPO_ASSERT_INT(mapo_cupboard_nodes_verdict(b, sizeof b, &r), MAPO_VERDICT_MISSING);
  CU_ASSERT(has(b, "nothing to compare"));
  clean(b);
}

int main(void) {
  static const mapo_test tests[] = {
      {"pingpong: a message's share of a task, classed", test_share},
      {"pingpong: the sentence follows the share", test_pingpong_sentence},
      {"pingpong: across nodes against one node", test_pingpong_nodes},
      {"sum: ranks against one thread, one rank claims nothing", test_sum},
      {"cook: who is who among 1 to 5 ranks", test_cook_ranks},
      {"cupboard: a take across nodes against one on a node", test_cupboard_pairs},
      {NULL, NULL}};
  return mapo_test_run("mpi_verdicts", tests);
}
