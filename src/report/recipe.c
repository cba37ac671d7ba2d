/* recipe.c - a recipe's shape, for a person (text) and for a script (JSON): the steps in
 * the order a serial cook takes them, work and span, the critical path, parallelism,
 * width, and the lower bound on the makespan under threads and under an event loop.
 *
 * What to notice: the bound table is the same for every model of a kind; `mapo cook`
 * then says how far each model's makespan lands above it.
 * Field names in the JSON are read by scripts and tests: add fields freely, never
 * rename one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "mapo/report_recipe.h"

void mapo__path_line(FILE *f, const mapo_recipe *r, const int *path, int n) {
  /* Long paths (generated recipes) are cut in the middle. */
  for (int i = 0; i < n; i++) {
    if (n > 12 && i == 5) {
      fprintf(f, " -> ... (%d more)", n - 10);
      i = n - 6;
      continue;
    }
    fprintf(f, "%s%s", i ? " -> " : "", r->steps[path[i]].name);
  }
  fputc('\n', f);
}

void mapo__step_names_json(FILE *f, const mapo_recipe *r, const int *steps, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) {
    if (i) fputc(',', f);
    mapo_json_string(f, r->steps[steps[i]].name);
  }
  fputc(']', f);
}

/* ------------------------------------------------------------------------------ text */

int mapo_report_recipe_summary(FILE *f, const char *name, const mapo_recipe *r,
                               const mapo_recipe_stats *s) {
  /* One line whatever its width, as a compiler's message: "NAME: ok: ..." is for grep. */
  fprintf(f, "%s: ok: %d steps, work %g units, span %g units, width %d\n", name, r->nsteps, s->work,
          s->span, s->width);
  return ferror(f) ? -EIO : 0;
}

/* The table of steps, in the order a serial cook takes them (short recipes only); a long
 * list of what a step comes after folds under its column. */
static void step_table(FILE *f, int cols, const mapo_recipe *r, const mapo_recipe_stats *s) {
  fprintf(f, "  %-20s %7s  %-5s  %7s  %s\n", "step", "units", "kind", "earliest", "after");
  for (int i = 0; i < r->nsteps; i++) {
    int t = r->order[i];
    const mapo_step *st = &r->steps[t];
    char *row = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&row, &len);
    if (mem == NULL) return;
    fprintf(mem, "  %-20s %7g  %-5s  %7g  ", st->name, st->units,
            st->kind == MAPO_HANDS ? "hands" : "wait", s->earliest[t]);
    for (int j = 0; j < st->npred; j++)
      fprintf(mem, "%s%s", j ? ", " : "", r->steps[st->pred[j]].name);
    if (st->npred == 0) fputs("-", mem);
    for (int j = 0; j < st->nuse; j++)
      fprintf(mem, "%s%d %s", j ? ", " : "   [holds ", st->use[j].count,
              r->utensils[st->use[j].utensil].name);
    if (st->nuse) fputc(']', mem);
    if (fclose(mem) != 0) { /* what was written is not to be trusted */
      free(row);
      row = NULL;
    }
    if (row != NULL) mapo_report_line(f, cols, 48, "%s", row);
    free(row);
  }
  fputc('\n', f);
}

int mapo_report_recipe_text(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s,
                            mapo_text_width w) {
  const int cols = mapo_report_width(w);
  char *head = NULL, *path = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&head, &len);
  if (mem == NULL) return -ENOMEM;
  fprintf(mem, "recipe: %s (%d steps", r->title, r->nsteps);
  if (r->nutensils > 0) {
    fputs("; utensils:", mem);
    for (int u = 0; u < r->nutensils; u++)
      fprintf(mem, " %d %s", r->utensils[u].count, r->utensils[u].name);
  }
  fputc(')', mem);
  if (fclose(mem) != 0) { /* what was written is not to be trusted */
    free(head);
    head = NULL;
  }
  if (head != NULL) mapo_report_line(f, cols, 2, "%s", head);
  free(head);
  fputc('\n', f);
  if (r->nsteps <= 40) step_table(f, cols, r, s);
  fprintf(f, "  work         %g units (%g of them by hand)\n", s->work, s->hands_work);
  if ((mem = open_memstream(&path, &len)) != NULL) {
    mapo__path_line(mem, r, s->path, s->npath);
    if (fclose(mem) != 0) { /* what was written is not to be trusted */
      free(path);
      path = NULL;
    }
  }
  if (path != NULL) mapo_report_line(f, cols, 15, "  span         %g units: %s", s->span, path);
  free(path);
  mapo_report_line(f, cols, 15,
                   "  parallelism  %.2f (work / span): no more cooks than that can keep busy on "
                   "average",
                   s->parallelism);
  mapo_report_line(f, cols, 15,
                   "  width        %d steps at once at the peak, if each starts as early as it "
                   "may",
                   s->width);
  fputc('\n', f);
  mapo_report_paragraph(f, cols, "  ", "  ",
                        "lower bound on the makespan, units (max of span, occupied work / "
                        "cooks, utensils):");
  fprintf(f, "  %6s  %10s  %10s\n", "cooks", "threads", "event loop");
  int top = s->width < 8 ? s->width : 8;
  for (int p = 1; p <= top; p++)
    fprintf(f, "  %6d  %10g  %10g\n", p, mapo_recipe_bound(r, s, MAPO_HOLD_ALL, p),
            mapo_recipe_bound(r, s, MAPO_HOLD_HANDS, p));
  if (r->rice >= 0) {
    fputc('\n', f);
    mapo_report_line(f, cols, 8, "  rice: %g degrees when '%s' ends, %g lost per unit until served",
                     r->rice_temp, r->steps[r->rice].name, r->rice_rate);
  }
  return ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------------------ JSON */

int mapo_report_recipe_json(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s) {
  fputs("{\"title\":", f);
  mapo_json_string(f, r->title);
  fprintf(f, ",\"steps\":%d,\"work_units\":", r->nsteps);
  mapo_json_number(f, s->work);
  mapo_json_member(f, "hands_units", s->hands_work);
  mapo_json_member(f, "span_units", s->span);
  mapo_json_member(f, "parallelism", s->parallelism);
  fprintf(f, ",\"width\":%d,\"critical_path\":", s->width);
  mapo__step_names_json(f, r, s->path, s->npath);
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
