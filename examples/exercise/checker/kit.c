/* kit.c - what the cupboard task gives the student: the notebook's list operations and
 * the pause between looking and taking (mapo's race demo, src/race/cupboard.c, has the
 * same). */
#include "checker.h"
#include "exercise.h"

enum { PAUSE_US = 200 };

void cupboard_fill(cupboard *c) {
  c->item[0] = KNIFE, c->item[1] = SPOON, c->item[2] = FORK;
  c->n = 3;
}

/* Two cooks may change the list at once (the unsafe starting file): its length is read
 * once and clamped before it is used as an index, so the race loses a utensil and never
 * writes outside the list. */
static int length(cupboard *c) {
  const int n = c->n;
  return n < 0 ? 0 : n > 3 ? 3 : n;
}

int cupboard_index(cupboard *c, int what) {
  const int n = length(c);
  for (int i = 0; i < n; i++)
    if (c->item[i] == what) return i;
  return -1;
}

int cupboard_pop(cupboard *c, int at) {
  const int n = length(c);
  if (at < 0 || at >= n) return NOTHING;
  const int got = c->item[at];
  for (int i = at; i + 1 < n; i++) c->item[i] = c->item[i + 1];
  c->n = n - 1;
  return got;
}

void cupboard_append(cupboard *c, int what) {
  const int n = length(c);
  if (n < 3 && what >= KNIFE && what < NOTHING) {
    c->item[n] = what;
    c->n = n + 1;
  }
}

/* A spin, not a sleep: a sleeping cook would give its core away. */
void cupboard_pause(void) {
  const int64_t end = mapo_now_ns() + PAUSE_US * 1000;
  while (mapo_now_ns() < end) {
  }
}
