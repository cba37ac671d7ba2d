/* mapo/report_cook.h - a cooking run as text, JSON, a text Gantt chart, a Chrome trace
 * and an SVG chart (`mapo cook`, `mapo-mpi cook`).
 *
 * The reports of one run take the model, the kitchen (its timeline) and the summary;
 * those of repeated runs and of every model side by side take what mapo_cook_repeat()
 * and mapo_cook_all() fill (mapo/cook.h). Each returns 0 or a negative code (-EIO when
 * the stream failed). mapo-mpi reuses them all and adds its ranks.
 */
#ifndef MAPO_REPORT_COOK_H
#define MAPO_REPORT_COOK_H

#include <stdio.h>

#include "cook.h"
#include "report.h"
#include "verdict.h"

/* One cooking run: the figures, the path that decided the makespan, the lesson, the
 * longest a step's result waited (and the --blocking sentence when every step blocked),
 * folded to MAPO_REPORT_COLUMNS. */
int mapo_report_cook_text(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s);
/* The fields of one run as the members of a JSON object, without the braces, so that
 * a caller can add its own. */
int mapo_report_cook_json_fields(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                                 const mapo_cook_summary *s);
int mapo_report_cook_json(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                          const mapo_cook_summary *s);

/* The makespan (its spread over the runs, ms) judged against the lower bound no schedule
 * can beat (mapo_verdict_of, the bound the baseline): "at the bound: the makespan is
 * 1.01x ...", "above the bound: ... 1.35x ...", or the machine was busy. Nothing
 * (MAPO_VERDICT_MISSING, buf "") when there is no bound (a unit of 0 ms). */
mapo_verdict_class mapo_cook_verdict(char *buf, size_t size, const mapo_spread *makespan_ms,
                                     double bound_ms);
/* Repeated runs, folded to w (mapo_report_width): the median run's text report, then (when there
 * was more than one run) the median, min and max of the makespan, dispatch and oversleep. */
int mapo_report_cook_run_text(FILE *f, const mapo_cook_run *x, mapo_text_width w);
/* The median run's JSON object with "repeat" and "spread" added, on one line. */
int mapo_report_cook_run_json(FILE *f, const mapo_cook_run *x);

/* Every model side by side: a table (the team's column with w.wide) and each model's
 * lesson, or one JSON object with a
 * run per model (a model the recipe does not fit: its name and "error"). */
int mapo_report_cook_lineup_text(FILE *f, const mapo_cook_lineup *l, mapo_text_width w);
int mapo_report_cook_lineup_json(FILE *f, const mapo_cook_lineup *l);

/* The charts of one run, cook's alone (src/report/cook_*.c). */
/* A text Gantt chart, one row per worker, `columns` characters of time axis (a line is
 * 12 columns wider). */
int mapo_report_gantt(FILE *f, const mapo_kitchen *k, const mapo_cook_summary *s, int columns);
/* Chrome trace-event JSON (opens in Perfetto and chrome://tracing), a row per worker. */
int mapo_report_trace(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k);
/* An SVG Gantt chart, the path that decided the makespan highlighted. */
int mapo_report_svg(FILE *f, const mapo_cook_model *m, const mapo_kitchen *k,
                    const mapo_cook_summary *s);
/* The trace and the SVG chart written to a file through mapo_report_write_file(). */
int mapo_report_trace_file(const char *path, const mapo_cook_model *m, const mapo_kitchen *k);
int mapo_report_svg_file(const char *path, const mapo_cook_model *m, const mapo_kitchen *k,
                         const mapo_cook_summary *s);

#endif
