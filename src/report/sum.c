/* sum.c - the report of a sum benchmark (`mapo sum`, `mapo-mpi sum`): a few lines of
 * text, or one JSON object.
 *
 * What to notice: one process and MPI ranks share every line they have in common (the
 * job, the times, the verification); MPI adds its ranks, where each ran, and the
 * speedup and efficiency against the whole problem on one thread of rank 0. The
 * numbers come in a plain struct: nothing here knows OpenMP or MPI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mapo/error.h"
#include "mapo/report.h"
#include "mapo/report_sum.h"

static const char *plural(long long n) { return n == 1 ? "" : "s"; }

static int has_warning(const mapo_sum_result *r) {
  return r->warning != NULL && r->warning[0] != '\0';
}

/* The baseline of MPI's speedup and efficiency: the whole problem on one thread (the
 * medians of the same number of runs). */
static double speedup(const mapo_sum_result *r) {
  return r->mpi->one_thread.median / r->spread.median;
}

static double efficiency(const mapo_sum_result *r) {
  return speedup(r) / (r->mpi->ranks * r->threads);
}

static int done(FILE *f) { return ferror(f) ? -EIO : 0; }

mapo_verdict_class mapo_sum_verdict(char *buf, size_t size, const mapo_sum_result *r) {
  buf[0] = '\0';
  const mapo_verdict v = mapo_verdict_of(&r->spread, r->serial);
  const int t = r->threads_used > 0 ? r->threads_used : r->threads;
  static const char *const what[] = {
      [MAPO_VERDICT_FASTER] = "they speed up this CPU-bound work",
      [MAPO_VERDICT_TIE] = "no faster than one thread: the work is too small to share, or "
                           "the threads wait on each other",
      [MAPO_VERDICT_SLOWER] = "slower than one thread: the threads wait on each other or take "
                              "turns on busy cores",
  };
  char busy[96], x[32];
  if (v.cls == MAPO_VERDICT_NOISY)
    snprintf(buf, size, "%d thread%s against serial: %s", t, plural(t),
             mapo_verdict_busy(busy, sizeof busy, &v));
  else if (v.cls != MAPO_VERDICT_MISSING)
    snprintf(buf, size, "%d thread%s %s serial: %s", t, plural(t),
             mapo_verdict_ratio(x, sizeof x, v.ratio), what[v.cls]);
  return v.cls;
}

/* ------------------------------------------------------------------------------ text */

static void text_one(FILE *f, const mapo_sum_result *r) {
  const int cols = mapo_report_width(r->text);
  const uint64_t last = r->base + (uint64_t)r->numbers - 1;
  fputc('\n', f);
  mapo_report_line(f, cols, 2,
                   "mapo sum: the sum of i*i for i < n, n = %llu .. %llu (%d numbers), model %s, "
                   "%d thread%s, split by %s",
                   (unsigned long long)r->base, (unsigned long long)last, r->numbers, r->model,
                   r->threads_used, plural(r->threads_used), r->split);
  fputc('\n', f);
  mapo_report_line(f, cols, 13,
                   "  seconds    median %.6f   min %.6f   max %.6f   (%d run%s after a warm-up)",
                   r->spread.median, r->spread.min, r->spread.max, r->repeat, plural(r->repeat));
  /* The terms summed: numbers x the middle n, about (a whole n: the division rounds down). */
  const uint64_t middle = r->base + (uint64_t)r->numbers / 2;
  fprintf(f, "  terms/ns   %.2f at the median\n",
          (double)(middle * (uint64_t)r->numbers) / (r->spread.median * 1e9));
  if (r->verified)
    fprintf(f, "  verified   every number equals n(n-1)(2n-1)/6\n");
  else
    mapo_report_line(f, cols, 13, "  verified   NO: n = %llu gave %s, the formula %s",
                     (unsigned long long)r->bad_n, r->got, r->want);
  fprintf(f, "  checksum   %s (the sum over all numbers)\n", r->checksum);
  char *cpus = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&cpus, &len);
  if (mem != NULL) {
    for (int t = 0; t < r->threads_used; t++) fprintf(mem, "%s%d", t ? ", " : " ", r->cpus[t]);
    if (fclose(mem) != 0) { /* what was written is not to be trusted */
      free(cpus);
      cpus = NULL;
    }
  }
  mapo_report_line(f, cols, 13, "  threads    %d on CPU%s%s of %d processors", r->threads_used,
                   plural(r->threads_used), cpus ? cpus : "", r->processors);
  free(cpus);
  /* The line's label is the model's name: "  atomic     here: ...". */
  if (r->how != NULL) mapo_report_line(f, cols, 13, "  %-10s here: %s", r->model, r->how);
  mapo_report_line(f, cols, 13, "  built      %s, %s, OpenMP %d", mapo_build_compiler(),
                   mapo_build_flags(), r->openmp);
  if (r->serial != NULL) {
    char verdict[256];
    mapo_report_line(f, cols, 13,
                     "  serial     median %.6f   min %.6f   max %.6f   (the same numbers, one "
                     "thread)",
                     r->serial->median, r->serial->min, r->serial->max);
    if (mapo_sum_verdict(verdict, sizeof verdict, r) != MAPO_VERDICT_MISSING)
      mapo_report_line(f, cols, 13, "  verdict    %s", verdict);
  }
  if (r->lesson != NULL) {
    fputc('\n', f);
    mapo_report_paragraph(f, cols, "  ", "  ", r->lesson);
  }
}

mapo_verdict_class mapo_sum_mpi_verdict(char *buf, size_t size, const mapo_sum_result *r) {
  const mapo_verdict v = mapo_verdict_of(&r->spread, &r->mpi->one_thread);
  const int ranks = r->mpi->ranks, threads = r->threads;
  char who[64], x[32], busy[96];
  snprintf(who, sizeof who, "%d rank%s x %d thread%s", ranks, plural(ranks), threads,
           plural(threads));
  static const char *const what[] = {
      [MAPO_VERDICT_FASTER] = "the ranks share this CPU-bound work",
      [MAPO_VERDICT_TIE] = "no faster: the work is too small to share, or the ranks share "
                           "cores",
      [MAPO_VERDICT_SLOWER] = "slower: the ranks take turns on busy cores, or wait on the "
                              "reduction",
  };
  if (v.cls == MAPO_VERDICT_MISSING) {
    snprintf(buf, size, "%s against one thread: a time is missing, no verdict", who);
  } else if (ranks * threads == 1) {
    snprintf(buf, size,
             "one rank of one thread does what one thread does: no speedup to claim (the "
             "two differ by the reduction's cost and the machine's noise)");
    return MAPO_VERDICT_TIE;
  } else if (v.cls == MAPO_VERDICT_NOISY) {
    snprintf(buf, size, "%s against one thread: %s", who, mapo_verdict_busy(busy, sizeof busy, &v));
  } else {
    snprintf(buf, size, "%s %s one thread (efficiency %.2f): %s", who,
             mapo_verdict_ratio(x, sizeof x, v.ratio), v.ratio / (ranks * threads), what[v.cls]);
  }
  return v.cls;
}

/* A row of the times' table: its label, median, min, max and what the runs were. */
static void times_row(FILE *f, const char *label, const mapo_spread *s, int runs,
                      const char *what) {
  fprintf(f, "  %-12s%10.6f  %10.6f  %10.6f  %d %s\n", label, s->median, s->min, s->max, runs,
          what);
}

static void text_mpi(FILE *f, const mapo_sum_result *r) {
  const mapo_sum_mpi *mpi = r->mpi;
  const int cols = mpi->columns;
  char line[512];
  snprintf(line, sizeof line,
           "mapo-mpi sum: the sum of i*i for i < n, n = %llu .. %llu, %d rank%s x %d thread%s, "
           "split by %s",
           (unsigned long long)r->base, (unsigned long long)(r->base + (uint64_t)r->numbers - 1),
           mpi->ranks, plural(mpi->ranks), r->threads, plural(r->threads), r->split);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "", "  ", line);
  fprintf(f, "\n  %-12s%10s  %10s  %10s  %s\n", "seconds", "median", "min", "max",
          "runs after a warm-up");
  times_row(f, "ranks", &r->spread, r->repeat, "(the slowest rank's)");
  times_row(f, "one thread", &mpi->one_thread, r->repeat, "(rank 0 alone)");
  const mapo_verdict_class cls = mapo_sum_mpi_verdict(line, sizeof line, r);
  mapo_report_paragraph(f, cols, "  verdict     ", "              ", line);
  if (mpi->ranks * r->threads > 1 && cls != MAPO_VERDICT_MISSING)
    fprintf(f, "  speedup     %.2f, efficiency %.2f (medians; %d workers)\n", speedup(r),
            efficiency(r), mpi->ranks * r->threads);
  fprintf(f, "  verified    %s\n", r->verified ? "every number equals n(n-1)(2n-1)/6" : "NO");
  fprintf(f, "  checksum    %s\n", r->checksum);
  int n = 0;
  for (int q = 0; q < mpi->ranks && n < (int)sizeof line; q++) {
    n += snprintf(line + n, sizeof line - (size_t)n, "%srank %d on CPU%s", q ? "; " : "", q,
                  r->threads > 1 ? "s" : "");
    for (int t = 0; t < r->threads && n < (int)sizeof line; t++)
      n += snprintf(line + n, sizeof line - (size_t)n, "%s%d", t ? "," : " ",
                    mpi->placement[q].cpus[t]);
  }
  mapo_report_paragraph(f, cols, "  placement   ", "              ", line);
  if (has_warning(r))
    mapo_report_paragraph(f, cols, "  warning     ", "              ", r->warning);
  snprintf(line, sizeof line,
           "Every rank has its own memory: nothing is shared, so nothing races; the one "
           "exchange is the reduction of %d totals at the end.",
           r->numbers);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "  ", "  ", line);
}

int mapo_report_sum_text(FILE *f, const mapo_sum_result *r) {
  if (f == NULL || r == NULL || r->model == NULL || r->split == NULL ||
      (r->mpi == NULL && r->cpus == NULL))
    return MAPO_EINVAL;
  if (r->mpi != NULL)
    text_mpi(f, r);
  else
    text_one(f, r);
  return done(f);
}

/* ------------------------------------------------------------------------------ JSON */

/* A string, or null where the program had none to give. */
static void json_text(FILE *f, const char *s) {
  if (s != NULL)
    mapo_json_string(f, s);
  else
    fputs("null", f);
}

static void json_ints(FILE *f, const int *v, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) fprintf(f, "%s%d", i ? "," : "", v[i]);
  fputc(']', f);
}

/* The job and its times, the same keys in both programs (MPI's ranks among them). */
static void json_job(FILE *f, const mapo_sum_result *r) {
  fputs("{\"model\":", f);
  mapo_json_string(f, r->model);
  if (r->mpi != NULL) fprintf(f, ",\"ranks\":%d", r->mpi->ranks);
  fprintf(f, ",\"threads\":%d", r->threads);
  if (r->mpi == NULL) fprintf(f, ",\"threads_used\":%d", r->threads_used);
  fprintf(f, ",\"numbers\":%d,\"base\":%llu,\"split\":", r->numbers, (unsigned long long)r->base);
  mapo_json_string(f, r->split);
  fprintf(f, ",\"repeat\":%d", r->repeat);
  mapo_json_member(f, "seconds_median", r->spread.median);
  mapo_json_member(f, "seconds_min", r->spread.min);
  mapo_json_member(f, "seconds_max", r->spread.max);
  if (r->mpi != NULL) {
    char verdict[256];
    const mapo_verdict_class cls = mapo_sum_mpi_verdict(verdict, sizeof verdict, r);
    mapo_json_member(f, "seconds_one_thread", r->mpi->one_thread.median);
    mapo_json_member(f, "one_thread_seconds_min", r->mpi->one_thread.min);
    mapo_json_member(f, "one_thread_seconds_max", r->mpi->one_thread.max);
    mapo_json_member(f, "speedup", speedup(r));
    mapo_json_member(f, "efficiency", efficiency(r));
    fputs(",\"verdict\":", f);
    mapo_json_string(f, verdict);
    fputs(",\"verdict_class\":", f);
    mapo_json_string(f, mapo_verdict_name(cls));
  }
  fputs(",\"seconds\":[", f);
  for (int i = 0; i < r->repeat; i++) {
    if (i) fputc(',', f);
    mapo_json_number(f, r->seconds[i]);
  }
  fprintf(f, "],\"verified\":%s,\"checksum\":", r->verified ? "true" : "false");
  mapo_json_string(f, r->checksum);
}

static void json_one(FILE *f, const mapo_sum_result *r) {
  fputs(",\"cpus\":", f);
  json_ints(f, r->cpus, r->threads_used);
  fprintf(f, ",\"processors\":%d,\"openmp\":%d,\"atomic\":", r->processors, r->openmp);
  json_text(f, r->atomic);
  fputs(",\"lesson\":", f);
  json_text(f, r->lesson);
  if (r->serial == NULL) return;
  char verdict[256];
  const mapo_verdict_class cls = mapo_sum_verdict(verdict, sizeof verdict, r);
  mapo_json_member(f, "serial_seconds_median", r->serial->median);
  mapo_json_member(f, "serial_seconds_min", r->serial->min);
  mapo_json_member(f, "serial_seconds_max", r->serial->max);
  mapo_json_member(f, "speedup", r->serial->median / r->spread.median);
  fputs(",\"verdict\":", f);
  mapo_json_string(f, verdict);
  fputs(",\"verdict_class\":", f);
  mapo_json_string(f, mapo_verdict_name(cls));
}

static void json_placement(FILE *f, const mapo_sum_result *r) {
  fputs(",\"placement\":[", f);
  for (int q = 0; q < r->mpi->ranks; q++) {
    const mapo_sum_placement *p = &r->mpi->placement[q];
    fprintf(f, "%s{\"rank\":%d,\"host\":", q ? "," : "", q);
    json_text(f, p->host);
    fprintf(f, ",\"allowed_cpus\":%d,\"cpus\":", p->allowed_cpus);
    json_ints(f, p->cpus, r->threads);
    fputc('}', f);
  }
  fputc(']', f);
}

int mapo_report_sum_json(FILE *f, const mapo_sum_result *r) {
  if (f == NULL || r == NULL || r->model == NULL || r->split == NULL ||
      (r->mpi == NULL && r->cpus == NULL) || (r->repeat > 0 && r->seconds == NULL))
    return MAPO_EINVAL;
  json_job(f, r);
  if (r->mpi != NULL)
    json_placement(f, r);
  else
    json_one(f, r);
  fputs(",\"warnings\":[", f);
  if (has_warning(r)) mapo_json_string(f, r->warning);
  fputs("],\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return done(f);
}
