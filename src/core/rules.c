/* rules.c - the kitchen's rules in words: the first one a model broke, and what only the
 * end of a run shows (the kitchen closed, every step ran once after what it comes after,
 * every utensil back).
 *
 * What to notice: the rules are checked in the kitchen (kitchen.c), where every model
 * must pass, never in a program that prints a report: a run that broke one ends in
 * MAPO_EKITCHEN before anything is summarised, so no report of it (a makespan timed
 * from a clock that never started, a negative dispatch) is ever printed. Each sentence
 * names the rule by its number in examples/exercise/README.md and the call to fix.
 */
#include <stdatomic.h>

#include "internal.h"
#include "mapo/error.h"
#include "mapo/kitchen.h"

void mapo__kitchen_break(mapo_kitchen *k, int rule, int step, int other, int worker) {
  int none = MAPO_RULE_KEPT;
  if (!atomic_compare_exchange_strong(&k->broken, &none, rule)) return; /* not the first */
  k->broken_step = step;
  k->broken_other = other;
  k->broken_worker = worker;
}

/* A step's name for a sentence, whatever the index. */
static const char *name_of(const mapo_kitchen *k, int step) {
  return step >= 0 && step < k->recipe->nsteps ? k->recipe->steps[step].name : "?";
}

/* The first rule broken, in one sentence. */
static int words(const mapo_kitchen *k, mapo_diag *diag) {
  const int s = k->broken_step, o = k->broken_other, w = k->broken_worker;
  const char *step = name_of(k, s), *other = name_of(k, o);
  switch (atomic_load(&k->broken)) {
  case MAPO_RULE_OPEN:
    if (s < 0)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 1: the kitchen was opened twice (mapo_kitchen_open once per run)");
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 1: step '%s' ran before mapo_kitchen_open(k): open the kitchen "
                      "before any cook starts",
                      step);
  case MAPO_RULE_ENTER:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 2: step '%s' ran on cook %d before the clock started: every cook "
                      "calls mapo_kitchen_enter(k, worker, team) before its first step",
                      step, w);
  case MAPO_RULE_TEAM:
    if (s == MAPO_TEAM_SIZE)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 2: mapo_kitchen_enter(k, %d, %d): a team of %d, but the kitchen "
                        "has %d cooks (num_threads(k->cooks))",
                        w, o, o, k->cooks_room);
    if (s == MAPO_TEAM_WORKER)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 2: mapo_kitchen_enter(k, %d, %d): the worker must be 0 to %d "
                        "(omp_get_thread_num())",
                        w, o, o - 1);
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 2: cook %d called mapo_kitchen_enter twice (once per cook)", w);
  case MAPO_RULE_STEP:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: step %d is not in the recipe (its steps are 0 to %d)", s,
                      k->recipe->nsteps - 1);
  case MAPO_RULE_COOK:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: step '%s' ran on cook %d, but the team's cooks are 0 to %d "
                      "(pass omp_get_thread_num())",
                      step, w, o - 1);
  case MAPO_RULE_BUSY:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: cook %d was given step '%s' while still cooking another: each "
                      "thread passes its own worker (omp_get_thread_num())",
                      w, step);
  case MAPO_RULE_ORDER:
    if (o < 0)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 3: step '%s' ended without having begun (mapo_kitchen_begin "
                        "first)",
                        step);
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: step '%s' started before '%s' had ended: a step starts only "
                      "after every step it comes after",
                      step, other);
  case MAPO_RULE_TWICE:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: step '%s' ran twice: every step runs exactly once", step);
  case MAPO_RULE_UTENSIL:
    if (o >= 0)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 3: step '%s' gave back more '%s' than the kitchen has: it "
                        "ended without having taken them",
                        step, k->recipe->utensils[o].name);
    if (s < 0)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 3: not every utensil was back at the end: a step kept one");
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 3: step '%s' began without its utensils (mapo_kitchen_try_take "
                      "first, or mapo_kitchen_step, which takes them)",
                      step);
  case MAPO_RULE_NEVER:
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      o < 0 ? "rule 3: step '%s' never ran: every step runs exactly once"
                            : "rule 3: step '%s' began and never ended (mapo_kitchen_end)",
                      step);
  case MAPO_RULE_CLOSE:
    if (s < 0)
      return mapo__diag(diag, 0, MAPO_EKITCHEN,
                        "rule 4: the model returned without mapo_kitchen_close(k) after the "
                        "last step");
    return mapo__diag(diag, 0, MAPO_EKITCHEN,
                      "rule 4: step '%s' ran after mapo_kitchen_close(k): close the kitchen "
                      "after the last step has ended",
                      step);
  default: return 0;
  }
}

/* What only the end shows, into k's record (the model has returned: no thread is left
 * to race with). Stops at the first finding. */
static void check_end(mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  if (atomic_load(&k->phase) != 2) {
    mapo__kitchen_break(k, MAPO_RULE_CLOSE, -1, -1, -1);
    return;
  }
  for (int s = 0; s < r->nsteps; s++) {
    const int mark = atomic_load(&k->mark[s]);
    if (!(mark & MAPO_MARK_ENDED)) {
      mapo__kitchen_break(k, MAPO_RULE_NEVER, s, mark & MAPO_MARK_BEGUN ? 1 : -1, -1);
      return;
    }
  }
  /* A step that took its utensils before what it comes after had ended (the three-part
   * form: mapo_kitchen_try_take stamps the start) shows only in the times. */
  for (int s = 0; s < r->nsteps; s++)
    for (int j = 0; j < r->steps[s].npred; j++)
      if (k->slots[s].start_ns < k->slots[r->steps[s].pred[j]].end_ns) {
        mapo__kitchen_break(k, MAPO_RULE_ORDER, s, r->steps[s].pred[j], -1);
        return;
      }
  for (int u = 0; u < r->nutensils; u++)
    if (k->left[u] != r->utensils[u].count) {
      mapo__kitchen_break(k, MAPO_RULE_UTENSIL, -1, -1, -1);
      return;
    }
}

int mapo_kitchen_check(mapo_kitchen *k, mapo_diag *diag) {
  if (k == NULL || k->recipe == NULL || k->mark == NULL) return MAPO_EINVAL;
  if (atomic_load(&k->broken) == MAPO_RULE_KEPT) check_end(k);
  return words(k, diag);
}
