/* mapo/race.h - the race and deadlock lab: the notebook's catch, shown every time it
 * should show and removed every time by its fix.
 *
 * Three demos, each one file in src/race/ with its modes side by side:
 *   cupboard  two cooks take the one knife from a shared cupboard: `unsafe` checks
 *             (index) then takes (pop) with nothing in between to stop the other cook;
 *             `critical`, `lock` and `atomic` fix it three ways;
 *   counter   threads add 1 to one shared counter: `unsafe` loses updates; `atomic`,
 *             `critical` and `reduction` do not, at three different prices;
 *   deadlock  two cooks need the knife and the board and take them in opposite orders:
 *             `naive` dead-locks and a watchdog finds the cycle; `ordered` and `trylock`
 *             never do.
 * A demo never prints: it returns what happened, and the first failure told in words.
 *
 * The two tables below are all that `mapo race` knows about the lab: its choices, help,
 * checks and report words come from them. A new mode is a function in its demo's file
 * and a row in mapo_race_modes; a new demo is a file in src/race/ (one CMake line) and
 * a row in mapo_race_demos.
 */
#ifndef MAPO_RACE_H
#define MAPO_RACE_H

/* The options' ranges: mapo_race_run refuses anything outside them. */
#define MAPO_RACE_TRIALS_MAX 10000000L
#define MAPO_RACE_THREADS_MIN 2
#define MAPO_RACE_THREADS_MAX 64
#define MAPO_RACE_WINDOW_US_MAX 1000000
#define MAPO_RACE_INCREMENTS_MAX 1000000000L
#define MAPO_RACE_WATCHDOG_MS_MAX 60000

typedef struct mapo_race_opts {
  long trials;     /* cupboard, deadlock: how many times the cooks meet */
  int threads;     /* cooks (deadlock: always 2) */
  int window_us;   /* cupboard: the gap between check and take; deadlock: how long a cook
                      holding its first utensil waits for the other to take theirs */
  long increments; /* counter: additions per thread per trial */
  int watchdog_ms; /* deadlock: no progress for this long is a deadlock */
  unsigned seed;   /* deadlock, trylock: the back-off's random numbers */
} mapo_race_opts;

typedef struct mapo_race_result {
  long trials;
  long long failures;          /* cupboard: trials where a cook found no knife (or took the wrong
                                  thing); counter: lost updates; deadlock: dead-locked trials */
  double seconds;              /* all the trials, wall clock */
  long long expected, counted; /* counter: what the counter should hold and did, summed */
  long long waits;             /* cupboard: times a cook had to wait or look again; deadlock:
                                  trylock back-offs */
  char first[320];             /* the first failure, in words ("" when none) */
} mapo_race_result;

typedef int (*mapo_race_fn)(const mapo_race_opts *o, mapo_race_result *r);

struct mapo_race_mode; /* below: a demo's trial_s takes one */

/* A demo: everything a program needs to offer it, check its options and report it.
 * An option a demo does not read has a NULL phrase, and the program refuses it. */
typedef struct mapo_race_demo {
  const char *name;  /* "cupboard" */
  const char *about; /* what happens in it, for --help: "two cooks take the one knife" */
  const char *who;   /* what the threads are called in the report: "cooks", "threads" */
  const char *team;  /* when threads_max is below the option's range: "two cooks" */
  int threads_max;   /* the most threads it takes (deadlock: 2) */
  int lost_updates;  /* 1: a failure is an update lost out of `expected` (counter); 0: a
                        failed trial */
  const char *fails; /* what a failure is, in the plural: "updates lost" */
  const char *waits; /* what `waits` counts ("waits", "back-offs"), NULL when nothing */
  /* What --window-us, --increments and --watchdog-ms mean for this demo (NULL: the
   * option does not apply), and what --window-us 0 means (NULL: nothing special). */
  const char *window, *window_zero, *increments, *watchdog;
  mapo_race_opts defaults;
  /* How long one trial of the mode takes at least, in seconds, from the waits the
   * options ask for (the demo's file knows them); NULL: nothing certain. */
  double (*trial_s)(const struct mapo_race_mode *m, const mapo_race_opts *o);
} mapo_race_demo;

/* Every demo, NULL-name terminated, in the order of --help. */
extern const mapo_race_demo mapo_race_demos[];
const mapo_race_demo *mapo_race_demo_find(const char *name);

typedef struct mapo_race_mode {
  const char *demo, *mode;
  mapo_race_fn run;
  int racy;           /* 1: shows its bug on purpose (and ThreadSanitizer flags it) */
  const char *lesson; /* one sentence: what happened and why */
} mapo_race_mode;

/* Every demo and mode, NULL-demo terminated. */
extern const mapo_race_mode mapo_race_modes[];
const mapo_race_mode *mapo_race_find(const char *demo, const char *mode);

/* Defaults for a demo (its row's `defaults`): trials, threads, window, increments,
 * watchdog. An unknown demo gets the first demo's. */
void mapo_race_defaults(const char *demo, mapo_race_opts *o);

/* How long `mapo race` takes at least, in seconds, before anything runs: the trials of
 * the demo's mode (every mode of the demo when mode is NULL) times each trial's least
 * time (the demo's trial_s). A lower bound: a run refused for it would surely take
 * longer. NAN for an unknown mode or options out of range. */
double mapo_race_estimate_s(const mapo_race_demo *d, const char *mode, const mapo_race_opts *o);

/* Run a mode. MAPO_EINVAL for options out of range. */
int mapo_race_run(const mapo_race_mode *m, const mapo_race_opts *o, mapo_race_result *r);

int mapo_race_cupboard_unsafe(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_cupboard_critical(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_cupboard_lock(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_cupboard_atomic(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_counter_unsafe(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_counter_atomic(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_counter_critical(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_counter_reduction(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_deadlock_naive(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_deadlock_ordered(const mapo_race_opts *o, mapo_race_result *r);
int mapo_race_deadlock_trylock(const mapo_race_opts *o, mapo_race_result *r);

#endif
