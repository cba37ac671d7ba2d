/* io.c - the reports of `mapo io` (mapo/report_io.h): text and one JSON object.
 *
 * What to notice: every time stands beside what it should have been, the ideal (N x L
 * serial, L when every order is in flight at once) or, for files, the plain read() loop
 * measured in turn with it; what is above that, per order, is what the model costs.
 * The words (threads, connections, files, what was set up before the clock) are the
 * model's own, from its row in mapo_io_models.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "mapo/report.h"
#include "mapo/report_io.h"

/* What one request is: an order to the supplier, or a file. */
static const char *request_word(const mapo_io_model *m, int plural) {
  if (m->network) return plural ? "orders" : "order";
  return plural ? "files" : "file";
}

static const char *width_word(const mapo_io_result *r) {
  return r->width == 1 ? r->model->width_one : r->model->width_many;
}

/* ------------------------------------------------------------------------------ text */

static void baseline_text(FILE *f, int cols, const mapo_io_result *r) {
  const mapo_io_model *m = r->model;
  char label[64];
  mapo_report_line(f, cols, 15, "  %-12s median %.6f   min %.6f   max %.6f   (%s)",
                   m->baseline_label, r->baseline.median, r->baseline.min, r->baseline.max,
                   m->baseline_about);
  snprintf(label, sizeof label, "%s - %s", m->name, m->baseline_name);
  mapo_report_line(f, cols, 15, "  %-12s %+.3f ms in all, %+.2f us per %s (medians)", label,
                   r->above_seconds * 1e3, r->per_request_us, request_word(m, 0));
}

static void verified_text(FILE *f, int cols, const mapo_io_result *r) {
  const long total = (long)r->opts.requests * r->repeat;
  if (r->verified)
    mapo_report_line(
        f, cols, 15,
        "  verified     all %ld %s of the timed runs came back right, each with its own "
        "number",
        total, request_word(r->model, 1));
  else
    mapo_report_line(f, cols, 15, "  verified     NO: %ld of %ld right, %ld wrong; first: %s",
                     r->answered, total, r->wrong, r->first);
}

int mapo_report_io_text(FILE *f, const mapo_io_result *r, mapo_text_width w) {
  const mapo_io_model *m = r->model;
  const int cols = mapo_report_width(w);
  fputc('\n', f);
  if (m->network)
    mapo_report_line(f, cols, 2,
                     "mapo io --model %s: %d orders, the supplier answers each after %d ms",
                     m->name, r->opts.requests, r->opts.latency_ms);
  else
    mapo_report_line(f, cols, 2, "mapo io --model %s: %d files of %d KiB, %s", m->name,
                     r->opts.requests, r->opts.file_kib, m->how);
  fputc('\n', f);
  mapo_report_line(f, cols, 15, "  setup        %d %s, %s", r->width, width_word(r),
                   m->before_clock);
  mapo_report_line(
      f, cols, 15, "  seconds      median %.6f   min %.6f   max %.6f   (%d run%s after a warm-up)",
      r->seconds.median, r->seconds.min, r->seconds.max, r->repeat, r->repeat == 1 ? "" : "s");
  if (m->network) {
    mapo_report_line(f, cols, 15, "  ideal        %.6f s: %s", r->ideal_seconds, m->ideal);
    mapo_report_line(f, cols, 15, "  above ideal  %.3f ms in all, %.2f us per order (median)",
                     r->above_seconds * 1e3, r->per_request_us);
  }
  if (m->baseline != NULL) baseline_text(f, cols, r);
  if (m->posix_aio)
    mapo_report_line(f, cols, 15,
                     "  glibc        %d thread%s delivered completions; at most %d threads in the "
                     "process while reads were pending",
                     r->aio.notify_threads, r->aio.notify_threads == 1 ? "" : "s",
                     r->aio.peak_threads);
  verified_text(f, cols, r);
  if (m->on_loop)
    mapo_report_line(f, cols, 15,
                     "  loop         per run: %.0f iterations, %.0f polls that slept, %.0f "
                     "completions",
                     (double)r->loop.iterations / r->repeat, (double)r->loop.polls / r->repeat,
                     (double)r->loop.completions / r->repeat);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "  ", "  ", m->lesson);
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------ JSON */

/* "key": the median, then "key_min" and "key_max". */
static void spread_json(FILE *f, const char *key, const mapo_spread *s) {
  char name[80];
  mapo_json_member(f, key, s->median);
  snprintf(name, sizeof name, "%s_min", key);
  mapo_json_member(f, name, s->min);
  snprintf(name, sizeof name, "%s_max", key);
  mapo_json_member(f, name, s->max);
}

static void runs_json(FILE *f, const char *key, const double *v, int n) {
  fprintf(f, ",\"%s\":[", key);
  for (int k = 0; k < n; k++) {
    if (k) fputc(',', f);
    mapo_json_number(f, v[k]);
  }
  fputc(']', f);
}

/* What only some models have: files, a baseline, glibc's threads, a supplier. */
static void model_json(FILE *f, const mapo_io_result *r) {
  const mapo_io_model *m = r->model;
  char key[64];
  if (!m->network) fprintf(f, ",\"file_kib\":%d,\"files\":%d", r->opts.file_kib, r->width);
  if (m->baseline != NULL) {
    snprintf(key, sizeof key, "%s_seconds", m->baseline_name);
    spread_json(f, key, &r->baseline);
    snprintf(key, sizeof key, "%s_seconds_runs", m->baseline_name);
    runs_json(f, key, r->baseline_runs, r->repeat);
    snprintf(key, sizeof key, "above_%s_seconds", m->baseline_name);
    mapo_json_member(f, key, r->above_seconds);
  }
  if (m->posix_aio)
    fprintf(f, ",\"aio_notify_threads\":%d,\"aio_peak_threads\":%d", r->aio.notify_threads,
            r->aio.peak_threads);
  if (m->network)
    fprintf(f, ",\"latency_ms\":%d,\"connections\":%d,\"threads\":%d", r->opts.latency_ms, r->width,
            m->width == MAPO_IO_WIDTH_THREADS ? r->width : 1);
}

int mapo_report_io_json(FILE *f, const mapo_io_result *r) {
  const mapo_io_model *m = r->model;
  fputs("{\"model\":", f);
  mapo_json_string(f, m->name);
  fprintf(f, ",\"requests\":%d,\"repeat\":%d", r->opts.requests, r->repeat);
  spread_json(f, "seconds", &r->seconds);
  runs_json(f, "seconds_runs", r->seconds_runs, r->repeat);
  mapo_json_member(f, "ideal_seconds", r->ideal_seconds);
  fputs(",\"ideal\":", f);
  mapo_json_string(f, m->ideal);
  mapo_json_member(f, "above_ideal_seconds", m->network ? r->above_seconds : NAN);
  mapo_json_member(f, "per_request_overhead_us", r->per_request_us);
  model_json(f, r);
  char words[160];
  snprintf(words, sizeof words, "%d %s %s", r->width, width_word(r), m->before_clock);
  fputs(",\"connections_before_clock\":true,\"before_clock\":", f);
  mapo_json_string(f, words);
  fprintf(f, ",\"verified\":%s,\"answered\":%ld,\"wrong\":%ld", r->verified ? "true" : "false",
          r->answered, r->wrong);
  if (m->on_loop)
    fprintf(f,
            ",\"loop\":{\"iterations\":%llu,\"polls\":%llu,\"timers\":%llu,"
            "\"completions\":%llu}",
            (unsigned long long)r->loop.iterations, (unsigned long long)r->loop.polls,
            (unsigned long long)r->loop.timers, (unsigned long long)r->loop.completions);
  fputs(",\"first\":", f);
  mapo_json_string(f, r->first);
  fputs(",\"lesson\":", f);
  mapo_json_string(f, m->lesson);
  fputs(",\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
