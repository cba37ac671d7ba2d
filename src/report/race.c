/* race.c - the race lab's reports: `mapo race` (a run per mode of one demo) and
 * `mapo-mpi cupboard` (one knife shared by ranks, against an OpenMP lock).
 *
 * What to notice: the words come from the demo's row in mapo_race_demos (what a
 * failure is, what the threads are called, which options it reads), so nothing here
 * knows a demo by its name. The JSON keys are read by scripts and tests: add freely,
 * never rename one.
 */
#include <errno.h>
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

int mapo_report_cupboard_text(FILE *f, const mapo_cupboard_report *r) {
  if (f == NULL || !cupboard_report_ok(r)) return MAPO_EINVAL;
  fprintf(f, "\nmapo-mpi cupboard: %d rank%s, %d takes each (each thread, for the OpenMP lock)\n\n",
          r->ranks, r->ranks == 1 ? "" : "s", r->trials);
  const double lock = r->methods[r->nmethods - 1].usec;
  fprintf(f, "  %-11s %7s %8s %8s %7s  %s\n", "method", "takes", "failures", "usec/take", "x lock",
          "the knife");
  for (int i = 0; i < r->nmethods; i++) {
    const mapo_cupboard_method *m = &r->methods[i];
    fprintf(f, "  %-11s %7d %8d %9.3f %7.1f  %s%s\n", m->mode, m->takes, m->failures, m->usec,
            lock > 0 ? m->usec / lock : 0.0, m->knife,
            m->checked ? "" : " (not checked: several nodes)");
  }
  char verdict[512];
  mapo_cupboard_verdict(verdict, sizeof verdict, r);
  fprintf(f,
          "\n  Separate processes never fight over a cupboard: each has its own copy. To share\n"
          "  one knife they must exchange it: %s%s\n",
          verdict,
          r->crowded ? " (More ranks than processors here: the times are mostly waiting.)" : "");
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
  fputs("],\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
