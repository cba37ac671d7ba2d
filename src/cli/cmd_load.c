/* cmd_load.c - `mapo load`: too much load will strangle your system, measured.
 *
 * Run:    mapo load [--part strangle|grain|handoff] [--quick] [--repeat R] [--json]
 * Notice: the command reads parse -> run -> report. Every part runs its cells
 *         interleaved, round after round (1x, 2x, 4x, then again), so that a busy moment
 *         of the machine falls on all of them alike; the medians and spreads go to
 *         src/report/load.c, which chooses every sentence from them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outputs.h"

enum { REPEAT_MAX = 100, MB_MAX = 1024 };

static const char *const parts[] = {"all", "strangle", "grain", "handoff", NULL};

typedef struct load_args {
  const char *part;
  int repeat, quick, json, wide, insist, phases, mb;
  uint64_t items, grain_items;
} load_args;

/* What the parts leave behind: the result and whether every run verified. */
typedef struct load_run {
  mapo_load_strangle_result strangle;
  mapo_load_grain_result grain;
  mapo_load_handoff_result handoff;
  int processors, wrong;
  unsigned long long checksum;
  int has_checksum;
} load_run;

static int wants(const load_args *a, const char *part) {
  return strcmp(a->part, "all") == 0 || strcmp(a->part, part) == 0;
}

/* A lower bound of the run time, from the flags: about 2 ns an item on every processor. */
static double estimate_s(const load_args *a, int processors) {
  const double item_s = 2e-9 / processors, runs = a->repeat + 1.0;
  double s = 0;
  if (wants(a, "strangle")) s += runs * 6 * a->phases * (double)a->items * item_s;
  if (wants(a, "grain")) s += runs * 10 * (double)a->grain_items * item_s;
  if (wants(a, "handoff")) s += runs * a->mb * 1e-4;
  return s;
}

static void quick_sizes(load_args *a) {
  if (!a->quick) return;
  a->phases = 20;
  a->items = 4000;
  a->grain_items = 1L << 12;
  a->mb = 4;
}

static int parse(int argc, char **argv, load_args *a) {
  const cli_opt opts[] = {
      {"part", CLI_CHOICE, &a->part, 0, 0, parts, "P", "one part, or all of them (the default)"},
      {"repeat", CLI_INT, &a->repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs of every cell after one warm-up (default 5, --quick 3)"},
      {"quick", CLI_FLAG, &a->quick, 0, 0, NULL, NULL,
       "small sizes and 3 runs: the shape of the lesson in a second, not its figures"},
      {"phases", CLI_INT, &a->phases, 1, 100000, NULL, "N", "strangle: phases (default 30)"},
      {"items", CLI_U64, &a->items, 1, (double)(1L << 24), NULL, "N",
       "strangle: items of work a phase (default 400000)"},
      {"grain-items", CLI_U64, &a->grain_items, 1, (double)(1L << 24), NULL, "N",
       "grain: the items cut into tasks (default 524288)"},
      {"mb", CLI_INT, &a->mb, 1, MB_MAX, NULL, "MB", "handoff: the data handed over (default 64)"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {"wide", CLI_FLAG, &a->wide, 0, 0, NULL, NULL, "do not fold the sentences to 80 columns"},
      CLI_INSIST(&a->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "load",
      "[--part P] [--quick] [--repeat R] [--phases N] [--items N] [--grain-items N] [--mb MB] "
      "[--json] [--wide] [--insist]",
      "The notebook's \"too much load will strangle your system\", measured. strangle:\n"
      "workers that spin at a barrier between phases, at 1x, 2x and 4x the processors,\n"
      "beside the same workers at a barrier that blocks. grain: the same work cut into\n"
      "tasks from 1 item to all of them, and the crossover. handoff: data summed by a\n"
      "thread in place or by a process sent a copy (the price of processes). Every run\n"
      "verifies its sum (exit 1 if wrong).",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (a->quick && (a->phases || a->items || a->grain_items || a->mb))
    return cli_fail(&cmd, "--quick sets the sizes: give it or --phases/--items/--grain-items/--mb");
  quick_sizes(a);
  if (!a->phases) a->phases = 30;
  if (!a->items) a->items = 400000;
  if (!a->grain_items) a->grain_items = 1L << 19;
  if (!a->mb) a->mb = 64;
  if (!a->repeat) a->repeat = a->quick ? 3 : 5;
  return cli_check_time(&cmd, estimate_s(a, mapo_load_processors()), a->insist) ? 2 : -1;
}

/* One cell's runs into its spread; a failure other than a wrong sum ends the part. */
static int keep(int rc, load_run *x, const char *what) {
  if (rc == MAPO_EVERIFY) x->wrong = 1;
  if (rc == 0 || rc == MAPO_EVERIFY) return 0;
  fprintf(stderr, "mapo load: %s: %s\n", what, mapo_strerror(rc));
  return 1;
}

static double median_of(const double *v, int n) {
  mapo_spread s;
  return mapo_spread_of(v, n, &s) == 0 ? s.median : 0;
}

static int run_strangle(const load_args *a, load_run *x) {
  mapo_load_strangle_result *s = &x->strangle;
  double wall[MAPO_LOAD_STRANGLE_ROWS][MAPO_LOAD_WAITS][REPEAT_MAX];
  double cpu[MAPO_LOAD_STRANGLE_ROWS][MAPO_LOAD_WAITS][REPEAT_MAX];
  *s = (mapo_load_strangle_result){.phases = a->phases, .items = (long)a->items, .rows = 3};
  const mapo_load_phases all = {1, a->phases, (long)a->items, MAPO_LOAD_SPIN, 0, 0};
  const uint64_t expected = mapo_load_phases_expected(&all);
  for (int r = 0; r < a->repeat; r++)
    for (int i = 0; i < s->rows; i++)
      for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
        s->row[i].times = 1 << i;
        s->row[i].workers = x->processors << i;
        mapo_load_phases job = {s->row[i].workers,
                                a->phases,
                                (long)a->items,
                                w == MAPO_LOAD_SPINNING ? MAPO_LOAD_SPIN : MAPO_LOAD_BLOCK,
                                0,
                                0};
        if (keep(mapo_load_time_phases(&job, expected, r == 0, &wall[i][w][r], &cpu[i][w][r]), x,
                 "strangle"))
          return 1;
      }
  for (int i = 0; i < s->rows; i++)
    for (int w = 0; w < MAPO_LOAD_WAITS; w++) {
      mapo_spread_of(wall[i][w], a->repeat, &s->row[i].wall[w]);
      s->row[i].cpu[w] = median_of(cpu[i][w], a->repeat);
    }
  x->checksum = expected;
  x->has_checksum = 1;
  return 0;
}

static int run_grain(const load_args *a, load_run *x) {
  mapo_load_grain_result *g = &x->grain;
  double wall[MAPO_LOAD_GRAINS_MAX][REPEAT_MAX];
  *g = (mapo_load_grain_result){.threads = x->processors, .items = (long)a->grain_items};
  /* Grains 1, 4, 16, ... and the whole work last: one task. */
  for (long grain = 1; g->rows < MAPO_LOAD_GRAINS_MAX; grain *= 4) {
    const long size = grain < g->items ? grain : g->items;
    g->row[g->rows++] = (mapo_load_grain_row){.grain = size, .tasks = (g->items + size - 1) / size};
    if (size == g->items) break;
  }
  const uint64_t expected = mapo_load_items(0, (uint64_t)a->grain_items);
  for (int r = 0; r < a->repeat; r++)
    for (int i = 0; i < g->rows; i++) {
      mapo_load_grain job = {x->processors, g->items, g->row[i].grain, 0, 0};
      if (keep(mapo_load_time_grain(&job, expected, r == 0, &wall[i][r]), x, "grain")) return 1;
    }
  for (int i = 0; i < g->rows; i++) mapo_spread_of(wall[i], a->repeat, &g->row[i].wall);
  if (!x->has_checksum) x->checksum = expected;
  x->has_checksum = 1;
  return 0;
}

static int run_handoff(const load_args *a, load_run *x) {
  const size_t words = (size_t)a->mb << 17; /* 2^20 / 8 words a MB */
  uint64_t *data = malloc(words * sizeof *data), *spare = malloc(words * sizeof *spare);
  double wall[2][REPEAT_MAX];
  int failed = data == NULL || spare == NULL;
  if (failed) fprintf(stderr, "mapo load: handoff: %s\n", mapo_strerror(-ENOMEM));
  uint64_t expected = 0;
  for (size_t i = 0; !failed && i < words; i++) expected += data[i] = mapo_load_item(i);
  for (int r = 0; !failed && r < a->repeat; r++)
    for (int process = 0; !failed && process < 2; process++) {
      mapo_load_handoff h;
      mapo_load_handoff_init(&h, data, words, spare);
      failed = keep(mapo_load_time_handoff(&h, process, expected, r == 0, &wall[process][r]), x,
                    process ? "handoff to a process" : "handoff to a thread");
    }
  if (!failed) {
    x->handoff.mb = a->mb;
    mapo_spread_of(wall[0], a->repeat, &x->handoff.thread);
    mapo_spread_of(wall[1], a->repeat, &x->handoff.process);
    if (!x->has_checksum) x->checksum = expected;
    x->has_checksum = 1;
  }
  free(data);
  free(spare);
  return failed;
}

static int report(const load_args *a, const load_run *x) {
  mapo_load_result r = {.processors = x->processors,
                        .repeat = a->repeat,
                        .columns = cli_columns(a->wide),
                        .strangle = wants(a, "strangle") ? &x->strangle : NULL,
                        .grain = wants(a, "grain") ? &x->grain : NULL,
                        .handoff = wants(a, "handoff") ? &x->handoff : NULL,
                        .verified = !x->wrong};
  snprintf(r.checksum, sizeof r.checksum, "%llu", x->checksum);
  if (a->json)
    mapo_report_load_json(stdout, &r);
  else
    mapo_report_load_text(stdout, &r);
  if (x->wrong) fprintf(stderr, "mapo load: a run's sum did not verify\n");
  return x->wrong ? 1 : 0;
}

int mapo__cmd_load(int argc, char **argv) {
  load_args a = {.part = "all"};
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  static load_run x; /* the tables are large for a stack */
  memset(&x, 0, sizeof x);
  x.processors = mapo_load_processors();
  if (wants(&a, "strangle") && run_strangle(&a, &x)) return 1;
  if (wants(&a, "grain") && run_grain(&a, &x)) return 1;
  if (wants(&a, "handoff") && run_handoff(&a, &x)) return 1;
  return report(&a, &x);
}
