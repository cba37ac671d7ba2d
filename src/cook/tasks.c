/* tasks.c - every step an OpenMP task; depend clauses carry the recipe's arrows.
 *
 * Run:    mapo cook --model tasks [--cooks N]
 * Notice: this is the model to meet first. One thread creates a task per step, in an
 *         order where every step comes after what it depends on; `depend(in:)` on the
 *         predecessors and `depend(out:)` on the step itself let the runtime start each
 *         step as soon as the last thing it waits for is done. The notebook's recipe
 *         takes 9 units, its span, and the rice is served at 76 degrees.
 * Cost:   the runtime hashes every dependence address, and libgomp stops queueing
 *         when more than 64 tasks per thread wait: the creating thread then runs the
 *         new task itself, at once (tasks-counted.c avoids both).
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>

#include "mapo/cook.h"
#include "mapo/error.h"

int mapo_cook_tasks(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  /* One byte per step stands for the step in depend clauses: only its address counts. */
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
      // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): read by the depend iterator below
      const int *pred = r->steps[s].pred;
      (void)npred; /* used in the depend clause, which gcc 12's warning does not see */
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
