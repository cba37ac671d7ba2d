/* lesson_more.c - the lesson page's last four sections: scaling with Amdahl's law, the
 * I/O-bound rows, the compare matrix and the environment.
 *
 * What to notice: a scaling chart is the scaling study's own SVG (mapo_report_scale_svg)
 * and its sentence the study's own verdict (mapo_scale_verdict), whether the points
 * came from `mapo scale` or from a sweep of `mapo sum` / `mapo-mpi sum` runs over
 * threads or ranks (a Slurm job's sum-K.json files): one arithmetic, one chart. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson_internal.h"
#include "mapo/report_compare.h"
#include "mapo/scale.h"
#include "mapo/verdict.h"

enum { GROUPS_MAX = 8 };

/* ---- 5. scaling ------------------------------------------------------------------- */

/* The study's chart inline: its SVG without the XML declaration and the namespace, which
 * HTML does not need (and the page names no URL at all). */
static void scale_svg(FILE *f, const mapo_scale_study *st, const char *caption) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (mem == NULL) return;
  const int rc = mapo_report_scale_svg(mem, st);
  if (fclose(mem) != 0 || rc != 0) {
    free(text);
    return;
  }
  fputs("<figure class=\"study\">\n<figcaption>", f);
  mapo__html(f, caption);
  fputs("</figcaption>\n", f);
  const char *at = strstr(text, "<svg");
  const char *ns = " xmlns=\"http://www.w3.org/2000/svg\"";
  const char *cut = at ? strstr(at, ns) : NULL;
  if (at && cut) {
    fwrite(at, 1, (size_t)(cut - at), f);
    fputs(cut + strlen(ns), f);
  } else if (at) {
    fputs(at, f);
  }
  fputs("</figure>\n", f);
  free(text);
}

static void scale_draw(FILE *f, mapo_scale_study *st, mapo_scale_point *pts, const char *what) {
  if (mapo_scale_analyze(pts, st->npoints, st->weak, st->processors, &st->fit) != 0) {
    fputs("<p class=\"missing\">", f);
    mapo__html(f, what);
    fputs(": these points cannot be analysed (a thread count twice, or no time).</p>\n", f);
    return;
  }
  char caption[300], verdict[800], notice[1200];
  snprintf(caption, sizeof caption, "Speedup against %s, with %s's law fitted", what,
           st->weak ? "Gustafson" : "Amdahl");
  scale_svg(f, st, caption);
  mapo_scale_verdict(verdict, sizeof verdict, st, " ");
  if (!st->weak && isfinite(st->fit.serial_fraction))
    snprintf(notice, sizeof notice,
             "%s Amdahl's law fitted to the counts that had a processor each: a serial part "
             "of %.1f%%, so that no count of threads can beat %.2fx.",
             verdict, 100 * st->fit.serial_fraction,
             isfinite(st->fit.max_speedup) ? st->fit.max_speedup : 1e9);
  else
    snprintf(notice, sizeof notice, "%s", verdict);
  if (!st->weak && isfinite(st->fit.serial_fraction) && !isfinite(st->fit.max_speedup))
    snprintf(notice, sizeof notice,
             "%s Amdahl's law fitted to the counts that had a processor each finds no serial "
             "part: the speedup there has no limit the law can see.",
             verdict);
  mapo__notice(f, notice);
}

/* A `mapo scale` document as a study. */
static void scale_doc(FILE *f, const lj *v) {
  mapo_scale_point pts[MAPO_SCALE_POINTS_MAX];
  const lj *list = mapo__lj_get(v, "points");
  int n = 0;
  for (int k = 0; k < mapo__lj_len(list) && n < MAPO_SCALE_POINTS_MAX; k++) {
    const lj *p = mapo__lj_at(list, k);
    pts[n++] = (mapo_scale_point){.threads = (int)mapo__lj_num(p, "threads"),
                                  .seconds_median = mapo__lj_num(p, "seconds_median"),
                                  .seconds_min = mapo__lj_num(p, "seconds_min"),
                                  .seconds_max = mapo__lj_num(p, "seconds_max")};
  }
  mapo_scale_study st = {.model = mapo__lj_str(v, "model") ? mapo__lj_str(v, "model") : "?",
                         .split = mapo__lj_str(v, "split") ? mapo__lj_str(v, "split") : "numbers",
                         .lesson = mapo__lj_str(v, "lesson"),
                         .weak = mapo__lj_num(v, "weak") == 1,
                         .numbers = (int)mapo__lj_num(v, "numbers"),
                         .base = (uint64_t)mapo__lj_num(v, "base"),
                         .repeat = (int)mapo__lj_num(v, "repeat"),
                         .processors = (int)mapo__lj_num(v, "processors"),
                         .openmp = (int)mapo__lj_num(v, "openmp"),
                         .npoints = n,
                         .points = pts};
  if (st.processors < 1) st.processors = 1;
  scale_draw(f, &st, pts, "threads (mapo scale)");
}

/* What makes sums one sweep: the same model, numbers, base and split, one process or
 * MPI. */
static int same_sweep(const lj *a, const lj *b) {
  const char *keys[] = {"model", "split"};
  for (int i = 0; i < 2; i++) {
    const char *x = mapo__lj_str(a, keys[i]), *y = mapo__lj_str(b, keys[i]);
    if (!x || !y || strcmp(x, y) != 0) return 0;
  }
  return mapo__lj_num(a, "numbers") == mapo__lj_num(b, "numbers") &&
         mapo__lj_num(a, "base") == mapo__lj_num(b, "base") &&
         (mapo__lj_get(a, "ranks") != NULL) == (mapo__lj_get(b, "ranks") != NULL);
}

static int workers_of(const lj *v) {
  const double r = mapo__lj_num(v, "ranks"), t = mapo__lj_num(v, "threads");
  return (int)((isfinite(r) ? r : 1) * (isfinite(t) ? t : 1));
}

static int point_cmp(const void *a, const void *b) {
  const int x = ((const mapo_scale_point *)a)->threads, y = ((const mapo_scale_point *)b)->threads;
  return (x > y) - (x < y);
}

/* The sum documents from `first` that form its sweep, as points; p = 1 from the
 * one-thread baseline the runs carry when no run had one worker. Returns the points. */
static int sweep_points(const mapo_lesson *l, int first, mapo_scale_point *pts) {
  const lj *a = &l->docs[first].v;
  int n = 0, has_one = 0;
  for (int i = first; i >= 0 && n < MAPO_SCALE_POINTS_MAX;
       i = mapo__lesson_next(l, LK_SUM, i + 1)) {
    const lj *v = &l->docs[i].v;
    const int p = workers_of(v);
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= pts[k].threads == p;
    if (!same_sweep(a, v) || seen || p < 1) continue;
    pts[n++] = (mapo_scale_point){.threads = p,
                                  .seconds_median = mapo__lj_num(v, "seconds_median"),
                                  .seconds_min = mapo__lj_num(v, "seconds_min"),
                                  .seconds_max = mapo__lj_num(v, "seconds_max")};
    has_one |= p == 1;
  }
  const double one = isfinite(mapo__lj_num(a, "seconds_one_thread"))
                         ? mapo__lj_num(a, "seconds_one_thread")
                         : mapo__lj_num(a, "serial_seconds_median");
  if (!has_one && n > 0 && isfinite(one) && n < MAPO_SCALE_POINTS_MAX) {
    const int mpi = mapo__lj_get(a, "ranks") != NULL;
    pts[n++] = (mapo_scale_point){.threads = 1,
                                  .seconds_median = one,
                                  .seconds_min = mpi ? one : mapo__lj_num(a, "serial_seconds_min"),
                                  .seconds_max = mpi ? one : mapo__lj_num(a, "serial_seconds_max")};
  }
  qsort(pts, (size_t)n, sizeof *pts, point_cmp);
  return n;
}

/* Sum runs over several thread or rank counts: a scaling study each. */
static int sum_sweeps(FILE *f, const mapo_lesson *l) {
  int firsts[GROUPS_MAX], ngroups = 0, drawn = 0;
  for (int i = mapo__lesson_next(l, LK_SUM, 0); i >= 0 && ngroups < GROUPS_MAX;
       i = mapo__lesson_next(l, LK_SUM, i + 1)) {
    int seen = 0;
    for (int g = 0; g < ngroups; g++) seen |= same_sweep(&l->docs[firsts[g]].v, &l->docs[i].v);
    if (!seen) firsts[ngroups++] = i;
  }
  for (int g = 0; g < ngroups; g++) {
    mapo_scale_point pts[MAPO_SCALE_POINTS_MAX];
    const int n = sweep_points(l, firsts[g], pts);
    if (n < 3 && !(n == 2 && pts[1].threads > 2)) continue; /* one run beside its baseline */
    const lj *a = &l->docs[firsts[g]].v;
    const int mpi = mapo__lj_get(a, "ranks") != NULL;
    const double procs = mapo__lj_num(a, "processors");
    mapo_scale_study st = {.model = mapo__lj_str(a, "model"),
                           .split = mapo__lj_str(a, "split") ? mapo__lj_str(a, "split") : "numbers",
                           .numbers = (int)mapo__lj_num(a, "numbers"),
                           .base = (uint64_t)mapo__lj_num(a, "base"),
                           .repeat = (int)mapo__lj_num(a, "repeat"),
                           .processors = mpi || !(procs >= 1) ? pts[n - 1].threads : (int)procs,
                           .npoints = n,
                           .points = pts};
    scale_draw(
        f, &st, pts,
        mpi ? "ranks x threads (mapo-mpi sum runs, one per job)" : "threads (mapo sum runs)");
    drawn++;
  }
  return drawn;
}

void mapo__lesson_scale(FILE *f, const mapo_lesson *l) {
  int shown = 0;
  for (int i = mapo__lesson_next(l, LK_SCALE, 0); i >= 0;
       i = mapo__lesson_next(l, LK_SCALE, i + 1)) {
    scale_doc(f, &l->docs[i].v);
    shown++;
  }
  shown += sum_sweeps(f, l);
  if (shown == 0) mapo__lesson_missing(f, "mapo scale --json");
}

/* ---- 6. I/O ----------------------------------------------------------------------- */

static mapo_spread io_spread(const lj *v) {
  return (mapo_spread){mapo__lj_num(v, "seconds"), mapo__lj_num(v, "seconds_min"),
                       mapo__lj_num(v, "seconds_max"), 1};
}

static void io_table(FILE *f, const lj **runs, int n) {
  fputs("<table><tr><th>model</th><th>orders</th><th>latency (ms)</th><th>time (ms)</th>"
        "<th>ideal (ms)</th><th>the ideal</th><th>verified</th></tr>\n",
        f);
  for (int i = 0; i < n; i++) {
    const lj *v = runs[i];
    fputs("<tr><td>", f);
    mapo__html(f, mapo__lj_str(v, "model"));
    fprintf(f,
            "</td><td class=\"n\">%g</td><td class=\"n\">%g</td><td class=\"n\">%.1f</td>"
            "<td class=\"n\">%.1f</td><td>",
            mapo__lj_num(v, "requests"), mapo__lj_num(v, "latency_ms"),
            mapo__lj_num(v, "seconds") * 1e3, mapo__lj_num(v, "ideal_seconds") * 1e3);
    mapo__html(f, mapo__lj_str(v, "ideal"));
    fprintf(f, "</td><td>%s</td></tr>\n", mapo__lj_num(v, "verified") == 1 ? "yes" : "NO");
  }
  fputs("</table>\n", f);
}

void mapo__lesson_io(FILE *f, const mapo_lesson *l) {
  const lj *runs[16];
  lesson_bar bars[16];
  int n = 0, serial = -1;
  for (int i = mapo__lesson_next(l, LK_IO, 0); i >= 0 && n < 16;
       i = mapo__lesson_next(l, LK_IO, i + 1)) {
    runs[n] = &l->docs[i].v;
    const mapo_spread s = io_spread(runs[n]);
    bars[n] =
        (lesson_bar){mapo__lj_str(runs[n], "model"), s.median * 1e3, s.min * 1e3, s.max * 1e3, 0};
    if (serial < 0 && bars[n].label && strcmp(bars[n].label, "serial") == 0) serial = n;
    n++;
  }
  if (n == 0) {
    mapo__lesson_missing(f, "mapo io --model serial --json (and threads, poll)");
    return;
  }
  fprintf(f,
          "<p>Orders to a supplier that answers each after %g ms: the client waits, it "
          "does not compute.</p>\n",
          mapo__lj_num(runs[0], "latency_ms"));
  mapo__bars(f, "Time to place every order, by client model", "time (ms)", bars, n);
  char notice[1200], ratio[32], busy[96];
  size_t used = 0;
  notice[0] = '\0';
  for (int i = 0; i < n && serial >= 0; i++) {
    if (i == serial || mapo__lj_num(runs[i], "requests") != mapo__lj_num(runs[serial], "requests"))
      continue;
    const mapo_spread a = io_spread(runs[i]), b = io_spread(runs[serial]);
    const mapo_verdict v = mapo_verdict_of(&a, &b);
    used += (size_t)snprintf(
        notice + used, sizeof notice - used, "%s%s %s serial%s%s", used ? "; " : "", bars[i].label,
        v.cls <= MAPO_VERDICT_NOISY ? "against" : mapo_verdict_verb(v.cls),
        v.cls <= MAPO_VERDICT_NOISY ? ": " : " ",
        v.cls == MAPO_VERDICT_NOISY     ? mapo_verdict_busy(busy, sizeof busy, &v)
        : v.cls == MAPO_VERDICT_MISSING ? "not measured"
                                        : mapo_verdict_ratio(ratio, sizeof ratio, v.ratio));
    if (used >= sizeof notice) break;
  }
  if (used > 0 && used < sizeof notice)
    snprintf(notice + used, sizeof notice - used,
             ". Serial pays every latency in turn; a model that keeps orders in flight pays "
             "about one.");
  if (used > 0) mapo__notice(f, notice);
  io_table(f, runs, n);
}

/* ---- 7. compare ------------------------------------------------------------------- */

void mapo__lesson_compare(FILE *f, const mapo_lesson *l) {
  const int i = mapo__lesson_next(l, LK_COMPARE, 0);
  if (i < 0) {
    mapo__lesson_missing(f, "mapo compare --json");
    return;
  }
  const lj *rows = mapo__lj_get(&l->docs[i].v, "rows");
  fputs("<table><tr><th>workload</th>", f);
  for (int c = 0; c < MAPO_COMPARE_COLUMNS; c++) fprintf(f, "<th>%s</th>", mapo_compare_column(c));
  fputs("</tr>\n", f);
  for (int r = 0; r < mapo__lj_len(rows); r++) {
    const lj *row = mapo__lj_at(rows, r), *secs = mapo__lj_get(row, "seconds");
    const lj *notes = mapo__lj_get(row, "notes");
    fputs("<tr><td>", f);
    mapo__html(f, mapo__lj_str(row, "workload"));
    fputs("</td>", f);
    for (int c = 0; c < MAPO_COMPARE_COLUMNS; c++) {
      const char *col = mapo_compare_column(c), *note = mapo__lj_str(notes, col);
      const double s = mapo__lj_num(secs, col);
      char t[32];
      if (isfinite(s))
        mapo_compare_format_time(t, sizeof t, s);
      else
        snprintf(t, sizeof t, "&mdash;");
      fprintf(f, "<td class=\"n\"><span class=\"t\">%s</span>", t);
      if (note) {
        fputs("<br><span class=\"small\">", f);
        mapo__html(f, note);
        fputs("</span>", f);
      }
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  for (int r = 0; r < mapo__lj_len(rows); r++)
    if (mapo__lj_str(mapo__lj_at(rows, r), "verdict"))
      mapo__notice(f, mapo__lj_str(mapo__lj_at(rows, r), "verdict"));
}

/* ---- 8. the environment ----------------------------------------------------------- */

static const char *kind_name(lesson_kind k) {
  static const char *const names[] = {"recipe", "cook", "race",    "sum",
                                      "scale",  "io",   "compare", "other (not drawn)"};
  return names[k];
}

static void env_table(FILE *f, const lj *env) {
  static const char *const keys[] = {"host",   "compiler", "flags",     "processors_online",
                                     "kernel", "machine",  "sum_kernel"};
  fputs("<table>\n", f);
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    const lj *v = mapo__lj_get(env, keys[k]);
    if (v == NULL) continue;
    fprintf(f, "<tr><th>%s</th><td>", keys[k]);
    if (v->type == LJ_STR)
      mapo__html(f, v->str);
    else if (v->type == LJ_NUM)
      fprintf(f, "%g", v->num);
    fputs("</td></tr>\n", f);
  }
  const lj *vars = mapo__lj_get(env, "variables");
  for (int k = 0; vars && vars->type == LJ_OBJ && k < vars->n; k++) {
    fputs("<tr><th>", f);
    mapo__html(f, vars->keys[k]);
    fputs("</th><td>", f);
    mapo__html(f, vars->items[k].type == LJ_STR ? vars->items[k].str : "");
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

void mapo__lesson_env(FILE *f, const mapo_lesson *l) {
  const lj *env = NULL;
  for (int i = 0; i < l->n && env == NULL; i++) env = mapo__lj_get(&l->docs[i].v, "environment");
  if (env) {
    fputs("<p>Where and with what the numbers were measured (the first result that says):</p>\n",
          f);
    env_table(f, env);
  } else {
    fputs("<p class=\"missing\">No result here records its environment.</p>\n", f);
  }
  fputs("<h3>What this page was made from</h3>\n<table><tr><th>result</th><th>kind</th></tr>\n", f);
  for (int i = 0; i < l->n; i++) {
    fputs("<tr><td><code>", f);
    mapo__html(f, l->docs[i].source);
    fprintf(f, "</code></td><td>%s</td></tr>\n", kind_name(l->docs[i].kind));
  }
  fputs("</table>\n", f);
}
