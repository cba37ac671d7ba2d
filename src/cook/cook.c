/* cook.c - the list of cooking models and the one way to run any of them. */
#include <string.h>

#include "mapo/cook.h"
#include "mapo/error.h"

const mapo_cook_model mapo_cook_models[] = {
    {"serial", mapo_cook_serial, MAPO_HOLD_ALL, 1,
     "One cook, one step at a time: the makespan is the whole work, and the rice waits "
     "on the stove while everything else is done."},
    {"sections", mapo_cook_sections, MAPO_HOLD_ALL, 0,
     "A fixed split written into the program, one section per chain and a join: it "
     "reaches the span here, but only recipes of this fork-join shape fit it."},
    {"tasks", mapo_cook_tasks, MAPO_HOLD_ALL, 0,
     "Each step starts as soon as what it comes after is done: the makespan is the span, "
     "and the rice is served hot."},
    {"tasks-counted", mapo_cook_tasks_counted, MAPO_HOLD_ALL, 0,
     "The same schedule as tasks without a dependence table: the step that readies "
     "another cooks it at once or creates its task, so each step costs less."},
    {"async", mapo_cook_async, MAPO_HOLD_HANDS, 1,
     "One thread, smart about waiting: a boiling step is a timer and the cook goes on "
     "with what else is ready, so one thread reaches the span like three."},
    {NULL, NULL, MAPO_HOLD_ALL, 0, NULL},
};

const mapo_cook_model *mapo_cook_model_find(const char *name) {
  for (const mapo_cook_model *m = mapo_cook_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

int mapo_cook(const mapo_cook_model *m, const mapo_recipe *r, const mapo_kitchen_opts *o,
              mapo_kitchen *k, mapo_cook_summary *s, mapo_diag *diag) {
  if (m == NULL || r == NULL || o == NULL || k == NULL || s == NULL) return MAPO_EINVAL;
  memset(s, 0, sizeof *s);
  memset(k, 0, sizeof *k); /* so that mapo_kitchen_free() is safe on every return */
  mapo_kitchen_opts opts = *o;
  if (m->fixed_cooks > 0) opts.cooks = m->fixed_cooks;
  /* A warm-up first, excluded from the measurement as STREAM and IMB exclude their
   * first iteration: the first parallel region creates the thread team (about 0.1 ms
   * here), and the first pass through any code path pays for page faults and lazy
   * symbol binding. A long-running program pays those once; cooking the recipe once
   * at 0 ms a unit, unobserved, keeps them out of the figures. */
  mapo_kitchen_opts quick = opts;
  quick.unit_ms = 0;
  quick.on_event = NULL;
  int rc = mapo_kitchen_init(k, r, &quick);
  if (rc < 0) return rc;
  rc = m->cook(k, diag);
  mapo_kitchen_free(k);
  if (rc < 0) return rc;
  rc = mapo_kitchen_init(k, r, &opts);
  if (rc < 0) return rc;
  rc = m->cook(k, diag);
  if (rc < 0) return rc;
  /* Under --blocking every step holds the one thread, whatever its kind. */
  return mapo_kitchen_summarize(k, k->blocking ? MAPO_HOLD_ALL : m->hold, s);
}
