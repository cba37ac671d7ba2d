/* pingpong.c - `mapo-mpi pingpong`'s report: latency and bandwidth by message size.
 *
 * What to notice: the closing lines put the figures against a task of 5 ms, the size of
 * a step worth handing to another process: an empty message is the price of exchanging
 * anything at all, and the largest one shows how far the bandwidth goes. The JSON keys
 * are read by scripts and tests: add freely, never rename one.
 */
#include <errno.h>
#include <stdio.h>

#include "mapo/error.h"
#include "mapo/report.h"
#include "mapo/report_pingpong.h"

/* A task of 5 ms, in microseconds: what the closing lines measure messages against. */
#define TASK_USEC 5000.0

int mapo_report_pingpong_text(FILE *f, const mapo_pingpong_report *r) {
  if (f == NULL || r == NULL || r->nrows < 1 || r->rows == NULL) return MAPO_EINVAL;
  fprintf(f,
          "\nmapo-mpi pingpong: ranks 0 and %d of %d%s%s%s, half a round trip averaged over the "
          "repetitions\n\n",
          r->peer > 0 ? r->peer : 1, r->ranks, r->pair ? " (" : "", r->pair ? r->pair : "",
          r->pair ? ")" : "");
  fprintf(f, "  %10s  %11s  %10s  %12s\n", "bytes", "repetitions", "usec", "MB/s");
  for (int i = 0; i < r->nrows; i++)
    fprintf(f, "  %10d  %11d  %10.3f  %12.1f\n", r->rows[i].bytes, r->rows[i].repetitions,
            r->rows[i].usec, r->rows[i].mbytes_per_sec);
  const mapo_pingpong_row *last = &r->rows[r->nrows - 1];
  const double lat = r->rows[0].usec;
  fprintf(f,
          "\n  Information exchange can cause significant overhead: an empty message costs "
          "%.2f us\n  (a 5 ms task is worth %.0f of them), and %d bytes take %.1f us\n"
          "  (%.0f MB/s), %.1f%% of a 5 ms task.\n",
          lat, lat > 0 ? TASK_USEC / lat : 0.0, last->bytes, last->usec, last->mbytes_per_sec,
          last->usec / (TASK_USEC / 100.0));
  return ferror(f) ? -EIO : 0;
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
  fputs(",\"environment\":", f);
  mapo_report_environment_json(f);
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}
