/* cmd_cook.c - `mapo cook`: cook a recipe with one model, or with every model side by
 * side (`--model all`, the main job of the Quick start). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const model_names[] = {"serial", "sections", "tasks", "tasks-counted",
                                          "async", "all", NULL};

static const char blocking_lesson[] =
    "--blocking: every step blocked the loop (the notebook's time.sleep inside async code): "
    "no timer can fire while the one thread sleeps, so the steps ran one after another "
    "and the makespan collapsed to serial.";

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

typedef struct run {
  const mapo_cook_model *m;
  mapo_kitchen k;     /* the run shown: the one with the median makespan */
  mapo_cook_summary s;
  int repeat;
  mapo_spread makespan, dispatch, overhead, oversleep; /* over the repeats, ms */
} run;

enum { REPEAT_MAX = 1000 };

static void run_free(run *x) {
  mapo_kitchen_free(&x->k);
  mapo_cook_summary_free(&x->s);
}

/* Cook x->repeat times; keep the run whose makespan is the median, and the spread of
 * each figure over all runs. Returns 0 or the first error (diag filled). */
static int cook_repeated(run *x, const mapo_recipe *r, const mapo_kitchen_opts *o,
                         mapo_diag *d) {
  double ms[REPEAT_MAX], disp[REPEAT_MAX], over[REPEAT_MAX], slept[REPEAT_MAX];
  int n = x->repeat;
  memset(&x->k, 0, sizeof x->k);
  memset(&x->s, 0, sizeof x->s);
  for (int i = 0; i < n; i++) {
    run y = {.m = x->m};
    int rc = mapo_cook(x->m, r, o, &y.k, &y.s, d);
    if (rc < 0) {
      run_free(&y);
      return rc;
    }
    ms[i] = y.s.makespan_ms;
    disp[i] = y.s.dispatch_ms;
    over[i] = y.s.overhead_ms;
    slept[i] = y.s.oversleep_ms;
    mapo_spread_of(ms, i + 1, &x->makespan);
    /* Keep this run if it is closer to the running median than the one kept. */
    if (i == 0 || fabs(ms[i] - x->makespan.median) < fabs(x->s.makespan_ms - x->makespan.median)) {
      run_free(x);
      x->k = y.k;
      x->s = y.s;
    } else {
      run_free(&y);
    }
  }
  mapo_spread_of(disp, n, &x->dispatch);
  mapo_spread_of(over, n, &x->overhead);
  mapo_spread_of(slept, n, &x->oversleep);
  return 0;
}

static void spread_json(const char *name, const mapo_spread *v) {
  printf(",\"%s\":{\"n\":%d", name, v->n);
  mapo_json_member(stdout, "median", v->median);
  mapo_json_member(stdout, "min", v->min);
  mapo_json_member(stdout, "max", v->max);
  fputc('}', stdout);
}

/* The repeat fields of one run's JSON object. */
static void repeat_json(const run *x) {
  printf(",\"repeat\":%d,\"spread\":{\"n\":%d", x->repeat, x->repeat);
  spread_json("makespan_ms", &x->makespan);
  spread_json("dispatch_ms", &x->dispatch);
  spread_json("overhead_ms", &x->overhead);
  spread_json("oversleep_ms", &x->oversleep);
  fputc('}', stdout);
}

static int write_trace(FILE *f, const void *arg) {
  const run *x = arg;
  return mapo_report_trace(f, x->m, &x->k);
}

static int write_svg(FILE *f, const void *arg) {
  const run *x = arg;
  return mapo_report_svg(f, x->m, &x->k, &x->s);
}

static int all_models(const cli_cmd *cmd, const mapo_recipe *r, const mapo_kitchen_opts *o,
                      int repeat, int json) {
  int n = 0;
  while (mapo_cook_models[n].name) n++;
  run runs[8];
  char why[8][256];
  int ok[8];
  for (int i = 0; i < n; i++) {
    mapo_diag d = {0};
    runs[i] = (run){.m = &mapo_cook_models[i], .repeat = repeat};
    int rc = cook_repeated(&runs[i], r, o, &d);
    ok[i] = rc == 0;
    snprintf(why[i], sizeof why[i], "%s", rc == MAPO_ESHAPE ? d.msg : mapo_strerror(rc));
    if (rc < 0 && rc != MAPO_ESHAPE) {
      for (int j = 0; j <= i; j++) run_free(&runs[j]);
      fprintf(stderr, "mapo %s: model %s: %s\n", cmd->name, runs[i].m->name, why[i]);
      return 1;
    }
  }
  if (json) {
    fputs("{\"recipe\":", stdout);
    mapo_json_string(stdout, r->title);
    fputs(",\"unit_ms\":", stdout);
    mapo_json_number(stdout, o->unit_ms);
    fputs(",\"runs\":[", stdout);
    for (int i = 0; i < n; i++) {
      fputs(i ? ",{" : "{", stdout);
      if (ok[i]) {
        mapo_report_cook_json_fields(stdout, runs[i].m, &runs[i].k, &runs[i].s);
        repeat_json(&runs[i]);
      } else {
        fputs("\"model\":", stdout);
        mapo_json_string(stdout, runs[i].m->name);
        fputs(",\"error\":", stdout);
        mapo_json_string(stdout, why[i]);
      }
      fputc('}', stdout);
    }
    fputs("]}\n", stdout);
  } else {
    int units = o->unit_ms > 0;
    printf("\nmapo cook --model all: %s, 1 unit = %g ms", r->title, o->unit_ms);
    if (repeat > 1) printf(", median of %d runs", repeat);
    printf("\n\n");
    printf("  %-14s %5s %9s %9s %9s %9s %9s %9s %8s\n", "model", "cooks", "makespan",
           units ? "bound" : "per step", "overhead", "dispatch", "oversleep", "team", "rice");
    printf("  %-14s %5s %9s %9s %9s %9s %9s %9s %8s\n", "", "", units ? "units" : "ms",
           units ? "units" : "us", "ms", "ms", "ms", "ms", "degrees");
    for (int i = 0; i < n; i++) {
      const mapo_cook_summary *s = &runs[i].s;
      if (!ok[i]) {
        printf("  %-14s   n/a: %s\n", runs[i].m->name, why[i]);
        continue;
      }
      double made = runs[i].makespan.median;
      printf("  %-14s %5d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f ", runs[i].m->name, s->cooks,
             units ? made / o->unit_ms : made, units ? s->bound_units : made * 1000 / r->nsteps,
             runs[i].overhead.median, runs[i].dispatch.median, runs[i].oversleep.median,
             s->team_ms);
      if (isnan(s->rice_temperature))
        printf("%8s\n", "-");
      else
        printf("%8.1f\n", s->rice_temperature);
    }
    printf("\n");
    for (int i = 0; i < n; i++) printf("  %-14s %s\n", runs[i].m->name, runs[i].m->lesson);
    printf("\n  bound: no schedule can beat it (span, work per cook, utensils); overhead =\n"
           "  makespan - bound = dispatch (the model's own cost) + oversleep (the kernel's)\n"
           "  + what the schedule lost; team: assembling the cooks before the clock started.\n"
           "  Rice: 80 degrees when boiled, 2 lost per unit until served.\n");
  }
  for (int i = 0; i < n; i++) run_free(&runs[i]);
  return ferror(stdout) ? 1 : 0;
}

int mapo__cmd_cook(int argc, char **argv) {
  const char *model = "tasks", *recipe = NULL, *trace = NULL, *svg = NULL;
  int cooks = 0, gantt = 0, json = 0, quiet = 0, repeat = 1, blocking = 0;
  double unit_ms = 100;
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &model, 0, 0, model_names, "M", "the model (default tasks)"},
      {"recipe", CLI_STRING, &recipe, 0, 0, NULL, "FILE", "a recipe file (default: the notebook's)"},
      {"cooks", CLI_INT, &cooks, 1, 4096, NULL, "N", "workers (default: the recipe's width)"},
      {"unit-ms", CLI_DOUBLE, &unit_ms, 0, 60000, NULL, "MS",
       "milliseconds per unit (default 100; 0: steps take no time, only the runtime's cost shows)"},
      {"repeat", CLI_INT, &repeat, 1, REPEAT_MAX, NULL, "R",
       "cook R times (after one warm-up each) and report median, min and max; the run "
       "shown is the median one, and there is no live log"},
      {"blocking", CLI_FLAG, &blocking, 0, 0, NULL, NULL,
       "async only: every step blocks the loop, as time.sleep in async code does"},
      {"gantt", CLI_FLAG, &gantt, 0, 0, NULL, NULL, "draw a text Gantt chart, a row per cook"},
      {"trace", CLI_STRING, &trace, 0, 0, NULL, "FILE", "write a Chrome trace (open in Perfetto)"},
      {"svg", CLI_STRING, &svg, 0, 0, NULL, "FILE", "write an SVG Gantt chart"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {"quiet", CLI_FLAG, &quiet, 0, 0, NULL, NULL, "no live log"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "cook", "[--model M] [--recipe FILE] [--cooks N] [--unit-ms MS] [--gantt] [--trace FILE] "
      "[--svg FILE] [--json]",
      "Cook a recipe (the notebook's Mapo Tofu by default) with a concurrency model and\n"
      "report the makespan against the lower bound, the model's own cost (dispatch), the\n"
      "kernel's sleep overshoot and the rice temperature. --model all cooks with every\n"
      "model side by side.",
      opts, 0, 0};
  const char *pos[1];
  int npos;
  int rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;

  int all = strcmp(model, "all") == 0;
  if (all && (trace || svg || gantt))
    return cli_fail(&cmd, "--trace, --svg and --gantt need one model, not --model all");
  if ((strcmp(model, "serial") == 0 || strcmp(model, "async") == 0) && cooks > 1)
    return cli_fail(&cmd, "--cooks: the %s model has exactly one cook", model);
  if (blocking && strcmp(model, "async") != 0)
    return cli_fail(&cmd, "--blocking applies to --model async only");
  if (trace && !cli_can_write(trace))
    return cli_fail(&cmd, "--trace: cannot write '%s' (no such folder, or not writable)", trace);
  if (svg && !cli_can_write(svg))
    return cli_fail(&cmd, "--svg: cannot write '%s' (no such folder, or not writable)", svg);
  if (trace && svg && strcmp(trace, svg) == 0)
    return cli_fail(&cmd, "--trace and --svg name the same file");

  mapo_recipe r;
  if (mapo__cli_load_recipe(recipe, &r) != 0) return 2;
  live_log log = {PTHREAD_MUTEX_INITIALIZER, -1, unit_ms * 1e6, model, 0};
  mapo_kitchen_opts o = {.unit_ms = unit_ms, .cooks = cooks, .blocking = blocking};
  if (!json && !quiet && !all && repeat == 1) {
    o.on_event = on_event;
    o.user = &log;
  }
  if (all) {
    rc = all_models(&cmd, &r, &o, repeat, json);
    mapo_recipe_free(&r);
    return rc;
  }

  run x = {.m = mapo_cook_model_find(model), .repeat = repeat};
  mapo_diag d = {0};
  rc = cook_repeated(&x, &r, &o, &d);
  int status = 0;
  if (rc == MAPO_ESHAPE) {
    status = cli_fail(&cmd, "%s", d.msg);
  } else if (rc < 0) {
    fprintf(stderr, "mapo cook: %s\n", mapo_strerror(rc));
    status = 1;
  } else {
    if (json) {
      fputc('{', stdout);
      mapo_report_cook_json_fields(stdout, x.m, &x.k, &x.s);
      repeat_json(&x);
      fputs("}\n", stdout);
    } else {
      mapo_report_cook_text(stdout, x.m, &x.k, &x.s);
      if (blocking) printf("  %s\n", blocking_lesson);
      if (repeat > 1)
        printf("\n  over %d runs (ms)   median      min      max\n"
               "    makespan     %9.3f %9.3f %9.3f\n    dispatch     %9.3f %9.3f %9.3f\n"
               "    oversleep    %9.3f %9.3f %9.3f\n  (the figures above are the median run's)\n",
               repeat, x.makespan.median, x.makespan.min, x.makespan.max, x.dispatch.median,
               x.dispatch.min, x.dispatch.max, x.oversleep.median, x.oversleep.min,
               x.oversleep.max);
      if (gantt) mapo_report_gantt(stdout, &x.k, &x.s, 64);
    }
    if (trace && (rc = mapo_report_write_file(trace, write_trace, &x)) < 0) {
      fprintf(stderr, "mapo cook: --trace %s: %s\n", trace, mapo_strerror(rc));
      status = 1;
    }
    if (svg && (rc = mapo_report_write_file(svg, write_svg, &x)) < 0) {
      fprintf(stderr, "mapo cook: --svg %s: %s\n", svg, mapo_strerror(rc));
      status = 1;
    }
    if (ferror(stdout)) status = 1;
  }
  run_free(&x);
  mapo_recipe_free(&r);
  return status;
}
