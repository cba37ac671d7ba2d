/* cmd_race.c - `mapo race`: the race and deadlock lab, one mode or all of a demo.
 *
 * It reads parse -> run -> report. Every demo, mode, default and help phrase comes from
 * the lab's tables (mapo_race_demos and mapo_race_modes in src/race/race.c): a new demo
 * or mode is a row there, and nothing here changes. The reports are
 * src/report/race.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outputs.h"

/* The keyword that runs every mode of the demo, one after the other. */
#define ALL "all"
/* --help's paragraph is wrapped at this many columns. */
#define ABOUT_COLUMNS 80

/* The options that only some demos read; OPT_ANY stands for none of them, so that
 * "the demos that read OPT_ANY" are all of them. */
typedef enum { OPT_ANY = -1, OPT_WINDOW, OPT_INCREMENTS, OPT_WATCHDOG } race_opt;

/* What the flags said; 0 (window: -1) where a flag was not given. */
typedef struct race_args {
  const char *demo, *mode;
  int trials, threads, window, increments, watchdog, json, insist, wide;
} race_args;

/* The words of --help and of the choices, made from the tables. */
typedef struct race_words {
  const char **demos, **modes; /* NULL-terminated; modes ends with ALL */
  char about[768], trials[160], threads[160], window[512], increments[256], watchdog[256];
} race_words;

static const char *phrase(const mapo_race_demo *d, race_opt opt) {
  if (opt == OPT_ANY) return NULL;
  return opt == OPT_WINDOW ? d->window : opt == OPT_INCREMENTS ? d->increments : d->watchdog;
}

static int reads(const mapo_race_demo *d, race_opt opt) {
  return opt == OPT_ANY || phrase(d, opt) != NULL;
}

static long default_of(const mapo_race_demo *d, race_opt opt) {
  return opt == OPT_WINDOW       ? d->defaults.window_us
         : opt == OPT_INCREMENTS ? d->defaults.increments
                                 : d->defaults.watchdog_ms;
}

/* Append to a string of `size` bytes, cutting (never overflowing) when it is full. */
static void add(char *out, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void add(char *out, size_t size, const char *fmt, ...) {
  const size_t n = strlen(out);
  va_list ap;
  va_start(ap, fmt);
  if (n + 1 < size) vsnprintf(out + n, size - n, fmt, ap);
  va_end(ap);
}

/* The demo's modes, "unsafe, critical, lock, atomic". */
static void modes_of(const mapo_race_demo *d, char *out, size_t size) {
  out[0] = '\0';
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++)
    if (strcmp(m->demo, d->name) == 0) add(out, size, "%s%s", out[0] ? ", " : "", m->mode);
}

/* The demos that read an option (every demo for OPT_ANY), "a, b<last>c"; returns how
 * many. */
static int demos_of(race_opt opt, const char *last, char *out, size_t size) {
  int n = 0, k = 0;
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++) n += reads(d, opt);
  out[0] = '\0';
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++)
    if (reads(d, opt)) {
      k++;
      add(out, size, "%s%s", k == 1 ? "" : k == n ? last : ", ", d->name);
    }
  return n;
}

/* Break the lines of s at spaces, at most `columns` characters a line where words allow. */
static void wrap(char *s, int columns) {
  char *line = s, *space = NULL;
  for (char *p = s; *p; p++) {
    if (*p == ' ') space = p;
    if (p - line >= columns && space != NULL) {
      *space = '\n';
      line = space + 1;
      space = NULL;
    }
  }
}

/* "counter: additions per thread per trial (default 1000000)", for each demo that
 * reads the option. */
static void option_help(race_opt opt, char *out, size_t size) {
  out[0] = '\0';
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++) {
    if (!phrase(d, opt)) continue;
    add(out, size, "%s%s: %s (default %ld", out[0] ? "; " : "", d->name, phrase(d, opt),
        default_of(d, opt));
    if (opt == OPT_WINDOW && d->window_zero) add(out, size, "; 0: %s", d->window_zero);
    add(out, size, ")");
  }
}

/* The choices: every demo; every mode's name once, in the table's order, then ALL. */
static int choices(race_words *w) {
  size_t nmodes = 0, ndemos = 0, k = 0;
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) nmodes++;
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++) ndemos++;
  w->modes = calloc(nmodes + 2, sizeof *w->modes);
  w->demos = calloc(ndemos + 1, sizeof *w->demos);
  if (w->modes == NULL || w->demos == NULL) return -ENOMEM;
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) {
    size_t i = 0;
    while (i < k && strcmp(w->modes[i], m->mode) != 0) i++;
    if (i == k) w->modes[k++] = m->mode;
  }
  w->modes[k] = ALL;
  for (size_t i = 0; i < ndemos; i++) w->demos[i] = mapo_race_demos[i].name;
  return 0;
}

static int words(race_words *w) {
  memset(w, 0, sizeof *w);
  if (choices(w) < 0) return -ENOMEM;
  const mapo_race_demo *first = &mapo_race_demos[0];
  add(w->about, sizeof w->about, "The notebook's catch as a lab.");
  for (const mapo_race_demo *d = mapo_race_demos; d->name; d++) {
    char modes[256];
    modes_of(d, modes, sizeof modes);
    add(w->about, sizeof w->about, "%s %s: %s (%s)", d == first ? "" : ";", d->name, d->about,
        modes);
  }
  add(w->about, sizeof w->about,
      ". A mode that shows its bug exits 0; a fix that fails "
      "exits 1.");
  wrap(w->about, ABOUT_COLUMNS);
  add(w->trials, sizeof w->trials, "trials (default %ld", first->defaults.trials);
  add(w->threads, sizeof w->threads, "cooks or threads (default %d", first->defaults.threads);
  for (const mapo_race_demo *d = first + 1; d->name; d++)
    if (d->defaults.trials != first->defaults.trials)
      add(w->trials, sizeof w->trials, "; %s: %ld", d->name, d->defaults.trials);
  for (const mapo_race_demo *d = first; d->name; d++)
    if (d->threads_max < MAPO_RACE_THREADS_MAX)
      add(w->threads, sizeof w->threads, "; %s: %d", d->name, d->threads_max);
  add(w->trials, sizeof w->trials, ")");
  add(w->threads, sizeof w->threads, ")");
  option_help(OPT_WINDOW, w->window, sizeof w->window);
  option_help(OPT_INCREMENTS, w->increments, sizeof w->increments);
  option_help(OPT_WATCHDOG, w->watchdog, sizeof w->watchdog);
  return 0;
}

static void words_free(race_words *w) {
  free(w->demos);
  free(w->modes);
}

/* What the flags may not say together; the choices themselves cli_parse checked. Returns
 * 0 to go on, or 2 after one line on stderr. */
static int check(const cli_cmd *cmd, const race_args *a) {
  char list[256], users[128];
  if (a->demo == NULL) {
    demos_of(OPT_ANY, " or ", list, sizeof list);
    return cli_fail(cmd, "--demo is required (%s)", list);
  }
  const mapo_race_demo *d = mapo_race_demo_find(a->demo);
  modes_of(d, list, sizeof list);
  if (a->mode == NULL)
    return cli_fail(cmd, "--mode is required (for %s: %s, %s)", d->name, list, ALL);
  if (strcmp(a->mode, ALL) != 0 && mapo_race_find(d->name, a->mode) == NULL)
    return cli_fail(cmd, "the %s demo has no mode '%s' (its modes: %s, %s)", d->name, a->mode, list,
                    ALL);
  if (a->window >= 0 && !d->window)
    return cli_fail(cmd, "--window-us does not apply to the %s demo", d->name);
  int n = demos_of(OPT_INCREMENTS, " and ", users, sizeof users);
  if (a->increments && !d->increments)
    return cli_fail(cmd, "--increments applies to the %s demo%s only", users, n == 1 ? "" : "s");
  n = demos_of(OPT_WATCHDOG, " and ", users, sizeof users);
  if (a->watchdog && !d->watchdog)
    return cli_fail(cmd, "--watchdog-ms applies to the %s demo%s only", users, n == 1 ? "" : "s");
  if (a->threads > d->threads_max)
    return cli_fail(cmd, "--threads: the %s demo has %s", d->name, d->team ? d->team : "fewer");
  return 0;
}

/* The demo's defaults, with what the flags changed. */
static mapo_race_opts options(const mapo_race_demo *d, const race_args *a) {
  mapo_race_opts o = d->defaults;
  if (a->trials) o.trials = a->trials;
  if (a->threads) o.threads = a->threads;
  if (a->window >= 0) o.window_us = a->window;
  if (a->increments) o.increments = a->increments;
  if (a->watchdog) o.watchdog_ms = a->watchdog;
  return o;
}

/* The run's least time against the limit: 0 to go on, or 2 after one line. */
static int check_time(const cli_cmd *cmd, const race_args *a) {
  const mapo_race_demo *d = mapo_race_demo_find(a->demo);
  const mapo_race_opts o = options(d, a);
  const char *mode = strcmp(a->mode, ALL) == 0 ? NULL : a->mode;
  return cli_check_time(cmd, mapo_race_estimate_s(d, mode, &o), a->insist);
}

/* Run the mode, or every mode of the demo, into runs (room for every mode in the table).
 * Returns 0, or the exit status after one line on stderr. */
static int run(mapo_race_report *rep, const char *mode, mapo_race_outcome *runs) {
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) {
    if (strcmp(m->demo, rep->demo->name) != 0 || (!rep->all && strcmp(m->mode, mode) != 0))
      continue;
    mapo_race_outcome *out = &runs[rep->nruns];
    out->mode = m;
    const int rc = mapo_race_run(m, &rep->opts, &out->result);
    if (rc < 0) {
      fprintf(stderr, "mapo race: %s: %s\n", m->mode, mapo_strerror(rc));
      return rc == MAPO_EINVAL ? 2 : 1;
    }
    rep->nruns++;
  }
  return 0;
}

/* A mode that shows its bug on purpose passes; a fix that failed is exit 1. */
static int verdict(const mapo_race_report *rep) {
  int status = 0;
  for (int i = 0; i < rep->nruns; i++) {
    const mapo_race_outcome *r = &rep->runs[i];
    if (r->mode->racy || r->result.failures == 0) continue;
    fprintf(stderr, "mapo race: the fix '%s' failed: %lld %s\n", r->mode->mode, r->result.failures,
            rep->demo->fails);
    status = 1;
  }
  return status;
}

static int race(const race_args *a) {
  size_t nmodes = 0;
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) nmodes++;
  /* At least one element: calloc(0) may return NULL, which would read as out of memory. */
  mapo_race_outcome *runs = calloc(nmodes > 0 ? nmodes : 1, sizeof *runs);
  if (runs == NULL) {
    fprintf(stderr, "mapo race: %s\n", mapo_strerror(-ENOMEM));
    return 1;
  }
  mapo_race_report rep = {.demo = mapo_race_demo_find(a->demo),
                          .all = strcmp(a->mode, ALL) == 0,
                          .runs = runs,
                          .text = cli_width(a->wide)};
  rep.opts = options(rep.demo, a);
  int status = run(&rep, a->mode, runs);
  if (status == 0) {
    const int rc =
        a->json ? mapo_report_race_json(stdout, &rep) : mapo_report_race_text(stdout, &rep);
    status = rc < 0 ? 1 : verdict(&rep);
  }
  free(runs);
  return status;
}

int mapo__cmd_race(int argc, char **argv) {
  race_words w;
  race_args a = {.window = -1};
  if (words(&w) < 0) {
    words_free(&w);
    fprintf(stderr, "mapo race: %s\n", mapo_strerror(-ENOMEM));
    return 1;
  }
  const cli_opt opts[] = {
      {"demo", CLI_CHOICE, &a.demo, 0, 0, w.demos, "D", "the demo (required)"},
      {"mode", CLI_CHOICE, &a.mode, 0, 0, w.modes, "M",
       "the mode, or all of the demo's side by side (required)"},
      {"trials", CLI_INT, &a.trials, 1, MAPO_RACE_TRIALS_MAX, NULL, "K", w.trials},
      {"threads", CLI_INT, &a.threads, MAPO_RACE_THREADS_MIN, MAPO_RACE_THREADS_MAX, NULL, "N",
       w.threads},
      {"window-us", CLI_INT, &a.window, 0, MAPO_RACE_WINDOW_US_MAX, NULL, "U", w.window},
      {"increments", CLI_INT, &a.increments, 1, MAPO_RACE_INCREMENTS_MAX, NULL, "M", w.increments},
      {"watchdog-ms", CLI_INT, &a.watchdog, 1, MAPO_RACE_WATCHDOG_MS_MAX, NULL, "MS", w.watchdog},
      {"json", CLI_FLAG, &a.json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      CLI_WIDE(&a.wide),
      CLI_INSIST(&a.insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {"race", "--demo D --mode M", w.about, opts, 0, 0};
  const char *pos[1];
  int npos, status = cli_parse(&cmd, argc, argv, pos, &npos);
  if (status != 0)
    status = status == 1 ? 0 : 2;
  else if ((status = check(&cmd, &a)) == 0 && (status = check_time(&cmd, &a)) == 0)
    status = race(&a);
  words_free(&w);
  return status;
}
