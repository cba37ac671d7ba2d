/* test_tables.c - the model tables are the single source: every row of every table is
 * reachable from the command line (the program accepts it and runs it at a tiny size),
 * listed in the command's --help and documented in the man page. A model added to a
 * table and forgotten anywhere else fails here.
 *
 * Run: ctest -R unit.test_tables --output-on-failure
 * (arguments: the source folder, the mapo program, the build's sanitizers)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/mapo.h"
#include "mapo_test.h"

static const char *source, *mapo, *sanitize;
static char *man; /* docs/man/mapo.1, whole */

static char *slurp(const char *path, FILE *f) {
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  size_t got;
  while (text != NULL && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap) {
      char *more = realloc(text, cap *= 2);
      if (more == NULL) free(text);
      text = more;
    }
  }
  if (text != NULL) text[len] = '\0';
  (void)path;
  return text;
}

/* The output of `mapo ARGS`, stderr dropped. */
static char *output_of(const char *args) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", mapo, args);
  FILE *p = popen(cmd, "r");
  char *text = slurp(cmd, p);
  if (p != NULL) pclose(p);
  return text;
}

/* `mapo ARGS` exits 0 (stdout and stderr dropped). */
static int runs(const char *args) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", mapo, args);
  int st = system(cmd);
  if (st != 0) fprintf(stderr, "\n  mapo %s: status %d\n", args, st);
  return st == 0;
}

/* name appears in text as a word (not inside a longer name: "tasks" in "tasks-counted"
 * does not count). The man page escapes its hyphens: "tasks\-counted". */
static int mentions(const char *text, const char *name) {
  char want[128], escaped[256];
  snprintf(want, sizeof want, "%s", name);
  size_t j = 0;
  for (size_t i = 0; name[i] && j + 2 < sizeof escaped; i++) {
    if (name[i] == '-') escaped[j++] = '\\';
    escaped[j++] = name[i];
  }
  escaped[j] = '\0';
  const char *forms[] = {want, escaped};
  for (int k = 0; k < 2; k++) {
    size_t n = strlen(forms[k]);
    for (const char *at = text; text && (at = strstr(at, forms[k])) != NULL; at++) {
      char after = at[n], before = at == text ? ' ' : at[-1];
      if (after != '-' && after != '_' && !(after >= 'a' && after <= 'z') && before != '-' &&
          !(before >= 'a' && before <= 'z'))
        return 1;
    }
  }
  fprintf(stderr, "\n  '%s' is not mentioned\n", name);
  return 0;
}

static void check_row(const char *command, const char *name, const char *run_args) {
  char args[512];
  snprintf(args, sizeof args, "%s --help", command);
  char *help = output_of(args);
  CU_ASSERT_PTR_NOT_NULL_FATAL(help);
  CU_ASSERT(mentions(help, name));
  free(help);
  CU_ASSERT(mentions(man, name));
  snprintf(args, sizeof args, "%s %s", command, run_args);
  CU_ASSERT(runs(args));
}

static void test_cook_models(void) {
  int n = 0;
  for (const mapo_cook_model *m = mapo_cook_models; m->name != NULL; m++, n++) {
    char args[256];
    snprintf(args, sizeof args, "--model %s --unit-ms 0 --quiet", m->name);
    check_row("cook", m->name, args);
  }
  MAPO_ASSERT_INT(n, mapo_cook_model_count());
}

static void test_sum_models(void) {
  for (const mapo_sum_model *m = mapo_sum_models; m->name != NULL; m++) {
    char args[256];
    snprintf(args, sizeof args, "--model %s --base 2000 --repeat 1%s", m->name,
             m->threaded ? " --threads 2" : "");
    check_row("sum", m->name, args);
  }
}

static void test_io_models(void) {
  const int tsan = strstr(sanitize, "thread") != NULL;
  for (const mapo_io_model *m = mapo_io_models; m->name != NULL; m++) {
    char args[256];
    snprintf(args, sizeof args, "--model %s --requests 4 --repeat 1%s", m->name,
             m->posix_aio ? " --file-kib 4" : " --latency-ms 1");
    if (m->posix_aio && tsan) { /* refused there (-ENOTSUP): listed and documented still */
      snprintf(args, sizeof args, "--help");
    }
    check_row("io", m->name, args);
  }
}

static void test_race_modes(void) {
  for (const mapo_race_demo *d = mapo_race_demos; d->name != NULL; d++) {
    char args[256];
    snprintf(args, sizeof args, "--demo %s --mode all --trials 2 --increments 1000", d->name);
    if (strcmp(d->name, "counter") != 0) /* --increments is the counter's alone */
      snprintf(args, sizeof args, "--demo %s --mode all --trials 2", d->name);
    check_row("race", d->name, args);
  }
  for (const mapo_race_mode *m = mapo_race_modes; m->demo != NULL; m++) {
    char *help = output_of("race --help");
    CU_ASSERT(mentions(help, m->mode));
    free(help);
    CU_ASSERT(mentions(man, m->mode));
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: test_tables SOURCE_DIR MAPO [SANITIZE]\n");
    return 2;
  }
  source = argv[1];
  mapo = argv[2];
  sanitize = argc > 3 ? argv[3] : "";
  char path[4096];
  snprintf(path, sizeof path, "%s/docs/man/mapo.1", source);
  FILE *f = fopen(path, "r");
  man = slurp(path, f);
  if (f != NULL) fclose(f);
  if (man == NULL) {
    fprintf(stderr, "test_tables: cannot read %s\n", path);
    return 1;
  }
  static const mapo_test tests[] = {
      {"every cook model: accepted, in --help, in the man page", test_cook_models},
      {"every sum model: accepted, in --help, in the man page", test_sum_models},
      {"every io model: accepted, in --help, in the man page", test_io_models},
      {"every race demo and mode: accepted, in --help, in the man page", test_race_modes},
      {NULL, NULL},
  };
  int rc = mapo_test_run("tables", tests);
  free(man);
  return rc;
}
