/* env.c - the environment a measurement was taken in, recorded with its result:
 * compiler and flags, the machine, and every OMP_*, GOMP_*, KMP_* and SLURM_* variable.
 * A number without its environment cannot be compared with anything. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mapo/report.h"
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

static int wanted(const char *var) {
  static const char *const prefixes[] = {"OMP_", "GOMP_", "KMP_", "SLURM_", "OMPI_", NULL};
  for (int i = 0; prefixes[i]; i++)
    if (strncmp(var, prefixes[i], strlen(prefixes[i])) == 0) return 1;
  return 0;
}

void mapo_report_environment_json(FILE *f) {
  struct utsname u;
  int have_uname = uname(&u) == 0;
  fputs("{\"compiler\":", f);
  mapo_json_string(f, mapo_build_compiler());
  fputs(",\"flags\":", f);
  mapo_json_string(f, mapo_build_flags());
  fprintf(f, ",\"processors_online\":%ld", sysconf(_SC_NPROCESSORS_ONLN));
  fputs(",\"host\":", f);
  mapo_json_string(f, have_uname ? u.nodename : "unknown");
  fputs(",\"kernel\":", f);
  mapo_json_string(f, have_uname ? u.release : "unknown");
  fputs(",\"machine\":", f);
  mapo_json_string(f, have_uname ? u.machine : "unknown");
  fputs(",\"sum_kernel\":", f); /* the copy of the sum kernel the CPU runs (mapo/sum.h) */
  mapo_json_string(f, mapo_sum_kernel());
  fputs(",\"variables\":{", f);
  int n = 0;
  for (char **e = environ; e && *e; e++) {
    const char *eq = strchr(*e, '=');
    if (eq == NULL || !wanted(*e) || strncmp(*e, "OMPI_ALLOW", 10) == 0) continue;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
    fputs(n++ ? "," : "", f);
    mapo_json_string(f, name);
    fputc(':', f);
    mapo_json_string(f, eq + 1);
  }
  fputs("}}", f);
}
