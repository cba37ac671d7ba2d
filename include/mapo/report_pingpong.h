/* mapo/report_pingpong.h - `mapo-mpi pingpong` as text and JSON: a row per message size
 * (the IMB way: half a round trip, averaged over repetitions adapted to the size), and
 * what the smallest and the largest message mean for a task of 5 ms.
 *
 * mapo-mpi measures and fills these plain structs; the JSON keys are read by scripts
 * and tests: add keys freely, never rename one.
 */
#ifndef MAPO_REPORT_PINGPONG_H
#define MAPO_REPORT_PINGPONG_H

#include <stdio.h>

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
} mapo_pingpong_report;

/* The table and what the first and the last row cost against a 5 ms task. */
int mapo_report_pingpong_text(FILE *f, const mapo_pingpong_report *r);
/* One line: {"lesson":"pingpong", ..., "rows": [...], "environment": {...}}. */
int mapo_report_pingpong_json(FILE *f, const mapo_pingpong_report *r);

#endif
