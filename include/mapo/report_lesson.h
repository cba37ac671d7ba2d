/* mapo/report_lesson.h - the lesson page (`mapo lesson --html FILE`): the notebook's
 * lessons in one self-contained HTML file to project or print, drawn from the JSON that
 * mapo and mapo-mpi print with --json.
 *
 * The page is made of those documents and nothing else: `mapo lesson` runs the
 * commands and hands over what they printed; `mapo lesson --from DIR` hands over the
 * files a job wrote. So a chart in the page shows what the command printed, measured
 * the same way, and a Slurm job's results draw the same page as a run in class.
 *
 * Sections, in the notebook's order (each an id a test or a link can find): recipe,
 * cooking, races, sums, scaling, io, compare, environment. A section with nothing to
 * draw says which command would fill it. The page has no script, loads nothing (a
 * Content-Security-Policy of default-src 'none' says so to the browser), and carries
 * its SVG charts and CSS inline, with print rules.
 */
#ifndef MAPO_REPORT_LESSON_H
#define MAPO_REPORT_LESSON_H

#include <stddef.h>
#include <stdio.h>

typedef struct mapo_lesson mapo_lesson;

/* An empty page; NULL when memory ran out. */
mapo_lesson *mapo_lesson_new(void);
void mapo_lesson_free(mapo_lesson *l);

/* One sentence under the title: how the results were made ("measured now on this
 * machine at a class's size", "read from results/"). */
void mapo_lesson_origin(mapo_lesson *l, const char *sentence);

/* Add one JSON document that mapo or mapo-mpi printed; `source` names it in the page
 * (a file name, or the command). Returns the kind recognised from its keys (0 or more),
 * MAPO_EINVAL when the text is not JSON or not mapo's, -ENOMEM. */
int mapo_lesson_add_json(mapo_lesson *l, const char *text, size_t len, const char *source);
/* How many documents were recognised, and how many of them a section draws. */
int mapo_lesson_count(const mapo_lesson *l);
int mapo_lesson_drawn(const mapo_lesson *l);

/* The page. Returns 0, or -EIO when the stream failed. */
int mapo_report_lesson_html(FILE *f, const mapo_lesson *l);
/* The same in the shape mapo_report_write_file() takes (`lesson` a const mapo_lesson *). */
int mapo_report_lesson_writer(FILE *f, const void *lesson);

#endif
