/* pingpong.c - `mapo-mpi pingpong`'s report: latency and bandwidth by message size.
 *
 * What to notice: the closing sentences put the figures beside a task of 5 ms, and their
 * words come from the share of the task a message costs (mapo/report_pingpong.h has the
 * bounds): an empty message is the price of exchanging anything at all, and it is
 * "significant overhead" only beside tasks short enough; each sentence names the task
 * length at which it would be. The JSON keys are read by scripts and tests: add freely,
 * never rename one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "mapo/error.h"
#include "mapo/report.h"
#include "mapo/report_pingpong.h"

mapo_pingpong_share mapo_pingpong_share_of(double cost_usec, double task_usec) {
  if (!(isfinite(cost_usec) && cost_usec > 0 && isfinite(task_usec) && task_usec > 0))
    return MAPO_PINGPONG_UNTIMED;
  const double share = cost_usec / task_usec;
  return share < MAPO_PINGPONG_SHARE_NOTICEABLE    ? MAPO_PINGPONG_NEGLIGIBLE
         : share < MAPO_PINGPONG_SHARE_SIGNIFICANT ? MAPO_PINGPONG_NOTICEABLE
         : share < 1                               ? MAPO_PINGPONG_SIGNIFICANT
                                                   : MAPO_PINGPONG_DOMINANT;
}

const char *mapo_pingpong_share_name(mapo_pingpong_share c) {
  switch (c) {
  case MAPO_PINGPONG_NEGLIGIBLE: return "negligible";
  case MAPO_PINGPONG_NOTICEABLE: return "noticeable";
  case MAPO_PINGPONG_SIGNIFICANT: return "significant";
  case MAPO_PINGPONG_DOMINANT: return "dominant";
  default: return "untimed";
  }
}

/* A time in words: "0.52 us", "410 us", "5 ms", "1.2 s". */
static void duration(char *buf, size_t size, double usec) {
  if (usec < 10)
    snprintf(buf, size, "%.2f us", usec);
  else if (usec < 1e3)
    snprintf(buf, size, "%.3g us", usec);
  else if (usec < 1e6)
    snprintf(buf, size, "%.3g ms", usec / 1e3);
  else
    snprintf(buf, size, "%.3g s", usec / 1e6);
}

/* The share in words: "1/9615", "2.4%", "1.8x". */
static void share_words(char *buf, size_t size, double share) {
  if (share < MAPO_PINGPONG_SHARE_NOTICEABLE)
    snprintf(buf, size, "1/%.0f of", 1 / share);
  else if (share < 1)
    snprintf(buf, size, "%.1f%% of", 100 * share);
  else
    snprintf(buf, size, "%.1fx", share);
}

mapo_pingpong_share mapo_pingpong_sentence(char *buf, size_t size, const mapo_pingpong_row *row,
                                           double task_usec) {
  char subject[96], cost[32], task[32], share[32], tenth[32];
  if (row->bytes == 0)
    snprintf(subject, sizeof subject, "An empty message");
  else
    snprintf(subject, sizeof subject, "A message of %d bytes", row->bytes);
  const mapo_pingpong_share c = mapo_pingpong_share_of(row->usec, task_usec);
  if (c == MAPO_PINGPONG_UNTIMED) {
    snprintf(buf, size,
             "%s was too quick to time here (or no task to hold it against): "
             "nothing to judge.",
             subject);
    return c;
  }
  duration(cost, sizeof cost, row->usec);
  duration(task, sizeof task, task_usec);
  duration(tenth, sizeof tenth, row->usec / MAPO_PINGPONG_SHARE_SIGNIFICANT);
  share_words(share, sizeof share, row->usec / task_usec);
  char rate[48] = "";
  if (row->bytes > 0 && isfinite(row->mbytes_per_sec))
    snprintf(rate, sizeof rate, " (%.0f MB/s)", row->mbytes_per_sec);
  /* Each class's words, around the task length at which the message would be a tenth. */
  static const char *const before[] = {
      [MAPO_PINGPONG_NEGLIGIBLE] = "negligible beside work of that size; it would be "
                                   "significant overhead (a tenth) beside tasks of ",
      [MAPO_PINGPONG_NOTICEABLE] = "noticeable, not yet significant; it would be significant "
                                   "overhead (a tenth) beside tasks of ",
      [MAPO_PINGPONG_SIGNIFICANT] = "significant overhead: hand another process only steps "
                                    "much longer than ",
      [MAPO_PINGPONG_DOMINANT] = "the exchange costs more than the work: keep such steps in "
                                 "one process, or make them longer than ",
  };
  const char *after = c <= MAPO_PINGPONG_NOTICEABLE ? " or less." : ".";
  snprintf(buf, size, "%s costs %s%s, %s a %s task: %s%s%s", subject, cost, rate, share, task,
           before[c], tenth, after);
  return c;
}

mapo_verdict_class mapo_pingpong_nodes_verdict(char *buf, size_t size,
                                               const mapo_pingpong_report *within,
                                               const mapo_pingpong_report *across) {
  buf[0] = '\0';
  if (within == NULL || across == NULL || within->nrows < 1 || across->nrows < 1 ||
      within->rows == NULL || across->rows == NULL)
    return MAPO_VERDICT_MISSING;
  /* One block each: no range is known, so the rule sees no spread (mapo/verdict.h). */
  const mapo_spread near = mapo_verdict_one(within->rows[0].usec);
  const mapo_spread far = mapo_verdict_one(across->rows[0].usec);
  const mapo_verdict v = mapo_verdict_of(&near, &far); /* ratio: across / within */
  char x[32], a[32], w[32], busy[96];
  if (v.cls == MAPO_VERDICT_MISSING) return v.cls;
  mapo_verdict_ratio(x, sizeof x, v.ratio);
  duration(a, sizeof a, far.median);
  duration(w, sizeof w, near.median);
  switch (v.cls) {
  case MAPO_VERDICT_FASTER:
    snprintf(buf, size,
             "Across nodes an empty message costs %s what it costs on one node (%s against "
             "%s): the network carries it, not shared memory.",
             x, a, w);
    break;
  case MAPO_VERDICT_TIE:
    snprintf(buf, size,
             "Across nodes an empty message costs about what it costs on one node (%s against "
             "%s): these nodes share one machine, or their link is as quick as memory.",
             a, w);
    break;
  case MAPO_VERDICT_SLOWER:
    snprintf(buf, size,
             "Across nodes an empty message cost less than on one node (%s against %s, %s): "
             "the pair on one node was disturbed; measure again.",
             a, w, x);
    break;
  default:
    snprintf(buf, size, "Across nodes against one node: %s.",
             mapo_verdict_busy(busy, sizeof busy, &v));
  }
  return v.cls;
}

int mapo_report_pingpong_text(FILE *f, const mapo_pingpong_report *r) {
  if (f == NULL || r == NULL || r->nrows < 1 || r->rows == NULL) return MAPO_EINVAL;
  char head[192], sentence[512];
  snprintf(head, sizeof head,
           "mapo-mpi pingpong: ranks 0 and %d of %d%s%s%s, half a round trip averaged over the "
           "repetitions",
           r->peer > 0 ? r->peer : 1, r->ranks, r->pair ? " (" : "", r->pair ? r->pair : "",
           r->pair ? ")" : "");
  fputc('\n', f);
  mapo_report_paragraph(f, r->columns, "", "  ", head);
  fprintf(f, "\n  %10s  %11s  %10s  %12s\n", "bytes", "repetitions", "usec", "MB/s");
  for (int i = 0; i < r->nrows; i++)
    fprintf(f, "  %10d  %11d  %10.3f  %12.1f\n", r->rows[i].bytes, r->rows[i].repetitions,
            r->rows[i].usec, r->rows[i].mbytes_per_sec);
  fputc('\n', f);
  mapo_pingpong_sentence(sentence, sizeof sentence, &r->rows[0], MAPO_PINGPONG_TASK_USEC);
  mapo_report_paragraph(f, r->columns, "  ", "  ", sentence);
  if (r->nrows > 1) {
    mapo_pingpong_sentence(sentence, sizeof sentence, &r->rows[r->nrows - 1],
                           MAPO_PINGPONG_TASK_USEC);
    mapo_report_paragraph(f, r->columns, "  ", "  ", sentence);
  }
  return ferror(f) ? -EIO : 0;
}

int mapo_report_pingpong_nodes_text(FILE *f, int columns, const mapo_pingpong_report *within,
                                    const mapo_pingpong_report *across) {
  char sentence[512];
  if (mapo_pingpong_nodes_verdict(sentence, sizeof sentence, within, across) ==
      MAPO_VERDICT_MISSING)
    return 0;
  fputc('\n', f);
  mapo_report_paragraph(f, columns, "  ", "  ", sentence);
  return ferror(f) ? -EIO : 0;
}

/* ,"NAME_share":x,"NAME_verdict":"..." for one row. */
static void share_json(FILE *f, const char *name, const mapo_pingpong_row *row) {
  const mapo_pingpong_share c = mapo_pingpong_share_of(row->usec, MAPO_PINGPONG_TASK_USEC);
  fprintf(f, ",\"%s_share\":", name);
  mapo_json_number(f, c == MAPO_PINGPONG_UNTIMED ? NAN : row->usec / MAPO_PINGPONG_TASK_USEC);
  fprintf(f, ",\"%s_verdict\":\"%s\"", name, mapo_pingpong_share_name(c));
}

int mapo_report_pingpong_json(FILE *f, const mapo_pingpong_report *r) {
  if (f == NULL || r == NULL || r->nrows < 0 || (r->nrows > 0 && r->rows == NULL))
    return MAPO_EINVAL;
  fprintf(f, "{\"lesson\":\"pingpong\",\"ranks\":%d,\"max_bytes\":%d,\"rows\":[", r->ranks,
          r->max_bytes);
  for (int i = 0; i < r->nrows; i++) {
    fprintf(f, "%s{\"bytes\":%d,\"repetitions\":%d", i ? "," : "", r->rows[i].bytes,
            r->rows[i].repetitions);
    mapo_json_member(f, "usec", r->rows[i].usec);
    mapo_json_member(f, "mbytes_per_sec", r->rows[i].mbytes_per_sec);
    fputc('}', f);
  }
  fprintf(f, "],\"peer\":%d", r->peer > 0 ? r->peer : 1);
  if (r->pair != NULL) {
    fputs(",\"pair\":", f);
    mapo_json_string(f, r->pair);
  }
  mapo_json_member(f, "task_usec", MAPO_PINGPONG_TASK_USEC);
  if (r->nrows > 0) {
    share_json(f, "empty", &r->rows[0]);
    share_json(f, "largest", &r->rows[r->nrows - 1]);
  }
  fputs(",\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
