/* mapo/kitchen.h - the kitchen clock, the utensils and the timeline of one cooking run.
 *
 * A model (src/cook/) decides which cook runs which step when; everything else lives
 * here, written once: turning units into time (`--unit-ms`), sleeping through `wait`
 * steps and spinning through `hands` steps, taking and returning utensils, and
 * recording each step into its own timeline slot (no lock: a step runs once).
 * Progress reaches the program through an event callback: models never print.
 */
#ifndef MAPO_KITCHEN_H
#define MAPO_KITCHEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clock.h"
#include "recipe.h"

typedef enum { MAPO_EV_START = 0, MAPO_EV_DONE = 1 } mapo_event;

/* Called from the worker that runs the step, possibly from several threads at once:
 * the callback must be thread-safe. t_ns counts from the start of the run. */
typedef void (*mapo_event_cb)(void *user, mapo_event ev, const mapo_recipe *r, int step, int worker,
                              int64_t t_ns);

/* One step's record, 32 bytes. Times are nanoseconds from the start of the run. When
 * a step became ready is not stored: it is the end of the step named by ready_by
 * (mapo_kitchen_ready_ns), so it cannot disagree with it. */
typedef struct mapo_slot {
  int worker;       /* -1 until the step has run */
  int prev;         /* the step its worker ran before it, or -1 */
  int64_t start_ns; /* holds its utensils and begins */
  int64_t end_ns;   /* done, before returning its utensils */
  int freed_by;     /* it waited for a utensil: the step that returned the last one, or -1 */
  int ready_by;     /* filled by mapo_kitchen_close: the step whose end made it ready
                       (its last predecessor, utensil or its cook's step before), or -1
                       (ready when the clock started) */
} mapo_slot;

/* What one cook keeps to itself, on a cache line of its own: cooks writing to
 * neighbouring words of one line would pass the line back and forth (false sharing). */
typedef struct mapo_cook_state {
  _Alignas(64) int last; /* the step this cook ran last, or -1 */
  atomic_int busy;       /* 1 while the cook is inside mapo_kitchen_step */
  atomic_int entered;    /* 1 once the cook has called mapo_kitchen_enter */
} mapo_cook_state;

/* The kitchen's rules, as examples/exercise/README.md numbers them for a model's author:
 *   1. mapo_kitchen_open(k) once, before any cook starts;
 *   2. every cook calls mapo_kitchen_enter(k, worker, team) once, worker 0..team-1, team
 *      at most the kitchen's cooks, before its first step (the clock starts then);
 *   3. every step runs exactly once, on a cook of the team that entered, after every
 *      step it comes after has ended, with its utensils, one step at a time per cook in
 *      mapo_kitchen_step;
 *   4. mapo_kitchen_close(k) after the last step has ended.
 * The kitchen checks each where it can be broken and keeps the first one broken (a step
 * that would corrupt the timeline, as one run twice at once, is then not run at all);
 * mapo_kitchen_check() turns it into MAPO_EKITCHEN and one sentence, and mapo_cook()
 * calls it before anything is summarised, so that no run that broke a rule is reported. */
typedef enum {
  MAPO_RULE_KEPT = 0,
  MAPO_RULE_OPEN,    /* a step in a kitchen not opened, or opened twice */
  MAPO_RULE_ENTER,   /* a step before the clock started: a cook did not enter */
  MAPO_RULE_TEAM,    /* enter: a worker outside the team, a team too big, a cook twice */
  MAPO_RULE_STEP,    /* a step index outside the recipe */
  MAPO_RULE_COOK,    /* a step on a cook outside the team */
  MAPO_RULE_BUSY,    /* a cook in two mapo_kitchen_step calls at once */
  MAPO_RULE_ORDER,   /* a step started before a step it comes after had ended */
  MAPO_RULE_TWICE,   /* a step ran twice */
  MAPO_RULE_UTENSIL, /* a step began without its utensils, or kept them */
  MAPO_RULE_NEVER,   /* a step never ran, or never ended */
  MAPO_RULE_CLOSE    /* not closed, or a step ran after close */
} mapo_rule;

/* How many cooks a kitchen takes. Asked for: 1 to MAPO_COOKS_MAX. Not asked for: the
 * recipe's width, at most MAPO_COOKS_DEFAULT_MAX. A valid recipe may be 65,000 steps
 * wide; a cook per step would be 65,000 threads (libgomp's stacks overflow there, and
 * 20,000 threads take 9 s to start), while past a few cooks per core more cooks only
 * queue for the cores. */
#define MAPO_COOKS_MAX 4096
#define MAPO_COOKS_DEFAULT_MAX 256

typedef struct mapo_kitchen_opts {
  double unit_ms; /* real milliseconds per unit; 0: steps take no time */
  int cooks;      /* workers, 1 to MAPO_COOKS_MAX; 0: the width, at most MAPO_COOKS_DEFAULT_MAX */
  int blocking;   /* async model: every step blocks the loop */
  mapo_event_cb on_event; /* NULL: no live log */
  void *user;
} mapo_kitchen_opts;

typedef struct mapo_kitchen {
  const mapo_recipe *recipe;
  mapo_recipe_stats stats;
  double unit_ms;
  double unit_ns; /* nanoseconds per unit */
  int cooks;
  int blocking;
  mapo_event_cb on_event;
  void *user;
  mapo_slot *slots;    /* one per step, the timeline */
  int64_t t0;          /* mapo_now_ns() when the clock started: every cook in */
  int64_t open_ns;     /* mapo_now_ns() when the model opened the kitchen */
  int64_t team_ns;     /* t0 - open_ns: assembling the team (fork, waking threads) */
  int64_t makespan_ns; /* end of the last step, from t0 */
  int64_t cpu_ns;      /* CPU time the process used from open to close, every thread */
  atomic_int arrived;  /* cooks in the kitchen so far */
  atomic_int started;  /* set once t0 is set */
  /* Utensils: pieces left, and who returned one last. Only steps that use utensils
   * ever touch the lock. */
  pthread_mutex_t lock;
  pthread_cond_t returned;
  int *left;
  int64_t *returned_ns;
  int *returned_by;
  mapo_cook_state *cook; /* per worker, written by that worker only */
  int sync_ready;        /* lock and condition initialised */
  /* The rules (mapo_rule): */
  int cooks_room;    /* cook[] holds this many: what was asked for at init */
  atomic_int phase;  /* 0 set up, 1 open, 2 closed */
  atomic_int *mark;  /* per step: MAPO_MARK_* bits */
  atomic_int broken; /* the first rule broken (mapo_rule), MAPO_RULE_KEPT while none */
  int broken_step, broken_other, broken_worker; /* its details, or -1 */
} mapo_kitchen;

/* A step's marks: its utensils taken, begun, ended. */
enum { MAPO_MARK_TAKEN = 1, MAPO_MARK_BEGUN = 2, MAPO_MARK_ENDED = 4 };

int mapo_kitchen_init(mapo_kitchen *k, const mapo_recipe *r, const mapo_kitchen_opts *o);
void mapo_kitchen_free(mapo_kitchen *k);

/* Models call these: open once before starting any cook; every cook enters (team: how
 * many cooks there are, omp_get_num_threads() in OpenMP); close after the last step.
 *
 * The clock starts when the last cook enters, and mapo_kitchen_enter() returns to
 * every cook only then: the cooks that came first wait, yielding their core. So the
 * measured run starts with every cook awake, as the notebook starts its clock once the
 * ThreadPoolExecutor exists; what assembling the team cost (forking it, waking pool
 * threads) is measured apart, as team_ns, and reported. */
void mapo_kitchen_open(mapo_kitchen *k);
void mapo_kitchen_enter(mapo_kitchen *k, int worker, int team);
void mapo_kitchen_close(mapo_kitchen *k);

/* Run one step on `worker`: take its utensils (waiting if they are out), sleep or
 * spin for its duration, return them. Safe to call from many threads at once. A call
 * that breaks a rule is recorded (mapo_kitchen_check), and not run where running it
 * would corrupt the timeline (a step out of range, run twice, a cook already busy). */
void mapo_kitchen_step(mapo_kitchen *k, int step, int worker);

/* After the model returned: 0 when it kept every rule, else MAPO_EKITCHEN and the first
 * rule broken in one sentence in diag->msg (diag may be NULL). Also checks what only
 * the end shows: the kitchen closed, every step ran and ended, every start after the
 * ends of the steps it comes after, every utensil back (the first finding is kept in
 * k's record like the others: so k is not const). */
int mapo_kitchen_check(mapo_kitchen *k, mapo_diag *diag);

/* A step in three parts, for models that cannot block in mapo_kitchen_step (an event
 * loop): take its utensils without waiting (1: taken or none needed; 0: not all are in,
 * and *lacking (may be NULL) names one that is out: try again when it comes back),
 * begin it on a worker (returns its deadline on the monotonic clock), and end it
 * (returns its utensils). */
int mapo_kitchen_try_take(mapo_kitchen *k, int step, int *lacking);
int64_t mapo_kitchen_begin(mapo_kitchen *k, int step, int worker);
void mapo_kitchen_end(mapo_kitchen *k, int step);
/* The steps that can start, for a model that deals steps itself (src/core/board.c). */
typedef struct mapo_board {
  int *left;          /* per step: predecessors not yet done */
  int *ready, nready; /* ready steps, a stack */
  int *next;          /* per utensil, the steps waiting for it: a list through next */
  int head[MAPO_UTENSILS_MAX], tail[MAPO_UTENSILS_MAX];
} mapo_board;

/* The recipe's sources are ready, the first written on top. */
int mapo_board_init(mapo_board *b, const mapo_recipe *r);
void mapo_board_free(mapo_board *b);
/* The next ready step, its utensils taken (mapo_kitchen_try_take), or -1 when none can
 * start now; a step that finds a utensil out waits for it. */
int mapo_board_next(mapo_board *b, mapo_kitchen *k);
/* Step s has ended (after mapo_kitchen_end): its successors count down, and as many
 * steps as pieces it returned come back from the utensils' queues. */
void mapo_board_done(mapo_board *b, const mapo_recipe *r, int s);

/* Sleep to an absolute deadline (1 ns timer slack), or keep a CPU busy until it. */
void mapo_kitchen_sleep_until(int64_t deadline);
void mapo_kitchen_spin_until(int64_t deadline);

/* When step became ready (after mapo_kitchen_close): the end of slots[step].ready_by,
 * or 0. */
int64_t mapo_kitchen_ready_ns(const mapo_kitchen *k, int step);

/* The duration of `units` in nanoseconds under this kitchen's clock. */
int64_t mapo_kitchen_ns(const mapo_kitchen *k, double units);

/* What one run measured. Fields in units are NAN when unit_ms is 0. */
typedef struct mapo_cook_summary {
  int cooks;
  double makespan_ms, makespan_units;
  double work_units, span_units, bound_units;
  double overhead_ms;      /* measured makespan minus the bound */
  double dispatch_ms;      /* start minus ready, summed over the deciding path */
  double oversleep_ms;     /* how much longer than asked the steps of that path took */
  double team_ms;          /* assembling the team before the clock started */
  double cpu_ms;           /* CPU time used meanwhile: waiting should cost none */
  double rice_temperature; /* NAN when the recipe has no rice or unit_ms is 0 */
  int npath;               /* the path that decided the makespan, first step first */
  int *path;
} mapo_cook_summary;

int mapo_kitchen_summarize(const mapo_kitchen *k, mapo_hold hold, mapo_cook_summary *s);
void mapo_cook_summary_free(mapo_cook_summary *s);

#endif
