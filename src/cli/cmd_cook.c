/* cmd_cook.c - `mapo cook`: cook a recipe with one model, or with every model side by
 * side (`--model all`, the main job of the Quick start).
 *
 * It reads parse -> run -> report: the flags, checked against the model's row of the
 * table (mapo_cook_models: the choices, fixed cooks, --blocking); the cooking, done by
 * the library (mapo_cook_repeat through the benchmark harness, mapo_cook_all); the
 * reports of src/report/cook.c. No model is named here but the default: a model added
 * to the table is offered, checked and reported without a change to this file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outputs.h"

enum { REPEAT_MAX = 1000 };

/* What the flags asked for. */
typedef struct cook_args {
  const char *model, *recipe, *trace, *svg;
  int cooks, gantt, json, quiet, repeat, blocking, insist, wide;
  double unit_ms;
  const mapo_cook_model *m; /* the model's row; NULL for --model all */
} cook_args;

/* The live log, in the notebook's words. A line stays open after "Washing the rice
 * ... " so that a step that ends before anything else happens reads as the notebook
 * prints it: "Washing the rice ... done". Called from many threads at once. */
typedef struct live_log {
  pthread_mutex_t lock;
  int open_step;
  double unit_ns;
  const char *model; /* for the heading, printed with the first event */
  int started;
} live_log;

static void on_event(void *user, mapo_event ev, const mapo_recipe *r, int step, int worker,
                     int64_t t_ns) {
  live_log *log = user;
  pthread_mutex_lock(&log->lock);
  double t = log->unit_ns > 0 ? (double)t_ns / log->unit_ns : (double)t_ns / 1e6;
  if (!log->started++)
    printf("mapo cook --model %s: %s (times in %s)\n\n", log->model, r->title,
           log->unit_ns > 0 ? "units" : "ms");
  if (ev == MAPO_EV_DONE && log->open_step == step) {
    fputs("done\n", stdout);
  } else {
    if (log->open_step >= 0) fputc('\n', stdout);
    printf("  [%7.2f] cook %-2d %s ... %s", t, worker, r->steps[step].says,
           ev == MAPO_EV_DONE ? "done\n" : "");
  }
  log->open_step = ev == MAPO_EV_START ? step : -1;
  fflush(stdout);
  pthread_mutex_unlock(&log->lock);
}

/* ---- parse ---------------------------------------------------------------------- */

/* --model's choices: every row of the model table, then "all". The caller frees the
 * array (not the names, which are the table's). */
static const char **model_choices(void) {
  const int n = mapo_cook_model_count();
  const char **choices = malloc(((size_t)n + 2) * sizeof *choices);
  if (choices == NULL) return NULL;
  for (int i = 0; i < n; i++) choices[i] = mapo_cook_models[i].name;
  choices[n] = "all";
  choices[n + 1] = NULL;
  return choices;
}

/* The models --blocking applies to, "a or b", from the table. */
static const char *blocking_models(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (const mapo_cook_model *m = mapo_cook_models; m->name != NULL && used < size; m++)
    if (m->blocking_lesson != NULL)
      used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " or " : "", m->name);
  return buf;
}

/* The flags against each other and against the model's row. Returns 0 or 2. */
static int check(const cli_cmd *cmd, cook_args *a) {
  char words[128];
  a->m = mapo_cook_model_find(a->model); /* NULL: all, the one choice not in the table */
  if (a->m == NULL && (a->trace || a->svg || a->gantt))
    return cli_fail(cmd, "--trace, --svg and --gantt need one model, not --model all");
  if (a->m != NULL && a->m->fixed_cooks > 0 && a->cooks != 0 && a->cooks != a->m->fixed_cooks) {
    if (a->m->fixed_cooks == 1)
      snprintf(words, sizeof words, "one cook");
    else
      snprintf(words, sizeof words, "%d cooks", a->m->fixed_cooks);
    return cli_fail(cmd, "--cooks: the %s model has exactly %s", a->model, words);
  }
  if (a->blocking && (a->m == NULL || a->m->blocking_lesson == NULL))
    return cli_fail(cmd, "--blocking applies to --model %s only",
                    blocking_models(words, sizeof words));
  int rc;
  if ((rc = cli_check_distinct(cmd, "trace", a->trace, "svg", a->svg)) ||
      (rc = cli_check_distinct(cmd, "trace", a->trace, "recipe", a->recipe)) ||
      (rc = cli_check_distinct(cmd, "svg", a->svg, "recipe", a->recipe)))
    return rc;
  if ((rc = cli_check_output(cmd, "trace", a->trace))) return rc;
  return cli_check_output(cmd, "svg", a->svg);
}

/* Returns -1 to go on, or the exit status to leave with (0 after --help, 2 for bad
 * input, 1 when out of memory). */
static int parse(int argc, char **argv, cook_args *a) {
  const char **models = model_choices();
  if (models == NULL) {
    fprintf(stderr, "mapo cook: %s\n", mapo_strerror(-ENOMEM));
    return 1;
  }
  char which[128], blocking_help[256];
  snprintf(blocking_help, sizeof blocking_help,
           "%s only: every step blocks the loop, as time.sleep in async code does",
           blocking_models(which, sizeof which));
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &a->model, 0, 0, models, "M", "the model (default tasks)"},
      {"recipe", CLI_STRING, &a->recipe, 0, 0, NULL, "FILE",
       "a recipe file (default: the notebook's)"},
      {"cooks", CLI_INT, &a->cooks, 1, MAPO_COOKS_MAX, NULL, "N",
       "workers (default: the recipe's width, at most 256)"},
      {"unit-ms", CLI_DOUBLE, &a->unit_ms, 0, 60000, NULL, "MS",
       "milliseconds per unit (default 100; 0: steps take no time, only the runtime's cost shows)"},
      {"repeat", CLI_INT, &a->repeat, 1, REPEAT_MAX, NULL, "R",
       "cook R times (after one warm-up each) and report median, min and max; the run "
       "shown is the median one, and there is no live log"},
      {"blocking", CLI_FLAG, &a->blocking, 0, 0, NULL, NULL, blocking_help},
      {"gantt", CLI_FLAG, &a->gantt, 0, 0, NULL, NULL, "draw a text Gantt chart, a row per cook"},
      {"trace", CLI_STRING, &a->trace, 0, 0, NULL, "FILE",
       "write a Chrome trace (open in Perfetto)"},
      {"svg", CLI_STRING, &a->svg, 0, 0, NULL, "FILE", "write an SVG Gantt chart"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {"quiet", CLI_FLAG, &a->quiet, 0, 0, NULL, NULL, "no live log"},
      CLI_WIDE(&a->wide),
      CLI_INSIST(&a->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "cook",
      "",
      "Cook a recipe (the notebook's Mapo Tofu by default) with a concurrency model and\n"
      "report the makespan against the lower bound, the model's own cost (dispatch), the\n"
      "kernel's sleep overshoot and the rice temperature. --model all cooks with every\n"
      "model side by side.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos;
  int rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc == 0) rc = check(&cmd, a);
  free(models); /* a->model points at a name of the table or at "all", not into it */
  return rc == 0 ? -1 : rc == 1 ? 0 : 2;
}

/* The run's least time, from the recipe and the flags, against the limit: 0 to go on,
 * or 2 after one line (cli_check_time). */
static int check_time(const cook_args *a, const mapo_recipe *r) {
  const cli_cmd cmd = {.name = "cook"}; /* for the message: parse's is gone */
  const mapo_kitchen_opts o = {.unit_ms = a->unit_ms, .cooks = a->cooks, .blocking = a->blocking};
  return cli_check_time(&cmd, mapo_cook_estimate_s(a->m, r, &o, a->repeat), a->insist);
}

/* ---- run and report ----------------------------------------------------------------- */

/* One model's reports on stdout and its files. Returns the exit status. */
static int report_one(const cook_args *a, const mapo_cook_run *x) {
  int status = 0, rc;
  if (a->json) {
    mapo_report_cook_run_json(stdout, x);
  } else {
    mapo_report_cook_run_text(stdout, x, cli_width(a->wide));
    if (a->gantt) mapo_report_gantt(stdout, &x->k, &x->s, cli_gantt_columns(a->wide));
  }
  if (a->trace && (rc = mapo_report_trace_file(a->trace, x->model, &x->k)) < 0) {
    fprintf(stderr, "mapo cook: --trace %s: %s\n", a->trace, mapo_strerror(rc));
    status = 1;
  }
  if (a->svg && (rc = mapo_report_svg_file(a->svg, x->model, &x->k, &x->s)) < 0) {
    fprintf(stderr, "mapo cook: --svg %s: %s\n", a->svg, mapo_strerror(rc));
    status = 1;
  }
  return ferror(stdout) ? 1 : status;
}

/* One model, --repeat times; the live log when there is one run and nothing asks for
 * silence. Returns the exit status. */
static int cook_one(const cook_args *a, const mapo_recipe *r) {
  live_log log = {PTHREAD_MUTEX_INITIALIZER, -1, a->unit_ms * 1e6, a->model, 0};
  mapo_kitchen_opts o = {.unit_ms = a->unit_ms, .cooks = a->cooks, .blocking = a->blocking};
  if (!a->json && !a->quiet && a->repeat == 1) {
    o.on_event = on_event;
    o.user = &log;
  }
  mapo_cook_run x;
  int rc = mapo_cook_repeat(&x, a->m, r, &o, a->repeat), status;
  if (rc == MAPO_ESHAPE) { /* bad input: this recipe does not fit the model */
    fprintf(stderr, "mapo cook: %s\n", x.diag.msg);
    status = 2;
  } else if (rc == MAPO_EKITCHEN) { /* the model broke a kitchen rule: nothing reported */
    fprintf(stderr, "mapo cook: model %s: %s\n", a->m->name, x.diag.msg);
    status = 1;
  } else if (rc < 0) {
    fprintf(stderr, "mapo cook: %s\n", mapo_strerror(rc));
    status = 1;
  } else {
    status = report_one(a, &x);
  }
  mapo_cook_run_free(&x);
  return status;
}

/* Every model side by side. Returns the exit status. */
static int cook_all(const cook_args *a, const mapo_recipe *r) {
  const mapo_kitchen_opts o = {.unit_ms = a->unit_ms, .cooks = a->cooks};
  mapo_cook_lineup l;
  int rc = mapo_cook_all(&l, r, &o, a->repeat), status = 0;
  if (rc < 0 && l.n > 0) {
    fprintf(stderr, "mapo cook: model %s: %s\n", l.runs[l.n - 1].model->name, mapo_strerror(rc));
    status = 1;
  } else if (rc < 0) {
    fprintf(stderr, "mapo cook: %s\n", mapo_strerror(rc));
    status = 1;
  } else {
    rc = a->json ? mapo_report_cook_lineup_json(stdout, &l)
                 : mapo_report_cook_lineup_text(stdout, &l, cli_width(a->wide));
    status = rc < 0 ? 1 : 0;
  }
  mapo_cook_lineup_free(&l);
  return status;
}

int mapo__cmd_cook(int argc, char **argv) {
  cook_args a = {.model = "tasks", .repeat = 1, .unit_ms = 100};
  int status = parse(argc, argv, &a);
  if (status >= 0) return status;
  mapo_recipe r;
  if ((status = mapo__cli_load_recipe(a.recipe, &r)) != 0) return status;
  if ((status = check_time(&a, &r)) == 0)
    status = a.m == NULL ? cook_all(&a, &r) : cook_one(&a, &r);
  mapo_recipe_free(&r);
  return status;
}
