/* mapo/verdict.h - how every lesson judges one measurement against another: the class of
 * the comparison comes from the numbers and their spread, and each lesson words its
 * sentence from the class (never from a fixed text with numbers poured in).
 *
 * The rule (mapo_verdict_of), in this order:
 *   missing  a median that is not a positive finite number (a cell that did not run);
 *   noisy    the two ranges [min, max] overlap and one of them is wider than
 *            MAPO_VERDICT_BUSY_SPREAD (max/min): the machine was busy, and which one is
 *            faster depends on which runs the busy moments hit, so there is no verdict;
 *   tie      the medians are within MAPO_VERDICT_TIE_BAND of each other (either way);
 *   faster   the candidate's median is below the baseline's by more than that;
 *   slower   above it by more than that.
 * Ranges that do not overlap keep their verdict however wide they are: every run of one
 * beat every run of the other. A spread that is not known (min or max NAN: one number)
 * counts as none.
 *
 * Why these bounds: on a quiet machine the five runs of a lesson stay within about 20%
 * of each other (max/min below 1.2) and two models that do the same work land within a
 * few percent; a busy core halves a run now and then (max/min near 2). A 10% band keeps
 * a lesson from claiming a win it could lose on the next run; 1.5 sits between quiet
 * and busy.
 */
#ifndef MAPO_VERDICT_H
#define MAPO_VERDICT_H

#include <stddef.h>

#include "stats.h"

#define MAPO_VERDICT_TIE_BAND 1.10
#define MAPO_VERDICT_BUSY_SPREAD 1.50

typedef enum {
  MAPO_VERDICT_MISSING,
  MAPO_VERDICT_NOISY,
  MAPO_VERDICT_TIE,
  MAPO_VERDICT_FASTER,
  MAPO_VERDICT_SLOWER
} mapo_verdict_class;

typedef struct mapo_verdict {
  mapo_verdict_class cls;
  double ratio;  /* baseline median / candidate median: above 1, the candidate is faster;
                    NAN when missing */
  double spread; /* the wider max/min of the two (1 when neither is known); NAN when
                    missing */
} mapo_verdict;

/* Judge `candidate` against `baseline` (either may be NULL: missing). */
mapo_verdict mapo_verdict_of(const mapo_spread *candidate, const mapo_spread *baseline);
/* A spread from one number (no range known): median = min = max = seconds, n = 1. */
mapo_spread mapo_verdict_one(double seconds);
/* The class in one word, the JSON's "verdict" values: "missing", "noisy", "tie",
 * "faster", "slower". */
const char *mapo_verdict_name(mapo_verdict_class cls);

/* The one sentence of a noisy verdict, for every lesson to end its own with: "the machine
 * was busy (runs 2.1x apart): no verdict". Returns buf. */
char *mapo_verdict_busy(char *buf, size_t size, const mapo_verdict *v);
/* A ratio as a sentence prints it: two decimals, more where it is below 0.1, so that a
 * loss never reads "0.00x" ("1.95x", "0.0021x"). Returns buf. */
char *mapo_verdict_ratio(char *buf, size_t size, double ratio);
/* What the candidate did to the baseline, in words: "beat", "tied with", "lost to" (and
 * "could not be compared with" for noisy or missing, which a lesson words itself). */
const char *mapo_verdict_verb(mapo_verdict_class cls);

#endif
