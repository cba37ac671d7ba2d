/* kitchen.c - the clock, the utensils and the timeline every cooking model shares.
 *
 * What to notice: a step's whole life is here, in mapo_kitchen_step(), so that the
 * model files only decide *who* runs *what* *when*. Timing is honest about the
 * operating system: a `wait` step sleeps until an absolute deadline on the monotonic
 * clock with the thread's timer slack at 1 ns (the default slack lets the kernel wake
 * a sleeper up to 50 us late), and whatever overshoot remains is measured and
 * reported apart from the model's own cost (dispatch).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "mapo/error.h"
#include "mapo/kitchen.h"

int64_t mapo_kitchen_ns(const mapo_kitchen *k, double units) {
  return (int64_t)llround(units * k->unit_ns);
}

static void reset(mapo_kitchen *k);

int mapo_kitchen_init(mapo_kitchen *k, const mapo_recipe *r, const mapo_kitchen_opts *o) {
  if (k == NULL || r == NULL || o == NULL || r->nsteps < 1) return MAPO_EINVAL;
  if (!(o->unit_ms >= 0 && o->unit_ms <= 3600000) || o->cooks < 0 || o->cooks > MAPO_COOKS_MAX)
    return MAPO_EINVAL;
  memset(k, 0, sizeof *k);
  int rc = mapo_recipe_analyze(r, &k->stats);
  if (rc < 0) return rc;
  k->recipe = r;
  k->unit_ms = o->unit_ms;
  k->unit_ns = o->unit_ms * 1e6;
  k->cooks = o->cooks > 0                              ? o->cooks
             : k->stats.width > MAPO_COOKS_DEFAULT_MAX ? MAPO_COOKS_DEFAULT_MAX
                                                       : k->stats.width;
  k->blocking = o->blocking;
  k->on_event = o->on_event;
  k->user = o->user;
  k->slots = calloc((size_t)r->nsteps, sizeof *k->slots);
  k->cooks_room = k->cooks;
  k->cook = aligned_alloc(_Alignof(mapo_cook_state), (size_t)k->cooks * sizeof *k->cook);
  k->mark = calloc((size_t)r->nsteps, sizeof *k->mark);
  k->left = calloc((size_t)r->nutensils + 1, sizeof *k->left);
  k->returned_ns = calloc((size_t)r->nutensils + 1, sizeof *k->returned_ns);
  k->returned_by = calloc((size_t)r->nutensils + 1, sizeof *k->returned_by);
  if (!k->slots || !k->cook || !k->mark || !k->left || !k->returned_ns || !k->returned_by) {
    mapo_kitchen_free(k);
    return -ENOMEM;
  }
  /* A model that never opens the kitchen still finds it in order (and is told). */
  reset(k);
  pthread_mutex_init(&k->lock, NULL);
  pthread_cond_init(&k->returned, NULL);
  k->sync_ready = 1;
  return 0;
}

void mapo_kitchen_free(mapo_kitchen *k) {
  if (k == NULL) return;
  if (k->sync_ready) {
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->returned);
  }
  mapo_recipe_stats_free(&k->stats);
  free(k->slots);
  free(k->cook);
  free(k->mark);
  free(k->left);
  free(k->returned_ns);
  free(k->returned_by);
  memset(k, 0, sizeof *k);
}

/* The timeline empty, every cook idle, every utensil in. */
static void reset(mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  for (int s = 0; s < r->nsteps; s++) {
    k->slots[s] = (mapo_slot){.worker = -1, .prev = -1, .freed_by = -1, .ready_by = -1};
    atomic_init(&k->mark[s], 0);
  }
  for (int w = 0; w < k->cooks_room; w++) {
    k->cook[w].last = -1;
    atomic_init(&k->cook[w].busy, 0);
    atomic_init(&k->cook[w].entered, 0);
  }
  for (int u = 0; u < r->nutensils; u++) {
    k->left[u] = r->utensils[u].count;
    k->returned_ns[u] = 0;
    k->returned_by[u] = -1;
  }
  k->makespan_ns = 0;
  k->team_ns = 0;
  atomic_store(&k->arrived, 0);
  atomic_store(&k->started, 0);
}

void mapo_kitchen_open(mapo_kitchen *k) {
  if (atomic_exchange(&k->phase, 1) != 0) mapo__kitchen_break(k, MAPO_RULE_OPEN, -1, -1, -1);
  reset(k);
  k->cpu_ns = -mapo_cpu_ns();
  k->open_ns = mapo_now_ns();
}

/* Rule 2's own checks: a worker of the team, a team the kitchen has room for, each cook
 * once. A team too big keeps the kitchen's cooks (cook[] has room for no more). */
static int team_ok(mapo_kitchen *k, int worker, int team) {
  if (team < 1 || team > k->cooks_room) {
    mapo__kitchen_break(k, MAPO_RULE_TEAM, MAPO_TEAM_SIZE, team, worker);
    return 0;
  }
  if (worker < 0 || worker >= team) {
    mapo__kitchen_break(k, MAPO_RULE_TEAM, MAPO_TEAM_WORKER, team, worker);
    return 0;
  }
  if (atomic_exchange(&k->cook[worker].entered, 1)) {
    mapo__kitchen_break(k, MAPO_RULE_TEAM, MAPO_TEAM_TWICE, team, worker);
    return 0;
  }
  return 1;
}

void mapo_kitchen_enter(mapo_kitchen *k, int worker, int team) {
  const int ok = team_ok(k, worker, team);
  if (atomic_fetch_add_explicit(&k->arrived, 1, memory_order_acq_rel) + 1 == team) {
    k->t0 = mapo_now_ns();
    k->team_ns = k->t0 - k->open_ns;
    /* What the runtime gave, which may be fewer than asked for. */
    if (ok && team <= k->cooks_room) k->cooks = team;
    atomic_store_explicit(&k->started, 1, memory_order_release);
    return;
  }
  while (!atomic_load_explicit(&k->started, memory_order_acquire)) sched_yield();
}

static int enough(const mapo_kitchen *k, const mapo_step *st) {
  for (int i = 0; i < st->nuse; i++)
    if (k->left[st->use[i].utensil] < st->use[i].count) return 0;
  return 1;
}

/* Under the lock: take the step's pieces and stamp its start. `waited`: it had to wait
 * for a utensil, so the step that returned the last one it needed made it ready. */
static void take_locked(mapo_kitchen *k, const mapo_step *st, mapo_slot *sl, int waited) {
  int64_t freed = -1;
  for (int i = 0; i < st->nuse; i++) {
    int u = st->use[i].utensil;
    k->left[u] -= st->use[i].count;
    if (waited && k->returned_ns[u] > freed) {
      freed = k->returned_ns[u];
      sl->freed_by = k->returned_by[u];
    }
  }
  sl->start_ns = mapo_now_ns() - k->t0;
  atomic_fetch_or(&k->mark[sl - k->slots], MAPO_MARK_TAKEN);
}

/* Take every utensil of the step at once, or wait until all are back: taking them
 * one by one could dead-lock two steps that each hold what the other needs. */
static void take(mapo_kitchen *k, const mapo_step *st, mapo_slot *sl) {
  pthread_mutex_lock(&k->lock);
  int waited = 0;
  while (!enough(k, st)) {
    waited = 1;
    pthread_cond_wait(&k->returned, &k->lock);
  }
  take_locked(k, st, sl, waited);
  pthread_mutex_unlock(&k->lock);
}

/* A refused step is marked in freed_by until it gets its utensils. */
enum { REFUSED = -2 };

int mapo_kitchen_try_take(mapo_kitchen *k, int step, int *lacking) {
  if (step < 0 || step >= k->recipe->nsteps) {
    mapo__kitchen_break(k, MAPO_RULE_STEP, step, -1, -1);
    return 0;
  }
  const mapo_step *st = &k->recipe->steps[step];
  mapo_slot *sl = &k->slots[step];
  if (st->nuse == 0) return 1;
  pthread_mutex_lock(&k->lock);
  const int ok = enough(k, st);
  if (ok) {
    const int waited = sl->freed_by == REFUSED;
    sl->freed_by = -1;
    take_locked(k, st, sl, waited);
  } else {
    sl->freed_by = REFUSED;
    for (int i = 0; i < st->nuse && lacking != NULL; i++)
      if (k->left[st->use[i].utensil] < st->use[i].count) {
        *lacking = st->use[i].utensil;
        break;
      }
  }
  pthread_mutex_unlock(&k->lock);
  return ok;
}

static void give_back(mapo_kitchen *k, const mapo_step *st, mapo_slot *sl, int step) {
  pthread_mutex_lock(&k->lock);
  sl->end_ns = mapo_now_ns() - k->t0;
  for (int i = 0; i < st->nuse; i++) {
    int u = st->use[i].utensil;
    k->left[u] += st->use[i].count;
    if (k->left[u] > k->recipe->utensils[u].count) /* more back than were ever out */
      mapo__kitchen_break(k, MAPO_RULE_UTENSIL, step, u, -1);
    k->returned_ns[u] = sl->end_ns;
    k->returned_by[u] = step;
  }
  pthread_cond_broadcast(&k->returned);
  pthread_mutex_unlock(&k->lock);
}

/* Rules 1 to 3 where a step begins (the worker's own checks aside): 1 when the step may
 * be recorded, 0 when recording it would write outside the timeline or over a run of it
 * (it is then skipped). The first rule broken is kept; later ones are dropped. */
static int admit(mapo_kitchen *k, int step, int worker) {
  /* First: the clock's start publishes the team's size (k->cooks). */
  const int started = atomic_load_explicit(&k->started, memory_order_acquire);
  if (step < 0 || step >= k->recipe->nsteps) {
    mapo__kitchen_break(k, MAPO_RULE_STEP, step, -1, -1);
    return 0;
  }
  if (worker < 0 || worker >= k->cooks) {
    mapo__kitchen_break(k, MAPO_RULE_COOK, step, k->cooks, worker);
    return 0;
  }
  const int phase = atomic_load(&k->phase);
  if (phase != 1)
    mapo__kitchen_break(k, phase == 0 ? MAPO_RULE_OPEN : MAPO_RULE_CLOSE, step, -1, -1);
  if (!started) mapo__kitchen_break(k, MAPO_RULE_ENTER, step, -1, worker);
  const mapo_step *st = &k->recipe->steps[step];
  for (int j = 0; j < st->npred; j++)
    if (!(atomic_load_explicit(&k->mark[st->pred[j]], memory_order_acquire) & MAPO_MARK_ENDED)) {
      mapo__kitchen_break(k, MAPO_RULE_ORDER, step, st->pred[j], -1);
      break;
    }
  return 1;
}

/* The step begins: marked, and the second beginning of one step refused. */
static int mark_begun(mapo_kitchen *k, int step) {
  const int was = atomic_fetch_or(&k->mark[step], MAPO_MARK_BEGUN);
  if (was & MAPO_MARK_BEGUN) {
    mapo__kitchen_break(k, MAPO_RULE_TWICE, step, -1, -1);
    return 0;
  }
  if (k->recipe->steps[step].nuse > 0 && !(was & MAPO_MARK_TAKEN))
    mapo__kitchen_break(k, MAPO_RULE_UTENSIL, step, -1, -1);
  return 1;
}

/* Begin an admitted step on its worker: its record, its event, its deadline. */
static int64_t start(mapo_kitchen *k, int step, int worker) {
  const mapo_step *st = &k->recipe->steps[step];
  mapo_slot *sl = &k->slots[step];
  if (st->nuse == 0) sl->start_ns = mapo_now_ns() - k->t0; /* else stamped when taken */
  sl->worker = worker;
  sl->prev = k->cook[worker].last;
  k->cook[worker].last = step;
  if (k->on_event) k->on_event(k->user, MAPO_EV_START, k->recipe, step, worker, sl->start_ns);
  return k->t0 + sl->start_ns + mapo_kitchen_ns(k, st->units);
}

int64_t mapo_kitchen_begin(mapo_kitchen *k, int step, int worker) {
  /* A step begun twice by a one-thread model is still recorded: nothing runs beside it. */
  if (!admit(k, step, worker)) return mapo_now_ns();
  (void)mark_begun(k, step);
  return start(k, step, worker);
}

void mapo_kitchen_end(mapo_kitchen *k, int step) {
  if (step < 0 || step >= k->recipe->nsteps) {
    mapo__kitchen_break(k, MAPO_RULE_STEP, step, -1, -1);
    return;
  }
  const mapo_step *st = &k->recipe->steps[step];
  mapo_slot *sl = &k->slots[step];
  if (!(atomic_load(&k->mark[step]) & MAPO_MARK_BEGUN)) {
    mapo__kitchen_break(k, MAPO_RULE_ORDER, step, -1, -1); /* ended, never begun */
    return;
  }
  if (atomic_load(&k->phase) != 1) mapo__kitchen_break(k, MAPO_RULE_CLOSE, step, -1, -1);
  if (st->nuse > 0)
    give_back(k, st, sl, step);
  else
    sl->end_ns = mapo_now_ns() - k->t0;
  atomic_fetch_or_explicit(&k->mark[step], MAPO_MARK_ENDED, memory_order_release);
  if (k->on_event) k->on_event(k->user, MAPO_EV_DONE, k->recipe, step, sl->worker, sl->end_ns);
}

void mapo_kitchen_sleep_until(int64_t deadline) {
  struct timespec ts = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};
  (void)mapo_clock_tighten();
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

void mapo_kitchen_spin_until(int64_t deadline) {
  while (mapo_now_ns() < deadline) {
    /* Hands busy: the cook keeps a CPU for the whole step. */
  }
}

void mapo_kitchen_step(mapo_kitchen *k, int step, int worker) {
  if (!admit(k, step, worker)) return;
  /* A thread holds its cook for the whole step: two threads passing one worker index
   * would write one cook's record at once. */
  if (atomic_exchange(&k->cook[worker].busy, 1)) {
    mapo__kitchen_break(k, MAPO_RULE_BUSY, step, -1, worker);
    return;
  }
  const mapo_step *st = &k->recipe->steps[step];
  /* Marked begun before its utensils are taken, so that a second run of it never takes
   * any: the mark and the take are one step's, in this order, in this call. */
  if (atomic_fetch_or(&k->mark[step], MAPO_MARK_BEGUN) & MAPO_MARK_BEGUN) {
    mapo__kitchen_break(k, MAPO_RULE_TWICE, step, -1, -1);
    atomic_store(&k->cook[worker].busy, 0);
    return;
  }
  if (st->nuse > 0) take(k, st, &k->slots[step]);
  const int64_t deadline = start(k, step, worker);
  if (st->kind == MAPO_HANDS)
    mapo_kitchen_spin_until(deadline);
  else if (st->units > 0 && k->unit_ns > 0)
    mapo_kitchen_sleep_until(deadline);
  mapo_kitchen_end(k, step);
  atomic_store(&k->cook[worker].busy, 0);
}

/* A step became ready when the last of these happened: its predecessors ended, its
 * utensils came back (if it had to wait for them), its cook finished the step before.
 * Start minus ready is then what the model itself cost: dispatch. */
void mapo_kitchen_close(mapo_kitchen *k) {
  const mapo_recipe *r = k->recipe;
  atomic_store(&k->phase, 2);
  k->cpu_ns += mapo_cpu_ns();
  k->makespan_ns = 0;
  for (int s = 0; s < r->nsteps; s++) {
    mapo_slot *sl = &k->slots[s];
    const mapo_step *st = &r->steps[s];
    int64_t ready = 0;
    sl->ready_by = -1;
    for (int j = 0; j < st->npred; j++)
      if (k->slots[st->pred[j]].end_ns > ready || sl->ready_by < 0) {
        ready = k->slots[st->pred[j]].end_ns;
        sl->ready_by = st->pred[j];
      }
    if (sl->freed_by >= 0 && k->slots[sl->freed_by].end_ns > ready) {
      ready = k->slots[sl->freed_by].end_ns;
      sl->ready_by = sl->freed_by;
    }
    /* The cook's step before, if the cook was busy with it until this one started (a
     * loop thread runs `wait` steps side by side: then it was not). */
    if (sl->prev >= 0 && k->slots[sl->prev].end_ns > ready &&
        k->slots[sl->prev].end_ns <= sl->start_ns)
      sl->ready_by = sl->prev;
    if (sl->end_ns > k->makespan_ns) k->makespan_ns = sl->end_ns;
  }
}

int64_t mapo_kitchen_ready_ns(const mapo_kitchen *k, int step) {
  int by = k->slots[step].ready_by;
  return by >= 0 ? k->slots[by].end_ns : 0;
}

int mapo_kitchen_summarize(const mapo_kitchen *k, mapo_hold hold, mapo_cook_summary *s) {
  if (k == NULL || s == NULL) return MAPO_EINVAL;
  const mapo_recipe *r = k->recipe;
  memset(s, 0, sizeof *s);
  s->path = malloc((size_t)r->nsteps * sizeof *s->path);
  if (s->path == NULL) return -ENOMEM;
  s->cooks = k->cooks;
  s->makespan_ms = (double)k->makespan_ns / 1e6;
  s->work_units = k->stats.work;
  s->span_units = k->stats.span;
  s->bound_units = mapo_recipe_bound(r, &k->stats, hold, k->cooks);
  s->overhead_ms = s->makespan_ms - s->bound_units * k->unit_ms;
  s->makespan_units = k->unit_ns > 0 ? (double)k->makespan_ns / k->unit_ns : NAN;
  s->rice_temperature = NAN;
  if (r->rice >= 0 && k->unit_ns > 0)
    s->rice_temperature = r->rice_temp - r->rice_rate *
                                             (double)(k->makespan_ns - k->slots[r->rice].end_ns) /
                                             k->unit_ns;

  /* The path that decided the makespan: from the step that ended last, back through
   * whatever made each step ready. */
  int last = 0;
  for (int t = 1; t < r->nsteps; t++)
    if (k->slots[t].end_ns > k->slots[last].end_ns) last = t;
  int64_t dispatch = 0, oversleep = 0;
  for (int t = last; t >= 0 && s->npath < r->nsteps; t = k->slots[t].ready_by) {
    const mapo_slot *sl = &k->slots[t];
    s->path[s->npath++] = t;
    dispatch += sl->start_ns - mapo_kitchen_ready_ns(k, t);
    oversleep += sl->end_ns - sl->start_ns - mapo_kitchen_ns(k, r->steps[t].units);
  }
  for (int i = 0; i < s->npath / 2; i++) {
    // NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): path[0 .. npath-1] was written
    int tmp = s->path[i];
    s->path[i] = s->path[s->npath - 1 - i];
    s->path[s->npath - 1 - i] = tmp;
  }
  s->dispatch_ms = (double)dispatch / 1e6;
  s->team_ms = (double)k->team_ns / 1e6;
  s->cpu_ms = (double)k->cpu_ns / 1e6;
  s->oversleep_ms = (double)oversleep / 1e6;
  return 0;
}

void mapo_cook_summary_free(mapo_cook_summary *s) {
  if (s == NULL) return;
  free(s->path);
  memset(s, 0, sizeof *s);
}
