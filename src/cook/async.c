/* async.c - one cook, smart about waiting: the notebook's asyncio cook, on an event loop.
 *
 * Run:    mapo cook --model async            (and with --blocking)
 * Notice: one thread runs every step. A `wait` step (boiling) starts a timer and the
 *         cook goes on with whatever else is ready; when the timer fires the step is
 *         done and what came after it is started. A `hands` step (chopping) is done
 *         right there on the loop's thread: while it runs nothing else can. The
 *         notebook's recipe takes 9 units and the rice is served at 76, as with three
 *         threads, on one thread. Its catch, `--blocking`: every step blocks the loop
 *         (the notebook's time.sleep inside an async function): no timer can fire while
 *         the loop sleeps, the makespan collapses to serial, 23 units.
 * Diff it against tasks_counted.c: the same counting of unfinished predecessors, with
 * timers where the threads were.
 */
#include <errno.h>
#include <stdlib.h>

#include "mapo/cook.h"
#include "mapo/error.h"
#include "mapo/loop.h"

struct cook;

/* What a step's timer carries: the cook and the step. */
typedef struct step_ref {
  struct cook *c;
  int step;
} step_ref;

typedef struct cook {
  mapo_kitchen *k;
  mapo_loop *loop;
  int *left;     /* per step: predecessors not yet done */
  int *ready;    /* steps to start, a stack */
  int nready;
  /* Steps that found a utensil out wait in a queue for that utensil (a list threaded
   * through `next`): when pieces come back, as many waiting steps try again. */
  int *next, head[MAPO_UTENSILS_MAX], tail[MAPO_UTENSILS_MAX];
  step_ref *ref; /* per step */
  int rc;        /* the first error, which stops the loop */
} cook;

static void finish(cook *c, int s) {
  const mapo_step *st = &c->k->recipe->steps[s];
  mapo_kitchen_end(c->k, s);
  for (int i = 0; i < st->nsucc; i++)
    if (--c->left[st->succ[i]] == 0) c->ready[c->nready++] = st->succ[i];
  /* Utensils came back: as many steps as pieces came back, first come first served,
   * try again (one that still finds something out queues up again). */
  for (int i = 0; i < st->nuse; i++) {
    const int u = st->use[i].utensil;
    for (int n = 0; n < st->use[i].count && c->head[u] >= 0; n++) {
      const int w = c->head[u];
      c->head[u] = c->next[w];
      c->ready[c->nready++] = w;
    }
  }
}

static void on_timer(mapo_loop *loop, void *arg);

/* Start every ready step: a `wait` step gets a timer; `hands` work (and, under
 * --blocking, every step) is done here and now, on the loop's thread. */
static void start_ready(cook *c) {
  while (c->nready > 0) {
    const int s = c->ready[--c->nready];
    const mapo_step *st = &c->k->recipe->steps[s];
    int u;
    if (!mapo_kitchen_try_take(c->k, s, &u)) {
      c->next[s] = -1;
      if (c->head[u] < 0)
        c->head[u] = s;
      else
        c->next[c->tail[u]] = s;
      c->tail[u] = s;
      continue;
    }
    const int64_t deadline = mapo_kitchen_begin(c->k, s, 0);
    if (st->kind == MAPO_HANDS) {
      mapo_kitchen_spin_until(deadline);
      finish(c, s);
    } else if (c->k->blocking) {
      mapo_kitchen_sleep_until(deadline); /* the loop is stuck here, as with time.sleep */
      finish(c, s);
    } else {
      const int rc = mapo_loop_timer(c->loop, deadline, on_timer, &c->ref[s], NULL);
      if (rc < 0 && c->rc == 0) {
        c->rc = rc;
        mapo_loop_stop(c->loop);
      }
    }
  }
}

static void on_timer(mapo_loop *loop, void *arg) {
  const step_ref *ref = arg;
  (void)loop;
  finish(ref->c, ref->step);
  start_ready(ref->c);
}

int mapo_cook_async(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  cook c = {.k = k};
  c.left = malloc((size_t)r->nsteps * sizeof *c.left);
  c.ready = malloc((size_t)r->nsteps * sizeof *c.ready);
  c.next = malloc((size_t)r->nsteps * sizeof *c.next);
  for (int u = 0; u < MAPO_UTENSILS_MAX; u++) c.head[u] = -1;
  c.ref = malloc((size_t)r->nsteps * sizeof *c.ref);
  int rc = (!c.left || !c.ready || !c.next || !c.ref) ? -ENOMEM : mapo_loop_new(&c.loop);
  if (rc == 0) {
    for (int s = 0; s < r->nsteps; s++) {
      c.left[s] = r->steps[s].npred;
      c.ref[s] = (step_ref){&c, s};
    }
    mapo_kitchen_open(k);
    mapo_kitchen_enter(k, 0, 1); /* one cook: the clock starts at once */
    for (int i = r->nsteps - 1; i >= 0; i--) /* sources, the first written on top */
      if (r->steps[r->order[i]].npred == 0) c.ready[c.nready++] = r->order[i];
    start_ready(&c);
    rc = mapo_loop_run(c.loop);
    if (rc == 0) rc = c.rc;
    mapo_kitchen_close(k);
  }
  if (c.loop) mapo_loop_free(c.loop);
  free(c.left);
  free(c.ready);
  free(c.next);
  free(c.ref);
  return rc;
}
