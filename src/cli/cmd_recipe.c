/* cmd_recipe.c - `mapo recipe check|show|generate`: recipes as data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt no_opts[] = {{NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL}};

static int check(int argc, char **argv) {
  const cli_cmd cmd = {"recipe check", "FILE",
                       "Read a recipe file and say what is wrong with it: one line\n"
                       "FILE:LINE: message and exit 2, or a summary and exit 0.",
                       no_opts, 1, 1};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  mapo_recipe r;
  if (mapo__cli_load_recipe(pos[0], &r) != 0) return 2;
  mapo_recipe_stats s;
  rc = mapo_recipe_analyze(&r, &s);
  if (rc == 0)
    printf("%s: ok: %d steps, work %g units, span %g units, width %d\n", pos[0], r.nsteps,
           s.work, s.span, s.width);
  else
    fprintf(stderr, "mapo recipe check: %s\n", mapo_strerror(rc));
  mapo_recipe_stats_free(&s);
  mapo_recipe_free(&r);
  return rc == 0 ? 0 : 1;
}

static int show(int argc, char **argv) {
  int json = 0, text = 0;
  const cli_opt opts[] = {
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {"text", CLI_FLAG, &text, 0, 0, NULL, NULL, "print the recipe itself, in the file format"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL}};
  const cli_cmd cmd = {"recipe show", "[FILE] [--json | --text]",
                       "Show a recipe (the notebook's by default): its steps, work, span and\n"
                       "critical path, parallelism, width, and the lower bound on the\n"
                       "makespan for 1, 2, ... cooks under threads and under an event loop.",
                       opts, 0, 1};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (json && text) return cli_fail(&cmd, "--json and --text exclude each other");
  mapo_recipe r;
  if (mapo__cli_load_recipe(npos ? pos[0] : NULL, &r) != 0) return 2;
  if (text) {
    if (npos == 0) {
      fputs(mapo_recipe_builtin_text(), stdout);
    } else {
      char *t;
      if ((rc = mapo_recipe_format(&r, &t, NULL)) == 0) {
        fputs(t, stdout);
        free(t);
      }
    }
  } else {
    mapo_recipe_stats s;
    rc = mapo_recipe_analyze(&r, &s);
    if (rc == 0) rc = json ? mapo_report_recipe_json(stdout, &r, &s)
                           : mapo_report_recipe_text(stdout, &r, &s);
    mapo_recipe_stats_free(&s);
  }
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
  const cli_cmd cmd = {"recipe generate", "--steps N [--seed S]",
                       "Print a reproducible random layered recipe of N steps (for scale runs):\n"
                       "the same N and S give the same recipe on every machine.",
                       opts, 0, 0};
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

int mapo__cmd_recipe(int argc, char **argv) {
  const char *sub = argc > 1 ? argv[1] : "";
  if (strcmp(sub, "check") == 0) return check(argc - 1, argv + 1);
  if (strcmp(sub, "show") == 0) return show(argc - 1, argv + 1);
  if (strcmp(sub, "generate") == 0) return generate(argc - 1, argv + 1);
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    puts("usage: mapo recipe check FILE | show [FILE] [--json] | generate --steps N [--seed S]\n"
         "(mapo recipe SUBCOMMAND --help for each)");
    return 0;
  }
  if (*sub == '\0')
    fputs("mapo recipe: missing subcommand (check, show or generate)\n", stderr);
  else
    fprintf(stderr, "mapo recipe: unknown subcommand '%s' (check, show or generate)\n", sub);
  return 2;
}
