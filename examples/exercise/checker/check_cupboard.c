/* check_cupboard.c - task 3: two cooks take the one knife from the cupboard, cut, and put
 * it back, in up to 500 trials: every cook must come back with the knife.
 *
 * Each trial starts with a full cupboard; the cooks meet at a point that spins (both
 * running when they leave it, as in mapo's race demo), so that an unprotected gap
 * between looking and taking is hit in nearly every trial. The first failure ends the
 * trials. Under ThreadSanitizer the process's report is the other half of the check:
 * grade.c reads it.
 */
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "checker.h"
#include "exercise.h"

enum { TRIALS = 500, COOKS = 2, CUT_US = 2 };
static const char *const names[] = {"knife", "spoon", "fork", "nothing"};

typedef struct meet {
  atomic_int arrived, round;
} meet;

/* Every cook waits, spinning, until the last one is here. */
static void meet_wait(meet *m, int team) {
  const int round = atomic_load_explicit(&m->round, memory_order_acquire);
  if (atomic_fetch_add_explicit(&m->arrived, 1, memory_order_acq_rel) + 1 == team) {
    atomic_store_explicit(&m->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&m->round, round + 1, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&m->round, memory_order_acquire) == round) sched_yield();
}

static void cut(void) {
  const int64_t end = mapo_now_ns() + CUT_US * 1000;
  while (mapo_now_ns() < end) {
  }
}

grade_status grade_cupboard(const grade_opts *o, char *text, size_t size) {
  (void)o; /* no speed target: the same trials either way */
  cupboard c;
  meet m = {0, 0};
  int failed = 0, stop = 0, trials = 0;
  char first[160] = "";
#pragma omp parallel num_threads(COOKS)
  for (int t = 0; t < TRIALS && !stop; t++) {
#pragma omp single
    cupboard_fill(&c); /* its barrier: every cook sees a full cupboard */
    meet_wait(&m, omp_get_num_threads());
    const int got = take_knife(&c);
    if (got == KNIFE) cut();
    if (got != NOTHING) put_back(&c, got);
    if (got != KNIFE) {
#pragma omp critical(grade_first)
      if (!failed++)
        snprintf(first, sizeof first, "in trial %d a cook %s %s", t + 1,
                 got == NOTHING ? "found" : "took the", got == NOTHING ? "no knife" : names[got]);
    }
#pragma omp barrier
#pragma omp single
    {
      trials = t + 1;
      stop = failed > 0;
    }
  }
  if (failed) {
    snprintf(text, size,
             "%s: the other cook came between looking and taking: cupboard.c's TODO: make "
             "looking and taking one step (#pragma omp critical around both, and around "
             "put_back), and look again while the knife is out",
             first);
    return GRADE_FIX;
  }
  snprintf(text, size, "in %d trials both cooks always took the knife", trials);
  return GRADE_PASSED;
}
