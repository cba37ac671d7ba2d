/* cmd_recipe.c - `mapo recipe check|show|generate`: recipes as data.
 *
 * Each subcommand reads parse -> run -> report: its flags, the library's work (load and
 * analyze, or generate), and the recipe's reports (src/report/recipe.c). The
 * subcommands are a table, from which the dispatch, the usage line and the messages
 * about a missing or unknown subcommand come.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outputs.h"

static const cli_opt no_opts[] = {{NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL}};

static int check(int argc, char **argv) {
  const cli_cmd cmd = {"recipe check",
                       "FILE",
                       "Read a recipe file and say what is wrong with it: one line\n"
                       "FILE:LINE: message and exit 2, or a summary and exit 0.",
                       no_opts,
                       1,
                       1};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  mapo_recipe r;
  if ((rc = mapo__cli_load_recipe(pos[0], &r)) != 0) return rc;
  mapo_recipe_stats s;
  rc = mapo_recipe_analyze(&r, &s);
  if (rc == 0)
    rc = mapo_report_recipe_summary(stdout, pos[0], &r, &s);
  else
    fprintf(stderr, "mapo recipe check: %s\n", mapo_strerror(rc));
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  return rc == 0 ? 0 : 1;
}

/* The recipe in the file format: the built-in one as written, a file's as parsed. */
static int show_text(const mapo_recipe *r, int builtin) {
  if (builtin) {
    fputs(mapo_recipe_builtin_text(), stdout);
    return 0;
  }
  char *t;
  int rc = mapo_recipe_format(r, &t, NULL);
  if (rc == 0) {
    fputs(t, stdout);
    free(t);
  }
  return rc;
}

/* The recipe's shape, analyzed, as text or JSON. */
static int show_shape(const mapo_recipe *r, int json, int wide) {
  mapo_recipe_stats s;
  int rc = mapo_recipe_analyze(r, &s);
  if (rc == 0)
    rc = json ? mapo_report_recipe_json(stdout, r, &s)
              : mapo_report_recipe_text(stdout, r, &s, cli_width(wide));
  mapo_recipe_stats_free(&s);
  return rc;
}

static int show(int argc, char **argv) {
  int json = 0, text = 0, wide = 0;
  const cli_opt opts[] = {
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {"text", CLI_FLAG, &text, 0, 0, NULL, NULL, "print the recipe itself, in the file format"},
      CLI_WIDE(&wide),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL}};
  const cli_cmd cmd = {"recipe show",
                       "[FILE] [--json | --text]",
                       "Show a recipe (the notebook's by default): its steps, work, span and\n"
                       "critical path, parallelism, width, and the lower bound on the\n"
                       "makespan for 1, 2, ... cooks under threads and under an event loop.",
                       opts,
                       0,
                       1};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (json && text) return cli_fail(&cmd, "--json and --text exclude each other");
  mapo_recipe r;
  if ((rc = mapo__cli_load_recipe(npos ? pos[0] : NULL, &r)) != 0) return rc;
  rc = text ? show_text(&r, npos == 0) : show_shape(&r, json, wide);
  if (rc < 0) fprintf(stderr, "mapo recipe show: %s\n", mapo_strerror(rc));
  mapo_recipe_free(&r);
  return rc < 0 ? 1 : 0;
}

static int generate(int argc, char **argv) {
  int steps = 0;
  double seed = 1;
  const cli_opt opts[] = {
      {"steps", CLI_INT, &steps, 1, MAPO_STEPS_MAX, NULL, "N", "how many steps (required)"},
      {"seed", CLI_DOUBLE, &seed, 0, 9007199254740992.0, NULL, "S",
       "the random seed, a whole number (default 1)"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL}};
  const cli_cmd cmd = {"recipe generate",
                       "--steps N [--seed S]",
                       "Print a reproducible random layered recipe of N steps (for scale runs):\n"
                       "the same N and S give the same recipe on every machine.",
                       opts,
                       0,
                       0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (steps == 0) return cli_fail(&cmd, "--steps is required");
  if (seed != (double)(uint64_t)seed) return cli_fail(&cmd, "--seed: not a whole number");
  char *text;
  size_t len;
  rc = mapo_recipe_generate(&text, &len, steps, (uint64_t)seed);
  if (rc < 0) {
    fprintf(stderr, "mapo recipe generate: %s\n", mapo_strerror(rc));
    return 1;
  }
  fwrite(text, 1, len, stdout);
  free(text);
  return ferror(stdout) ? 1 : 0;
}

/* The subcommands, in the order the usage line gives them. */
static const struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *usage; /* its part of the usage line */
} subcommands[] = {
    {"check", check, "check FILE"},
    {"show", show, "show [FILE] [--json | --text] [--wide]"},
    {"generate", generate, "generate --steps N [--seed S]"},
};
enum { NSUB = sizeof subcommands / sizeof subcommands[0] };

/* "usage: mapo recipe check FILE | show ... | generate ...", folded to the reader's
 * columns, from the table. */
static void usage(FILE *f) {
  char text[512];
  size_t n = 0;
  for (int i = 0; i < NSUB && n < sizeof text; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", i ? " | " : "", subcommands[i].usage);
  mapo_report_paragraph(f, cli_columns(0), "usage: mapo recipe ", "                   ", text);
  fputs("(mapo recipe SUBCOMMAND --help for each)\n", f);
}

/* "check, show or generate", from the table. */
static void subcommand_list(FILE *f) {
  for (int i = 0; i < NSUB; i++)
    fprintf(f, "%s%s", i == 0 ? "" : i == NSUB - 1 ? " or " : ", ", subcommands[i].name);
}

int mapo__cmd_recipe(int argc, char **argv) {
  const char *sub = argc > 1 ? argv[1] : "";
  for (int i = 0; i < NSUB; i++)
    if (strcmp(sub, subcommands[i].name) == 0) return subcommands[i].run(argc - 1, argv + 1);
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (*sub == '\0')
    fputs("mapo recipe: missing subcommand (", stderr);
  else
    fprintf(stderr, "mapo recipe: unknown subcommand '%s' (", sub);
  subcommand_list(stderr);
  fputs(")\n", stderr);
  return 2;
}
