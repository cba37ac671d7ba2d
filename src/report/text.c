/* text.c - the reports a person reads: a recipe's shape, a cooking run's figures. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mapo/report.h"

static void path_line(FILE *f, const mapo_recipe *r, const int *path, int n) {
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

int mapo_report_recipe_text(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s) {
  fprintf(f, "recipe: %s (%d steps", r->title, r->nsteps);
  if (r->nutensils > 0) {
    fputs("; utensils:", f);
    for (int u = 0; u < r->nutensils; u++)
      fprintf(f, " %d %s", r->utensils[u].count, r->utensils[u].name);
  }
  fputs(")\n\n", f);
  if (r->nsteps <= 40) {
    fprintf(f, "  %-20s %7s  %-5s  %7s  %s\n", "step", "units", "kind", "earliest", "after");
    for (int i = 0; i < r->nsteps; i++) {
      int t = r->order[i];
      const mapo_step *st = &r->steps[t];
      fprintf(f, "  %-20s %7g  %-5s  %7g  ", st->name, st->units,
              st->kind == MAPO_HANDS ? "hands" : "wait", s->earliest[t]);
      for (int j = 0; j < st->npred; j++) fprintf(f, "%s%s", j ? ", " : "", r->steps[st->pred[j]].name);
      if (st->npred == 0) fputs("-", f);
      for (int j = 0; j < st->nuse; j++)
        fprintf(f, "%s%d %s", j ? ", " : "   [holds ", st->use[j].count,
                r->utensils[st->use[j].utensil].name);
      fputs(st->nuse ? "]\n" : "\n", f);
    }
    fputc('\n', f);
  }
  fprintf(f, "  work         %g units (%g of them by hand)\n", s->work, s->hands_work);
  fprintf(f, "  span         %g units: ", s->span);
  path_line(f, r, s->path, s->npath);
  fprintf(f, "  parallelism  %.2f (work / span): no more cooks than that can keep busy on average\n",
          s->parallelism);
  fprintf(f, "  width        %d steps at once at the peak, if each starts as early as it may\n",
          s->width);
  fputs("\n  lower bound on the makespan, units (max of span, occupied work / cooks, utensils):\n",
        f);
  fprintf(f, "  %6s  %10s  %10s\n", "cooks", "threads", "event loop");
  int top = s->width < 8 ? s->width : 8;
  for (int p = 1; p <= top; p++)
    fprintf(f, "  %6d  %10g  %10g\n", p, mapo_recipe_bound(r, s, MAPO_HOLD_ALL, p),
            mapo_recipe_bound(r, s, MAPO_HOLD_HANDS, p));
  if (r->rice >= 0)
    fprintf(f, "\n  rice: %g degrees when '%s' ends, %g lost per unit until served\n",
            r->rice_temp, r->steps[r->rice].name, r->rice_rate);
  return ferror(f) ? -EIO : 0;
}

int mapo_report_cook_text(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s) {
  const mapo_recipe *r = k->recipe;
  fprintf(f, "\nmapo cook: %s, model %s, %d cook%s, 1 unit = %g ms\n\n", r->title, m->name,
          s->cooks, s->cooks == 1 ? "" : "s", k->unit_ms);
  if (k->unit_ns > 0) {
    fprintf(f, "  makespan     %9.3f units  (%.3f ms)\n", s->makespan_units, s->makespan_ms);
    fprintf(f, "  lower bound  %9.3f units  max(span %g, %swork %g / %d cook%s%s)\n",
            s->bound_units, s->span_units, m->hold == MAPO_HOLD_ALL ? "" : "hands ",
            m->hold == MAPO_HOLD_ALL ? s->work_units : k->stats.hands_work, s->cooks,
            s->cooks == 1 ? "" : "s", r->nutensils ? ", utensils" : "");
  } else {
    fprintf(f, "  makespan     %9.3f ms for %d steps: %.3f us a step, all of it runtime "
            "(a unit is 0 ms)\n", s->makespan_ms, r->nsteps, s->makespan_ms * 1000 / r->nsteps);
  }
  fprintf(f, "  overhead     %9.3f ms     measured makespan minus the bound\n", s->overhead_ms);
  fprintf(f, "    dispatch   %9.3f ms     start minus ready along the deciding path: the "
          "model's own cost\n", s->dispatch_ms);
  fprintf(f, "    oversleep  %9.3f ms     steps of that path running past their time (the "
          "kernel wakes sleepers late)\n", s->oversleep_ms);
  fprintf(f, "  team         %9.3f ms     assembling the cooks (fork, waking threads) before the "
          "clock started\n", s->team_ms);
  fprintf(f, "  cpu          %9.3f ms     CPU time of every thread meanwhile (%.1f%% of the makespan)\n",
          s->cpu_ms, s->makespan_ms > 0 ? 100 * s->cpu_ms / s->makespan_ms : 0.0);
  if (!isnan(s->rice_temperature))
    fprintf(f, "  rice         %9.1f degrees (%g when boiled, %g lost per unit until served)\n",
            s->rice_temperature, r->rice_temp, r->rice_rate);
  fputs("  decided by   ", f);
  path_line(f, r, s->path, s->npath);
  fprintf(f, "\n  %s\n", m->lesson);
  return ferror(f) ? -EIO : 0;
}
