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

void mapo_json_member(FILE *f, const char *key, double v) {
  fprintf(f, ",\"%s\":", key);
  mapo_json_number(f, v);
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
  mapo_json_member(f, "hands_units", s->hands_work);
  mapo_json_member(f, "span_units", s->span);
  mapo_json_member(f, "parallelism", s->parallelism);
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
    mapo_json_member(f, "event_loop_units", mapo_recipe_bound(r, s, MAPO_HOLD_HANDS, p));
    fputc('}', f);
  }
  fputs("],\"rice\":", f);
  if (r->rice >= 0) {
    fputs("{\"step\":", f);
    mapo_json_string(f, r->steps[r->rice].name);
    mapo_json_member(f, "degrees", r->rice_temp);
    mapo_json_member(f, "loss_per_unit", r->rice_rate);
    fputc('}', f);
  } else {
    fputs("null", f);
  }
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* ,"key": a time in units, or null when a unit is 0 ms. */
static void units(FILE *f, const char *key, const mapo_kitchen *k, double ns) {
  mapo_json_member(f, key, k->unit_ns > 0 ? ns / k->unit_ns : NAN);
}

int mapo_report_cook_json_fields(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                                 const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  int has_units = k->unit_ns > 0;
  fputs("\"model\":", f);
  mapo_json_string(f, m->name);
  fputs(",\"recipe\":", f);
  mapo_json_string(f, r->title);
  fprintf(f, ",\"cooks\":%d,\"blocking\":%s,\"unit_ms\":", s->cooks,
          k->blocking ? "true" : "false");
  mapo_json_number(f, k->unit_ms);
  mapo_json_member(f, "makespan_units", s->makespan_units);
  mapo_json_member(f, "makespan_ms", s->makespan_ms);
  mapo_json_member(f, "span_units", has_units ? s->span_units : NAN);
  mapo_json_member(f, "work_units", has_units ? s->work_units : NAN);
  mapo_json_member(f, "bound_units", has_units ? s->bound_units : NAN);
  mapo_json_member(f, "bound_ms", s->bound_units * k->unit_ms);
  mapo_json_member(f, "overhead_ms", s->overhead_ms);
  mapo_json_member(f, "dispatch_ms", s->dispatch_ms);
  mapo_json_member(f, "oversleep_ms", s->oversleep_ms);
  mapo_json_member(f, "team_ms", s->team_ms);
  mapo_json_member(f, "cpu_ms", s->cpu_ms);
  mapo_json_member(f, "us_per_step", s->makespan_ms * 1000.0 / r->nsteps);
  mapo_json_member(f, "rice_temperature", s->rice_temperature);
  fputs(",\"decided_by\":", f);
  names(f, r, s->path, s->npath);
  fputs(",\"steps\":[", f);
  for (int t = 0; t < r->nsteps; t++) {
    const mapo_slot *sl = &k->slots[t];
    fputs(t ? ",{\"name\":" : "{\"name\":", f);
    mapo_json_string(f, r->steps[t].name);
    fprintf(f, ",\"worker\":%d", sl->worker);
    units(f, "ready_units", k, (double)mapo_kitchen_ready_ns(k, t));
    units(f, "start_units", k, (double)sl->start_ns);
    units(f, "end_units", k, (double)sl->end_ns);
    mapo_json_member(f, "start_ms", (double)sl->start_ns / 1e6);
    mapo_json_member(f, "end_ms", (double)sl->end_ns / 1e6);
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
