/* cook_trace.c - a cooking run as Chrome trace-event JSON (`mapo cook --trace`): open it
 * in https://ui.perfetto.dev or chrome://tracing. One row (tid) per cook; each step a
 * complete event ("ph":"X") with its ready time and dispatch in args. Times are
 * microseconds. */
#include <errno.h>
#include <stdio.h>

#include "internal.h"
#include "mapo/report_cook.h"
#include "mapo/text.h"

int mapo_report_trace(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  const int workers = mapo__cook_workers(k);
  fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
  fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":", f);
  char title[200];
  snprintf(title, sizeof title, "mapo cook --model %s: %s", m->name, r->title);
  mapo_utf8_trim(title); /* a long title is cut between characters */
  mapo_json_string(f, title);
  fputs("}}", f);
  for (int w = 0; w < workers; w++)
    fprintf(f,
            ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
            "\"args\":{\"name\":\"cook %d\"}}",
            w, w);
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    const mapo_step *st = &r->steps[t];
    if (sl->worker < 0) continue;
    fputs(",\n{\"name\":", f);
    mapo_json_string(f, st->says);
    fprintf(f,
            ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,"
            "\"args\":{\"step\":",
            st->kind == MAPO_HANDS ? "hands" : "wait", sl->worker, (double)sl->start_ns / 1e3,
            (double)(sl->end_ns - sl->start_ns) / 1e3);
    mapo_json_string(f, st->name);
    fprintf(f, ",\"units\":");
    mapo_json_number(f, st->units);
    int64_t ready = mapo_kitchen_ready_ns(k, t);
    fprintf(f, ",\"ready_us\":%.3f,\"dispatch_us\":%.3f}}", (double)ready / 1e3,
            (double)(sl->start_ns - ready) / 1e3);
  }
  fputs("\n]}\n", f);
  return ferror(f) ? -EIO : 0;
}
