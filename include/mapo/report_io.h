/* mapo/report_io.h - the report of `mapo io`: one mapo_io_result (mapo/io.h, filled by
 * mapo_io_time) in, text or one JSON object out, to the FILE* the program hands over.
 *
 * What the reports say comes from the model's row in mapo_io_models: what its width is
 * called, what it set up before the clock, its baseline; none of them asks for a model
 * by name. Both return 0, or -EIO when the stream failed.
 */
#ifndef MAPO_REPORT_IO_H
#define MAPO_REPORT_IO_H

#include <stdio.h>

#include "io.h"
#include "report.h"

/* The run in words: the setup, the spread, the ideal (or the baseline) and what is
 * above it, whether every answer came back right, the loop's work, the lesson. */
int mapo_report_io_text(FILE *f, const mapo_io_result *r, mapo_text_width w);
/* The same as one JSON object and a newline, with every run's time and the environment. */
int mapo_report_io_json(FILE *f, const mapo_io_result *r);

#endif
