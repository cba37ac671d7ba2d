/* solutions/cook.c - task 1, a reference solution: a task per step, the recipe's arrows
 * as depend clauses (mapo's own `tasks` model, src/cook/tasks.c).
 *
 * Notice: one thread creates the tasks in an order where every step comes after what
 *         it depends on; depend(in:) on the steps it comes after and depend(out:) on
 *         itself let the runtime start each step the moment the last of them ends, on
 *         whichever cook is free. Every cook entered first, so the clock starts with
 *         the whole team awake.
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>

#include "exercise.h"

int exercise_cook(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  /* One byte per step stands for it in depend clauses: only its address counts. */
  char *done = calloc((size_t)r->nsteps, 1);
  if (done == NULL) return -ENOMEM;

  mapo_kitchen_open(k);
#pragma omp parallel num_threads(k->cooks)
  {
    mapo_kitchen_enter(k, omp_get_thread_num(), omp_get_num_threads());
#pragma omp masked
    for (int i = 0; i < r->nsteps; i++) {
      const int s = r->order[i];
      const int npred = r->steps[s].npred;
      const int *pred = r->steps[s].pred;
      (void)npred, (void)pred; /* read by the depend iterator, which gcc 12 does not see */
#pragma omp task firstprivate(s) depend(iterator(j = 0              \
                                                 : npred),          \
                                        in                          \
                                        : done[pred[j]]) depend(out \
                                                                : done[s])
      mapo_kitchen_step(k, s, omp_get_thread_num());
    }
  }
  mapo_kitchen_close(k);
  free(done);
  return 0;
}
