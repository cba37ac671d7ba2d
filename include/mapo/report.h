/* mapo/report.h - turning measured runs into text, JSON, charts and files.
 *
 * Everything here writes to a FILE* the program hands over: the library itself never
 * chooses to print. Output files go through mapo_report_write_file(), which writes a
 * temporary file in the same folder and renames it into place, so a killed run never
 * leaves half a file under the name asked for.
 */
#ifndef MAPO_REPORT_H
#define MAPO_REPORT_H

#include <stdio.h>

#include "cook.h"
/* The environment a measurement was taken in: gathered by the core (env.h), written as
 * JSON by mapo_report_environment_json. */
#include "report_env.h"

/* JSON helpers: a string with its quotes and escapes; a number or null. */
void mapo_json_string(FILE *f, const char *s);
void mapo_json_number(FILE *f, double v); /* NAN and infinities become null */
/* ,"key":v  -- a member after the first, its number or null. */
void mapo_json_member(FILE *f, const char *key, double v);

/* The recipe: steps, work, span, critical path, width, bounds. */
int mapo_report_recipe_text(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s);
int mapo_report_recipe_json(FILE *f, const mapo_recipe *r, const mapo_recipe_stats *s);

/* One cooking run. */
int mapo_report_cook_text(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s);
/* The fields of one run as the members of a JSON object, without the braces, so that
 * a caller can add its own. */
int mapo_report_cook_json_fields(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                                 const mapo_cook_summary *s);
int mapo_report_cook_json(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s);
/* A text Gantt chart, one row per worker, `columns` characters of time axis. */
int mapo_report_gantt(FILE *f, const mapo_kitchen *k, const mapo_cook_summary *s,
                      int columns);
/* Chrome trace-event JSON (opens in Perfetto and chrome://tracing), a row per worker. */
int mapo_report_trace(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k);
/* An SVG Gantt chart, the path that decided the makespan highlighted. */
int mapo_report_svg(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                    const mapo_cook_summary *s);

/* Write a file through `write`, all or nothing: a temporary name in the same folder,
 * then rename(). Returns 0 or a negative code (-errno); on failure nothing is left. */
typedef int (*mapo_writer)(FILE *f, const void *arg);
int mapo_report_write_file(const char *path, mapo_writer writer, const void *arg);

#endif
