/* work.c - the work every part of `mapo load` does, the processors it may use, and the
 * timing of each part on the one harness (mapo_bench_run).
 *
 * Run:    mapo load            (every part; --part strangle|grain|handoff for one)
 * Notice: an item is a pure function of its index and the items are summed modulo 2^64,
 *         so the sum does not depend on who did which item or in what order: however
 *         the work was split, among threads, tasks or processes, the run verifies
 *         against one sum worked out once, after the clock stopped.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "mapo/bench.h"
#include "mapo/clock.h"
#include "mapo/error.h"
#include "mapo/load.h"

int mapo_load_processors(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? (int)online : 1;
}

uint64_t mapo_load_item(uint64_t i) {
  /* splitmix64's finaliser, round after round: each multiplication waits for the one
   * before, and no closed form exists for a compiler to find. */
  uint64_t x = i + 0x9E3779B97F4A7C15u;
  for (int r = 0; r < 12; r++) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
  }
  return x;
}

uint64_t mapo_load_items(uint64_t lo, uint64_t hi) {
  uint64_t sum = 0;
  for (uint64_t i = lo; i < hi; i++) sum += mapo_load_item(i);
  return sum;
}

/* ---- each part through the harness ------------------------------------------------ */

typedef struct timed {
  int (*run)(void *job);
  void *job;
  const uint64_t *got; /* the sum the run left */
  uint64_t want;
  int64_t cpu_ns; /* the CPU time of the last run */
  int (*prepare)(void *job);
} timed;

static int timed_prepare(void *user) {
  const timed *t = user;
  return t->prepare != NULL ? t->prepare(t->job) : 0;
}

static int timed_run(void *user, double *seconds) {
  (void)seconds; /* the harness's own wall time around the call */
  timed *t = user;
  const int64_t c0 = mapo_cpu_ns();
  const int rc = t->run(t->job);
  t->cpu_ns = mapo_cpu_ns() - c0;
  return rc;
}

static int timed_verify(void *user, int index) {
  (void)index;
  const timed *t = user;
  return *t->got == t->want ? 0 : MAPO_EVERIFY;
}

static int time_one(timed *t, int warmup, double *seconds) {
  const mapo_bench b = {.warmup = warmup,
                        .repeat = 1,
                        .user = t,
                        .prepare = timed_prepare,
                        .run = timed_run,
                        .verify = timed_verify};
  return mapo_bench_run(&b, seconds, NULL);
}

static int run_phases(void *job) { return mapo_load_phases_run(job); }
static int run_grain(void *job) { return mapo_load_grain_run(job); }
static int run_thread(void *job) { return mapo_load_handoff_thread(job); }
static int run_process(void *job) { return mapo_load_handoff_process(job); }
static int fork_process(void *job) { return mapo_load_handoff_fork(job); }

int mapo_load_time_phases(mapo_load_phases *job, uint64_t expected, int warmup, double *seconds,
                          double *cpu_seconds) {
  timed t = {run_phases, job, &job->sum, expected, 0, NULL};
  const int rc = time_one(&t, warmup, seconds);
  if (cpu_seconds != NULL) *cpu_seconds = (double)t.cpu_ns * 1e-9;
  return rc;
}

int mapo_load_time_grain(mapo_load_grain *job, uint64_t expected, int warmup, double *seconds) {
  timed t = {run_grain, job, &job->sum, expected, 0, NULL};
  return time_one(&t, warmup, seconds);
}

int mapo_load_time_handoff(mapo_load_handoff *h, int process, uint64_t expected, int warmup,
                           double *seconds) {
  timed t = {process ? run_process : run_thread, h, &h->sum, expected, 0,
             process ? fork_process : NULL};
  const int rc = time_one(&t, warmup, seconds);
  mapo_load_handoff_cancel(h); /* a run that failed may leave its process waiting */
  return rc;
}
