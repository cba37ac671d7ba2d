/* exercise.h - the three graded tasks: what each of your files defines, and what the
 * checker gives you to use. Read README.md ("Graded exercises") for the targets.
 *
 *   cook.c      exercise_cook():  the notebook's recipe with 3 cooks in at most 9.1 units
 *   sum.c       exercise_sum():   the 20 sums, verified, 1.8x faster on 2 threads
 *   cupboard.c  take_knife() and put_back(): two cooks share the one knife, and neither
 *               ever takes the wrong thing (ThreadSanitizer finds no data race)
 *
 * `cmake --build build-ex --target check` (or build-ex/grade) checks all three and prints
 * one line per task: passed, or what to fix. The reference solutions are in solutions/:
 * try first.
 */
#ifndef MAPO_EXERCISE_H
#define MAPO_EXERCISE_H

#include <mapo/mapo.h>

/* ---- task 1: cook.c ---------------------------------------------------------------
 * A cooking model (include/mapo/cook.h): it gets a kitchen set up for 3 cooks and runs
 * every step of k->recipe through mapo_kitchen_step(), keeping the kitchen's four rules
 * (README.md). Returns 0, or a negative code (-ENOMEM) when it could not cook. */
int exercise_cook(mapo_kitchen *k, mapo_diag *diag);

/* ---- task 2: sum.c ----------------------------------------------------------------
 * A sum model (include/mapo/sum.h): adds mapo_sum_squares(lo, hi) of every piece
 * mapo_sum_piece_at(job, p) into job->result[number], on job->threads threads, and sets
 * job->threads_used to the threads it ran on. Returns 0. */
int exercise_sum(mapo_sum_job *job);

/* ---- task 3: cupboard.c -----------------------------------------------------------
 * The notebook's cupboard: a list ["knife", "spoon", "fork"] that two cooks share.
 * `volatile`: every look and every change goes to memory, as in the Python list. */
enum { KNIFE, SPOON, FORK, NOTHING };
typedef struct cupboard {
  volatile int item[3];
  volatile int n;
} cupboard;

/* Yours: called by two cooks at once. take_knife returns what the cook took (KNIFE, or
 * NOTHING when it found none); put_back puts back what it took. */
int take_knife(cupboard *c);
void put_back(cupboard *c, int item);

/* Given (checker/kit.c), as in the notebook: cupboard.index(what) (-1 when absent),
 * cupboard.pop(at) (NOTHING when at is past the end), cupboard.append(what), and the
 * pause a cook takes between looking and taking (200 us, spinning: keep it between
 * them, it is what makes the race show). */
int cupboard_index(cupboard *c, int what);
int cupboard_pop(cupboard *c, int at);
void cupboard_append(cupboard *c, int what);
void cupboard_pause(void);

#endif
