/* lesson_sections.c - the lesson page's first four sections, in the notebook's order:
 * the recipe and its critical path, the cooking models as Gantt charts on one time
 * axis (with the rice's temperature), the race lab, the sum models.
 *
 * What to notice: every sentence that judges is chosen from the numbers beside it, by
 * mapo_verdict_of() (mapo/verdict.h) or the lesson's own verdict function
 * (mapo_race_verdict), exactly as the command's text report would choose it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson_internal.h"
#include "mapo/report_race.h"
#include "mapo/verdict.h"

enum { RUNS_MAX = 16, SPANS_MAX = 512 };

/* ---- 1. the recipe ---------------------------------------------------------------- */

void mapo__lesson_recipe(FILE *f, const mapo_lesson *l) {
  const int i = mapo__lesson_next(l, LK_RECIPE, 0);
  if (i < 0) {
    mapo__lesson_missing(f, "mapo recipe show --json");
    return;
  }
  const lj *r = &l->docs[i].v, *path = mapo__lj_get(r, "critical_path");
  const lj *bounds = mapo__lj_get(r, "bounds");
  const double work = mapo__lj_num(r, "work_units"), span = mapo__lj_num(r, "span_units");
  fputs("<p>", f);
  mapo__html(f, mapo__lj_str(r, "title"));
  fprintf(f,
          ": %g steps, %g units of work, the longest chain of dependencies %g units, "
          "at most %g steps at once.</p>\n<h3>The critical path</h3>\n<p>",
          mapo__lj_num(r, "steps"), work, span, mapo__lj_num(r, "width"));
  for (int k = 0; k < mapo__lj_len(path); k++) {
    const lj *s = mapo__lj_at(path, k);
    fputs(k ? " &rarr; <b>" : "<b>", f);
    mapo__html(f, s && s->type == LJ_STR ? s->str : "?");
    fputs("</b>", f);
  }
  fputs("</p>\n", f);
  lesson_bar bars[RUNS_MAX];
  char labels[RUNS_MAX][32];
  int n = 0;
  for (int k = 0; k < mapo__lj_len(bounds) && n < RUNS_MAX; k++) {
    const lj *b = mapo__lj_at(bounds, k);
    const double w = mapo__lj_num(b, "workers");
    snprintf(labels[n], sizeof labels[n], "%g cook%s", w, w == 1 ? "" : "s");
    bars[n] = (lesson_bar){labels[n], mapo__lj_num(b, "threads_units"), NAN, NAN,
                           mapo__lj_num(b, "threads_units") <= span};
    n++;
  }
  mapo__bars(f, "The least time the recipe can take, by cooks",
             "lower bound on the makespan (units)", bars, n);
  char notice[400];
  snprintf(notice, sizeof notice,
           "the work is %g units, the critical path %g: %g cook%s can do no better than %g "
           "units, and no number of cooks better than %g units (parallelism %.2f). Only the "
           "steps off the critical path can run beside it.",
           work, span, n ? mapo__lj_num(mapo__lj_at(bounds, 0), "workers") : 1,
           n && mapo__lj_num(mapo__lj_at(bounds, 0), "workers") == 1 ? "" : "s",
           n ? bars[0].value : work, span, span > 0 ? work / span : NAN);
  mapo__notice(f, notice);
}

/* ---- 2. cooking ------------------------------------------------------------------- */

/* The runs of every cook document: a lineup's "runs", or the document itself. */
static int cook_runs(const mapo_lesson *l, const lj **runs) {
  int n = 0;
  for (int i = mapo__lesson_next(l, LK_COOK, 0); i >= 0; i = mapo__lesson_next(l, LK_COOK, i + 1)) {
    const lj *v = &l->docs[i].v, *list = mapo__lj_get(v, "runs");
    if (list == NULL && n < RUNS_MAX) runs[n++] = v;
    for (int k = 0; k < mapo__lj_len(list) && n < RUNS_MAX; k++)
      if (mapo__lj_get(mapo__lj_at(list, k), "steps")) runs[n++] = mapo__lj_at(list, k);
  }
  return n;
}

/* A run's makespan as a spread (ms): the repeats' when there were some. */
static mapo_spread cook_spread(const lj *run) {
  const lj *s = mapo__lj_get(mapo__lj_get(run, "spread"), "makespan_ms");
  mapo_spread sp = mapo_verdict_one(mapo__lj_num(run, "makespan_ms"));
  if (s && isfinite(mapo__lj_num(s, "median"))) {
    sp.median = mapo__lj_num(s, "median");
    sp.min = mapo__lj_num(s, "min");
    sp.max = mapo__lj_num(s, "max");
  }
  return sp;
}

static int on_path(const lj *run, const char *name) {
  const lj *path = mapo__lj_get(run, "decided_by");
  for (int k = 0; k < mapo__lj_len(path); k++) {
    const lj *s = mapo__lj_at(path, k);
    if (s->type == LJ_STR && name && strcmp(s->str, name) == 0) return 1;
  }
  return 0;
}

static int span_cmp(const void *a, const void *b) {
  const double x = ((const lesson_span *)a)->start, y = ((const lesson_span *)b)->start;
  return (x > y) - (x < y);
}

/* A row per cook, and below it a row more for each step that cook had in flight at once
 * (an event loop's waits overlap on its one cook): spans[].row holds the cook on entry,
 * the row on return. Returns the rows; labels[row] names each. */
static int cook_lanes(lesson_span *spans, int n, char labels[][24]) {
  enum { COOKS = 32, LANES = 12 };
  static double end[COOKS][LANES];
  static int lane[SPANS_MAX];
  int lanes[COOKS] = {0}, offset[COOKS], rows = 0;
  qsort(spans, (size_t)n, sizeof *spans, span_cmp);
  for (int i = 0; i < n; i++) {
    const int w = spans[i].row < COOKS ? spans[i].row : COOKS - 1;
    int k = 0;
    while (k < lanes[w] && k < LANES - 1 && end[w][k] > spans[i].start + 1e-9) k++;
    if (k == lanes[w]) lanes[w]++;
    end[w][k] = spans[i].end;
    lane[i] = k;
  }
  for (int w = 0; w < COOKS; w++) {
    offset[w] = rows;
    for (int k = 0; k < lanes[w]; k++, rows++)
      snprintf(labels[rows], 24, k ? "(in flight)" : "cook %d", w);
  }
  for (int i = 0; i < n; i++)
    spans[i].row = offset[spans[i].row < COOKS ? spans[i].row : COOKS - 1] + lane[i];
  return rows;
}

static void cook_chart(FILE *f, const lj *run, int units, double axis_max) {
  static lesson_span spans[SPANS_MAX];
  static char labels[SPANS_MAX][24];
  static const char *names[SPANS_MAX];
  const lj *steps = mapo__lj_get(run, "steps");
  int n = 0;
  for (int k = 0; k < mapo__lj_len(steps) && n < SPANS_MAX; k++) {
    const lj *s = mapo__lj_at(steps, k);
    const double w = mapo__lj_num(s, "worker");
    if (!(w >= 0)) continue;
    spans[n++] = (lesson_span){.row = (int)w,
                               .start = mapo__lj_num(s, units ? "start_units" : "start_ms"),
                               .end = mapo__lj_num(s, units ? "end_units" : "end_ms"),
                               .label = mapo__lj_str(s, "name"),
                               .critical = on_path(run, mapo__lj_str(s, "name"))};
  }
  const int rows = cook_lanes(spans, n, labels);
  for (int r = 0; r < rows; r++) names[r] = labels[r];
  char title[200];
  const double makespan = mapo__lj_num(run, units ? "makespan_units" : "makespan_ms");
  snprintf(title, sizeof title, "%s, %g cook%s: served after %.2f %s", mapo__lj_str(run, "model"),
           mapo__lj_num(run, "cooks"), mapo__lj_num(run, "cooks") == 1 ? "" : "s", makespan,
           units ? "units" : "ms");
  const lesson_gantt g = {title,    units ? "time (units of the recipe)" : "time (ms)",
                          axis_max, units ? mapo__lj_num(run, "bound_units") : NAN,
                          rows,     names,
                          n,        spans};
  mapo__gantt(f, &g);
}

/* Each model against the first (serial), through mapo_verdict_of. */
static void cook_notice(FILE *f, const lj **runs, int n) {
  char notice[1400], word[160], ratio[32], busy[96];
  const mapo_spread base = cook_spread(runs[0]);
  size_t used = (size_t)snprintf(
      notice, sizeof notice, "against %s (%.0f ms):", mapo__lj_str(runs[0], "model"), base.median);
  for (int i = 1; i < n && used < sizeof notice; i++) {
    const mapo_spread s = cook_spread(runs[i]);
    const mapo_verdict v = mapo_verdict_of(&s, &base);
    if (v.cls == MAPO_VERDICT_NOISY || v.cls == MAPO_VERDICT_MISSING)
      snprintf(
          word, sizeof word, " %s: %s;", mapo__lj_str(runs[i], "model"),
          v.cls == MAPO_VERDICT_NOISY ? mapo_verdict_busy(busy, sizeof busy, &v) : "not measured");
    else
      snprintf(word, sizeof word, " %s %s it (%s);", mapo__lj_str(runs[i], "model"),
               mapo_verdict_verb(v.cls), mapo_verdict_ratio(ratio, sizeof ratio, v.ratio));
    used += (size_t)snprintf(notice + used, sizeof notice - used, "%s", word);
  }
  if (used < sizeof notice)
    snprintf(notice + used, sizeof notice - used,
             " no model finishes before the dashed line, the bound the recipe allows its "
             "cooks. The red steps are the path that decided when the dish was served.");
  mapo__notice(f, notice);
}

static void rice_chart(FILE *f, const lj **runs, int n) {
  lesson_bar bars[RUNS_MAX];
  int hottest = -1, coldest = -1;
  for (int i = 0; i < n; i++) {
    const double t = mapo__lj_num(runs[i], "rice_temperature");
    bars[i] = (lesson_bar){mapo__lj_str(runs[i], "model"), t, NAN, NAN, 0};
    if (isfinite(t) && (hottest < 0 || t > bars[hottest].value)) hottest = i;
    if (isfinite(t) && (coldest < 0 || t < bars[coldest].value)) coldest = i;
  }
  if (hottest < 0) return; /* no rice, or 0 ms a unit */
  bars[hottest].accent = 1;
  mapo__bars(f, "The rice's temperature when the dish is served", "temperature (degrees)", bars, n);
  char notice[400];
  snprintf(notice, sizeof notice,
           "the rice cools while it waits for the rest of the dish: %s serves it at %.1f "
           "degrees, %s at %.1f. A model that finishes the other chains sooner serves it "
           "hotter.",
           bars[hottest].label, bars[hottest].value, bars[coldest].label, bars[coldest].value);
  mapo__notice(f, notice);
}

void mapo__lesson_cook(FILE *f, const mapo_lesson *l) {
  const lj *runs[RUNS_MAX];
  const int n = cook_runs(l, runs);
  if (n == 0) {
    mapo__lesson_missing(f, "mapo cook --model all --json");
    return;
  }
  int units = 1;
  double axis_max = 0;
  for (int i = 0; i < n; i++) units &= mapo__lj_num(runs[i], "unit_ms") > 0;
  for (int i = 0; i < n; i++) {
    const double m = mapo__lj_num(runs[i], units ? "makespan_units" : "makespan_ms");
    const double b = units ? mapo__lj_num(runs[i], "bound_units") : 0;
    if (m > axis_max) axis_max = m;
    if (b > axis_max) axis_max = b;
  }
  fprintf(f,
          "<p>The same recipe cooked by %d model%s, every chart on one time axis: a bar is "
          "a step on the cook that ran it.</p>\n",
          n, n == 1 ? "" : "s");
  if (n > 1) cook_notice(f, runs, n);
  for (int i = 0; i < n; i++) cook_chart(f, runs[i], units, axis_max);
  rice_chart(f, runs, n);
}

/* ---- 3. races --------------------------------------------------------------------- */

/* The outcome of one run's JSON, for mapo_race_verdict: what it reads is the counts, the
 * mode's racy flag and whether a failure is a lost update. */
static void race_sentence(char *buf, size_t size, const lj *run) {
  const mapo_race_demo d = {.lost_updates = mapo__lj_get(run, "expected") != NULL};
  const mapo_race_mode m = {.racy = mapo__lj_num(run, "racy") == 1};
  mapo_race_outcome o = {.mode = &m};
  o.result.trials = (long)mapo__lj_num(run, "trials");
  o.result.failures = (long long)mapo__lj_num(run, "failures");
  mapo_race_verdict(buf, size, &d, &o);
}

static void race_demo(FILE *f, const lj *doc) {
  const lj *list = mapo__lj_get(doc, "runs"), *runs[RUNS_MAX];
  int n = 0;
  if (list == NULL) runs[n++] = doc;
  for (int k = 0; k < mapo__lj_len(list) && n < RUNS_MAX; k++) runs[n++] = mapo__lj_at(list, k);
  if (n == 0) return; /* "runs": [] ran nothing */
  const char *demo = mapo__lj_str(doc, "demo");
  const int lost = mapo__lj_get(runs[0], "expected") != NULL;
  lesson_bar bars[RUNS_MAX];
  char title[160], notice[1400], one[400];
  size_t used = 0;
  notice[0] = '\0';
  for (int i = 0; i < n; i++) {
    const lj *r = runs[i];
    const double whole = mapo__lj_num(r, lost ? "expected" : "trials");
    bars[i] = (lesson_bar){mapo__lj_str(r, "mode"),
                           whole > 0 ? 100 * mapo__lj_num(r, "failures") / whole : NAN, NAN, NAN,
                           mapo__lj_num(r, "racy") == 1};
    race_sentence(one, sizeof one, r);
    if (used < sizeof notice)
      used += (size_t)snprintf(notice + used, sizeof notice - used, "%s%s: %s", i ? "; " : "",
                               bars[i].label ? bars[i].label : "?", one);
  }
  snprintf(title, sizeof title, "%s: %s, by mode", demo ? demo : "race",
           lost ? "updates lost" : "trials that failed");
  fputs("<h3>The ", f);
  mapo__html(f, demo && strcmp(demo, "deadlock") == 0 ? "dead-lock" : demo);
  fputs("</h3>\n", f);
  mapo__bars(f, title, lost ? "updates lost (% of all updates)" : "trials that failed (%)", bars,
             n);
  mapo__notice(f, notice);
  if (demo && strcmp(demo, "deadlock") == 0) {
    const lj *naive = runs[0];
    mapo__cycle(f, "The dead-lock's cycle: each cook holds what the other waits for",
                (long long)mapo__lj_num(naive, "failures"), (long)mapo__lj_num(naive, "trials"));
    if (mapo__lj_str(naive, "first") && mapo__lj_str(naive, "first")[0]) {
      fputs("<p class=\"small\">What the watchdog saw: ", f);
      mapo__html(f, mapo__lj_str(naive, "first"));
      fputs("</p>\n", f);
    }
  }
}

void mapo__lesson_race(FILE *f, const mapo_lesson *l) {
  int shown = 0;
  for (int i = mapo__lesson_next(l, LK_RACE, 0); i >= 0; i = mapo__lesson_next(l, LK_RACE, i + 1)) {
    race_demo(f, &l->docs[i].v);
    shown++;
  }
  if (shown == 0) mapo__lesson_missing(f, "mapo race --demo counter --mode all --json");
}

/* ---- 4. sums ---------------------------------------------------------------------- */

static mapo_spread sum_spread(const lj *v, const char *prefix) {
  char key[64];
  mapo_spread s = {0};
  snprintf(key, sizeof key, "%sseconds_median", prefix);
  s.median = mapo__lj_num(v, key);
  snprintf(key, sizeof key, "%sseconds_min", prefix);
  s.min = mapo__lj_num(v, key);
  snprintf(key, sizeof key, "%sseconds_max", prefix);
  s.max = mapo__lj_num(v, key);
  s.n = 1;
  return s;
}

/* One process's sum of each model (the first of each), in the order they came. */
static int sum_models(const mapo_lesson *l, const lj **out) {
  int n = 0;
  for (int i = mapo__lesson_next(l, LK_SUM, 0); i >= 0; i = mapo__lesson_next(l, LK_SUM, i + 1)) {
    const lj *v = &l->docs[i].v;
    const char *model = mapo__lj_str(v, "model");
    int seen = mapo__lj_get(v, "ranks") != NULL || model == NULL;
    for (int k = 0; k < n && !seen; k++) seen = strcmp(mapo__lj_str(out[k], "model"), model) == 0;
    if (!seen && n < RUNS_MAX) out[n++] = v;
  }
  return n;
}

static const lj *sum_find(const lj **runs, int n, const char *model) {
  for (int i = 0; i < n; i++)
    if (strcmp(mapo__lj_str(runs[i], "model"), model) == 0) return runs[i];
  return NULL;
}

/* Padded against false sharing: the one line that differs, judged by mapo_verdict_of. */
static void sum_sharing(char *buf, size_t size, const lj *shared, const lj *padded) {
  const mapo_spread a = sum_spread(padded, ""), b = sum_spread(shared, "");
  const mapo_verdict v = mapo_verdict_of(&a, &b);
  char ratio[32], busy[96];
  if (v.cls == MAPO_VERDICT_NOISY || v.cls == MAPO_VERDICT_MISSING)
    snprintf(buf, size, "padded against false-sharing: %s.",
             v.cls == MAPO_VERDICT_NOISY ? mapo_verdict_busy(busy, sizeof busy, &v)
                                         : "one of them has no time");
  else
    snprintf(buf, size,
             "padded %s false-sharing (%s, %.2f ms against %.2f ms): the two differ only in "
             "whether each thread's total has a cache line of its own%s",
             mapo_verdict_verb(v.cls), mapo_verdict_ratio(ratio, sizeof ratio, v.ratio),
             a.median * 1e3, b.median * 1e3,
             v.cls == MAPO_VERDICT_FASTER ? ", so that one line is the whole difference."
                                          : "; here the shared line cost nothing measurable.");
}

static void sum_table(FILE *f, const lj **runs, int n) {
  fputs("<table><tr><th>model</th><th>threads</th><th>median (ms)</th><th>verified</th>"
        "<th>against serial</th></tr>\n",
        f);
  for (int i = 0; i < n; i++) {
    const lj *v = runs[i];
    fputs("<tr><td>", f);
    mapo__html(f, mapo__lj_str(v, "model"));
    fprintf(f, "</td><td class=\"n\">%g</td><td class=\"n\">%.3f</td><td>%s</td><td>",
            mapo__lj_num(v, "threads"), mapo__lj_num(v, "seconds_median") * 1e3,
            mapo__lj_num(v, "verified") == 1 ? "yes" : "NO");
    mapo__html(f, mapo__lj_str(v, "verdict") ? mapo__lj_str(v, "verdict") : "(the baseline)");
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

void mapo__lesson_sum(FILE *f, const mapo_lesson *l) {
  const lj *runs[RUNS_MAX];
  const int n = sum_models(l, runs);
  if (n == 0) {
    mapo__lesson_missing(f, "mapo sum --model M --json (for each model)");
    return;
  }
  lesson_bar bars[RUNS_MAX];
  for (int i = 0; i < n; i++) {
    const mapo_spread s = sum_spread(runs[i], "");
    const char *model = mapo__lj_str(runs[i], "model");
    bars[i] = (lesson_bar){model, s.median * 1e3, s.min * 1e3, s.max * 1e3,
                           strcmp(model, "false-sharing") == 0 || strcmp(model, "padded") == 0};
  }
  fprintf(f,
          "<p>The notebook's sums of i*i, %g numbers from n = %g, exact and verified, "
          "through each shared-memory model.</p>\n",
          mapo__lj_num(runs[0], "numbers"), mapo__lj_num(runs[0], "base"));
  mapo__bars(f, "The sums' time by model (the line: fastest to slowest run)", "time (ms)", bars, n);
  const lj *shared = sum_find(runs, n, "false-sharing"), *padded = sum_find(runs, n, "padded");
  char notice[600];
  if (shared && padded) {
    sum_sharing(notice, sizeof notice, shared, padded);
    mapo__notice(f, notice);
  }
  sum_table(f, runs, n);
}
