/* fuzz_args.c - libFuzzer harness for the table-driven flag parser (src/cli/args.c).
 *
 * The input is split on NUL bytes into the arguments of an argv of at most 32 strings
 * (argv[0], the command's name, is not taken from the input), and parsed against option tables
 * shaped like those of `mapo cook` and `mapo sum`: every kind of option (INT, U64, DOUBLE, STRING,
 * CHOICE, FLAG), with and without positional arguments. cli_silent is set so that
 * nothing is printed. After a successful parse the values must lie in the table's
 * ranges, and a CHOICE or STRING must point at one of the choices or into argv.
 *
 * Build and run: see tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

enum { ARGV_MAX = 32 };

static const char *const model_names[] = {"serial", "sections", "tasks", "tasks-counted",
                                          "async",  "all",      NULL};
static const char *const sum_models[] = {"serial", "critical",  "atomic", "false-sharing",
                                         "padded", "reduction", NULL};
static const char *const split_names[] = {"numbers", "range", NULL};

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz_args: %s\n", what);
    abort();
  }
}

/* Whether p is one of the NULL-terminated choices (the pointer itself, not a copy). */
static int is_choice(const char *p, const char *const *choices) {
  for (int i = 0; choices[i]; i++)
    if (p == choices[i]) return 1;
  return 0;
}

/* A string option is NULL (not given) or points into the argv buffer. */
static int in_argv(const char *p, const char *buf, size_t n) {
  return p == NULL || (p >= buf && p < buf + n);
}

/* `mapo cook`'s shape. */
static void run_cook(int argc, char **argv, const char *buf, size_t n) {
  const char *model = "tasks", *recipe = NULL, *trace = NULL, *svg = NULL;
  int cooks = 0, repeat = 1, blocking = 0, gantt = 0, json = 0, quiet = 0;
  double unit_ms = 100;
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &model, 0, 0, model_names, "M", "the model"},
      {"recipe", CLI_STRING, &recipe, 0, 0, NULL, "FILE", "a recipe file"},
      {"cooks", CLI_INT, &cooks, 1, 4096, NULL, "N", "workers"},
      {"unit-ms", CLI_DOUBLE, &unit_ms, 0, 60000, NULL, "MS", "milliseconds per unit"},
      {"repeat", CLI_INT, &repeat, 1, 1000, NULL, "R", "cook R times"},
      {"blocking", CLI_FLAG, &blocking, 0, 0, NULL, NULL, "every step blocks the loop"},
      {"gantt", CLI_FLAG, &gantt, 0, 0, NULL, NULL, "draw a text Gantt chart"},
      {"trace", CLI_STRING, &trace, 0, 0, NULL, "FILE", "write a Chrome trace"},
      {"svg", CLI_STRING, &svg, 0, 0, NULL, "FILE", "write an SVG Gantt chart"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object"},
      {"quiet", CLI_FLAG, &quiet, 0, 0, NULL, NULL, "no live log"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {"cook", "[--model M] ...", "Cook a recipe.", opts, 0, 0};
  const char *pos[1];
  int npos = -1;
  int rc = cli_parse(&cmd, argc, argv, pos, &npos);
  check(rc == 0 || rc == 1 || rc == 2, "cook: cli_parse returned something else than 0, 1, 2");
  if (rc != 0) return;
  check(npos == 0, "cook: a positional argument was accepted");
  check(is_choice(model, model_names), "cook: --model is not one of the choices");
  check(cooks == 0 || (cooks >= 1 && cooks <= 4096), "cook: --cooks out of range");
  check(repeat >= 1 && repeat <= 1000, "cook: --repeat out of range");
  check(unit_ms >= 0 && unit_ms <= 60000, "cook: --unit-ms out of range");
  check(in_argv(recipe, buf, n) && in_argv(trace, buf, n) && in_argv(svg, buf, n),
        "cook: a string option points outside argv");
  check(blocking <= 1 && gantt <= 1 && json <= 1 && quiet <= 1, "cook: a flag is not 0 or 1");
}

/* `mapo sum`'s shape, with a U64. */
static void run_sum(int argc, char **argv) {
  const char *model = "reduction", *split = "numbers";
  int threads = 0, numbers = 20, repeat = 5, json = 0;
  uint64_t base = 5000000;
  const double n_max = 4294967296.0;
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &model, 0, 0, sum_models, "M", "the model"},
      {"threads", CLI_INT, &threads, 1, 256, NULL, "N", "threads"},
      {"numbers", CLI_INT, &numbers, 1, 1000, NULL, "N", "how many numbers"},
      {"base", CLI_U64, &base, 0, n_max, NULL, "B", "the first n"},
      {"split", CLI_CHOICE, &split, 0, 0, split_names, "S", "how to split"},
      {"repeat", CLI_INT, &repeat, 1, 1000, NULL, "R", "timed runs"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {"sum", "[--model M] ...", "The notebook's sums.", opts, 0, 0};
  const char *pos[1];
  int npos = -1;
  int rc = cli_parse(&cmd, argc, argv, pos, &npos);
  check(rc == 0 || rc == 1 || rc == 2, "sum: cli_parse returned something else than 0, 1, 2");
  if (rc != 0) return;
  check(is_choice(model, sum_models) && is_choice(split, split_names),
        "sum: a choice is not one of the choices");
  check(threads == 0 || (threads >= 1 && threads <= 256), "sum: --threads out of range");
  check(numbers >= 1 && numbers <= 1000, "sum: --numbers out of range");
  check(base <= (uint64_t)n_max, "sum: --base out of range");
  check(repeat >= 1 && repeat <= 1000, "sum: --repeat out of range");
}

/* `mapo recipe show`'s shape: positional arguments (0 to 2 here) and a wide DOUBLE. */
static void run_positional(int argc, char **argv, const char *buf, size_t n) {
  int json = 0, text = 0, steps = 0;
  double seed = 1;
  const cli_opt opts[] = {
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object"},
      {"text", CLI_FLAG, &text, 0, 0, NULL, NULL, "print the recipe itself"},
      {"steps", CLI_INT, &steps, 1, 1000000, NULL, "N", "how many steps"},
      {"seed", CLI_DOUBLE, &seed, 0, 9007199254740992.0, NULL, "S", "the random seed"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {"recipe show", "[FILE] [FILE]", "Show a recipe.", opts, 1, 2};
  const char *pos[2];
  int npos = -1;
  int rc = cli_parse(&cmd, argc, argv, pos, &npos);
  check(rc == 0 || rc == 1 || rc == 2, "show: cli_parse returned something else than 0, 1, 2");
  if (rc != 0) return;
  check(npos >= 1 && npos <= 2, "show: the positional count is outside 1..2");
  for (int i = 0; i < npos; i++) check(in_argv(pos[i], buf, n), "show: a positional outside argv");
  check(steps == 0 || (steps >= 1 && steps <= 1000000), "show: --steps out of range");
  check(seed >= 0 && seed <= 9007199254740992.0, "show: --seed out of range");
}

/* libFuzzer's entry point, declared by no header of its own. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cli_silent = 1;
  /* A NUL-terminated copy (the input need not end in NUL), cut at every NUL: "a\0b\0"
   * and "a\0b" are both the two strings a and b; "a\0\0b" has an empty one between. */
  char *buf = malloc(size + 1);
  if (buf == NULL) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *argv[ARGV_MAX + 1];
  int argc = 0;
  argv[argc++] = "mapo";
  for (size_t at = 0; at < size && argc < ARGV_MAX;) {
    argv[argc++] = buf + at;
    at += strlen(buf + at) + 1;
  }
  argv[argc] = NULL;

  run_cook(argc, argv, buf, size + 1);
  run_sum(argc, argv);
  run_positional(argc, argv, buf, size + 1);
  free(buf);
  return 0;
}
