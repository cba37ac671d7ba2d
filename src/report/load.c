/* load.c - the report of `mapo load`: the strangle table, the grain table and its
 * crossover, the handoff of data to a thread or a process, and the sentences they
 * support (mapo/report_load.h).
 *
 * What to notice: every sentence is chosen by a function of the numbers beside it
 * (mapo_verdict_of, then words per class); the crossover is found from the medians, not
 * written down. A busy machine gets "no verdict", never a claim it could lose.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mapo/error.h"
#include "mapo/report.h"
#include "mapo/report_load.h"

static const char *const wait_name[MAPO_LOAD_WAITS] = {"spinning", "blocking"};

static const char *plural(long n) { return n == 1 ? "" : "s"; }

static int measured(const mapo_spread *s) {
  return s->n > 0 && isfinite(s->median) && s->median > 0;
}

static const mapo_spread *cell(const mapo_spread *s) { return measured(s) ? s : NULL; }

/* ------------------------------------------------------------------------- verdicts */

mapo_verdict_class mapo_load_strangle_verdict(char *buf, size_t size,
                                              const mapo_load_strangle_result *s, int wait,
                                              double *slowdown) {
  buf[0] = '\0';
  *slowdown = NAN;
  if (s == NULL || s->rows < 2 || wait < 0 || wait >= MAPO_LOAD_WAITS) return MAPO_VERDICT_MISSING;
  const mapo_load_strangle_row *base = &s->row[0], *over = &s->row[s->rows - 1];
  const mapo_verdict v = mapo_verdict_of(cell(&over->wall[wait]), cell(&base->wall[wait]));
  if (v.cls == MAPO_VERDICT_MISSING) return v.cls;
  *slowdown = 1 / v.ratio;
  char x[32], busy[96];
  mapo_verdict_ratio(x, sizeof x, *slowdown);
  const int n = over->workers, p = base->workers;
  switch (v.cls) {
  case MAPO_VERDICT_NOISY:
    snprintf(buf, size, "%d workers against %d: %s", n, p,
             mapo_verdict_busy(busy, sizeof busy, &v));
    break;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size, "%d workers on %d processors took %s as long as %d: %s", n, p, x, p,
             *slowdown >= MAPO_LOAD_STRANGLED ? "they strangle each other"
                                              : "slower, but short of strangled (2x)");
    break;
  case MAPO_VERDICT_TIE:
    snprintf(buf, size, "%d workers on %d processors took %s as long as %d: no harm done", n, p, x,
             p);
    break;
  default:
    snprintf(buf, size, "%d workers on %d processors took %s as long as %d: more workers helped", n,
             p, x, p);
  }
  return v.cls;
}

mapo_verdict_class mapo_load_cpu_verdict(char *buf, size_t size, const mapo_load_strangle_result *s,
                                         int wait) {
  buf[0] = '\0';
  if (s == NULL || s->rows < 2 || wait < 0 || wait >= MAPO_LOAD_WAITS) return MAPO_VERDICT_MISSING;
  const mapo_load_strangle_row *base = &s->row[0], *over = &s->row[s->rows - 1];
  if (!measured(&base->wall[wait]) || !measured(&over->wall[wait])) return MAPO_VERDICT_MISSING;
  /* One median each, no range: the class is a tie or not, never noisy. */
  const mapo_spread a = mapo_verdict_one(over->cpu[wait]), b = mapo_verdict_one(base->cpu[wait]);
  const mapo_verdict v = mapo_verdict_of(&a, &b);
  if (v.cls == MAPO_VERDICT_MISSING) return v.cls;
  char x[32];
  mapo_verdict_ratio(x, sizeof x, 1 / v.ratio);
  snprintf(buf, size, "%d workers used %s the CPU time of %d for the same work%s", over->workers, x,
           base->workers,
           v.cls == MAPO_VERDICT_SLOWER ? ": the extra CPU is waiting, burnt"
           : v.cls == MAPO_VERDICT_TIE  ? ": waiting cost no CPU"
                                        : "");
  return v.cls;
}

int mapo_load_crossover_of(const mapo_load_grain_result *g, mapo_load_crossover *out) {
  const mapo_verdict none = mapo_verdict_of(NULL, NULL);
  *out = (mapo_load_crossover){-1, -1, NAN, NAN, none, none};
  if (g == NULL || g->rows < 1 || g->rows > MAPO_LOAD_GRAINS_MAX) return MAPO_EINVAL;
  int best = 0;
  for (int i = 0; i < g->rows; i++) {
    if (!measured(&g->row[i].wall)) return MAPO_EINVAL;
    if (g->row[i].wall.median < g->row[best].wall.median) best = i;
  }
  const double top = g->row[best].wall.median;
  int cross = best;
  /* The rows go from the smallest grain up: the first within the band is the smallest. */
  for (int i = best; i >= 0; i--)
    if (g->row[i].wall.median <= top * MAPO_VERDICT_TIE_BAND) cross = i;
  out->best = best;
  out->crossover = cross;
  out->tiniest = g->row[0].wall.median / top;
  out->largest = g->row[g->rows - 1].wall.median / top;
  out->tiny = mapo_verdict_of(&g->row[0].wall, &g->row[best].wall);
  out->big = mapo_verdict_of(&g->row[g->rows - 1].wall, &g->row[best].wall);
  return 0;
}

/* What the largest grain adds: too few tasks, when it lost to the best. */
static void grain_largest(char *buf, size_t size, const mapo_load_grain_result *g,
                          const mapo_load_crossover *c) {
  if (c->big.cls != MAPO_VERDICT_SLOWER || c->best == g->rows - 1) return;
  const mapo_load_grain_row *last = &g->row[g->rows - 1];
  char x[32];
  const size_t used = strlen(buf);
  snprintf(buf + used, size - used,
           " The largest grain (%ld items, %ld task%s) took %s as long as the best: too few "
           "tasks to keep %d threads busy.",
           last->grain, last->tasks, plural(last->tasks),
           mapo_verdict_ratio(x, sizeof x, c->largest), g->threads);
}

mapo_verdict_class mapo_load_grain_verdict(char *buf, size_t size,
                                           const mapo_load_grain_result *g) {
  buf[0] = '\0';
  mapo_load_crossover c;
  if (mapo_load_crossover_of(g, &c) != 0) return MAPO_VERDICT_MISSING;
  const mapo_load_grain_row *tiny = &g->row[0], *best = &g->row[c.best];
  char x[32], busy[96];
  switch (c.tiny.cls) {
  case MAPO_VERDICT_NOISY:
    snprintf(buf, size, "Tasks of %ld item%s against the best grain: %s.", tiny->grain,
             plural(tiny->grain), mapo_verdict_busy(busy, sizeof busy, &c.tiny));
    return c.tiny.cls;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size,
             "Tasks of %ld item%s took %s as long as the best grain (%ld items, %.4f s): each "
             "task costs more to make and hand out than its work. The crossover, the "
             "smallest grain within %.0f%% of the best: %ld items a task.",
             tiny->grain, plural(tiny->grain), mapo_verdict_ratio(x, sizeof x, c.tiniest),
             best->grain, best->wall.median, (MAPO_VERDICT_TIE_BAND - 1) * 100,
             g->row[c.crossover].grain);
    break;
  default: /* the tiniest is the best or within the band of it */
    snprintf(buf, size,
             "Tasks of %ld item%s took %s as long as the best grain (%ld items): here a task "
             "costs less than its work, and no crossover shows.",
             tiny->grain, plural(tiny->grain), mapo_verdict_ratio(x, sizeof x, c.tiniest),
             best->grain);
  }
  grain_largest(buf, size, g, &c);
  return c.tiny.cls;
}

static double ms_per_mb(const mapo_spread *s, double mb) { return s->median * 1e3 / mb; }

mapo_verdict_class mapo_load_handoff_verdict(char *buf, size_t size,
                                             const mapo_load_handoff_result *h) {
  buf[0] = '\0';
  if (h == NULL || !(h->mb > 0)) return MAPO_VERDICT_MISSING;
  const mapo_verdict v = mapo_verdict_of(cell(&h->process), cell(&h->thread));
  char x[32], busy[96];
  if (v.cls == MAPO_VERDICT_MISSING) return v.cls;
  mapo_verdict_ratio(x, sizeof x, 1 / v.ratio);
  const double proc = ms_per_mb(&h->process, h->mb), thr = ms_per_mb(&h->thread, h->mb);
  switch (v.cls) {
  case MAPO_VERDICT_NOISY:
    snprintf(buf, size, "A process against a thread: %s.",
             mapo_verdict_busy(busy, sizeof busy, &v));
    break;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size,
             "A process took %s as long as a thread to sum %.0f MB handed to it: %.3f ms a MB "
             "to receive a copy and sum it, against %.3f reading in place. That is the price "
             "of processes before any pickling: Python encodes and decodes on top.",
             x, h->mb, proc, thr);
    break;
  case MAPO_VERDICT_TIE:
    snprintf(buf, size,
             "A process took %s as long as a thread to sum %.0f MB (%.3f against %.3f ms a MB): "
             "here the copy costs little beside the work.",
             x, h->mb, proc, thr);
    break;
  default:
    snprintf(buf, size,
             "A process took %s as long as a thread to sum %.0f MB (%.3f against %.3f ms a MB): "
             "the copy cost nothing measurable here.",
             x, h->mb, proc, thr);
  }
  return v.cls;
}

/* How the blocking team fared, as the second half of the friends' sentence. */
static void friends_polite(char *buf, size_t size, const mapo_load_strangle_result *s) {
  double slow;
  char sentence[256], x[32];
  const mapo_verdict_class cls =
      mapo_load_strangle_verdict(sentence, sizeof sentence, s, MAPO_LOAD_BLOCKING, &slow);
  const size_t used = strlen(buf);
  const int n = s->row[s->rows - 1].workers;
  if (cls == MAPO_VERDICT_TIE || cls == MAPO_VERDICT_FASTER)
    snprintf(buf + used, size - used,
             " Friends who step aside while they wait do no harm: %d blocking workers took %s "
             "as long.",
             n, mapo_verdict_ratio(x, sizeof x, slow));
  else if (cls == MAPO_VERDICT_SLOWER)
    snprintf(buf + used, size - used,
             " Even stepping aside costs something: %d blocking workers took %s as long.", n,
             mapo_verdict_ratio(x, sizeof x, slow));
}

mapo_verdict_class mapo_load_friends(char *buf, size_t size, const mapo_load_strangle_result *s) {
  buf[0] = '\0';
  double slow;
  char sentence[256], x[32];
  const mapo_verdict_class cls =
      mapo_load_strangle_verdict(sentence, sizeof sentence, s, MAPO_LOAD_SPINNING, &slow);
  if (cls == MAPO_VERDICT_MISSING || cls == MAPO_VERDICT_NOISY) return MAPO_VERDICT_MISSING;
  const int n = s->row[s->rows - 1].workers, p = s->row[0].workers;
  mapo_verdict_ratio(x, sizeof x, slow);
  if (cls == MAPO_VERDICT_SLOWER)
    snprintf(buf, size,
             "Don't invite N friends for N steps: %d friends who work with their hands in a "
             "kitchen of %d burners took %s as long as %d. Invite as many as there are "
             "cores.",
             n, p, x, p);
  else
    snprintf(buf, size,
             "This run does not show the notebook's advice against N friends for N steps: %d "
             "spinning workers took %s as long as %d.",
             n, x, p);
  friends_polite(buf, size, s);
  return cls;
}

/* ------------------------------------------------------------------------------ text */

static void say(FILE *f, const mapo_load_result *r, const char *label, const char *text) {
  char first[32];
  snprintf(first, sizeof first, "  %-9s", label);
  if (text[0] != '\0') mapo_report_paragraph(f, r->columns, first, "           ", text);
}

static void spread_cells(FILE *f, const mapo_spread *s, double cpu) {
  if (measured(s))
    fprintf(f, "  %7.4f %7.4f %7.4f %5.2f", s->median, s->min, s->max, cpu);
  else
    fprintf(f, "  %7s %7s %7s %5s", "-", "-", "-", "-");
}

static void text_strangle(FILE *f, const mapo_load_result *r) {
  const mapo_load_strangle_result *s = r->strangle;
  char head[256], line[512];
  snprintf(head, sizeof head,
           "strangle: %d phases of %ld items, a barrier after each; seconds of %d run%s a cell "
           "(cpu: CPU seconds, median)",
           s->phases, s->items, r->repeat, plural(r->repeat));
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "", "  ", head);
  fprintf(f, "\n  %-9s  %-29s  %s\n", "", "spinning barrier", "blocking barrier");
  fprintf(f, "  %-9s", "workers");
  for (int w = 0; w < MAPO_LOAD_WAITS; w++)
    fprintf(f, "  %7s %7s %7s %5s", "median", "min", "max", "cpu");
  fputc('\n', f);
  for (int i = 0; i < s->rows; i++) {
    char who[24];
    snprintf(who, sizeof who, "%d (%dx)", s->row[i].workers, s->row[i].times);
    fprintf(f, "  %-9s", who);
    for (int w = 0; w < MAPO_LOAD_WAITS; w++) spread_cells(f, &s->row[i].wall[w], s->row[i].cpu[w]);
    fputc('\n', f);
  }
  fputc('\n', f);
  for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
    double slow;
    char sentence[256];
    if (mapo_load_strangle_verdict(sentence, sizeof sentence, s, w, &slow) == MAPO_VERDICT_MISSING)
      continue;
    snprintf(line, sizeof line, "%s: %s.", wait_name[w], sentence);
    say(f, r, "verdict", line);
  }
  say(f, r, "why",
      "A worker that is done spins at the barrier until the scheduler takes its core, at the "
      "end of its time slice (milliseconds). With more workers than cores, the worker "
      "everyone waits for, which still has work, waits for that core: every phase costs "
      "whole time slices. A blocking barrier puts the waiter to sleep and hands its core "
      "over at once.");
  for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
    char sentence[256];
    if (mapo_load_cpu_verdict(sentence, sizeof sentence, s, w) == MAPO_VERDICT_MISSING) continue;
    snprintf(line, sizeof line, "%s: %s.", wait_name[w], sentence);
    say(f, r, "cpu", line);
  }
}

static void text_grain(FILE *f, const mapo_load_result *r) {
  const mapo_load_grain_result *g = r->grain;
  mapo_load_crossover c;
  mapo_load_crossover_of(g, &c);
  char head[256], sentence[1024];
  snprintf(head, sizeof head,
           "grain: %ld items on %d thread%s, a task of every GRAIN items; seconds of %d run%s "
           "a row",
           g->items, g->threads, plural(g->threads), r->repeat, plural(r->repeat));
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "", "  ", head);
  fprintf(f, "\n  %9s %9s %9s %9s %9s %8s\n", "grain", "tasks", "median", "min", "max", "x best");
  for (int i = 0; i < g->rows; i++) {
    const mapo_load_grain_row *row = &g->row[i];
    fprintf(f, "  %9ld %9ld", row->grain, row->tasks);
    if (measured(&row->wall)) {
      fprintf(f, " %9.4f %9.4f %9.4f", row->wall.median, row->wall.min, row->wall.max);
      if (c.best >= 0)
        fprintf(f, " %8.2f%s", row->wall.median / g->row[c.best].wall.median,
                i == c.best        ? "  best"
                : i == c.crossover ? "  crossover"
                                   : "");
    }
    fputc('\n', f);
  }
  fputc('\n', f);
  mapo_load_grain_verdict(sentence, sizeof sentence, g);
  say(f, r, "verdict", sentence);
}

static void text_handoff(FILE *f, const mapo_load_result *r) {
  const mapo_load_handoff_result *h = r->handoff;
  char head[256], sentence[1024];
  snprintf(head, sizeof head,
           "handoff: %.0f MB summed by a thread that reads it in place, or by a process that "
           "is sent a copy through a pipe; seconds of %d run%s a row",
           h->mb, r->repeat, plural(r->repeat));
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "", "  ", head);
  fprintf(f, "\n  %-9s %9s %9s %9s %9s\n", "", "median", "min", "max", "ms a MB");
  const mapo_spread *who[2] = {&h->thread, &h->process};
  static const char *const names[2] = {"thread", "process"};
  for (int i = 0; i < 2; i++) {
    fprintf(f, "  %-9s", names[i]);
    if (measured(who[i]))
      fprintf(f, " %9.4f %9.4f %9.4f %9.3f", who[i]->median, who[i]->min, who[i]->max,
              ms_per_mb(who[i], h->mb));
    fputc('\n', f);
  }
  fputc('\n', f);
  mapo_load_handoff_verdict(sentence, sizeof sentence, h);
  say(f, r, "verdict", sentence);
}

int mapo_report_load_text(FILE *f, const mapo_load_result *r) {
  if (f == NULL || r == NULL) return MAPO_EINVAL;
  fprintf(f, "\nmapo load: too much load will strangle your system (%d processor%s)\n",
          r->processors, plural(r->processors));
  if (r->strangle != NULL) text_strangle(f, r);
  if (r->grain != NULL) text_grain(f, r);
  if (r->handoff != NULL) text_handoff(f, r);
  char friends[1024];
  if (r->strangle != NULL &&
      mapo_load_friends(friends, sizeof friends, r->strangle) != MAPO_VERDICT_MISSING) {
    fputc('\n', f);
    say(f, r, "friends", friends);
  }
  fputc('\n', f);
  say(f, r, "verified",
      r->verified ? "every run's sum equals the sum of its items, worked out once"
                  : "NO: a run's sum differs from the sum of its items");
  fprintf(f, "  %-9s%s\n", "checksum", r->checksum);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------ JSON */

static void json_spread(FILE *f, const char *key, const mapo_spread *s) {
  fprintf(f, ",\"%s\":{", key);
  fputs("\"seconds_median\":", f);
  mapo_json_number(f, measured(s) ? s->median : NAN);
  mapo_json_member(f, "seconds_min", measured(s) ? s->min : NAN);
  mapo_json_member(f, "seconds_max", measured(s) ? s->max : NAN);
}

static void json_verdict(FILE *f, const char *key, const char *sentence, mapo_verdict_class cls) {
  fprintf(f, ",\"%s\":", key);
  mapo_json_string(f, sentence);
  fprintf(f, ",\"%s_class\":", key);
  mapo_json_string(f, mapo_verdict_name(cls));
}

static void json_strangle(FILE *f, const mapo_load_strangle_result *s) {
  fprintf(f, "{\"phases\":%d,\"items\":%ld,\"rows\":[", s->phases, s->items);
  for (int i = 0; i < s->rows; i++) {
    fprintf(f, "%s{\"workers\":%d,\"times\":%d", i ? "," : "", s->row[i].workers, s->row[i].times);
    for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
      json_spread(f, wait_name[w], &s->row[i].wall[w]);
      mapo_json_member(f, "cpu_seconds_median",
                       measured(&s->row[i].wall[w]) ? s->row[i].cpu[w] : NAN);
      fputc('}', f);
    }
    fputc('}', f);
  }
  fputc(']', f);
  for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
    char sentence[256], key[40];
    double slow;
    const mapo_verdict_class cls =
        mapo_load_strangle_verdict(sentence, sizeof sentence, s, w, &slow);
    snprintf(key, sizeof key, "slowdown_%s", wait_name[w]);
    mapo_json_member(f, key, slow);
    snprintf(key, sizeof key, "verdict_%s", wait_name[w]);
    json_verdict(f, key, sentence, cls);
  }
  fputc('}', f);
}

static void json_grain(FILE *f, const mapo_load_grain_result *g) {
  mapo_load_crossover c;
  mapo_load_crossover_of(g, &c);
  fprintf(f, "{\"threads\":%d,\"items\":%ld,\"rows\":[", g->threads, g->items);
  for (int i = 0; i < g->rows; i++) {
    fprintf(f, "%s{\"grain\":%ld,\"tasks\":%ld", i ? "," : "", g->row[i].grain, g->row[i].tasks);
    const mapo_spread *s = &g->row[i].wall;
    mapo_json_member(f, "seconds_median", measured(s) ? s->median : NAN);
    mapo_json_member(f, "seconds_min", measured(s) ? s->min : NAN);
    mapo_json_member(f, "seconds_max", measured(s) ? s->max : NAN);
    fputc('}', f);
  }
  fputc(']', f);
  mapo_json_member(f, "best_grain", c.best >= 0 ? (double)g->row[c.best].grain : NAN);
  mapo_json_member(f, "crossover_grain",
                   c.crossover >= 0 ? (double)g->row[c.crossover].grain : NAN);
  mapo_json_member(f, "tiniest_slowdown", c.tiniest);
  mapo_json_member(f, "largest_slowdown", c.largest);
  char sentence[1024];
  const mapo_verdict_class cls = mapo_load_grain_verdict(sentence, sizeof sentence, g);
  json_verdict(f, "verdict", sentence, cls);
  fputc('}', f);
}

static void json_handoff(FILE *f, const mapo_load_handoff_result *h) {
  fputs("{\"mb\":", f);
  mapo_json_number(f, h->mb);
  json_spread(f, "thread", &h->thread);
  mapo_json_member(f, "ms_per_mb", measured(&h->thread) ? ms_per_mb(&h->thread, h->mb) : NAN);
  fputc('}', f);
  json_spread(f, "process", &h->process);
  mapo_json_member(f, "ms_per_mb", measured(&h->process) ? ms_per_mb(&h->process, h->mb) : NAN);
  fputc('}', f);
  const int both = measured(&h->thread) && measured(&h->process);
  mapo_json_member(f, "ratio", both ? h->process.median / h->thread.median : NAN);
  char sentence[1024];
  const mapo_verdict_class cls = mapo_load_handoff_verdict(sentence, sizeof sentence, h);
  json_verdict(f, "verdict", sentence, cls);
  fputc('}', f);
}

int mapo_report_load_json(FILE *f, const mapo_load_result *r) {
  if (f == NULL || r == NULL) return MAPO_EINVAL;
  fprintf(f, "{\"command\":\"load\",\"processors\":%d,\"repeat\":%d,\"verified\":%s,\"checksum\":",
          r->processors, r->repeat, r->verified ? "true" : "false");
  mapo_json_string(f, r->checksum);
  fputs(",\"strangle\":", f);
  if (r->strangle != NULL)
    json_strangle(f, r->strangle);
  else
    fputs("null", f);
  fputs(",\"grain\":", f);
  if (r->grain != NULL)
    json_grain(f, r->grain);
  else
    fputs("null", f);
  fputs(",\"handoff\":", f);
  if (r->handoff != NULL)
    json_handoff(f, r->handoff);
  else
    fputs("null", f);
  char friends[1024] = "";
  if (r->strangle != NULL) mapo_load_friends(friends, sizeof friends, r->strangle);
  fputs(",\"friends\":", f);
  mapo_json_string(f, friends);
  fputs(",\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
