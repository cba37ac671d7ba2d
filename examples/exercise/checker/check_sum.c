/* check_sum.c - task 2: exercise_sum() verifies on the notebook's 20 numbers, runs on 2
 * threads, and (speed judged) is at least 1.8x faster than mapo's serial model.
 *
 * Both are timed by mapo_sum_time (a warm-up, then 5 runs, each verified after its
 * clock stopped); the two spreads are judged by mapo_verdict_of, so that a busy
 * machine's runs give no verdict rather than a wrong one. mapo's own reduction is timed
 * too: where it misses the target now, the machine cannot show it (a load that slows
 * every run alike spreads them little), and a miss is not judged.
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

/* Yours against serial. A target missed is only "to fix" where mapo's own reduction
 * (the reference solution's model) reaches it now: else the machine cannot show it. */
static grade_status judge(const mapo_spread *yours, const mapo_spread *serial,
                          const mapo_spread *reference, char *text, size_t size) {
  const mapo_verdict v = mapo_verdict_of(yours, serial), ref = mapo_verdict_of(reference, serial);
  char busy[96], ratio[32], ref_ratio[32];
  const mapo_verdict *noisy = v.cls == MAPO_VERDICT_NOISY ? &v : &ref;
  if (noisy->cls == MAPO_VERDICT_NOISY || v.cls == MAPO_VERDICT_MISSING) {
    snprintf(text, size,
             "verified on %d threads; speed not judged: %s: run it again on a quiet machine",
             THREADS,
             noisy->cls == MAPO_VERDICT_NOISY ? mapo_verdict_busy(busy, sizeof busy, noisy)
                                              : "a run took no measurable time");
    return GRADE_UNJUDGED;
  }
  mapo_verdict_ratio(ratio, sizeof ratio, v.ratio);
  const int reached = v.cls == MAPO_VERDICT_FASTER && v.ratio >= TARGET;
  const int can = ref.cls == MAPO_VERDICT_FASTER && ref.ratio >= TARGET;
  const int n = snprintf(text, size,
                         "yours %s serial: %s on %d threads (medians %.2f ms and %.2f ms, %d "
                         "runs each), the target is %.1fx",
                         mapo_verdict_verb(v.cls), ratio, THREADS, yours->median * 1e3,
                         serial->median * 1e3, REPEAT, TARGET);
  if (reached || n < 0 || (size_t)n >= size) return reached ? GRADE_PASSED : GRADE_FIX;
  if (!can) {
    mapo_verdict_ratio(ref_ratio, sizeof ref_ratio, ref.ratio);
    snprintf(text + n, size - (size_t)n,
             "; not judged: mapo's own reduction reaches only %s here now (a busy machine, or "
             "threads that share a core): run it again on a quiet machine",
             ref_ratio);
    return GRADE_UNJUDGED;
  }
  snprintf(text + n, size - (size_t)n,
           ", which mapo's reduction reaches here: deal the pieces evenly and keep the "
           "threads off each other's totals (no lock, atomic or shared cache line in the "
           "loop)");
  return GRADE_FIX;
}

grade_status grade_sum(const grade_opts *o, char *text, size_t size) {
  const mapo_sum_model m = {"yours", exercise_sum, 1, "Your model."};
  /* Timed: numbers large enough for milliseconds a run; --no-speed: small and quick. */
  const uint64_t base = o->speed ? 20000000 : 100000;
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
  /* mapo's serial sum is the baseline; its reduction says what this machine allows now. */
  mapo_spread reference;
  int serial_used = 0, ref_used = 0;
  rc = timed(mapo_sum_model_find("serial"), 1, base, &serial, &bad, &serial_used);
  if (rc == 0)
    rc = timed(mapo_sum_model_find("reduction"), THREADS, base, &reference, &bad, &ref_used);
  if (rc < 0) {
    snprintf(text, size, "mapo's own sums: %s", mapo_strerror(rc));
    return GRADE_FIX;
  }
  return judge(&yours, &serial, &reference, text, size);
}
