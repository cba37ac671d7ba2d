/* env.c - the environment a measurement was taken in, gathered as facts: compiler and
 * flags, the machine, and every OMP_*, GOMP_*, KMP_*, SLURM_* and OMPI_* variable.
 *
 * Nothing here writes: src/report/env.c turns a mapo_env into JSON. Notice that the
 * variables point into the environment rather than being copied, so a gathered env is
 * written before anything calls setenv().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/internal.h"
#include "mapo/env.h"
#include "mapo/sum.h"

extern char **environ;

#ifndef MAPO_BUILD_FLAGS
#define MAPO_BUILD_FLAGS "unknown"
#endif

const char *mapo_build_compiler(void) {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

const char *mapo_build_flags(void) { return MAPO_BUILD_FLAGS; }

/* OMPI_ALLOW_* only says that mapo ran as root (mapo compare sets it for its children):
 * it steers nothing that a measurement depends on. */
static int wanted(const char *var) {
  static const char *const prefixes[] = {"OMP_", "GOMP_", "KMP_", "SLURM_", "OMPI_", NULL};
  if (strncmp(var, "OMPI_ALLOW", 10) == 0) return 0;
  for (int i = 0; prefixes[i]; i++)
    if (strncmp(var, prefixes[i], strlen(prefixes[i])) == 0) return 1;
  return 0;
}

static int gather_vars(mapo_env *e) {
  size_t cap = 0;
  for (char **v = environ; v && *v; v++) {
    const char *eq = strchr(*v, '=');
    if (eq == NULL || !wanted(*v)) continue;
    if (mapo__grow((void **)&e->vars, &cap, (size_t)e->nvars + 1, sizeof *e->vars) != 0)
      return -ENOMEM;
    mapo_env_var *var = &e->vars[e->nvars++];
    snprintf(var->name, sizeof var->name, "%.*s", (int)(eq - *v), *v);
    var->value = eq + 1;
  }
  return 0;
}

int mapo_env_gather(mapo_env *e) {
  memset(e, 0, sizeof *e);
  e->compiler = mapo_build_compiler();
  e->flags = mapo_build_flags();
  e->processors_online = sysconf(_SC_NPROCESSORS_ONLN);
  struct utsname u;
  int have = uname(&u) == 0;
  snprintf(e->host, sizeof e->host, "%s", have ? u.nodename : "unknown");
  snprintf(e->kernel, sizeof e->kernel, "%s", have ? u.release : "unknown");
  snprintf(e->machine, sizeof e->machine, "%s", have ? u.machine : "unknown");
  e->sum_kernel = mapo_sum_kernel();
  if (gather_vars(e) == 0) return 0;
  mapo_env_free(e);
  return -ENOMEM;
}

void mapo_env_free(mapo_env *e) {
  free(e->vars);
  e->vars = NULL;
  e->nvars = 0;
}
