/* mapo/report_pingpong.h - `mapo-mpi pingpong` as text and JSON: a row per message size
 * (the IMB way: half a round trip, averaged over repetitions adapted to the size), and
 * what the smallest and the largest message mean beside a task of 5 ms.
 *
 * The judging sentences are chosen from the numbers, here and nowhere else:
 *  - a message against the work it accompanies (mapo_pingpong_share_of): its cost as a
 *    share of the task decides negligible (under 1%), noticeable (under 10%),
 *    significant (under the task) or dominant (the task's own length or more); the
 *    notebook's "information exchange can cause significant overhead" is said only when
 *    the share says so, and the sentence names the task length at which it would;
 *  - a pair across nodes against a pair on one node (mapo_pingpong_nodes_verdict):
 *    mapo_verdict_of (mapo/verdict.h) on the empty message's cost.
 *
 * mapo-mpi measures and fills these plain structs; the JSON keys are read by scripts
 * and tests: add keys freely, never rename one.
 */
#ifndef MAPO_REPORT_PINGPONG_H
#define MAPO_REPORT_PINGPONG_H

#include <stddef.h>
#include <stdio.h>

#include "verdict.h"

/* The task the messages are measured against: 5 ms, a step worth handing to another
 * process (the notebook's recipe steps are hundreds of ms). */
#define MAPO_PINGPONG_TASK_USEC 5000.0
/* The shares of the task where a message stops being negligible, and where it becomes
 * significant: a hundredth is lost in any run's noise; a tenth is a price one pays. */
#define MAPO_PINGPONG_SHARE_NOTICEABLE 0.01
#define MAPO_PINGPONG_SHARE_SIGNIFICANT 0.10

/* One message size. */
typedef struct mapo_pingpong_row {
  int bytes;
  int repetitions;       /* round trips timed as one block */
  double usec;           /* one message: half a round trip, averaged */
  double mbytes_per_sec; /* bytes / usec (1 MB = 1e6 bytes) */
} mapo_pingpong_row;

typedef struct mapo_pingpong_report {
  int ranks;     /* in the job; ranks 0 and 1 measured */
  int max_bytes; /* the largest size asked for */
  int nrows;     /* 0 bytes first, then 1, 2, 4, ... */
  const mapo_pingpong_row *rows;
  int peer;         /* the rank that answered rank 0 (0 reads as 1, the first one) */
  const char *pair; /* where the pair ran, in words ("one node"), or NULL */
  int columns;      /* the text's width (mapo_report_paragraph): 0 unwrapped */
} mapo_pingpong_report;

/* A message's cost against the task it accompanies. */
typedef enum {
  MAPO_PINGPONG_UNTIMED,     /* no positive finite cost (or task): nothing to judge */
  MAPO_PINGPONG_NEGLIGIBLE,  /* under MAPO_PINGPONG_SHARE_NOTICEABLE of the task */
  MAPO_PINGPONG_NOTICEABLE,  /* under MAPO_PINGPONG_SHARE_SIGNIFICANT */
  MAPO_PINGPONG_SIGNIFICANT, /* under the task itself */
  MAPO_PINGPONG_DOMINANT     /* the task's length or more */
} mapo_pingpong_share;

mapo_pingpong_share mapo_pingpong_share_of(double cost_usec, double task_usec);
/* "untimed", "negligible", "noticeable", "significant", "dominant" (the JSON's). */
const char *mapo_pingpong_share_name(mapo_pingpong_share c);
/* The sentence for one row against a task of task_usec: "An empty message costs 0.52
 * us, 1/9615 of a 5 ms task: negligible beside work of that size; ...". Returns its
 * class. */
mapo_pingpong_share mapo_pingpong_sentence(char *buf, size_t size, const mapo_pingpong_row *row,
                                           double task_usec);
/* The pair across nodes against the pair on one node, from their empty messages:
 * "Across nodes an empty message costs 25x what it costs on one node ...". Either may
 * be NULL (or have no rows): MISSING, buf "". */
mapo_verdict_class mapo_pingpong_nodes_verdict(char *buf, size_t size,
                                               const mapo_pingpong_report *within,
                                               const mapo_pingpong_report *across);

/* The table and what the first and the last row cost against a 5 ms task. */
int mapo_report_pingpong_text(FILE *f, const mapo_pingpong_report *r);
/* The nodes' verdict as a paragraph (nothing when it is MISSING). */
int mapo_report_pingpong_nodes_text(FILE *f, int columns, const mapo_pingpong_report *within,
                                    const mapo_pingpong_report *across);
/* One line: {"lesson":"pingpong", ..., "rows": [...], "environment": {...}}; with the
 * empty and the largest message's share of the task ("empty_share", "empty_verdict",
 * "largest_share", "largest_verdict"). */
int mapo_report_pingpong_json(FILE *f, const mapo_pingpong_report *r);

#endif
