/* cook_gantt.c - a cooking run's text Gantt chart (`mapo cook --gantt`): a row per cook,
 * time running to the right.
 *
 * Each step is drawn [name===] over the columns it ran; steps on the path that
 * decided the makespan are drawn with '#' instead of '='.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/report_cook.h"

int mapo_report_gantt(FILE *f, const mapo_kitchen *k, const mapo_cook_summary *s, int columns) {
  const mapo_recipe *r = k->recipe;
  if (columns < 10) columns = 10;
  double end = (double)k->makespan_ns;
  if (end <= 0) end = 1;
  const int workers = mapo__cook_workers(k);
  char *row = malloc((size_t)columns + 1);
  char *on_path = mapo__cook_on_path(k, s);
  if (row == NULL || on_path == NULL) {
    free(row);
    free(on_path);
    return -ENOMEM;
  }
  int unit_axis = k->unit_ns > 0;
  /* The end of the axis is labelled inside it, so that the header is no wider than a
   * row: 12 columns beside the axis. */
  char label[48];
  snprintf(label, sizeof label, "%.1f %s", unit_axis ? s->makespan_units : s->makespan_ms,
           unit_axis ? "units" : "ms");
  fprintf(f, "\n  %-8s|0%*s|\n", "", columns - 1, label);
  for (int w = 0; w < workers; w++) {
    memset(row, ' ', (size_t)columns);
    row[columns] = '\0';
    for (int t = 0; t < r->nsteps; t++) {
      const mapo_slot *sl = &k->slots[t];
      if (sl->worker != w) continue;
      int c0 = (int)((double)sl->start_ns / end * columns);
      int c1 = (int)((double)sl->end_ns / end * columns + 0.5);
      if (c0 >= columns) c0 = columns - 1;
      if (c1 > columns) c1 = columns;
      if (c1 <= c0) c1 = c0 + 1;
      char fill = on_path[t] ? '#' : '=';
      for (int c = c0; c < c1; c++) row[c] = fill;
      int width = c1 - c0;
      if (width >= 3) {
        row[c0] = '[';
        row[c1 - 1] = ']';
        size_t n = strlen(r->steps[t].name);
        if (n > (size_t)width - 2) n = (size_t)width - 2;
        memcpy(row + c0 + 1, r->steps[t].name, n);
      }
    }
    fprintf(f, "  cook %-3d|%s|\n", w, row);
  }
  fputs("  ('#': the path that decided the makespan)\n", f);
  free(row);
  free(on_path);
  return ferror(f) ? -EIO : 0;
}
