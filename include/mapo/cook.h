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
#include "stats.h"

typedef int (*mapo_cook_fn)(mapo_kitchen *k, mapo_diag *diag);

/* One row of the model table (src/cook/cook.c): everything a program needs to offer,
 * refuse and explain a model, so that no program names one. Every model's width is its
 * cooks (`--cooks`, the kitchen's workers); fixed_cooks says where that is not a choice.
 * Fields are only ever added at the end: a row written positionally with the first five
 * (as examples/exercise/my_models.c does) still compiles, the rest zero. */
typedef struct mapo_cook_model {
  const char *name; /* as given to --model */
  mapo_cook_fn cook;
  mapo_hold hold;     /* what occupies a worker under this model */
  int fixed_cooks;    /* its cooks whatever --cooks asks (serial and async: 1); 0: as asked */
  const char *lesson; /* one sentence: what to notice */
  /* --blocking applies to this model: the sentence printed after its report when every
   * step blocked. NULL: --blocking does not apply, and is refused. */
  const char *blocking_lesson;
} mapo_cook_model;

int mapo_cook_serial(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_sections(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_tasks(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_tasks_counted(mapo_kitchen *k, mapo_diag *diag);
int mapo_cook_async(mapo_kitchen *k, mapo_diag *diag);

/* All models, in the order a class meets them; NULL-name terminated. */
extern const mapo_cook_model mapo_cook_models[];
const mapo_cook_model *mapo_cook_model_find(const char *name);
int mapo_cook_model_count(void); /* the table's rows, the terminator not counted */

/* Cook the recipe with a model and summarise the run: the kitchen is set up from the
 * options (cooks 0: the recipe's width; a serial model always has one cook). Free the
 * kitchen and the summary after any return, success or not. */
int mapo_cook(const mapo_cook_model *m, const mapo_recipe *r, const mapo_kitchen_opts *o,
              mapo_kitchen *k, mapo_cook_summary *s, mapo_diag *diag);

/* How long cooking takes at least, in seconds, before anything runs: for each model
 * (m, or every model of the table when m is NULL, as mapo_cook_all cooks them), the
 * recipe's lower bound for that model's cooks and hold (mapo_recipe_bound) in units,
 * times o->unit_ms, times `repeat` (the warm-ups cook at 0 ms a unit and cost nothing
 * here). A lower bound, so that a run refused for it would surely take longer; NAN
 * when the recipe cannot be analysed. */
double mapo_cook_estimate_s(const mapo_cook_model *m, const mapo_recipe *r,
                            const mapo_kitchen_opts *o, int repeat);

/* A model cooked `repeat` times through the benchmark harness (mapo/bench.h): the run
 * whose makespan is nearest the median, kept whole for the reports, and the spread of
 * each figure over all the runs. */
typedef struct mapo_cook_run {
  const mapo_cook_model *model;
  int repeat;
  int rc;         /* 0, or the negative code the model stopped with */
  mapo_diag diag; /* that code in words (MAPO_ESHAPE: the recipe does not fit) */
  mapo_kitchen k; /* the run shown: the one with the median makespan */
  mapo_cook_summary s;
  mapo_spread makespan, dispatch, overhead, oversleep; /* over the runs, ms */
} mapo_cook_run;

/* Cook with m `repeat` (>= 1) times, each run after its own warm-up (mapo_cook). Returns
 * 0 or the first negative code, also left in x->rc. Free x after any return. */
int mapo_cook_repeat(mapo_cook_run *x, const mapo_cook_model *m, const mapo_recipe *r,
                     const mapo_kitchen_opts *o, int repeat);
void mapo_cook_run_free(mapo_cook_run *x);

/* Every model of the table, side by side (`mapo cook --model all`). */
typedef struct mapo_cook_lineup {
  const mapo_recipe *recipe;
  double unit_ms;
  int repeat;
  int n; /* one run per model, in the table's order */
  mapo_cook_run *runs;
} mapo_cook_lineup;

/* Cook with every model, `repeat` times each. A model the recipe does not fit
 * (MAPO_ESHAPE, as sections with a recipe that is not fork-join) keeps that code in its
 * run and the others go on; any other error stops there and is returned, the run that
 * failed being the last cooked. Free the lineup after any return. */
int mapo_cook_all(mapo_cook_lineup *l, const mapo_recipe *r, const mapo_kitchen_opts *o,
                  int repeat);
void mapo_cook_lineup_free(mapo_cook_lineup *l);

#endif
