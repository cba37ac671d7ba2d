/* mapo/report_recipe.h - a recipe's shape as text and JSON (`mapo recipe show`): its
 * steps, work, span and critical path, parallelism, width, and the lower bound on the
 * makespan for 1, 2, ... cooks. */
#ifndef MAPO_REPORT_RECIPE_H
#define MAPO_REPORT_RECIPE_H

#include <stdio.h>

#include "recipe.h"
#include "report.h"

/* Each returns 0, or -EIO when the stream failed. */
/* One line for `mapo recipe check`: "NAME: ok: 8 steps, work 23 units, span 9 units,
 * width 3", never folded (NAME is the user's path: a message for grep, as a compiler's). */
int mapo_report_recipe_summary(FILE *f, const char *name, const mapo_recipe *r,
                               const mapo_recipe_stats *s);
int mapo_report_recipe_text(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s,
                            mapo_text_width w);
int mapo_report_recipe_json(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s);

#endif
