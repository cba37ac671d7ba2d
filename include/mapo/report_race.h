/* mapo/report_race.h - the race lab's results as text and JSON: `mapo race` (one mode,
 * or all of a demo's modes one after the other) and `mapo-mpi cupboard` (the cupboard's
 * knife shared by ranks, each method's cost against an OpenMP lock).
 *
 * The programs run and fill these plain structs; everything here writes to the FILE*
 * handed over and returns 0, or MAPO_EINVAL for a result it cannot report. The JSON
 * keys are read by scripts and tests: add keys freely, never rename one.
 */
#ifndef MAPO_REPORT_RACE_H
#define MAPO_REPORT_RACE_H

#include <stdio.h>

#include "race.h"
#include "report.h"
#include "verdict.h"

/* One mode's run. */
typedef struct mapo_race_outcome {
  const mapo_race_mode *mode;
  mapo_race_result result;
} mapo_race_outcome;

/* What `mapo race` ran: one demo, the options every run had, and the runs. */
typedef struct mapo_race_report {
  const mapo_race_demo *demo;
  mapo_race_opts opts;
  int all; /* --mode all: the JSON is {"demo", "runs": [...]}, not one run's object */
  int nruns;
  const mapo_race_outcome *runs;
  mapo_text_width text; /* the text's width (zero: MAPO_REPORT_COLUMNS) */
} mapo_race_report;

/* Each run: its heading, failures (or updates lost), waits, the first failure in words,
 * the time and the lesson; the runs one after the other. */
int mapo_report_race_text(FILE *f, const mapo_race_report *r);
/* One run's verdict from its counts, into buf: whether the race (or the dead-lock) showed
 * in a racy mode, whether the fix held in the others; never the lesson's claim alone.
 * Returns 1 when the run showed what its mode is there to show, 0 when not. */
int mapo_race_verdict(char *buf, size_t size, const mapo_race_demo *d,
                      const mapo_race_outcome *run);
/* One line: the run's object, or {"demo","runs":[...]} for --mode all. */
int mapo_report_race_json(FILE *f, const mapo_race_report *r);

/* One way of sharing the cupboard's knife between ranks (or threads, for the reference). */
typedef struct mapo_cupboard_method {
  const char *mode;  /* "own", "token", "onesided", "openmp-lock" */
  const char *knife; /* where the knife is, in words */
  int takes;         /* take-and-returns, over all ranks */
  int failures;      /* takes that failed, or overlapped another holder */
  int checked;       /* 0: overlaps could not be checked (the ranks span several nodes) */
  double usec;       /* the median time from one take to the next, microseconds */
} mapo_cupboard_method;

/* The sharing methods again between two ranks only, rank 0 and `peer`: what one take
 * costs when the knife stays on one node, and when it crosses the network. */
typedef struct mapo_cupboard_pair {
  const char *where; /* "one node", "across nodes" */
  int peer;
  int nmethods;
  const mapo_cupboard_method *methods; /* takes of the pair: 2 x trials */
} mapo_cupboard_pair;

/* `mapo-mpi cupboard`: the methods, the OpenMP lock (the reference) last. */
typedef struct mapo_cupboard_report {
  int ranks, trials;
  int same_node; /* every rank on one node, so one clock: overlaps were checked */
  int crowded;   /* more ranks than processors on a node: the times are mostly waiting */
  int nmethods;
  const mapo_cupboard_method *methods;
  int nodes;  /* how many nodes the ranks ran on (0: not known) */
  int npairs; /* the pairs measured: on rank 0's node, across nodes, each where one exists */
  const mapo_cupboard_pair *pairs;
  int columns; /* the text's width (mapo_report_paragraph): 0 unwrapped */
} mapo_cupboard_report;

/* A table, a row per method with its cost in units of the reference's, and the lesson. */
/* The cupboard's closing sentence, from the methods' times (mapo/verdict.h): which
 * exchanges cost more than the lock (the last method) and which did not. */
void mapo_cupboard_verdict(char *buf, size_t size, const mapo_cupboard_report *r);
/* The pairs' sentence (mapo/verdict.h): per method, a take across nodes against one on a
 * node; or that all ranks share one node (or none shares one), so there is no pair to
 * compare. Returns the class of the first method judged, else MAPO_VERDICT_MISSING
 * (buf "" where no pair was measured at all). */
mapo_verdict_class mapo_cupboard_nodes_verdict(char *buf, size_t size,
                                               const mapo_cupboard_report *r);
int mapo_report_cupboard_text(FILE *f, const mapo_cupboard_report *r);
/* One line: {"lesson":"cupboard", ..., "methods": [...], "pairs": [{"pair", "peer",
 * "methods"}], "nodes_verdict", "nodes_sentence", "environment": {...}}. */
int mapo_report_cupboard_json(FILE *f, const mapo_cupboard_report *r);

#endif
