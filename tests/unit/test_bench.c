/* test_bench.c - how a measurement is made: the clock, the benchmark harness and the
 * one heap. The harness is checked by counting its callbacks (libuv's way): warm-ups
 * untimed, every run verified outside the clock, MAPO_EVERIFY remembered while the
 * runs go on, any other error stopping them, and the MPI hooks around every run.
 *
 * Run: ctest -R unit.test_bench --output-on-failure
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/heap.h"
#include "mapo/mapo.h"
#include "mapo_test.h"

static void test_clock(void) {
  int64_t a = mapo_now_ns(), b = mapo_now_ns();
  CU_ASSERT(b >= a);
  double s = mapo_now_s();
  MAPO_ASSERT_NEAR(s, (double)mapo_now_ns() * 1e-9, 1.0);
  /* CPU time moves when the process works. */
  int64_t c0 = mapo_cpu_ns();
  volatile uint64_t x = 0;
  int64_t until = mapo_now_ns() + 30000000;
  while (mapo_now_ns() < until) x++;
  CU_ASSERT(mapo_cpu_ns() > c0);
  MAPO_ASSERT_INT(mapo_clock_tighten(), 0);
  MAPO_ASSERT_INT(mapo_clock_tighten(), 0); /* once per thread: the second is free */
}

typedef struct counts {
  int prepare, run, verify, start, combine;
  int fail_verify_at; /* the timed run whose verification fails, or -100 */
  int fail_run_at;    /* the run (counted from the first warm-up) that fails, or -1 */
  double own;         /* >= 0: the run reports this as its own time */
  int warm_verified;  /* verifications of warm-ups (index < 0) */
} counts;

static int on_prepare(void *u) {
  ((counts *)u)->prepare++;
  return 0;
}

static int on_run(void *u, double *seconds) {
  counts *c = u;
  if (c->run++ == c->fail_run_at) return -ENOMEM;
  if (c->own >= 0) *seconds = c->own;
  return 0;
}

static int on_verify(void *u, int index) {
  counts *c = u;
  c->verify++;
  if (index < 0) c->warm_verified++;
  return index == c->fail_verify_at ? MAPO_EVERIFY : 0;
}

static int on_start(void *u) {
  ((counts *)u)->start++;
  return 0;
}

static int on_combine(void *u, double *seconds) {
  ((counts *)u)->combine++;
  *seconds = 7.0; /* as if another rank had been the slowest */
  return 0;
}

static mapo_bench bench_of(counts *c, int warmup, int repeat) {
  memset(c, 0, sizeof *c);
  c->fail_verify_at = -100;
  c->fail_run_at = -1;
  c->own = -1;
  return (mapo_bench){.warmup = warmup,
                      .repeat = repeat,
                      .user = c,
                      .prepare = on_prepare,
                      .run = on_run,
                      .verify = on_verify};
}

static void test_harness_counts(void) {
  counts c;
  mapo_bench b = bench_of(&c, 2, 5);
  double s[5];
  mapo_spread sp;
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, &sp), 0);
  MAPO_ASSERT_INT(c.prepare, 7);
  MAPO_ASSERT_INT(c.run, 7);
  MAPO_ASSERT_INT(c.verify, 7);
  MAPO_ASSERT_INT(c.warm_verified, 2);
  MAPO_ASSERT_INT(sp.n, 5);
  CU_ASSERT(sp.min >= 0 && sp.min <= sp.median && sp.median <= sp.max);
}

static void test_harness_own_seconds(void) {
  counts c;
  mapo_bench b = bench_of(&c, 1, 3);
  c.own = 2.5;
  double s[3];
  mapo_spread sp;
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, &sp), 0);
  MAPO_ASSERT_NEAR(s[0], 2.5, 0);
  MAPO_ASSERT_NEAR(sp.median, 2.5, 0);
}

static void test_harness_verify_goes_on(void) {
  counts c;
  mapo_bench b = bench_of(&c, 1, 4);
  c.fail_verify_at = 1;
  double s[4];
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, NULL), MAPO_EVERIFY);
  MAPO_ASSERT_INT(c.run, 5); /* every run still happened */
}

static void test_harness_error_stops(void) {
  counts c;
  mapo_bench b = bench_of(&c, 1, 4);
  c.fail_run_at = 2;
  double s[4];
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, NULL), -ENOMEM);
  MAPO_ASSERT_INT(c.run, 3);
  MAPO_ASSERT_INT(c.verify, 2); /* a failed run is not verified */
}

static void test_harness_mpi_hooks(void) {
  counts c;
  mapo_bench b = bench_of(&c, 1, 3);
  b.start = on_start;
  b.combine = on_combine;
  double s[3];
  mapo_spread sp;
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, &sp), 0);
  MAPO_ASSERT_INT(c.start, 4);
  MAPO_ASSERT_INT(c.combine, 4);
  MAPO_ASSERT_NEAR(sp.max, 7.0, 0);
}

static void test_harness_bad(void) {
  counts c;
  mapo_bench b = bench_of(&c, 0, 0);
  double s[1];
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, NULL), MAPO_EINVAL);
  b.repeat = 1;
  b.run = NULL;
  MAPO_ASSERT_INT(mapo_bench_run(&b, s, NULL), MAPO_EINVAL);
  MAPO_ASSERT_INT(mapo_bench_run(NULL, s, NULL), MAPO_EINVAL);
}

/* The heap: items that know where they are, as the loop's timers do. */
typedef struct item {
  int key, id;
} item;

static size_t where[64];
#define ITEM_BEFORE(a, b) ((a)->key < (b)->key || ((a)->key == (b)->key && (a)->id < (b)->id))
#define ITEM_MOVED(h, i) (where[(h)[i].id] = (i))
MAPO__HEAP_DEFINE(items, item, ITEM_BEFORE, ITEM_MOVED)

static void test_heap(void) {
  item h[64];
  size_t n = 0;
  srand(7);
  for (int id = 0; id < 64; id++) items_push(h, &n, (item){rand() % 20, id});
  MAPO_ASSERT_INT(n, 64);
  for (size_t i = 0; i < n; i++) MAPO_ASSERT_INT(where[h[i].id], i);
  /* Remove a few from the middle by where they are, as a timer cancel does. */
  int gone[64] = {0};
  for (int id = 5; id < 64; id += 9) {
    items_remove(h, &n, where[id]);
    gone[id] = 1;
  }
  for (size_t i = 0; i < n; i++) MAPO_ASSERT_INT(where[h[i].id], i);
  item last = {-1, -1};
  int popped = 0;
  while (n > 0) {
    item top = items_pop(h, &n);
    CU_ASSERT(!gone[top.id]);
    CU_ASSERT(ITEM_BEFORE(&last, &top));
    last = top;
    popped++;
  }
  MAPO_ASSERT_INT(popped, 64 - 7);
}

int main(void) {
  static const mapo_test tests[] = {
      {"the clock: monotonic, CPU time, timer slack", test_clock},
      {"harness: warm-ups, runs and verifications counted", test_harness_counts},
      {"harness: a run's own narrower time is kept", test_harness_own_seconds},
      {"harness: a failed verification is remembered, runs go on", test_harness_verify_goes_on},
      {"harness: any other error stops the runs", test_harness_error_stops},
      {"harness: MPI's barrier and maximum around every run", test_harness_mpi_hooks},
      {"harness: bad arguments", test_harness_bad},
      {"the one heap: order, removal from the middle, positions", test_heap},
      {NULL, NULL},
  };
  return mapo_test_run("bench", tests);
}
