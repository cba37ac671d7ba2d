/* fuzz_cook.c - libFuzzer harness from a recipe to the files a cook writes: parse ->
 * cook at 0 ms a unit -> the JSON report, the SVG chart and the Chrome trace.
 *
 * Every input is parsed as a recipe file (a parse error is a normal outcome). A recipe
 * that parses is cooked by the two one-thread models, serial and async, at 0 ms a unit,
 * and every report of the run is written into memory: the JSON of the run (what
 * `mapo cook --json` prints), the JSON of both side by side (`--model all --json`), the
 * Chrome trace (`--trace`) and the SVG chart (`--svg`), and, unchecked but run, the
 * text report and the text Gantt chart. Each JSON text must be strict JSON and the SVG
 * well-formed XML (wellformed.c): the recipe's own words (title, names, `says`) reach
 * every one of them, so this is where an escape that is missing or cuts a UTF-8
 * character in two shows.
 *
 * Why these two models: they run on the calling thread (serial) or on one event loop
 * (async), so an input costs microseconds and no thread is started; the OpenMP models
 * write the same reports from the same kitchen, and a harness that starts a thread
 * team per input would run a hundred times fewer inputs. Why a cap of 256 steps: the
 * SVG and the trace grow with the steps, and one slow input slows the whole run;
 * 256 steps is past every shape the writers treat apart (a long path is cut, a chart
 * row per cook), and a 4 KiB input rarely holds more.
 *
 * Text: every input is cooked, whatever its bytes. The parser refuses a recipe that is
 * not UTF-8 or holds a control character (src/core/recipe.c, with file:line), and the
 * writers replace what XML 1.0 forbids in valid UTF-8 (U+FFFE, U+FFFF) with U+FFFD, so
 * that no recipe that parses can make a report invalid (corpus/cook/regress-text-*.recipe
 * are the two inputs that did, before both were in place).
 *
 * Build and run: see tests/fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mapo/cook.h"
#include "mapo/report_cook.h"
#include "wellformed.h"

enum { STEPS_MAX = 256 };

/* The rows of the model table this harness cooks with, as the table has them (the
 * table itself names the OpenMP models too, which this build does not link). */
static const mapo_cook_model models[] = {
    {"serial", mapo_cook_serial, MAPO_HOLD_ALL, 1, "One cook.", NULL},
    {"async", mapo_cook_async, MAPO_HOLD_HANDS, 1, "One thread, smart about waiting.",
     "--blocking: every step blocked the loop."},
};
enum { MODELS = sizeof models / sizeof models[0] };

/* A writer's output that is not what it must be is a bug: print it and abort(), so
 * that libFuzzer keeps the input. */
static void fail(const char *what, const char *why, size_t at, const char *text, size_t len) {
  fprintf(stderr, "fuzz_cook: %s is not well-formed: %s at byte %zu of %zu\n", what, why, at, len);
  fwrite(text, 1, len, stderr);
  fputc('\n', stderr);
  abort();
}

typedef int (*checker)(const char *s, size_t n, size_t *at, const char **why);

/* A stream in memory for a writer; after it returns, check what it wrote. */
typedef struct sink {
  FILE *f;
  char *text;
  size_t len;
} sink;

static void sink_open(sink *s) {
  s->text = NULL;
  s->len = 0;
  s->f = open_memstream(&s->text, &s->len);
  if (s->f == NULL) abort(); /* out of memory: nothing to learn from this input */
}

static void sink_check(sink *s, int rc, const char *what, checker check) {
  if (fclose(s->f) != 0) abort();
  if (rc < 0) {
    fprintf(stderr, "fuzz_cook: %s: the writer failed (%d)\n", what, rc);
    abort();
  }
  size_t at;
  const char *why;
  if (check != NULL && check(s->text, s->len, &at, &why) < 0) fail(what, why, at, s->text, s->len);
  free(s->text);
}

/* One model's run, whole, as mapo_cook_repeat leaves it with repeat 1 (no warm-up:
 * at 0 ms a unit it would only cost time). 0, or the model's negative code. */
static int cook(mapo_cook_run *x, const mapo_cook_model *m, const mapo_recipe *r) {
  *x = (mapo_cook_run){.model = m, .repeat = 1};
  const mapo_kitchen_opts o = {.unit_ms = 0, .cooks = m->fixed_cooks};
  int rc = mapo_kitchen_init(&x->k, r, &o);
  if (rc == 0) rc = m->cook(&x->k, &x->diag);
  if (rc == 0) rc = mapo_kitchen_summarize(&x->k, m->hold, &x->s);
  if (rc < 0) return x->rc = rc;
  mapo_spread_of(&x->s.makespan_ms, 1, &x->makespan);
  mapo_spread_of(&x->s.dispatch_ms, 1, &x->dispatch);
  mapo_spread_of(&x->s.overhead_ms, 1, &x->overhead);
  mapo_spread_of(&x->s.oversleep_ms, 1, &x->oversleep);
  return 0;
}

static void reports(const mapo_cook_run *x) {
  sink s;
  sink_open(&s);
  sink_check(&s, mapo_report_cook_run_json(s.f, x), "the run's JSON", wf_json);
  sink_open(&s);
  sink_check(&s, mapo_report_trace(s.f, x->model, &x->k), "the trace", wf_json);
  sink_open(&s);
  sink_check(&s, mapo_report_svg(s.f, x->model, &x->k, &x->s), "the SVG", wf_xml);
  sink_open(&s);
  int rc = mapo_report_cook_run_text(s.f, x, (mapo_text_width){80, 0});
  if (rc == 0) rc = mapo_report_gantt(s.f, &x->k, &x->s, 64);
  sink_check(&s, rc, "the text report", NULL);
}

/* libFuzzer's entry point, declared by no header of its own. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mapo_recipe r;
  mapo_diag diag;
  if (mapo_recipe_parse(&r, (const char *)data, size, &diag) < 0 || r.nsteps > STEPS_MAX) {
    mapo_recipe_free(&r); /* the header says *r is left empty and safe to free */
    return 0;
  }
  mapo_cook_run runs[MODELS];
  mapo_cook_lineup l = {.recipe = &r, .unit_ms = 0, .repeat = 1, .n = 0, .runs = runs};
  for (; l.n < MODELS; l.n++) {
    if (cook(&runs[l.n], &models[l.n], &r) < 0) {
      fprintf(stderr, "fuzz_cook: %s could not cook a valid recipe (%d)\n", models[l.n].name,
              runs[l.n].rc);
      abort();
    }
    reports(&runs[l.n]);
  }
  sink s;
  sink_open(&s);
  sink_check(&s, mapo_report_cook_lineup_json(s.f, &l), "the side-by-side JSON", wf_json);
  sink_open(&s);
  sink_check(&s, mapo_report_cook_lineup_text(s.f, &l, (mapo_text_width){0, 1}),
             "the side-by-side text (--wide)", NULL);
  for (int i = 0; i < l.n; i++) { /* mapo_cook_run_free, which lives beside the table */
    mapo_kitchen_free(&runs[i].k);
    mapo_cook_summary_free(&runs[i].s);
  }
  mapo_recipe_free(&r);
  return 0;
}
