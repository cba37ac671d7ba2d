/* main.c - the `mapo` program: one workload through every concurrency model.
 *
 * Run `mapo --help` for the commands; each has its own --help. Exit codes: 0 done,
 * 1 the run itself failed (a result did not verify, a file could not be written),
 * 2 bad input (a flag, a value, a recipe file), always with one line on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "outputs.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *about;
} commands[] = {
    /* NULL: the words come from the model table (cook_about), so no model is left out. */
    {"cook", mapo__cmd_cook, NULL},
    {"recipe", mapo__cmd_recipe, "check, show or generate recipes"},
    {"sum", mapo__cmd_sum, "the CPU-bound benchmark: exact sums of squares, every model"},
    {"scale", mapo__cmd_scale, "a scaling study: a sum model over thread counts"},
    {"race", mapo__cmd_race, "the race and deadlock lab: the bug shown, and its fixes"},
    {"io", mapo__cmd_io, "the I/O-bound benchmark: orders from a local supplier"},
    {"compare", mapo__cmd_compare, "when to use which? every model on every workload, measured"},
    {"load", mapo__cmd_load, "too much load strangles: spinning workers, task grain, processes"},
    {"lesson", mapo__cmd_lesson, "the lessons as one HTML page to project or print (--html FILE)"},
};

/* "cook a recipe with a model: serial, sections, ..., or all of them side by side",
 * from mapo_cook_models. */
static const char *cook_about(char *buf, size_t size) {
  size_t n = (size_t)snprintf(buf, size, "cook a recipe with a model:");
  for (int i = 0; mapo_cook_models[i].name != NULL && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s %s", i ? "," : "", mapo_cook_models[i].name);
  if (n < size) snprintf(buf + n, size - n, ", or all of them side by side");
  return buf;
}

static void usage(FILE *f) {
  const int cols = cli_columns(0);
  fputs("usage: mapo COMMAND [options]   (mapo COMMAND --help for its options)\n\n", f);
  mapo_report_paragraph(f, cols, "", "",
                        "mapo runs one workload through every concurrency model and shows, "
                        "with verified numbers and timelines, what each model buys and costs.");
  fputs("\ncommands:\n", f);
  char first[32], about[512];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    snprintf(first, sizeof first, "  %-10s ", commands[i].name);
    mapo_report_paragraph(f, cols, first, "             ",
                          commands[i].about ? commands[i].about : cook_about(about, sizeof about));
  }
  fputs("\n  --version  the version\n  --help     this text\n", f);
}

int mapo__cli_load_recipe(const char *path, mapo_recipe *r) {
  mapo_diag d;
  int rc = path ? mapo_recipe_load(r, path, &d) : mapo_recipe_builtin(r);
  if (rc == 0) return 0;
  if (path == NULL) {
    fprintf(stderr, "mapo: the built-in recipe: %s\n", mapo_strerror(rc));
  } else if (d.line > 0) {
    fprintf(stderr, "%s:%d: %s\n", path, d.line, d.msg);
  } else {
    fprintf(stderr, "%s: %s\n", path, d.msg);
  }
  return rc == -ENOMEM ? 1 : 2;
}

/* A report that could not be written (a full disk, a closed pipe) is a failed run:
 * flush before deciding the exit status, or the error would only happen at exit. */
static int finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "mapo: cannot write the output: %s\n", strerror(errno));
    return status == 0 ? 1 : status;
  }
  return status;
}

/* The commands' names, "cook, recipe, ...", for the messages that list them: from the
 * table, so that a new command is named everywhere by adding its row. */
static const char *command_names(void) {
  static char names[256];
  size_t n = 0;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0] && n < sizeof names; i++)
    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", commands[i].name);
  return names;
}

static int is_help(const char *arg) {
  return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0;
}

int main(int argc, char **argv) {
  if (cli_std_fds() != 0) return 1; /* before any descriptor of ours is made */
  if (argc < 2) {
    fprintf(stderr, "mapo: missing command (%s; see mapo --help)\n", command_names());
    return 2;
  }
  if (is_help(argv[1])) {
    usage(stdout);
    return finish(0);
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("mapo %s\n", MAPO_VERSION);
    return finish(0);
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return finish(commands[i].run(argc - 1, argv + 1));
  /* Hidden: the supplier that `mapo io` starts as a process of its own. */
  if (strcmp(argv[1], "io-supplier") == 0) return finish(mapo__cmd_io_supplier(argc - 1, argv + 1));
  fprintf(stderr, "mapo: unknown command '%s' (commands: %s; see mapo --help)\n", argv[1],
          command_names());
  return 2;
}
