/* test_cook.c - the cooking models and the kitchen: the notebook's figures (serial
 * 23 units and rice at 48; parallel 9 and 76), dependency order and utensil
 * exclusivity on the timelines of many generated recipes, the event callback, the
 * sections shape check, the output files, repeated runs through the benchmark harness,
 * every model side by side, and the model table as the single source.
 *
 * Timing checks catch a broken schedule, never a slow or loaded machine: steps sleep to
 * their deadlines, so no makespan beats its bound and no rice is warmer than its
 * schedule allows (asserted always); a load only adds time, so an upper bound sits
 * halfway to what a broken schedule takes (parallel below 16 units, serial's 23 being
 * the broken case), at 20 ms a unit: 140 ms of room. Speed itself is measured by the
 * commands, not here.
 * Run: ctest -R unit.test_cook --output-on-failure
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static const char *source_dir = ".";

static int cook(const char *model, const mapo_recipe *r, double unit_ms, int cooks, mapo_kitchen *k,
                mapo_cook_summary *s) {
  mapo_kitchen_opts o = {.unit_ms = unit_ms, .cooks = cooks};
  mapo_diag d = {0};
  const mapo_cook_model *m = mapo_cook_model_find(model);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  return mapo_cook(m, r, &o, k, s, &d);
}

/* The notebook's figures: serial 23 units and rice at 48, parallel 9 and 76 on a quiet
 * machine. The rice loses 2 degrees a unit while it waits, and it waits at least as
 * long as the schedule says: one cook's is never warmer than 48. */
static void check_figures(const mapo_cook_summary *s, int serial) {
  MAPO_ASSERT_NEAR(s->bound_units, serial ? 23 : 9, 0);
  CU_ASSERT(s->makespan_units >= s->bound_units * 0.999);
  CU_ASSERT(s->rice_temperature <= (serial ? 48.5 : 80));
  if (serial) return;
  MAPO_ASSERT_TIME_BELOW(s->makespan_units, 16);
  MAPO_ASSERT_TIME_ABOVE(s->rice_temperature, 56); /* 76 when quiet: 10 units to spare */
}

static void test_notebook_figures(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++) {
    mapo_kitchen k;
    mapo_cook_summary s;
    CU_ASSERT_EQUAL(cook(m->name, &r, 20, 0, &k, &s), 0);
    int serial = strcmp(m->name, "serial") == 0;
    MAPO_ASSERT_INT(s.cooks, m->fixed_cooks ? 1 : 3);
    check_figures(&s, serial);
    MAPO_ASSERT_NEAR(s.bound_units, serial ? 23 : 9, 0);
    CU_ASSERT(s.makespan_units >= s.bound_units); /* nothing beats the bound */
    CU_ASSERT(s.dispatch_ms >= 0 && s.oversleep_ms >= 0);
    CU_ASSERT(s.overhead_ms >= 0);
    /* The deciding path ends with serving. */
    CU_ASSERT_STRING_EQUAL(r.steps[s.path[s.npath - 1]].name, "serve");
    mapo_kitchen_free(&k);
    mapo_cook_summary_free(&s);
  }
  mapo_recipe_free(&r);
}

/* Fewer cooks than chains: sections with 2 cooks run two chains on one cook (7 + 7),
 * then the tail (2): 16 units; tasks need 11.5 at best, and get at most 16. */
static void test_fewer_cooks(void) {
  mapo_recipe r;
  mapo_kitchen k;
  mapo_cook_summary s;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  CU_ASSERT_EQUAL(cook("sections", &r, 20, 2, &k, &s), 0);
  CU_ASSERT(s.makespan_units >= 16 * 0.999);      /* two chains in turn, then the tail */
  MAPO_ASSERT_TIME_BELOW(s.makespan_units, 19.5); /* halfway to one cook's 23 */
  MAPO_ASSERT_NEAR(s.bound_units, 11.5, 0);
  mapo_kitchen_free(&k);
  mapo_cook_summary_free(&s);
  CU_ASSERT_EQUAL(cook("tasks", &r, 5, 1, &k, &s), 0);
  CU_ASSERT(s.makespan_units >= 23 * 0.999); /* one cook: serial, whatever the load */
  mapo_kitchen_free(&k);
  mapo_cook_summary_free(&s);
  mapo_recipe_free(&r);
}

/* Every step ran once, on a real cook, after everything it comes after; no utensil
 * was ever held by more steps than there are pieces; hands steps lasted their time. */
static void check_timeline(const mapo_kitchen *k, const char *model) {
  const mapo_recipe *r = k->recipe;
  int bad_order = 0, bad_worker = 0, bad_hands = 0, bad_utensil = 0;
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    const mapo_step *st = &r->steps[t];
    if (sl->worker < 0 || sl->worker >= k->cooks) bad_worker++;
    for (int i = 0; i < st->npred; i++)
      if (sl->start_ns < k->slots[st->pred[i]].end_ns) bad_order++;
    if (st->kind == MAPO_HANDS && sl->end_ns - sl->start_ns < mapo_kitchen_ns(k, st->units))
      bad_hands++;
  }
  /* Sweep each utensil's holding intervals; at equal times a return comes first (the
   * kitchen stamps both under its lock, so equal stamps mean return, then take). */
  for (int u = 0; u < r->nutensils; u++) {
    int n = 0;
    int64_t *at = malloc(2 * (size_t)r->nsteps * sizeof *at);
    int *delta = malloc(2 * (size_t)r->nsteps * sizeof *delta);
    CU_ASSERT_FATAL(at && delta);
    for (int t = 0; t < r->nsteps; t++)
      for (int i = 0; i < r->steps[t].nuse; i++)
        if (r->steps[t].use[i].utensil == u) {
          at[n] = k->slots[t].start_ns, delta[n++] = r->steps[t].use[i].count;
          at[n] = k->slots[t].end_ns, delta[n++] = -r->steps[t].use[i].count;
        }
    /* insertion sort by (time, returns first): n is small */
    for (int i = 1; i < n; i++)
      for (int j = i;
           j > 0 && (at[j] < at[j - 1] || (at[j] == at[j - 1] && delta[j] < delta[j - 1])); j--) {
        int64_t ta = at[j];
        at[j] = at[j - 1], at[j - 1] = ta;
        int td = delta[j];
        delta[j] = delta[j - 1], delta[j - 1] = td;
      }
    int held = 0;
    for (int i = 0; i < n; i++) {
      held += delta[i];
      if (held > r->utensils[u].count) bad_utensil++;
    }
    free(at);
    free(delta);
  }
  if (bad_order || bad_worker || bad_hands || bad_utensil)
    fprintf(stderr, "\n  %s on %s: %d order, %d worker, %d hands, %d utensil violations\n", model,
            r->title, bad_order, bad_worker, bad_hands, bad_utensil);
  MAPO_ASSERT_INT(bad_order, 0);
  MAPO_ASSERT_INT(bad_worker, 0);
  MAPO_ASSERT_INT(bad_hands, 0);
  MAPO_ASSERT_INT(bad_utensil, 0);
}

static void test_generated_timelines(void) {
  const char *models[] = {"serial", "tasks", "tasks-counted", "async"};
  for (int seed = 1; seed <= 12; seed++) {
    char *text;
    size_t len;
    mapo_recipe r;
    mapo_diag d;
    CU_ASSERT_EQUAL_FATAL(mapo_recipe_generate(&text, &len, 40 + 13 * seed, (uint64_t)seed), 0);
    CU_ASSERT_EQUAL_FATAL(mapo_recipe_parse(&r, text, len, &d), 0);
    free(text);
    for (int i = 0; i < 4; i++) {
      mapo_kitchen k;
      mapo_cook_summary s;
      /* A tiny unit, so that steps overlap for real; 2 or 3 cooks. */
      CU_ASSERT_EQUAL(cook(models[i], &r, 0.02, 2 + seed % 2, &k, &s), 0);
      check_timeline(&k, models[i]);
      CU_ASSERT(s.makespan_units >= s.bound_units * 0.999);
      mapo_kitchen_free(&k);
      mapo_cook_summary_free(&s);
    }
    mapo_recipe_free(&r);
  }
}

/* At 0 ms a unit: order still holds, and *_units are NAN (null in JSON). */
static void test_zero_unit(void) {
  char *text;
  size_t len;
  mapo_recipe r;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_generate(&text, &len, 5000, 9), 0);
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_parse(&r, text, len, &d), 0);
  free(text);
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++) {
    if (strcmp(m->name, "sections") == 0) continue; /* not a fork-join */
    mapo_kitchen k;
    mapo_cook_summary s;
    CU_ASSERT_EQUAL(cook(m->name, &r, 0, 2, &k, &s), 0);
    check_timeline(&k, m->name);
    CU_ASSERT(isnan(s.makespan_units));
    CU_ASSERT(isnan(s.rice_temperature));
    CU_ASSERT(s.makespan_ms > 0);
    mapo_kitchen_free(&k);
    mapo_cook_summary_free(&s);
  }
  mapo_recipe_free(&r);
}

static void test_sections_shape(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/examples/recipes/dinner.recipe", source_dir);
  mapo_recipe r;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_load(&r, path, &d), 0);
  mapo_kitchen k;
  mapo_cook_summary s;
  mapo_kitchen_opts o = {.unit_ms = 0};
  MAPO_ASSERT_INT(mapo_cook(mapo_cook_model_find("sections"), &r, &o, &k, &s, &d), MAPO_ESHAPE);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.msg, "use --model tasks"));
  mapo_kitchen_free(&k);
  mapo_cook_summary_free(&s);
  /* tasks cooks it: span 14. */
  CU_ASSERT_EQUAL(cook("tasks", &r, 20, 0, &k, &s), 0);
  /* Its hands steps need cores: on a busy 2-core machine they wait for one. Halfway
   * between the span and the work (29) is what a schedule that lost its parallelism
   * reaches. */
  CU_ASSERT(s.makespan_units >= 14 * 0.999);
  MAPO_ASSERT_TIME_BELOW(s.makespan_units, 21.5);
  mapo_kitchen_free(&k);
  mapo_cook_summary_free(&s);
  mapo_recipe_free(&r);
}

/* One knife serialises the cutting: 5 units of cutting whatever the cooks. */
static void test_one_knife(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/examples/recipes/one-knife.recipe", source_dir);
  mapo_recipe r;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_load(&r, path, &d), 0);
  for (int i = 0; i < 4; i++) {
    const char *model = (const char *[]){"serial", "tasks", "tasks-counted", "async"}[i];
    mapo_kitchen k;
    mapo_cook_summary s;
    CU_ASSERT_EQUAL(cook(model, &r, 2, 0, &k, &s), 0);
    check_timeline(&k, model);
    mapo_kitchen_free(&k);
    mapo_cook_summary_free(&s);
  }
  mapo_recipe_free(&r);
}

/* The notebook's catch: a blocking call in the event loop and the benefit is gone. One
 * thread either way, every step on it; the loop sleeps in poll between timers. */
static void test_async_blocking(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  for (int blocking = 0; blocking <= 1; blocking++) {
    mapo_kitchen_opts o = {.unit_ms = 20, .blocking = blocking};
    mapo_kitchen k;
    mapo_cook_summary s;
    mapo_diag d;
    CU_ASSERT_EQUAL(mapo_cook(mapo_cook_model_find("async"), &r, &o, &k, &s, &d), 0);
    check_figures(&s, blocking);
    for (int t = 0; t < r.nsteps; t++) MAPO_ASSERT_INT(k.slots[t].worker, 0);
    mapo_kitchen_free(&k);
    mapo_cook_summary_free(&s);
  }
  mapo_recipe_free(&r);
}

typedef struct counts {
  pthread_mutex_t lock;
  int start, done, bad;
} counts;

static void count_event(void *user, mapo_event ev, const mapo_recipe *r, int step, int worker,
                        int64_t t) {
  counts *c = user;
  pthread_mutex_lock(&c->lock);
  if (ev == MAPO_EV_START) c->start++;
  if (ev == MAPO_EV_DONE) c->done++;
  if (step < 0 || step >= r->nsteps || worker < 0 || t < 0) c->bad++;
  pthread_mutex_unlock(&c->lock);
}

static void test_events(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++) {
    counts c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0};
    mapo_kitchen_opts o = {.unit_ms = 0.5, .on_event = count_event, .user = &c};
    mapo_kitchen k;
    mapo_cook_summary s;
    mapo_diag d;
    CU_ASSERT_EQUAL(mapo_cook(m, &r, &o, &k, &s, &d), 0);
    /* The warm-up is not observed: one START and one DONE per step. */
    MAPO_ASSERT_INT(c.start, r.nsteps);
    MAPO_ASSERT_INT(c.done, r.nsteps);
    MAPO_ASSERT_INT(c.bad, 0);
    mapo_kitchen_free(&k);
    mapo_cook_summary_free(&s);
  }
  mapo_recipe_free(&r);
}

static void test_bad_options(void) {
  mapo_recipe r;
  mapo_kitchen k;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  mapo_kitchen_opts o = {.unit_ms = -1};
  MAPO_ASSERT_INT(mapo_kitchen_init(&k, &r, &o), MAPO_EINVAL);
  o.unit_ms = NAN;
  MAPO_ASSERT_INT(mapo_kitchen_init(&k, &r, &o), MAPO_EINVAL);
  o = (mapo_kitchen_opts){.unit_ms = 1, .cooks = -2};
  MAPO_ASSERT_INT(mapo_kitchen_init(&k, &r, &o), MAPO_EINVAL);
  CU_ASSERT_PTR_NULL(mapo_cook_model_find("nope"));
  mapo_recipe_free(&r);
}

static int write_hello(FILE *f, const void *arg) {
  (void)arg;
  return fputs("hello\n", f) < 0 ? -EIO : 0;
}

static int write_fail(FILE *f, const void *arg) {
  (void)arg;
  fputs("half a file", f);
  return -EIO;
}

static void test_write_file(void) {
  char dir[] = "/tmp/mapo-test-XXXXXX";
  CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  MAPO_ASSERT_INT(mapo_report_write_file(path, write_fail, NULL), -EIO);
  CU_ASSERT(access(path, F_OK) != 0); /* nothing under the name asked for */
  MAPO_ASSERT_INT(mapo_report_write_file(path, write_hello, NULL), 0);
  FILE *f = fopen(path, "r");
  char line[16] = "";
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  fclose(f);
  CU_ASSERT_STRING_EQUAL(line, "hello\n");
  snprintf(path, sizeof path, "%s/no/such/folder/out.txt", dir);
  MAPO_ASSERT_INT(mapo_report_write_file(path, write_hello, NULL), -ENOENT);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1 && rm -r %s", dir, dir);
  MAPO_ASSERT_INT(system(cmd), 0); /* out.txt only: no temporary left behind */
}

static void test_json_string(void) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  mapo_json_string(f, "a\"b\\c\nd\001");
  mapo_json_number(f, NAN);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(buf, "\"a\\\"b\\\\c\\nd\\u0001\"null");
  free(buf);
}

/* What a report wrote to a memory stream, for strstr. The caller frees it. */
static char *report_of(int (*report)(FILE *, const void *), const void *arg, int *rc) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  *rc = report(f, arg);
  fclose(f);
  return buf;
}

/* Unfolded, so that a lesson is found whole; lineup_narrow checks the fold. */
static const mapo_text_width wide = {0, 1}, narrow = {0, 0};
static int run_text(FILE *f, const void *x) { return mapo_report_cook_run_text(f, x, wide); }
static int run_json(FILE *f, const void *x) { return mapo_report_cook_run_json(f, x); }
static int lineup_text(FILE *f, const void *l) { return mapo_report_cook_lineup_text(f, l, wide); }
static int lineup_narrow(FILE *f, const void *l) {
  return mapo_report_cook_lineup_text(f, l, narrow);
}

/* The widest line of a text, in bytes (the texts here are ASCII). */
static size_t widest(const char *text) {
  size_t most = 0;
  for (const char *p = text; *p != '\0';) {
    const size_t n = strcspn(p, "\n");
    if (n > most) most = n;
    p += n + (p[n] == '\n');
  }
  return most;
}
static int lineup_json(FILE *f, const void *l) { return mapo_report_cook_lineup_json(f, l); }

/* --repeat: every run counted, the run kept is within the spread, the reports say so. */
static void test_repeat(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  mapo_kitchen_opts o = {.unit_ms = 0.5};
  mapo_cook_run x;
  MAPO_ASSERT_INT(mapo_cook_repeat(&x, mapo_cook_model_find("tasks"), &r, &o, 3), 0);
  MAPO_ASSERT_INT(x.repeat, 3);
  MAPO_ASSERT_INT(x.makespan.n, 3);
  MAPO_ASSERT_INT(x.dispatch.n, 3);
  CU_ASSERT(x.makespan.min <= x.makespan.median && x.makespan.median <= x.makespan.max);
  CU_ASSERT(x.s.makespan_ms >= x.makespan.min && x.s.makespan_ms <= x.makespan.max);
  check_timeline(&x.k, "tasks");
  int rc;
  char *text = report_of(run_text, &x, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "over 3 runs (ms)"));
  free(text);
  char *json = report_of(run_json, &x, &rc);
  MAPO_ASSERT_INT(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"repeat\":3,\"spread\":{\"n\":3"));
  free(json);
  mapo_cook_run_free(&x);
  MAPO_ASSERT_INT(mapo_cook_repeat(&x, mapo_cook_model_find("tasks"), &r, &o, 0), MAPO_EINVAL);
  mapo_cook_run_free(&x);
  mapo_recipe_free(&r);
}

/* --model all: a run per row of the table, in its order; a model the recipe does not fit
 * keeps its reason and the others still cook. */
static void test_all_models(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/examples/recipes/one-knife.recipe", source_dir);
  mapo_recipe r;
  mapo_diag d;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_load(&r, path, &d), 0);
  mapo_kitchen_opts o = {.unit_ms = 0};
  mapo_cook_lineup l;
  MAPO_ASSERT_INT(mapo_cook_all(&l, &r, &o, 1), 0);
  MAPO_ASSERT_INT(l.n, mapo_cook_model_count());
  int rc;
  char *text = report_of(lineup_text, &l, &rc), *json = report_of(lineup_json, &l, &rc);
  char *folded = report_of(lineup_narrow, &l, &rc);
  CU_ASSERT(widest(folded) <= MAPO_REPORT_COLUMNS);
  CU_ASSERT(widest(text) > MAPO_REPORT_COLUMNS); /* the team column, and lessons whole */
  free(folded);
  for (int i = 0; i < l.n; i++) {
    const mapo_cook_run *x = &l.runs[i];
    CU_ASSERT_PTR_EQUAL(x->model, &mapo_cook_models[i]);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, x->model->lesson));
    if (strcmp(x->model->name, "sections") == 0) {
      MAPO_ASSERT_INT(x->rc, MAPO_ESHAPE);
      CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"error\":\"sections cannot cook this recipe"));
    } else {
      MAPO_ASSERT_INT(x->rc, 0);
      check_timeline(&x->k, x->model->name);
    }
  }
  free(text);
  free(json);
  mapo_cook_lineup_free(&l);
  mapo_recipe_free(&r);
}

/* The table is the single source: unique names that find their row, a lesson each, and
 * the --blocking sentence in the report exactly when every step blocked. */
static void test_model_table(void) {
  mapo_recipe r;
  CU_ASSERT_EQUAL_FATAL(mapo_recipe_builtin(&r), 0);
  int n = 0;
  for (const mapo_cook_model *m = mapo_cook_models; m->name; m++, n++) {
    CU_ASSERT_PTR_EQUAL(mapo_cook_model_find(m->name), m);
    CU_ASSERT_PTR_NOT_NULL(m->cook);
    CU_ASSERT(m->lesson != NULL && m->lesson[0] != '\0');
    CU_ASSERT(m->fixed_cooks >= 0);
    if (m->blocking_lesson == NULL) continue;
    mapo_kitchen_opts o = {.unit_ms = 0, .blocking = 1};
    mapo_cook_run x;
    MAPO_ASSERT_INT(mapo_cook_repeat(&x, m, &r, &o, 1), 0);
    int rc;
    char *text = report_of(run_text, &x, &rc);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, m->blocking_lesson));
    free(text);
    mapo_cook_run_free(&x);
  }
  MAPO_ASSERT_INT(mapo_cook_model_count(), n);
  mapo_recipe_free(&r);
}

int main(int argc, char **argv) {
  if (argc > 1) source_dir = argv[1];
  static const mapo_test tests[] = {
      {"the notebook's figures, every model", test_notebook_figures},
      {"fewer cooks than chains", test_fewer_cooks},
      {"async: one thread; --blocking collapses to serial", test_async_blocking},
      {"order and utensils on generated recipes", test_generated_timelines},
      {"zero ms a unit", test_zero_unit},
      {"sections refuse what they cannot express", test_sections_shape},
      {"one knife", test_one_knife},
      {"events: one start and one done per step", test_events},
      {"bad kitchen options", test_bad_options},
      {"output files are all or nothing", test_write_file},
      {"json strings", test_json_string},
      {"repeated runs through the harness", test_repeat},
      {"every model side by side", test_all_models},
      {"the model table", test_model_table},
      {NULL, NULL},
  };
  return mapo_test_run("cook", tests);
}
