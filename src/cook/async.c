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
  mapo_board board; /* what can start: predecessors done, utensils in */
  step_ref *ref;    /* per step */
  int rc;           /* the first error, which stops the loop */
} cook;

static void finish(cook *c, int s) {
  mapo_kitchen_end(c->k, s);
  mapo_board_done(&c->board, c->k->recipe, s);
}

static void on_timer(mapo_loop *loop, void *arg);

/* Start every ready step: a `wait` step gets a timer; `hands` work (and, under
 * --blocking, every step) is done here and now, on the loop's thread. */
static void start_ready(cook *c) {
  for (int s; (s = mapo_board_next(&c->board, c->k)) >= 0;) {
    const mapo_step *st = &c->k->recipe->steps[s];
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
  c.ref = malloc((size_t)r->nsteps * sizeof *c.ref);
  int rc = c.ref == NULL ? -ENOMEM : mapo_board_init(&c.board, r);
  if (rc == 0) rc = mapo_loop_new(&c.loop);
  if (rc == 0) {
    for (int s = 0; s < r->nsteps; s++) c.ref[s] = (step_ref){&c, s};
    mapo_kitchen_open(k);
    mapo_kitchen_enter(k, 0, 1); /* one cook: the clock starts at once */
    start_ready(&c);
    rc = mapo_loop_run(c.loop);
    if (rc == 0) rc = c.rc;
    mapo_kitchen_close(k);
  }
  if (c.loop) mapo_loop_free(c.loop);
  mapo_board_free(&c.board);
  free(c.ref);
  return rc;
}
