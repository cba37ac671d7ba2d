/* internal.h - private to src/report: what the writers share. */
#ifndef MAPO_REPORT_INTERNAL_H
#define MAPO_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "mapo/kitchen.h"
#include "mapo/recipe.h"

/* ---- SVG (svg.c) ------------------------------------------------------------------ */

/* s with XML's special characters escaped and what is not UTF-8 or not an XML character
 * replaced by U+FFFD; at most max characters (not bytes), then "..". */
void mapo__xml_text(FILE *f, const char *s, size_t max);

/* An axis step of 1, 2 or 5 times a power of ten that gives at most `most` ticks
 * over span. */
double mapo__tick_step(double span, int most);

/* ---- a recipe's paths (recipe.c), in the recipe's and the cook's reports ---------- */

/* "a -> b -> c" and a newline; a long path (a generated recipe's) cut in the middle. */
void mapo__path_line(FILE *f, const mapo_recipe *r, const int *path, int n);
/* ["a","b","c"]: the names of n steps. */
void mapo__step_names_json(FILE *f, const mapo_recipe *r, const int *steps, int n);

/* ---- a cooking run's charts (cook.c) ---------------------------------------------- */

/* How many workers ran a step: the rows of a chart. */
int mapo__cook_workers(const mapo_kitchen *k);
/* A flag per step, set on the path that decided the makespan; NULL when out of memory.
 * The caller frees it. */
char *mapo__cook_on_path(const mapo_kitchen *k, const mapo_cook_summary *s);

#endif
