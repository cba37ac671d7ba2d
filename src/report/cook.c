/* cook.c - a cooking run for a person (text) and for a script (JSON): one run, the same
 * model repeated, and every model side by side (`mapo cook`, `mapo-mpi cook`).
 *
 * What to notice: every figure is measured against the lower bound no schedule can beat
 * (span, work per cook, utensils), and what is left over is split into the model's own
 * cost (dispatch, start minus ready along the deciding path) and the kernel's (steps
 * running past their time). The charts of one run are cook's too: cook_gantt.c,
 * cook_trace.c and cook_svg.c.
 * Field names in the JSON are read by scripts and tests: add fields freely, never
 * rename one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "mapo/error.h"
#include "mapo/report_cook.h"
#include "mapo/verdict.h"

int mapo__cook_workers(const mapo_kitchen *k) {
  int workers = 0;
  for (int t = 0; t < k->recipe->nsteps; t++)
    if (k->slots[t].worker + 1 > workers) workers = k->slots[t].worker + 1;
  return workers;
}

char *mapo__cook_on_path(const mapo_kitchen *k, const mapo_cook_summary *s) {
  char *on_path = calloc((size_t)k->recipe->nsteps, 1);
  if (on_path == NULL) return NULL;
  for (int i = 0; i < s->npath; i++) on_path[s->path[i]] = 1;
  return on_path;
}

/* ------------------------------------------------------------------------- one run */

/* The makespan and the bound: in units, or (a unit being 0 ms) in ms a step. */
static void makespan_lines(FILE *f, int cols, const mapo_cook_model *m, const mapo_kitchen *k,
                           const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  if (k->unit_ns > 0) {
    fprintf(f, "  makespan     %9.3f units  (%.3f ms)\n", s->makespan_units, s->makespan_ms);
    mapo_report_line(f, cols, 32,
                     "  lower bound  %9.3f units  max(span %g, %swork %g / %d cook%s%s)",
                     s->bound_units, s->span_units, m->hold == MAPO_HOLD_ALL ? "" : "hands ",
                     m->hold == MAPO_HOLD_ALL ? s->work_units : k->stats.hands_work, s->cooks,
                     s->cooks == 1 ? "" : "s", r->nutensils ? ", utensils" : "");
  } else {
    mapo_report_line(f, cols, 15,
                     "  makespan     %9.3f ms for %d steps: %.3f us a step, all of it runtime "
                     "(a unit is 0 ms)",
                     s->makespan_ms, r->nsteps, s->makespan_ms * 1000 / r->nsteps);
  }
}

mapo_verdict_class mapo_cook_verdict(char *buf, size_t size, const mapo_spread *makespan_ms,
                                     double bound_ms) {
  buf[0] = '\0';
  const mapo_spread bound = mapo_verdict_one(bound_ms);
  /* The bound is the baseline: "faster" would beat it, which only a rounding can. */
  const mapo_verdict v = mapo_verdict_of(makespan_ms, &bound);
  char x[32], busy[96];
  switch (v.cls) {
  case MAPO_VERDICT_MISSING: break;
  case MAPO_VERDICT_NOISY:
    snprintf(buf, size, "against the bound: %s", mapo_verdict_busy(busy, sizeof busy, &v));
    break;
  case MAPO_VERDICT_TIE:
  case MAPO_VERDICT_FASTER:
    snprintf(buf, size,
             "at the bound: the makespan is %s the least any schedule can take, so the model "
             "lost nothing that shows",
             mapo_verdict_ratio(x, sizeof x, 1 / v.ratio));
    break;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size,
             "above the bound: the makespan is %s the least any schedule can take; the "
             "schedule, the model's own cost or a busy machine took the rest",
             mapo_verdict_ratio(x, sizeof x, 1 / v.ratio));
    break;
  }
  return v.cls;
}

/* The step whose result waited longest for the first step that comes after it (the
 * notebook's rice on the stove, in a recipe's own names), in one sentence; nothing when
 * no wait reaches a tenth of the makespan. */
static void longest_wait(FILE *f, int cols, const mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  if (!(k->unit_ns > 0) || r->nsteps < 2) return;
  /* first[t]: the step after t that started first; one pass over the edges. */
  int *first = malloc((size_t)r->nsteps * sizeof *first);
  if (first == NULL) return; /* a sentence left out, not a report */
  for (int t = 0; t < r->nsteps; t++) first[t] = -1;
  for (int u = 0; u < r->nsteps; u++)
    for (int j = 0; j < r->steps[u].npred; j++) {
      const int t = r->steps[u].pred[j];
      if (first[t] < 0 || k->slots[u].start_ns < k->slots[first[t]].start_ns) first[t] = u;
    }
  int best = -1;
  double most = 0;
  for (int t = 0; t < r->nsteps; t++) {
    if (first[t] < 0) continue;
    const double wait = (double)(k->slots[first[t]].start_ns - k->slots[t].end_ns);
    if (wait > most) {
      most = wait;
      best = t;
    }
  }
  const int user = best >= 0 ? first[best] : -1;
  free(first);
  if (best < 0 || !(most >= 0.1 * (double)k->makespan_ns)) return;
  char text[512];
  snprintf(text, sizeof text,
           "The longest wait: %s was done at %.1f units and waited %.1f units for %s, the "
           "first step after it.",
           r->steps[best].name, (double)k->slots[best].end_ns / k->unit_ns, most / k->unit_ns,
           r->steps[user].name);
  mapo_report_paragraph(f, cols, "  ", "  ", text);
}

/* One run; made: the makespan's spread over the runs (ms), for the verdict (NULL: the
 * run's own makespan alone). */
static int cook_text(FILE *f, int cols, const mapo_cook_model *m, const mapo_kitchen *k,
                     const mapo_cook_summary *s, const mapo_spread *made) {
  const mapo_recipe *r = k->recipe;
  char title[1024];
  snprintf(title, sizeof title, "mapo cook: %s, model %s, %d cook%s, 1 unit = %g ms", r->title,
           m->name, s->cooks, s->cooks == 1 ? "" : "s", k->unit_ms);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "", "  ", title);
  fputc('\n', f);
  makespan_lines(f, cols, m, k, s);
  mapo_report_line(f, cols, 32, "  overhead     %9.3f ms     measured makespan minus the bound",
                   s->overhead_ms);
  mapo_report_line(f, cols, 32,
                   "    dispatch   %9.3f ms     start minus ready along the deciding path: the "
                   "model's own cost",
                   s->dispatch_ms);
  mapo_report_line(f, cols, 32,
                   "    oversleep  %9.3f ms     steps of that path running past their time (the "
                   "kernel wakes sleepers late)",
                   s->oversleep_ms);
  mapo_report_line(f, cols, 32,
                   "  team         %9.3f ms     assembling the cooks (fork, waking threads) "
                   "before the clock started",
                   s->team_ms);
  mapo_report_line(f, cols, 32,
                   "  cpu          %9.3f ms     CPU time of every thread meanwhile (%.1f%% of "
                   "the makespan)",
                   s->cpu_ms, s->makespan_ms > 0 ? 100 * s->cpu_ms / s->makespan_ms : 0.0);
  if (!isnan(s->rice_temperature))
    mapo_report_line(f, cols, 32,
                     "  rice         %9.1f degrees (%g when boiled, %g lost per unit until served)",
                     s->rice_temperature, r->rice_temp, r->rice_rate);
  char *path = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&path, &len);
  if (mem != NULL) {
    mapo__path_line(mem, r, s->path, s->npath);
    if (fclose(mem) != 0) { /* what was written is not to be trusted */
      free(path);
      path = NULL;
    }
  }
  if (path != NULL) mapo_report_line(f, cols, 15, "  decided by   %s", path);
  free(path);
  char verdict[256];
  const mapo_spread one = mapo_verdict_one(s->makespan_ms);
  if (mapo_cook_verdict(verdict, sizeof verdict, made ? made : &one, s->bound_units * k->unit_ms) !=
      MAPO_VERDICT_MISSING)
    mapo_report_line(f, cols, 15, "  verdict      %s", verdict);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "  ", "  ", m->lesson);
  longest_wait(f, cols, k);
  if (k->blocking && m->blocking_lesson != NULL)
    mapo_report_paragraph(f, cols, "  ", "  ", m->blocking_lesson);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cook_text(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s) {
  return cook_text(f, MAPO_REPORT_COLUMNS, m, k, s, NULL);
}

/* ,"key": a time in units, or null when a unit is 0 ms. */
static void units(FILE *f, const char *key, const mapo_kitchen *k, double ns) {
  mapo_json_member(f, key, k->unit_ns > 0 ? ns / k->unit_ns : NAN);
}

/* ,"steps":[...]: each step's worker and times, in units and in ms. */
static void steps_json(FILE *f, const mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  fputs(",\"steps\":[", f);
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    fputs(t ? ",{\"name\":" : "{\"name\":", f);
    mapo_json_string(f, r->steps[t].name);
    fprintf(f, ",\"worker\":%d", sl->worker);
    units(f, "ready_units", k, (double)mapo_kitchen_ready_ns(k, t));
    units(f, "start_units", k, (double)sl->start_ns);
    units(f, "end_units", k, (double)sl->end_ns);
    mapo_json_member(f, "start_ms", (double)sl->start_ns / 1e6);
    mapo_json_member(f, "end_ms", (double)sl->end_ns / 1e6);
    fputc('}', f);
  }
  fputc(']', f);
}

int mapo_report_cook_json_fields(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                                 const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  int has_units = k->unit_ns > 0;
  fputs("\"model\":", f);
  mapo_json_string(f, m->name);
  fputs(",\"recipe\":", f);
  mapo_json_string(f, r->title);
  fprintf(f, ",\"cooks\":%d,\"blocking\":%s,\"unit_ms\":", s->cooks,
          k->blocking ? "true" : "false");
  mapo_json_number(f, k->unit_ms);
  mapo_json_member(f, "makespan_units", s->makespan_units);
  mapo_json_member(f, "makespan_ms", s->makespan_ms);
  mapo_json_member(f, "span_units", has_units ? s->span_units : NAN);
  mapo_json_member(f, "work_units", has_units ? s->work_units : NAN);
  mapo_json_member(f, "bound_units", has_units ? s->bound_units : NAN);
  mapo_json_member(f, "bound_ms", s->bound_units * k->unit_ms);
  mapo_json_member(f, "overhead_ms", s->overhead_ms);
  mapo_json_member(f, "dispatch_ms", s->dispatch_ms);
  mapo_json_member(f, "oversleep_ms", s->oversleep_ms);
  mapo_json_member(f, "team_ms", s->team_ms);
  mapo_json_member(f, "cpu_ms", s->cpu_ms);
  mapo_json_member(f, "us_per_step", s->makespan_ms * 1000.0 / r->nsteps);
  mapo_json_member(f, "rice_temperature", s->rice_temperature);
  fputs(",\"decided_by\":", f);
  mapo__step_names_json(f, r, s->path, s->npath);
  steps_json(f, k);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cook_json(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s) {
  fputc('{', f);
  int rc = mapo_report_cook_json_fields(f, m, k, s);
  fputs("}\n", f);
  return rc < 0 || ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ repeated runs */

int mapo_report_cook_run_text(FILE *f, const mapo_cook_run *x, mapo_text_width w) {
  int rc = cook_text(f, mapo_report_width(w), x->model, &x->k, &x->s, &x->makespan);
  if (rc == 0 && x->repeat > 1)
    fprintf(f,
            "\n  over %d runs (ms)   median      min      max\n"
            "    makespan     %9.3f %9.3f %9.3f\n    dispatch     %9.3f %9.3f %9.3f\n"
            "    oversleep    %9.3f %9.3f %9.3f\n  (the figures above are the median run's)\n",
            x->repeat, x->makespan.median, x->makespan.min, x->makespan.max, x->dispatch.median,
            x->dispatch.min, x->dispatch.max, x->oversleep.median, x->oversleep.min,
            x->oversleep.max);
  return rc < 0 || ferror(f) ? -EIO : 0;
}

/* ,"name":{"n":..,"median":..,"min":..,"max":..} */
static void spread_json(FILE *f, const char *name, const mapo_spread *v) {
  fprintf(f, ",\"%s\":{\"n\":%d", name, v->n);
  mapo_json_member(f, "median", v->median);
  mapo_json_member(f, "min", v->min);
  mapo_json_member(f, "max", v->max);
  fputc('}', f);
}

/* {...}: the median run's fields, then how many runs and the spread over them. */
static void run_object(FILE *f, const mapo_cook_run *x) {
  fputc('{', f);
  mapo_report_cook_json_fields(f, x->model, &x->k, &x->s);
  fprintf(f, ",\"repeat\":%d,\"spread\":{\"n\":%d", x->repeat, x->repeat);
  spread_json(f, "makespan_ms", &x->makespan);
  spread_json(f, "dispatch_ms", &x->dispatch);
  spread_json(f, "overhead_ms", &x->overhead);
  spread_json(f, "oversleep_ms", &x->oversleep);
  fputs("}}", f);
}

int mapo_report_cook_run_json(FILE *f, const mapo_cook_run *x) {
  run_object(f, x);
  fputc('\n', f);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------ every model, side by side */

/* Why a model did not cook: the recipe's shape in its words, or the code's. */
static const char *why_not(const mapo_cook_run *x) {
  return x->rc == MAPO_ESHAPE ? x->diag.msg : mapo_strerror(x->rc);
}

/* One row of the table: the medians over the runs; the bound (units) or, a unit being
 * 0 ms, the cost of a step (us). Narrow, the team's column is left to --wide. */
static void lineup_row(FILE *f, const mapo_cook_lineup *l, const mapo_cook_run *x, int wide) {
  const mapo_cook_summary *s = &x->s;
  const int in_units = l->unit_ms > 0;
  if (x->rc < 0) {
    mapo_report_line(f, wide ? 0 : MAPO_REPORT_COLUMNS, 18, "  %-14s   not cooked: %s",
                     x->model->name, why_not(x));
    return;
  }
  double made = x->makespan.median;
  fprintf(f, "  %-14s %5d %9.3f %9.3f %9.3f %9.3f %9.3f ", x->model->name, s->cooks,
          in_units ? made / l->unit_ms : made,
          in_units ? s->bound_units : made * 1000 / l->recipe->nsteps, x->overhead.median,
          x->dispatch.median, x->oversleep.median);
  if (wide) fprintf(f, "%9.3f ", s->team_ms);
  if (isnan(s->rice_temperature))
    fprintf(f, "%7s\n", "-");
  else
    fprintf(f, "%7.1f\n", s->rice_temperature);
}

int mapo_report_cook_lineup_text(FILE *f, const mapo_cook_lineup *l, mapo_text_width w) {
  const int in_units = l->unit_ms > 0, cols = mapo_report_width(w);
  fprintf(f, "\nmapo cook --model all: %s, 1 unit = %g ms", l->recipe->title, l->unit_ms);
  if (l->repeat > 1) fprintf(f, ", median of %d runs", l->repeat);
  fprintf(f, "\n\n");
  fprintf(f, "  %-14s %5s %9s %9s %9s %9s %9s%s %7s\n", "model", "cooks", "makespan",
          in_units ? "bound" : "per step", "overhead", "dispatch", "oversleep",
          w.wide ? "      team" : "", "rice");
  fprintf(f, "  %-14s %5s %9s %9s %9s %9s %9s%s %7s\n", "", "", in_units ? "units" : "ms",
          in_units ? "units" : "us", "ms", "ms", "ms", w.wide ? "        ms" : "", "degrees");
  for (int i = 0; i < l->n; i++) lineup_row(f, l, &l->runs[i], w.wide);
  fprintf(f, "\n");
  for (int i = 0; i < l->n; i++) {
    char first[32];
    snprintf(first, sizeof first, "  %-14s ", l->runs[i].model->name);
    mapo_report_paragraph(f, cols, first, "                 ", l->runs[i].model->lesson);
  }
  fputc('\n', f);
  mapo_report_paragraph(
      f, cols, "  ", "  ",
      w.wide ? "bound: no schedule can beat it (span, work per cook, utensils); overhead = "
               "makespan - bound = dispatch (the model's own cost) + oversleep (the kernel's) "
               "+ what the schedule lost; team: assembling the cooks before the clock started."
             : "bound: no schedule can beat it (span, work per cook, utensils); overhead = "
               "makespan - bound = dispatch (the model's own cost) + oversleep (the kernel's) "
               "+ what the schedule lost. --wide adds team: assembling the cooks before the "
               "clock started.");
  if (l->recipe->rice >= 0) {
    char rice[160];
    snprintf(rice, sizeof rice, "Rice: %g degrees when boiled, %g lost per unit until served.",
             l->recipe->rice_temp, l->recipe->rice_rate);
    mapo_report_paragraph(f, cols, "  ", "  ", rice);
  }
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cook_lineup_json(FILE *f, const mapo_cook_lineup *l) {
  fputs("{\"recipe\":", f);
  mapo_json_string(f, l->recipe->title);
  fputs(",\"unit_ms\":", f);
  mapo_json_number(f, l->unit_ms);
  fputs(",\"runs\":[", f);
  for (int i = 0; i < l->n; i++) {
    const mapo_cook_run *x = &l->runs[i];
    if (i) fputc(',', f);
    if (x->rc == 0) {
      run_object(f, x);
      continue;
    }
    fputs("{\"model\":", f);
    mapo_json_string(f, x->model->name);
    fputs(",\"error\":", f);
    mapo_json_string(f, why_not(x));
    fputc('}', f);
  }
  fputs("]}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------ the files */

/* What mapo_report_write_file hands each writer: the run the chart is of. */
typedef struct chart {
  const mapo_cook_model *m;
  const mapo_kitchen *k;
  const mapo_cook_summary *s;
} chart;

static int write_trace(FILE *f, const void *arg) {
  const chart *c = arg;
  return mapo_report_trace(f, c->m, c->k);
}

static int write_svg(FILE *f, const void *arg) {
  const chart *c = arg;
  return mapo_report_svg(f, c->m, c->k, c->s);
}

int mapo_report_trace_file(const char *path, const mapo_cook_model *m, const mapo_kitchen *k) {
  const chart c = {m, k, NULL};
  return mapo_report_write_file(path, write_trace, &c);
}

int mapo_report_svg_file(const char *path, const mapo_cook_model *m, const mapo_kitchen *k,
                         const mapo_cook_summary *s) {
  const chart c = {m, k, s};
  return mapo_report_write_file(path, write_svg, &c);
}
