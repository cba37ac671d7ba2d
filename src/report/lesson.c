/* lesson.c - the lesson page: one HTML file, its CSS inline, its charts inline SVG, no
 * script and nothing loaded (`mapo lesson --html FILE`).
 *
 * What to notice: the page is drawn from JSON documents only, those mapo and mapo-mpi
 * print with --json, recognised here by their keys. `mapo lesson` runs the commands and
 * hands over their output; `--from DIR` hands over a job's files. One path for both,
 * so a page of a Slurm job and a page made in class say things the same way. The
 * sections are in lesson_sections.c and lesson_more.c, the charts in lesson_charts.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lesson_internal.h"
#include "mapo/error.h"
#include "mapo/report.h"

mapo_lesson *mapo_lesson_new(void) { return calloc(1, sizeof(mapo_lesson)); }

void mapo_lesson_free(mapo_lesson *l) {
  if (l == NULL) return;
  for (int i = 0; i < l->n; i++) mapo__lj_free(&l->docs[i].v);
  free(l->docs);
  free(l);
}

void mapo_lesson_origin(mapo_lesson *l, const char *sentence) {
  snprintf(l->origin, sizeof l->origin, "%s", sentence ? sentence : "");
}

/* What a document is, from its keys: each command's JSON has keys no other has. */
static int kind_of(const lj *v) {
  if (v->type != LJ_OBJ) return MAPO_EINVAL;
  if (mapo__lj_get(v, "critical_path")) return LK_RECIPE;
  const lj *runs = mapo__lj_get(v, "runs");
  if (mapo__lj_get(v, "demo")) return LK_RACE;
  if (mapo__lj_get(mapo__lj_at(runs, 0), "steps") || mapo__lj_get(v, "makespan_units"))
    return LK_COOK;
  if (mapo__lj_get(v, "points")) return LK_SCALE;
  if (mapo__lj_get(v, "checksum") && mapo__lj_get(v, "seconds_median")) return LK_SUM;
  if (mapo__lj_get(v, "ideal_seconds")) return LK_IO;
  if (mapo__lj_str(mapo__lj_at(mapo__lj_get(v, "rows"), 0), "workload")) return LK_COMPARE;
  if (mapo__lj_get(v, "environment") && mapo__lj_get(v, "lesson")) return LK_OTHER;
  return MAPO_EINVAL;
}

int mapo_lesson_add_json(mapo_lesson *l, const char *text, size_t len, const char *source) {
  lj v;
  int rc = mapo__lj_parse(text, len, &v);
  if (rc != 0) return rc;
  const int kind = kind_of(&v);
  if (kind < 0) {
    mapo__lj_free(&v);
    return kind;
  }
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 16;
    lesson_doc *docs = realloc(l->docs, (size_t)cap * sizeof *docs);
    if (docs == NULL) {
      mapo__lj_free(&v);
      return -ENOMEM;
    }
    l->docs = docs;
    l->cap = cap;
  }
  lesson_doc *d = &l->docs[l->n++];
  d->kind = (lesson_kind)kind;
  snprintf(d->source, sizeof d->source, "%s", source ? source : "");
  d->v = v;
  return kind;
}

int mapo_lesson_count(const mapo_lesson *l) { return l->n; }

int mapo_lesson_drawn(const mapo_lesson *l) {
  int n = 0;
  for (int i = 0; i < l->n; i++) n += l->docs[i].kind != LK_OTHER;
  return n;
}

int mapo__lesson_next(const mapo_lesson *l, lesson_kind kind, int from) {
  for (int i = from < 0 ? 0 : from; i < l->n; i++)
    if (l->docs[i].kind == kind) return i;
  return -1;
}

void mapo__lesson_missing(FILE *f, const char *command) {
  fputs("<p class=\"missing\">Not in these results. Run <code>", f);
  mapo__html(f, command);
  fputs("</code> and add its output to the folder, or run <code>mapo lesson</code> without "
        "<code>--from</code>.</p>\n",
        f);
}

/* Large type and thick lines for a 1280x720 projector; black on white, no navigation
 * and a section a page when printed. */
static const char css[] =
    "body{font:20px/1.4 'DejaVu Sans',Helvetica,Arial,sans-serif;margin:0 auto;"
    "max-width:1240px;padding:0 20px;color:#111;background:#fff}\n"
    "h1{font-size:34px;margin:18px 0 4px}h2{font-size:28px;margin:0 0 8px;"
    "border-bottom:3px solid #2f5597}h3{font-size:22px;margin:14px 0 4px}\n"
    "section{padding:16px 0 24px;min-height:640px}\n"
    "nav{font-size:17px;margin:6px 0 10px}nav a{margin-right:14px;color:#2f5597}\n"
    "figure{margin:10px 0}figcaption{font-weight:bold;font-size:20px}\n"
    "svg{width:100%;height:auto;max-height:560px;font-family:inherit}"
    "figure.study svg{max-height:none}\n"
    "p.notice{background:#fff4cc;border-left:8px solid #e0a000;padding:8px 12px;"
    "margin:8px 0}\n"
    "p.missing{color:#555;font-style:italic}p.origin{color:#333}\n"
    "table{border-collapse:collapse;font-size:18px;margin:8px 0}"
    "th,td{border:1px solid #999;padding:4px 10px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#dde6f3}\n"
    "code{font-size:90%;background:#f0f0f0;padding:0 3px}.t{white-space:nowrap}\n"
    ".small{font-size:16px;color:#444}\n"
    "@media print{body{font-size:11pt;max-width:none}nav{display:none}"
    "section{min-height:0;break-before:page}section:first-of-type{break-before:auto}"
    "figure,table{break-inside:avoid}p.notice{background:none;border-left:4px solid #000}"
    "svg{max-height:none}}\n";

static const struct {
  const char *id, *title;
  void (*draw)(FILE *f, const mapo_lesson *l);
} sections[] = {
    {"recipe", "1. The recipe and its critical path", mapo__lesson_recipe},
    {"cooking", "2. Serial, threads and async cooking", mapo__lesson_cook},
    {"races", "3. Race conditions and the dead-lock", mapo__lesson_race},
    {"sums", "4. The CPU-bound sums, model by model", mapo__lesson_sum},
    {"scaling", "5. Scaling, and Amdahl's law", mapo__lesson_scale},
    {"io", "6. The I/O-bound work", mapo__lesson_io},
    {"compare", "7. When to use which: the compare matrix", mapo__lesson_compare},
    {"environment", "8. The environment", mapo__lesson_env},
};

int mapo_report_lesson_html(FILE *f, const mapo_lesson *l) {
  const size_t n = sizeof sections / sizeof sections[0];
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>mapo: the lessons, measured</title>\n<style>\n",
        f);
  fputs(css, f);
  fputs("</style>\n</head>\n<body>\n<header>\n<h1>mapo: one recipe, every concurrency "
        "model, measured</h1>\n<p class=\"origin\">",
        f);
  mapo__html(f, l->origin[0] ? l->origin : "Results of mapo --json.");
  fputs("</p>\n<nav>", f);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "<a href=\"#%s\">%s</a>", sections[i].id, sections[i].id);
  fputs("</nav>\n</header>\n", f);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "<section id=\"%s\">\n<h2>%s</h2>\n", sections[i].id, sections[i].title);
    sections[i].draw(f, l);
    fputs("</section>\n", f);
  }
  fputs("<footer class=\"small\"><p>Made by <code>mapo lesson</code> from ", f);
  fprintf(f, "%d JSON document%s.</p></footer>\n</body>\n</html>\n", l->n, l->n == 1 ? "" : "s");
  return ferror(f) ? -EIO : 0;
}

int mapo_report_lesson_writer(FILE *f, const void *lesson) {
  return mapo_report_lesson_html(f, lesson);
}
