/* board.c - the steps that can start, for models that deal steps themselves (the event
 * loop in src/cook/async.c, the head chef in mpi/cook.c).
 *
 * A step is ready when its last predecessor is done (a count per step, as in
 * tasks_counted.c). A ready step that finds a utensil out waits in that utensil's queue
 * and is tried again, first come first served, as pieces come back: one release wakes
 * as many waiters as pieces returned, so no step is tried in vain over and over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/error.h"
#include "mapo/kitchen.h"

int mapo_board_init(mapo_board *b, const mapo_recipe *r) {
  if (b == NULL || r == NULL) return MAPO_EINVAL;
  memset(b, 0, sizeof *b);
  b->left = malloc((size_t)r->nsteps * sizeof *b->left);
  b->ready = malloc((size_t)r->nsteps * sizeof *b->ready);
  b->next = malloc((size_t)r->nsteps * sizeof *b->next);
  if (!b->left || !b->ready || !b->next) {
    mapo_board_free(b);
    return -ENOMEM;
  }
  for (int u = 0; u < MAPO_UTENSILS_MAX; u++) b->head[u] = b->tail[u] = -1;
  for (int s = 0; s < r->nsteps; s++) b->left[s] = r->steps[s].npred;
  for (int i = r->nsteps - 1; i >= 0; i--) /* sources, the first written on top */
    if (r->steps[r->order[i]].npred == 0) b->ready[b->nready++] = r->order[i];
  return 0;
}

void mapo_board_free(mapo_board *b) {
  if (b == NULL) return;
  free(b->left);
  free(b->ready);
  free(b->next);
  memset(b, 0, sizeof *b);
}

int mapo_board_next(mapo_board *b, mapo_kitchen *k) {
  while (b->nready > 0) {
    const int s = b->ready[--b->nready];
    int u;
    if (mapo_kitchen_try_take(k, s, &u)) return s;
    b->next[s] = -1; /* queue up for utensil u */
    if (b->head[u] < 0)
      b->head[u] = s;
    else
      b->next[b->tail[u]] = s;
    b->tail[u] = s;
  }
  return -1;
}

void mapo_board_done(mapo_board *b, const mapo_recipe *r, int s) {
  const mapo_step *st = &r->steps[s];
  for (int i = 0; i < st->nsucc; i++)
    if (--b->left[st->succ[i]] == 0) b->ready[b->nready++] = st->succ[i];
  for (int i = 0; i < st->nuse; i++) {
    const int u = st->use[i].utensil;
    for (int n = 0; n < st->use[i].count && b->head[u] >= 0; n++) {
      const int w = b->head[u];
      b->head[u] = b->next[w];
      b->ready[b->nready++] = w;
    }
  }
}
