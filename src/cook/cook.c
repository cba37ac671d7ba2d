/* cook.c - the table of cooking models, and the one way to run any of them: once
 * (mapo_cook), repeated through the benchmark harness (mapo_cook_repeat), or every model
 * side by side (mapo_cook_all). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "mapo/bench.h"
#include "mapo/cook.h"
#include "mapo/error.h"

/* The model table: the single source of what models exist. `mapo cook` offers, refuses
 * and explains a model from its row alone (--model's choices and --help, --cooks for a
 * model with fixed cooks, --blocking, --model all), and the unit tests walk it.
 *
 * Adding a model = one file, one table row, one CMake line:
 *   1. src/cook/<name>.c: the model, written beside a sibling (start from a copy of
 *      tasks.c or serial.c and change how it decides who runs what when); its prototype
 *      goes beside theirs in include/mapo/cook.h.
 *   2. A row below, in the order a class should meet it: the name --model takes, the
 *      function, what occupies a worker (MAPO_HOLD_ALL for threads, MAPO_HOLD_HANDS for
 *      an event loop), its fixed number of cooks (0: as many as asked), the sentence
 *      that says what to notice, and the one for --blocking if that applies.
 *   3. cook/<name>.c in the `mapo` library's list in src/CMakeLists.txt.
 * No program branches on a model's name: `mapo cook` (--model, --help, --model all), its
 * reports and the unit tests that walk this table pick the row up. What is left is words
 * for people: the model in docs/man/mapo.1 under --model and in README's table of models. */
const mapo_cook_model mapo_cook_models[] = {
    {"serial", mapo_cook_serial, MAPO_HOLD_ALL, 1,
     "One cook, one step at a time: the makespan is the whole work, and what one step "
     "makes waits while everything else is done.",
     NULL},
    {"sections", mapo_cook_sections, MAPO_HOLD_ALL, 0,
     "A fixed split written into the program, one section per chain and a join: it "
     "can reach the span here, but only recipes of this fork-join shape fit it.",
     NULL},
    {"tasks", mapo_cook_tasks, MAPO_HOLD_ALL, 0,
     "Each step starts as soon as what it comes after is done: the makespan can be the "
     "span, and nothing waits longer than the schedule needs.",
     NULL},
    {"tasks-counted", mapo_cook_tasks_counted, MAPO_HOLD_ALL, 0,
     "The same schedule as tasks without a dependence table: the step that readies "
     "another cooks it at once or creates its task, so each step costs less.",
     NULL},
    {"async", mapo_cook_async, MAPO_HOLD_HANDS, 1,
     "One thread, smart about waiting: a boiling step is a timer and the cook goes on "
     "with what else is ready, so one thread can reach the span like three.",
     "--blocking: every step blocked the loop (the notebook's time.sleep inside async "
     "code): no timer can fire while the one thread sleeps, so the steps ran one after "
     "another and the makespan collapsed to serial."},
    {NULL, NULL, MAPO_HOLD_ALL, 0, NULL, NULL},
};

const mapo_cook_model *mapo_cook_model_find(const char *name) {
  for (const mapo_cook_model *m = mapo_cook_models; name != NULL && m->name != NULL; m++)
    if (strcmp(m->name, name) == 0) return m;
  return NULL;
}

int mapo_cook_model_count(void) {
  int n = 0;
  while (mapo_cook_models[n].name != NULL) n++;
  return n;
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
  /* A team of threads: proved possible first (see mapo__threads_probe). */
  if (m->hold == MAPO_HOLD_ALL && k->cooks > 1 && (rc = mapo__threads_probe(k->cooks - 1)) < 0) {
    mapo_kitchen_free(k);
    return rc;
  }
  /* Every run, the warm-up too, kept the kitchen's rules (mapo_kitchen_check), before
   * anything is summarised: a run that broke one is never reported. The warm-up finds
   * most broken models at once, at 0 ms a unit. */
  rc = m->cook(k, diag);
  if (rc == 0) rc = mapo_kitchen_check(k, diag);
  mapo_kitchen_free(k);
  if (rc < 0) return rc;
  rc = mapo_kitchen_init(k, r, &opts);
  if (rc < 0) return rc;
  rc = m->cook(k, diag);
  if (rc == 0) rc = mapo_kitchen_check(k, diag);
  if (rc < 0) return rc;
  /* Under --blocking every step holds the one thread, whatever its kind. */
  return mapo_kitchen_summarize(k, k->blocking ? MAPO_HOLD_ALL : m->hold, s);
}

double mapo_cook_estimate_s(const mapo_cook_model *m, const mapo_recipe *r,
                            const mapo_kitchen_opts *o, int repeat) {
  mapo_recipe_stats st;
  if (r == NULL || o == NULL || repeat < 1 || mapo_recipe_analyze(r, &st) < 0) return NAN;
  /* The cooks each model gets: as mapo_kitchen_init and mapo_cook decide them. */
  const int asked = o->cooks > 0                        ? o->cooks
                    : st.width > MAPO_COOKS_DEFAULT_MAX ? MAPO_COOKS_DEFAULT_MAX
                                                        : st.width;
  double units = 0;
  for (const mapo_cook_model *x = m != NULL ? m : mapo_cook_models; x->name != NULL; x++) {
    const int cooks = x->fixed_cooks > 0 ? x->fixed_cooks : asked;
    units += mapo_recipe_bound(r, &st, o->blocking ? MAPO_HOLD_ALL : x->hold, cooks);
    if (m != NULL) break;
  }
  mapo_recipe_stats_free(&st);
  return units * o->unit_ms / 1e3 * repeat;
}

/* ---- repeated: the benchmark harness -------------------------------------------- */

/* What the harness's run hook works on: the run being filled, what to cook, and each
 * figure of every run so far (ms), for the spreads. */
typedef struct repeat_job {
  mapo_cook_run *x;
  const mapo_recipe *r;
  const mapo_kitchen_opts *o;
  double *makespan, *dispatch, *overhead, *oversleep;
  int done;
} repeat_job;

static void run_parts_free(mapo_kitchen *k, mapo_cook_summary *s) {
  mapo_kitchen_free(k);
  mapo_cook_summary_free(s);
}

/* One run for the harness. mapo_cook() warms up before it (so the harness adds no
 * warm-up of its own) and the kitchen times the run from the moment every cook is in:
 * that makespan is the run's seconds. What follows the cook here is bookkeeping, and
 * lies outside that measurement: the run is kept whole when its makespan is nearer the
 * median so far than the one kept, so the run shown ends up the median one. */
static int cook_once(void *user, double *seconds) {
  repeat_job *j = user;
  mapo_cook_run *x = j->x;
  mapo_kitchen k;
  mapo_cook_summary s;
  int rc = mapo_cook(x->model, j->r, j->o, &k, &s, &x->diag);
  if (rc < 0) {
    run_parts_free(&k, &s);
    return rc;
  }
  const int i = j->done++;
  j->makespan[i] = s.makespan_ms;
  j->dispatch[i] = s.dispatch_ms;
  j->overhead[i] = s.overhead_ms;
  j->oversleep[i] = s.oversleep_ms;
  *seconds = s.makespan_ms / 1e3;
  mapo_spread_of(j->makespan, i + 1, &x->makespan);
  if (i == 0 ||
      fabs(s.makespan_ms - x->makespan.median) < fabs(x->s.makespan_ms - x->makespan.median)) {
    run_parts_free(&x->k, &x->s);
    x->k = k;
    x->s = s;
  } else {
    run_parts_free(&k, &s);
  }
  return 0;
}

int mapo_cook_repeat(mapo_cook_run *x, const mapo_cook_model *m, const mapo_recipe *r,
                     const mapo_kitchen_opts *o, int repeat) {
  if (x == NULL) return MAPO_EINVAL;
  memset(x, 0, sizeof *x);
  x->model = m;
  x->repeat = repeat;
  if (m == NULL || r == NULL || o == NULL || repeat < 1) return x->rc = MAPO_EINVAL;
  const size_t n = (size_t)repeat;
  double *figures = malloc(5 * n * sizeof *figures);
  if (figures == NULL) return x->rc = -ENOMEM;
  repeat_job j = {x, r, o, figures, figures + n, figures + 2 * n, figures + 3 * n, 0};
  const mapo_bench b = {.warmup = 0, .repeat = repeat, .user = &j, .run = cook_once};
  int rc = mapo_bench_run(&b, figures + 4 * n, NULL);
  if (rc == 0) {
    mapo_spread_of(j.dispatch, repeat, &x->dispatch);
    mapo_spread_of(j.overhead, repeat, &x->overhead);
    mapo_spread_of(j.oversleep, repeat, &x->oversleep);
  }
  free(figures);
  return x->rc = rc;
}

void mapo_cook_run_free(mapo_cook_run *x) {
  if (x == NULL) return;
  run_parts_free(&x->k, &x->s);
}

/* ---- every model ----------------------------------------------------------------- */

int mapo_cook_all(mapo_cook_lineup *l, const mapo_recipe *r, const mapo_kitchen_opts *o,
                  int repeat) {
  if (l == NULL) return MAPO_EINVAL;
  memset(l, 0, sizeof *l);
  if (r == NULL || o == NULL) return MAPO_EINVAL;
  *l = (mapo_cook_lineup){.recipe = r, .unit_ms = o->unit_ms, .repeat = repeat};
  const int models = mapo_cook_model_count();
  l->runs = calloc((size_t)(models > 0 ? models : 1), sizeof *l->runs); /* never calloc(0) */
  if (l->runs == NULL) return -ENOMEM;
  for (; l->n < models; l->n++) {
    int rc = mapo_cook_repeat(&l->runs[l->n], &mapo_cook_models[l->n], r, o, repeat);
    if (rc < 0 && rc != MAPO_ESHAPE) {
      l->n++; /* the run that failed is the last one counted */
      return rc;
    }
  }
  return 0;
}

void mapo_cook_lineup_free(mapo_cook_lineup *l) {
  if (l == NULL) return;
  for (int i = 0; i < l->n; i++) mapo_cook_run_free(&l->runs[i]);
  free(l->runs);
  l->runs = NULL;
  l->n = 0;
}
