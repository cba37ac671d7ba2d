/* race.c - the race lab's reports: `mapo race` (a run per mode of one demo) and
 * `mapo-mpi cupboard` (one knife shared by ranks, against an OpenMP lock).
 *
 * What to notice: the words come from the demo's row in mapo_race_demos (what a
 * failure is, what the threads are called, which options it reads), so nothing here
 * knows a demo by its name. The JSON keys are read by scripts and tests: add freely,
 * never rename one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mapo/error.h"
#include "mapo/report.h"
#include "mapo/report_race.h"
#include "mapo/verdict.h"

static const char *json_bool(int b) { return b ? "true" : "false"; }

/* The report's rule: one mode's object, or several only under --mode all. */
static int race_report_ok(const mapo_race_report *r) {
  if (r == NULL || r->demo == NULL || r->nruns < 0 || (r->nruns > 0 && r->runs == NULL) ||
      (!r->all && r->nruns != 1))
    return 0;
  for (int i = 0; i < r->nruns; i++)
    if (r->runs[i].mode == NULL) return 0;
  return 1;
}

int mapo_race_verdict(char *buf, size_t size, const mapo_race_demo *d,
                      const mapo_race_outcome *run) {
  const mapo_race_result *r = &run->result;
  const int racy = run->mode->racy, showed = r->failures > 0;
  char count[96];
  if (d->lost_updates)
    snprintf(count, sizeof count, "%lld update%s lost", r->failures, r->failures == 1 ? "" : "s");
  else
    snprintf(count, sizeof count, "in %lld of %ld trials", r->failures, r->trials);
  if (racy && showed)
    snprintf(buf, size, "the bug showed, %s", count);
  else if (racy)
    snprintf(buf, size,
             "the bug did not show in %ld trial%s: it is there all the same, and "
             "more trials or threads make it likelier",
             r->trials, r->trials == 1 ? "" : "s");
  else if (showed)
    snprintf(buf, size, "the fix FAILED, %s", count);
  else
    snprintf(buf, size, "the fix held in all %ld trial%s", r->trials, r->trials == 1 ? "" : "s");
  return racy == showed;
}

static void race_text_run(FILE *f, int cols, const mapo_race_demo *d, const mapo_race_opts *o,
                          const mapo_race_outcome *run) {
  const mapo_race_mode *m = run->mode;
  const mapo_race_result *r = &run->result;
  char size[96] = "";
  if (d->increments)
    snprintf(size, sizeof size, ", %ld increments per thread per trial", o->increments);
  else if (d->window)
    snprintf(size, sizeof size, ", window %d us", o->window_us);
  fputc('\n', f);
  mapo_report_line(f, cols, 2, "mapo race --demo %s --mode %s: %d %s, %ld trial%s%s", m->demo,
                   m->mode, o->threads, d->who, r->trials, r->trials == 1 ? "" : "s", size);
  fputc('\n', f);
  if (d->lost_updates)
    mapo_report_line(f, cols, 13, "  lost       %lld of %lld updates (%.2f%%)", r->failures,
                     r->expected,
                     r->expected ? 100.0 * (double)r->failures / (double)r->expected : 0.0);
  else
    mapo_report_line(f, cols, 13, "  failures   %lld of %ld (%.0f%%): %s", r->failures, r->trials,
                     r->trials ? 100.0 * (double)r->failures / (double)r->trials : 0.0, d->fails);
  if (d->waits && r->waits) fprintf(f, "  %-10s %lld\n", d->waits, r->waits);
  if (r->first[0]) mapo_report_line(f, cols, 13, "  first      %s", r->first);
  char verdict[256];
  mapo_race_verdict(verdict, sizeof verdict, d, run);
  fprintf(f, "  time       %.3f ms\n", r->seconds * 1e3);
  mapo_report_line(f, cols, 13, "  verdict    %s", verdict);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "  ", "  ", m->lesson);
}

int mapo_report_race_text(FILE *f, const mapo_race_report *r) {
  if (f == NULL || !race_report_ok(r)) return MAPO_EINVAL;
  for (int i = 0; i < r->nruns; i++)
    race_text_run(f, mapo_report_width(r->text), r->demo, &r->opts, &r->runs[i]);
  return ferror(f) ? -EIO : 0;
}

static void race_json_run(FILE *f, const mapo_race_demo *d, const mapo_race_opts *o,
                          const mapo_race_outcome *run) {
  const mapo_race_mode *m = run->mode;
  const mapo_race_result *r = &run->result;
  fputs("{\"demo\":", f);
  mapo_json_string(f, m->demo);
  fputs(",\"mode\":", f);
  mapo_json_string(f, m->mode);
  fprintf(f, ",\"trials\":%ld,\"failures\":%lld,\"threads\":%d,\"racy\":%s", r->trials, r->failures,
          o->threads, json_bool(m->racy));
  if (d->increments)
    fprintf(f, ",\"increments\":%ld,\"expected\":%lld,\"counted\":%lld", o->increments, r->expected,
            r->counted);
  else
    fprintf(f, ",\"window_us\":%d,\"waits\":%lld", o->window_us, r->waits);
  if (d->watchdog) fprintf(f, ",\"watchdog_ms\":%d", o->watchdog_ms);
  mapo_json_member(f, "seconds", r->seconds);
  fputs(",\"first\":", f);
  mapo_json_string(f, r->first);
  fputs(",\"lesson\":", f);
  mapo_json_string(f, m->lesson);
  fputc('}', f);
}

int mapo_report_race_json(FILE *f, const mapo_race_report *r) {
  if (f == NULL || !race_report_ok(r)) return MAPO_EINVAL;
  if (r->all) {
    fputs("{\"demo\":", f);
    mapo_json_string(f, r->demo->name);
    fputs(",\"runs\":[", f);
  }
  for (int i = 0; i < r->nruns; i++) {
    if (i) fputc(',', f);
    race_json_run(f, r->demo, &r->opts, &r->runs[i]);
  }
  fputs(r->all ? "]}\n" : "\n", f);
  return ferror(f) ? -EIO : 0;
}

/* The reference (the OpenMP lock) is the last method, and every cost is a multiple of
 * it. */
static int cupboard_report_ok(const mapo_cupboard_report *r) {
  if (r == NULL || r->nmethods < 1 || r->methods == NULL) return 0;
  for (int i = 0; i < r->nmethods; i++)
    if (r->methods[i].mode == NULL || r->methods[i].knife == NULL) return 0;
  return 1;
}

void mapo_cupboard_verdict(char *buf, size_t size, const mapo_cupboard_report *r) {
  const mapo_spread lock = mapo_verdict_one(r->methods[r->nmethods - 1].usec);
  int n = 0, more = 0, judged = 0;
  char names[160] = "";
  /* The exchanges: every method but the copy of one's own ("own") and the lock. */
  for (int i = 0; i < r->nmethods - 1; i++) {
    if (strcmp(r->methods[i].mode, "own") == 0) continue;
    const mapo_spread m = mapo_verdict_one(r->methods[i].usec);
    const mapo_verdict v = mapo_verdict_of(&lock, &m); /* the lock against the exchange */
    if (v.cls == MAPO_VERDICT_MISSING) continue;
    judged++;
    if (v.cls == MAPO_VERDICT_FASTER) {
      more++;
      continue;
    }
    n += snprintf(names + n, sizeof names - (size_t)n, "%s%s", n ? ", " : "", r->methods[i].mode);
    if ((size_t)n >= sizeof names) n = (int)sizeof names - 1;
  }
  if (judged == 0)
    snprintf(buf, size, "no exchange was timed against the lock here.");
  else if (more == judged)
    snprintf(buf, size, "every exchange cost more than a lock in shared memory (x lock).");
  else
    snprintf(buf, size, "%s cost no more than a lock in shared memory here (x lock).", names);
}

/* The method named mode among a pair's, or NULL. */
static const mapo_cupboard_method *pair_method(const mapo_cupboard_pair *p, const char *mode) {
  for (int i = 0; p != NULL && i < p->nmethods; i++)
    if (strcmp(p->methods[i].mode, mode) == 0) return &p->methods[i];
  return NULL;
}

static const mapo_cupboard_pair *pair_named(const mapo_cupboard_report *r, const char *where) {
  for (int i = 0; i < r->npairs; i++)
    if (strcmp(r->pairs[i].where, where) == 0) return &r->pairs[i];
  return NULL;
}

/* One method's words, within against across: "token: a take across nodes costs 19x one
 * on a node (12.30 us against 0.65 us)". Returns its class. */
static mapo_verdict_class nodes_phrase(char *buf, size_t size, const mapo_cupboard_method *near,
                                       const mapo_cupboard_method *far) {
  const mapo_spread n = mapo_verdict_one(near->usec), a = mapo_verdict_one(far->usec);
  const mapo_verdict v = mapo_verdict_of(&n, &a); /* ratio: across / on one node */
  char x[32], busy[96];
  mapo_verdict_ratio(x, sizeof x, v.ratio);
  switch (v.cls) {
  case MAPO_VERDICT_FASTER:
    snprintf(buf, size, "%s: a take across nodes costs %s one on a node (%.2f us against %.2f us)",
             near->mode, x, a.median, n.median);
    break;
  case MAPO_VERDICT_TIE:
    snprintf(buf, size,
             "%s: a take costs about the same across nodes as on one (%.2f us "
             "against %.2f us)",
             near->mode, a.median, n.median);
    break;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size,
             "%s: a take across nodes cost less than on one (%.2f us against %.2f "
             "us): the pair on one node was disturbed",
             near->mode, a.median, n.median);
    break;
  case MAPO_VERDICT_NOISY:
    snprintf(buf, size, "%s: %s", near->mode, mapo_verdict_busy(busy, sizeof busy, &v));
    break;
  default: buf[0] = '\0';
  }
  return v.cls;
}

mapo_verdict_class mapo_cupboard_nodes_verdict(char *buf, size_t size,
                                               const mapo_cupboard_report *r) {
  buf[0] = '\0';
  if (r->npairs < 1 || r->pairs == NULL) return MAPO_VERDICT_MISSING;
  const mapo_cupboard_pair *near = pair_named(r, "one node"), *far = pair_named(r, "across nodes");
  if (far == NULL) {
    snprintf(buf, size,
             "All %d ranks run on one node: there is no pair across nodes to time "
             "(on two nodes, e.g. srun -N 2 -n 4, a take crosses the network).",
             r->ranks);
    return MAPO_VERDICT_MISSING;
  }
  if (near == NULL) {
    snprintf(buf, size,
             "Every rank is alone on its node: there is no pair on one node to "
             "compare a take across nodes with (run 2 ranks per node).");
    return MAPO_VERDICT_MISSING;
  }
  mapo_verdict_class first = MAPO_VERDICT_MISSING;
  int n = snprintf(buf, size, "Between two ranks, ");
  for (int i = 0; i < near->nmethods && n >= 0 && (size_t)n < size; i++) {
    const mapo_cupboard_method *a = pair_method(far, near->methods[i].mode);
    char phrase[192];
    if (a == NULL) continue;
    const mapo_verdict_class c = nodes_phrase(phrase, sizeof phrase, &near->methods[i], a);
    if (c == MAPO_VERDICT_MISSING) continue;
    n += snprintf(buf + n, size - (size_t)n, "%s%s", first == MAPO_VERDICT_MISSING ? "" : "; ",
                  phrase);
    if (first == MAPO_VERDICT_MISSING) first = c;
  }
  if (first == MAPO_VERDICT_MISSING)
    snprintf(buf, size, "No method was timed on both pairs: nothing to compare.");
  else if (n >= 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, ".");
  return first;
}

/* A row of the methods' tables: the label (the method's mode, or a pair's), takes,
 * failures, cost and its multiple of the lock's. */
static void method_row(FILE *f, const char *label, const mapo_cupboard_method *m, double lock) {
  fprintf(f, "  %-22s %-11s %6d %8d", label, m->mode, m->takes, m->failures);
  if (isfinite(m->usec) && lock > 0)
    fprintf(f, " %9.3f %7.1f\n", m->usec, m->usec / lock);
  else
    fprintf(f, " %9s %7s\n", "-", "-"); /* not run: no figure, never "nan" */
}

static void cupboard_pairs_text(FILE *f, const mapo_cupboard_report *r, double lock) {
  char label[64], sentence[1024];
  if (r->npairs > 0) {
    fprintf(f, "\n  %-22s %-11s %6s %8s %9s %7s\n", "between two ranks", "method", "takes",
            "failures", "usec/take", "x lock");
    for (int p = 0; p < r->npairs; p++)
      for (int i = 0; i < r->pairs[p].nmethods; i++) {
        snprintf(label, sizeof label, "%s (0 and %d)", r->pairs[p].where, r->pairs[p].peer);
        method_row(f, label, &r->pairs[p].methods[i], lock);
      }
  }
  mapo_cupboard_nodes_verdict(sentence, sizeof sentence, r);
  if (sentence[0] == '\0') return;
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "  ", "  ", sentence);
}

int mapo_report_cupboard_text(FILE *f, const mapo_cupboard_report *r) {
  if (f == NULL || !cupboard_report_ok(r)) return MAPO_EINVAL;
  char line[1024];
  snprintf(line, sizeof line,
           "mapo-mpi cupboard: %d rank%s, %d takes each (each thread, for the OpenMP lock)",
           r->ranks, r->ranks == 1 ? "" : "s", r->trials);
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "", "  ", line);
  const double lock = r->methods[r->nmethods - 1].usec;
  fprintf(f, "\n  %-22s %-11s %6s %8s %9s %7s\n", "who takes", "method", "takes", "failures",
          "usec/take", "x lock");
  int n = 0;
  for (int i = 0; i < r->nmethods; i++) {
    const mapo_cupboard_method *m = &r->methods[i];
    method_row(f, i == r->nmethods - 1 ? "2 threads of rank 0" : "all ranks", m, lock);
    if (n >= 0 && (size_t)n < sizeof line)
      n += snprintf(line + n, sizeof line - (size_t)n, "%s%s: %s%s", i ? "; " : "", m->mode,
                    m->knife, m->checked ? "" : " (overlaps not checked: several nodes)");
  }
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "  ", "  ", line);
  cupboard_pairs_text(f, r, lock);
  char verdict[512];
  mapo_cupboard_verdict(verdict, sizeof verdict, r);
  snprintf(line, sizeof line,
           "Separate processes never fight over a cupboard: each has its own copy. To share "
           "one knife they must exchange it: %s%s",
           verdict,
           r->crowded ? " (More ranks than processors here: the times are mostly waiting.)" : "");
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "  ", "  ", line);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cupboard_json(FILE *f, const mapo_cupboard_report *r) {
  if (f == NULL || !cupboard_report_ok(r)) return MAPO_EINVAL;
  fprintf(f, "{\"lesson\":\"cupboard\",\"ranks\":%d,\"trials\":%d,\"same_node\":%s,\"methods\":[",
          r->ranks, r->trials, json_bool(r->same_node));
  for (int i = 0; i < r->nmethods; i++) {
    const mapo_cupboard_method *m = &r->methods[i];
    fputs(i ? ",{\"mode\":" : "{\"mode\":", f);
    mapo_json_string(f, m->mode);
    fprintf(f, ",\"trials\":%d,\"takes\":%d,\"failures\":%d,\"checked\":%s", r->trials, m->takes,
            m->failures, json_bool(m->checked));
    mapo_json_member(f, "usec_per_take", m->usec);
    fputs(",\"knife\":", f);
    mapo_json_string(f, m->knife);
    fputc('}', f);
  }
  fprintf(f, "],\"nodes\":%d,\"pairs\":[", r->nodes);
  for (int p = 0; p < r->npairs; p++) {
    fputs(p ? ",{\"pair\":" : "{\"pair\":", f);
    mapo_json_string(f, r->pairs[p].where);
    fprintf(f, ",\"peer\":%d,\"methods\":[", r->pairs[p].peer);
    for (int i = 0; i < r->pairs[p].nmethods; i++) {
      const mapo_cupboard_method *m = &r->pairs[p].methods[i];
      fputs(i ? ",{\"mode\":" : "{\"mode\":", f);
      mapo_json_string(f, m->mode);
      fprintf(f, ",\"takes\":%d,\"failures\":%d,\"checked\":%s", m->takes, m->failures,
              json_bool(m->checked));
      mapo_json_member(f, "usec_per_take", m->usec);
      fputc('}', f);
    }
    fputs("]}", f);
  }
  char sentence[1024];
  const mapo_verdict_class cls = mapo_cupboard_nodes_verdict(sentence, sizeof sentence, r);
  fprintf(f, "],\"nodes_verdict\":\"%s\",\"nodes_sentence\":", mapo_verdict_name(cls));
  mapo_json_string(f, sentence);
  fputs(",\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
