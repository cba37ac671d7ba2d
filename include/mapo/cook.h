/* mapo/cook.h - the cooking models: one recipe, many ways to run it.
 *
 * Every model has the same shape: it gets a kitchen (recipe, clock, utensils,
 * timeline), opens it, calls mapo_kitchen_step() for every step from some worker, and
 * closes it. A model differs from its siblings only in how it decides who runs what
 * when: that difference is the lesson (diff src/cook/serial.c src/cook/tasks.c).
 */
#ifndef MAPO_COOK_H
#define MAPO_COOK_H

#include "kitchen.h"

typedef int (*mapo_cook_fn)(mapo_kitchen *k, mapo_diag *diag);

typedef struct mapo_cook_model {
  const char *name;
  mapo_cook_fn cook;
  mapo_hold hold;     /* what occupies a worker under this model */
  int fixed_cooks;    /* 1 for serial (always one cook), else 0 */
  const char *lesson; /* one sentence: what to notice */
} mapo_cook_model;

int mapo_cook_serial(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_sections(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_tasks(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_tasks_counted(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_async(mapo_kitchen *k, mapo_diag *diag);

/* All models, in the order a class meets them; NULL-name terminated. */
extern const mapo_cook_model mapo_cook_models[];
const mapo_cook_model *mapo_cook_model_find(const char *name);

/* Cook the recipe with a model and summarise the run: the kitchen is set up from the
 * options (cooks 0: the recipe's width; a serial model always has one cook). Free the
 * kitchen and the summary after any return, success or not. */
int mapo_cook(const mapo_cook_model *m, const mapo_recipe *r, const mapo_kitchen_opts *o,
              mapo_kitchen *k, mapo_cook_summary *s, mapo_diag *diag);

#endif
