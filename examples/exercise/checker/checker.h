/* checker.h - the graded exercises' checker: one check per task, each run in a process
 * of its own by grade.c, each ending in a status and one sentence.
 *
 * A check runs the student's code through mapo's harness (the kitchen, which enforces
 * its rules; the sum's timing and verification) and judges a speed target only from
 * the spread of its runs (mapo/verdict.h): where the runs spread wide the machine was
 * busy and nothing is judged. With --no-speed (the tests) a check judges correctness
 * and the kitchen's rules only, so that its result never depends on the machine.
 */
#ifndef MAPO_EXERCISE_CHECKER_H
#define MAPO_EXERCISE_CHECKER_H

#include <stddef.h>

typedef enum {
  GRADE_PASSED = 0,  /* the task is done */
  GRADE_FIX = 1,     /* something to fix: the sentence says what */
  GRADE_UNJUDGED = 3 /* correct, but the speed could not be judged (a busy machine) */
} grade_status;

typedef struct grade_opts {
  int speed;      /* 0: --no-speed, correctness and rules only */
  double unit_ms; /* the cooking task's unit */
} grade_opts;

/* Each check: the status, and its sentence in text (without "passed:" or "to fix:"). */
typedef grade_status (*grade_fn)(const grade_opts *o, char *text, size_t size);
grade_status grade_cook(const grade_opts *o, char *text, size_t size);
grade_status grade_sum(const grade_opts *o, char *text, size_t size);
grade_status grade_cupboard(const grade_opts *o, char *text, size_t size);

/* The cupboard of a trial, full: knife, spoon, fork (kit.c). */
struct cupboard;
void cupboard_fill(struct cupboard *c);

#endif
