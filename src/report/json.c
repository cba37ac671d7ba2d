/* json.c - the JSON contract of DESIGN.md: recipes and cooking runs.
 *
 * Field names here are read by scripts and tests: add fields freely, never rename one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "mapo/report.h"

void mapo_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p == '\t')
      fputs("\\t", f);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

void mapo_json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.10g", v);
  else
    fputs("null", f);
}

static void names(FILE *f, const mapo_recipe *r, const int *steps, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) {
    if (i) fputc(',', f);
    mapo_json_string(f, r->steps[steps[i]].name);
  }
  fputc(']', f);
}

int mapo_report_recipe_json(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s) {
  fputs("{\"title\":", f);
  mapo_json_string(f, r->title);
  fprintf(f, ",\"steps\":%d,\"work_units\":", r->nsteps);
  mapo_json_number(f, s->work);
  fputs(",\"hands_units\":", f);
  mapo_json_number(f, s->hands_work);
  fputs(",\"span_units\":", f);
  mapo_json_number(f, s->span);
  fputs(",\"parallelism\":", f);
  mapo_json_number(f, s->parallelism);
  fprintf(f, ",\"width\":%d,\"critical_path\":", s->width);
  names(f, r, s->path, s->npath);
  fputs(",\"utensils\":[", f);
  for (int u = 0; u < r->nutensils; u++) {
    fprintf(f, "%s{\"name\":", u ? "," : "");
    mapo_json_string(f, r->utensils[u].name);
    fprintf(f, ",\"count\":%d}", r->utensils[u].count);
  }
  fputs("],\"bounds\":[", f);
  for (int p = 1; p <= s->width; p++) {
    fprintf(f, "%s{\"workers\":%d,\"threads_units\":", p > 1 ? "," : "", p);
    mapo_json_number(f, mapo_recipe_bound(r, s, MAPO_HOLD_ALL, p));
    fputs(",\"event_loop_units\":", f);
    mapo_json_number(f, mapo_recipe_bound(r, s, MAPO_HOLD_HANDS, p));
    fputc('}', f);
  }
  fputs("],\"rice\":", f);
  if (r->rice >= 0) {
    fputs("{\"step\":", f);
    mapo_json_string(f, r->steps[r->rice].name);
    fputs(",\"degrees\":", f);
    mapo_json_number(f, r->rice_temp);
    fputs(",\"loss_per_unit\":", f);
    mapo_json_number(f, r->rice_rate);
    fputc('}', f);
  } else {
    fputs("null", f);
  }
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* A time in units, or null when a unit is 0 ms. */
static void units(FILE *f, const mapo_kitchen *k, double ns) {
  mapo_json_number(f, k->unit_ns > 0 ? ns / k->unit_ns : NAN);
}

int mapo_report_cook_json_fields(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                                 const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  int has_units = k->unit_ns > 0;
  fputs("\"model\":", f);
  mapo_json_string(f, m->name);
  fputs(",\"recipe\":", f);
  mapo_json_string(f, r->title);
  fprintf(f, ",\"cooks\":%d,\"unit_ms\":", s->cooks);
  mapo_json_number(f, k->unit_ms);
  fputs(",\"makespan_units\":", f);
  mapo_json_number(f, s->makespan_units);
  fputs(",\"makespan_ms\":", f);
  mapo_json_number(f, s->makespan_ms);
  fputs(",\"span_units\":", f);
  mapo_json_number(f, has_units ? s->span_units : NAN);
  fputs(",\"work_units\":", f);
  mapo_json_number(f, has_units ? s->work_units : NAN);
  fputs(",\"bound_units\":", f);
  mapo_json_number(f, has_units ? s->bound_units : NAN);
  fputs(",\"bound_ms\":", f);
  mapo_json_number(f, s->bound_units * k->unit_ms);
  fputs(",\"overhead_ms\":", f);
  mapo_json_number(f, s->overhead_ms);
  fputs(",\"dispatch_ms\":", f);
  mapo_json_number(f, s->dispatch_ms);
  fputs(",\"oversleep_ms\":", f);
  mapo_json_number(f, s->oversleep_ms);
  fputs(",\"team_ms\":", f);
  mapo_json_number(f, s->team_ms);
  fprintf(f, ",\"us_per_step\":");
  mapo_json_number(f, s->makespan_ms * 1000.0 / r->nsteps);
  fputs(",\"rice_temperature\":", f);
  mapo_json_number(f, s->rice_temperature);
  fputs(",\"decided_by\":", f);
  names(f, r, s->path, s->npath);
  fputs(",\"steps\":[", f);
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    fputs(t ? ",{\"name\":" : "{\"name\":", f);
    mapo_json_string(f, r->steps[t].name);
    fprintf(f, ",\"worker\":%d,\"ready_units\":", sl->worker);
    units(f, k, (double)mapo_kitchen_ready_ns(k, t));
    fputs(",\"start_units\":", f);
    units(f, k, (double)sl->start_ns);
    fputs(",\"end_units\":", f);
    units(f, k, (double)sl->end_ns);
    fputs(",\"start_ms\":", f);
    mapo_json_number(f, (double)sl->start_ns / 1e6);
    fputs(",\"end_ms\":", f);
    mapo_json_number(f, (double)sl->end_ns / 1e6);
    fputc('}', f);
  }
  fputc(']', f);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cook_json(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s) {
  fputc('{', f);
  int rc = mapo_report_cook_json_fields(f, m, k, s);
  fputs("}\n", f);
  return rc < 0 || ferror(f) ? -EIO : 0;
}
