/* check_sum.c - task 2: exercise_sum() verifies on the notebook's 20 numbers, runs on 2
 * threads, and (speed judged) is at least 1.8x faster than mapo's serial model.
 *
 * Both are timed by mapo_sum_time (a warm-up, then 5 runs, each verified after its
 * clock stopped); the two spreads are judged by mapo_verdict_of, so that a busy
 * machine's runs give no verdict rather than a wrong one.
 */
#include <stdio.h>

#include "checker.h"
#include "exercise.h"

enum { NUMBERS = 20, THREADS = 2, REPEAT = 5 };
static const double TARGET = 1.8;

/* Time one model on a fresh job; *used gets the threads it said it ran on. */
static int timed(const mapo_sum_model *m, int threads, uint64_t base, mapo_spread *spread, int *bad,
                 int *used) {
  mapo_sum_job job;
  int rc = mapo_sum_job_init(&job, NUMBERS, base, threads, MAPO_SPLIT_NUMBERS);
  if (rc < 0) return rc;
  double seconds[REPEAT];
  rc = mapo_sum_time(m, &job, REPEAT, seconds, spread, bad);
  *used = job.threads_used;
  mapo_sum_job_free(&job);
  return rc;
}

static grade_status judge(const mapo_spread *yours, const mapo_spread *serial, char *text,
                          size_t size) {
  const mapo_verdict v = mapo_verdict_of(yours, serial);
  char busy[96], ratio[32];
  if (v.cls == MAPO_VERDICT_NOISY || v.cls == MAPO_VERDICT_MISSING) {
    snprintf(text, size,
             "verified on %d threads; speed not judged: %s: run it again on a quiet machine",
             THREADS,
             v.cls == MAPO_VERDICT_NOISY ? mapo_verdict_busy(busy, sizeof busy, &v)
                                         : "a run took no measurable time");
    return GRADE_UNJUDGED;
  }
  mapo_verdict_ratio(ratio, sizeof ratio, v.ratio);
  const int reached = v.cls == MAPO_VERDICT_FASTER && v.ratio >= TARGET;
  snprintf(text, size,
           "yours %s serial: %sx on %d threads (medians %.2f ms and %.2f ms, %d runs each), "
           "the target is %.1fx%s",
           mapo_verdict_verb(v.cls), ratio, THREADS, yours->median * 1e3, serial->median * 1e3,
           REPEAT, TARGET,
           reached ? ""
                   : ": deal the pieces evenly and keep the threads off each other's totals "
                     "(no lock, atomic or shared cache line in the loop); a busy machine "
                     "slows it too: judge it on a quiet one");
  return reached ? GRADE_PASSED : GRADE_FIX;
}

grade_status grade_sum(const grade_opts *o, char *text, size_t size) {
  const mapo_sum_model m = {"yours", exercise_sum, 1, "Your model."};
  /* Timed: numbers large enough for milliseconds a run; --no-speed: small and quick. */
  const uint64_t base = o->speed ? 40000000 : 100000;
  mapo_spread yours, serial;
  int bad = -1, used = 0;
  int rc = timed(&m, THREADS, base, &yours, &bad, &used);
  if (rc == MAPO_EVERIFY) {
    snprintf(text, size,
             "number %d (the sum of i*i for i < %llu) came out wrong: add every piece once "
             "into its number's total; two threads adding into one total at once lose "
             "additions: give each thread totals of its own (a reduction) and add them once",
             bad, (unsigned long long)(base + (uint64_t)bad));
    return GRADE_FIX;
  }
  if (rc < 0) {
    snprintf(text, size, "exercise_sum: %s", mapo_strerror(rc));
    return GRADE_FIX;
  }
  if (used < THREADS) {
    snprintf(text, size,
             "verified, but on %d thread (job->threads_used), and the task gives it %d: "
             "sum.c's TODO: share the pieces among job->threads threads, each adding into "
             "totals of its own, and set job->threads_used inside the team",
             used, THREADS);
    return GRADE_FIX;
  }
  if (!o->speed) {
    snprintf(text, size, "verified on %d threads (speed not judged: --no-speed)", used);
    return GRADE_PASSED;
  }
  if (mapo_sum_processors() < THREADS) {
    snprintf(text, size, "verified on %d threads; speed not judged: this machine has %d processor",
             used, mapo_sum_processors());
    return GRADE_UNJUDGED;
  }
  int serial_used = 0;
  rc = timed(mapo_sum_model_find("serial"), 1, base, &serial, &bad, &serial_used);
  if (rc < 0) {
    snprintf(text, size, "mapo's serial sum: %s", mapo_strerror(rc));
    return GRADE_FIX;
  }
  return judge(&yours, &serial, text, size);
}
