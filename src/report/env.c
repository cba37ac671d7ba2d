/* env.c - the environment a measurement was taken in, as the JSON object that every
 * command's --json carries under "environment".
 *
 * The facts come from the core (mapo_env_gather in src/core/env.c); this file only
 * writes them. Field names are read by scripts and tests: add fields, never rename one.
 */
#include <errno.h>
#include <stdio.h>

#include "mapo/report.h"
#include "mapo/report_env.h"

int mapo_report_env_json(FILE *f, const mapo_env *e) {
  fputs("{\"compiler\":", f);
  mapo_json_string(f, e->compiler);
  fputs(",\"flags\":", f);
  mapo_json_string(f, e->flags);
  fprintf(f, ",\"processors_online\":%ld", e->processors_online);
  fputs(",\"host\":", f);
  mapo_json_string(f, e->host);
  fputs(",\"kernel\":", f);
  mapo_json_string(f, e->kernel);
  fputs(",\"machine\":", f);
  mapo_json_string(f, e->machine);
  fputs(",\"sum_kernel\":", f);
  mapo_json_string(f, e->sum_kernel != NULL ? e->sum_kernel : "unknown");
  fputs(",\"variables\":{", f);
  for (int i = 0; i < e->nvars; i++) {
    fputs(i ? "," : "", f);
    mapo_json_string(f, e->vars[i].name);
    fputc(':', f);
    mapo_json_string(f, e->vars[i].value);
  }
  fputs("}}", f);
  return ferror(f) ? -EIO : 0;
}

void mapo_report_environment_json(FILE *f) {
  mapo_env e;
  /* Out of memory, the variables are missing but the object stays whole: the caller's
   * JSON around it must still parse. */
  (void)mapo_env_gather(&e);
  (void)mapo_report_env_json(f, &e);
  mapo_env_free(&e);
}
