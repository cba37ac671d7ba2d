/* tasks_counted.c - every step an OpenMP task, started by the step that readies it.
 *
 * Run:    mapo cook --model tasks-counted [--cooks N]
 * Notice: each step keeps a count of its unfinished predecessors. A step that ends
 *         takes one off each successor's count, atomically; whoever brings a count to
 *         zero owns that successor: it cooks the first one itself, at once, and creates
 *         tasks for the rest. No dependence hashing, no queue of blocked tasks, no
 *         throttling, and no hand-off at all along a chain: compare its cost per step
 *         with tasks.c at --unit-ms 0 on a generated recipe.
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>

#include "mapo/cook.h"

/* Cook step s, then whatever it readies: every successor whose count it brings to
 * zero. One of them it cooks itself, next (a loop, not recursion, so a long chain
 * costs no stack); for the others it creates tasks that any idle cook may take. */
static void run(mapo_kitchen *k, int *left, int s) {
  while (s >= 0) {
    const mapo_step *st = &k->recipe->steps[s];
    mapo_kitchen_step(k, s, omp_get_thread_num());
    int next = -1;
    for (int i = 0; i < st->nsucc; i++) {
      const int t = st->succ[i];
      int now;
#pragma omp atomic capture
      now = --left[t];
      if (now > 0) continue;
      if (next < 0) {
        next = t;
      } else {
#pragma omp task firstprivate(t)
        run(k, left, t);
      }
    }
    s = next;
  }
}

int mapo_cook_tasks_counted(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  int *left = malloc((size_t)r->nsteps * sizeof *left);
  if (left == NULL) return -ENOMEM;
  for (int s = 0; s < r->nsteps; s++) left[s] = r->steps[s].npred;

  mapo_kitchen_open(k);
#pragma omp parallel num_threads(k->cooks)
  {
    mapo_kitchen_enter(k, omp_get_thread_num(), omp_get_num_threads());
#pragma omp masked
    for (int i = 0; i < r->nsteps; i++) {
      const int s = r->order[i];
      if (r->steps[s].npred == 0) {
#pragma omp task firstprivate(s)
        run(k, left, s);
      }
    }
  }
  mapo_kitchen_close(k);
  free(left);
  return 0;
}
