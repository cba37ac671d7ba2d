/* analyze.c - what a recipe's shape implies: work, span and critical path, width,
 * the lower bound on the makespan, and the fork-join shape that sections can run.
 *
 * Work and span are Brent's and Graham's: no schedule on P workers beats
 * max(span, work/P). Width is what the default number of cooks is set to: the peak
 * number of steps running at once if every step starts as early as it may.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/error.h"

typedef struct event {
  double t;
  int type; /* 0: a step ends, 1: a step starts, 2: a zero-length step happens */
} event;

static int event_cmp(const void *a, const void *b) {
  const event *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->type - y->type;
}

/* Peak number of steps at once in the earliest-start plan. Steps occupy [start, end):
 * one that ends when another starts does not overlap it. A zero-length step counts at
 * its instant. */
static int width_of(const mapo_recipe *r, const double *earliest) {
  event *ev = malloc(2 * (size_t)r->nsteps * sizeof *ev);
  if (ev == NULL) return -ENOMEM;
  size_t n = 0;
  for (int s = 0; s < r->nsteps; s++) {
    double u = r->steps[s].units;
    if (u > 0) {
      ev[n++] = (event){earliest[s], 1};
      ev[n++] = (event){earliest[s] + u, 0};
    } else {
      ev[n++] = (event){earliest[s], 2};
    }
  }
  qsort(ev, n, sizeof *ev, event_cmp);
  int running = 0, width = 1;
  for (size_t i = 0; i < n;) {
    int instant = 0;
    size_t j = i;
    for (; j < n && ev[j].t == ev[i].t; j++) {
      if (ev[j].type == 0) running--;
      if (ev[j].type == 1) running++;
      if (ev[j].type == 2) instant++;
    }
    if (running + instant > width) width = running + instant;
    i = j;
  }
  free(ev);
  return width;
}

int mapo_recipe_analyze(const mapo_recipe *r, mapo_recipe_stats *s) {
  if (r == NULL || s == NULL || r->nsteps <= 0) return MAPO_EINVAL;
  memset(s, 0, sizeof *s);
  int n = r->nsteps;
  s->earliest = malloc((size_t)n * sizeof *s->earliest);
  int *via = malloc((size_t)n * sizeof *via);
  s->path = malloc((size_t)n * sizeof *s->path);
  if (s->earliest == NULL || via == NULL || s->path == NULL) {
    free(via);
    mapo_recipe_stats_free(s);
    return -ENOMEM;
  }
  int last = r->order[0];
  for (int i = 0; i < n; i++) {
    int t = r->order[i];
    const mapo_step *st = &r->steps[t];
    double e = -1;
    via[t] = -1;
    for (int j = 0; j < st->npred; j++) {
      int p = st->pred[j];
      double f = s->earliest[p] + r->steps[p].units;
      if (f > e) { /* strictly: among equals the first listed stays on the path */
        e = f;
        via[t] = p;
      }
    }
    if (e < 0) e = 0;
    s->earliest[t] = e;
    s->work += st->units;
    if (st->kind == MAPO_HANDS) s->hands_work += st->units;
    if (e + st->units >= s->span) { /* ties: the later step, so a last zero-length step counts */
      s->span = e + st->units;
      last = t;
    }
  }
  /* The critical path, walked back from the step that ends last. */
  for (int t = last; t >= 0; t = via[t]) s->path[s->npath++] = t;
  for (int i = 0; i < s->npath / 2; i++) {
    // NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): path[0 .. npath-1] was written
    int tmp = s->path[i];
    s->path[i] = s->path[s->npath - 1 - i];
    s->path[s->npath - 1 - i] = tmp;
  }
  free(via);
  s->parallelism = s->span > 0 ? s->work / s->span : 0;
  s->width = width_of(r, s->earliest);
  if (s->width < 0) {
    int rc = s->width;
    mapo_recipe_stats_free(s);
    return rc;
  }
  return 0;
}

void mapo_recipe_stats_free(mapo_recipe_stats *s) {
  if (s == NULL) return;
  free(s->path);
  free(s->earliest);
  memset(s, 0, sizeof *s);
}

double mapo_recipe_bound(const mapo_recipe *r, const mapo_recipe_stats *s, mapo_hold hold,
                         int workers) {
  if (workers < 1) workers = 1;
  double occupied = hold == MAPO_HOLD_ALL ? s->work : s->hands_work;
  double bound = s->span;
  if (occupied / workers > bound) bound = occupied / workers;
  for (int u = 0; u < r->nutensils; u++) {
    double held = 0;
    for (int t = 0; t < r->nsteps; t++)
      for (int i = 0; i < r->steps[t].nuse; i++)
        if (r->steps[t].use[i].utensil == u) held += r->steps[t].units * r->steps[t].use[i].count;
    if (held / r->utensils[u].count > bound) bound = held / r->utensils[u].count;
  }
  return bound;
}

/* Chains start at the steps with no predecessor and go on while the next step is the
 * only successor and has no other predecessor. What is left must be one chain (the
 * tail) whose first step comes after the end of every chain and nothing else. */
int mapo_recipe_chains(const mapo_recipe *r, mapo_chains *c, mapo_diag *diag) {
  if (r == NULL || c == NULL) return MAPO_EINVAL;
  memset(c, 0, sizeof *c);
  int n = r->nsteps;
  c->first = malloc((size_t)n * sizeof *c->first);
  c->len = malloc((size_t)n * sizeof *c->len);
  c->steps = malloc((size_t)n * sizeof *c->steps);
  c->tail = malloc((size_t)n * sizeof *c->tail);
  char *in_chain = calloc((size_t)n, 1);
  if (!c->first || !c->len || !c->steps || !c->tail || !in_chain) {
    free(in_chain);
    mapo_chains_free(c);
    return -ENOMEM;
  }
  int nsteps = 0, rc = 0;
  for (int i = 0; i < n; i++) {
    int s = r->order[i];
    if (r->steps[s].npred > 0) continue;
    c->first[c->nchains] = nsteps;
    for (;;) {
      c->steps[nsteps++] = s;
      in_chain[s] = 1;
      const mapo_step *st = &r->steps[s];
      if (st->nsucc != 1 || r->steps[st->succ[0]].npred != 1) break;
      s = st->succ[0];
    }
    c->len[c->nchains] = nsteps - c->first[c->nchains];
    c->nchains++;
  }
  for (int i = 0; i < n; i++)
    if (!in_chain[r->order[i]]) c->tail[c->ntail++] = r->order[i];
  if (c->ntail > 0) {
    // NOLINTNEXTLINE(clang-analyzer-core.uninitialized.ArraySubscript): ntail > 0 were written
    const mapo_step *head = &r->steps[c->tail[0]];
    for (int i = 0; i < head->npred && rc == 0; i++)
      if (!in_chain[head->pred[i]])
        rc = mapo__diag(diag, r->lines[c->tail[0]], MAPO_ESHAPE,
                        "step '%s' waits for '%s', which is not the end of a chain", head->name,
                        r->steps[head->pred[i]].name);
    for (int k = 0; k < c->nchains && rc == 0; k++) {
      // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): chain k was written
      const int e = c->steps[c->first[k] + c->len[k] - 1];
      const mapo_step *end = &r->steps[e];
      if (end->nsucc != 1 || end->succ[0] != c->tail[0])
        rc = mapo__diag(diag, r->lines[e], MAPO_ESHAPE,
                        "the chain ending in '%s' does not lead to '%s' alone: the chains "
                        "do not join in one step",
                        end->name, head->name);
    }
    for (int i = 1; i < c->ntail && rc == 0; i++) {
      const mapo_step *st = &r->steps[c->tail[i]];
      if (st->npred != 1 || st->pred[0] != c->tail[i - 1] || r->steps[c->tail[i - 1]].nsucc != 1)
        rc = mapo__diag(diag, r->lines[c->tail[i]], MAPO_ESHAPE,
                        "after the join the steps do not form one chain (at '%s')", st->name);
    }
  }
  free(in_chain);
  if (rc < 0) mapo_chains_free(c);
  return rc;
}

void mapo_chains_free(mapo_chains *c) {
  if (c == NULL) return;
  free(c->first);
  free(c->len);
  free(c->steps);
  free(c->tail);
  memset(c, 0, sizeof *c);
}
