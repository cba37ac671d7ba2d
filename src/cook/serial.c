/* serial.c - one cook does every step, one after another: the notebook's cook().
 *
 * Run:    mapo cook --model serial
 * Notice: the notebook's recipe takes its whole work, 23 units, and the rice waits on
 *         the stove while the spices and the meat are done: it is served at 48 degrees.
 *         Diff this file against tasks.c: what you see is all that parallelism costs.
 */
#include "mapo/cook.h"

int mapo_cook_serial(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;

  mapo_kitchen_open(k);
  mapo_kitchen_enter(k, 0, 1); /* one cook: the clock starts at once */
  /* The recipe as written (r->order is a topological order that keeps the written
   * order wherever the dependencies allow it). */
  for (int i = 0; i < r->nsteps; i++) {
    const int s = r->order[i];
    mapo_kitchen_step(k, s, 0);
  }
  mapo_kitchen_close(k);
  return 0;
}
