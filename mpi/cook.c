/* cook.c - `mapo-mpi cook`: a head chef (rank 0) deals ready steps to the cooks (the
 * other ranks) as messages.
 *
 * Run:    mpirun -n 4 mapo-mpi cook [--unit-ms MS] [--gantt] [--trace FILE] [--json] [--wide]
 * Notice: the cooks share nothing, not even the recipe's bookkeeping: rank 0 holds the
 *         kitchen (what is done, which utensils are out, who is idle) and only
 *         coordinates, so `-n 4` has three cooks and the bound counts three. A ready
 *         step goes to an idle cook as one message; the cook sleeps (wait) or spins
 *         (hands) through it and answers "done" with when it started and ended. Each
 *         step therefore pays two messages and the chef's bookkeeping: that is this
 *         model's dispatch, start minus ready, where ready is the end of whatever made
 *         the step ready. With three cooks the notebook's recipe takes its 9 units and
 *         the rice is served at 76; with one cook (-n 2), 23 units and cold rice.
 * Across nodes every node has a clock of its own (each CLOCK_MONOTONIC starts at its
 * node's boot): before the kitchen opens, rank 0 measures every cook's clock against its
 * own from the shortest of a few round trips (place.c), and moves each step the cooks
 * report onto its clock, within what the messages prove (a step starts after it was
 * sent, ends before the chef hears of it). The report's placement table gives every
 * rank's host, and its clock's offset with the uncertainty (half that round trip).
 * The recipe is rank 0's: rank 0 reads it once (a file, stdin, or the built-in one) and
 * broadcasts its bytes, which every rank parses (agree.c), so a cook numbers the steps
 * as the chef does even when its own --recipe names another file.
 * Compare with src/cook/async.c: the same counting of unfinished predecessors and the
 * same queues of steps waiting for a utensil, with ranks where the timers were.
 * Every wait (the chef's for a "done", an idle cook's for a step, the barriers) probes
 * and naps instead of spinning a core: ranks are oversubscribed on small machines.
 * The lesson reads parse -> run -> report: the warm-up and the run come from the
 * benchmark harness (mapo/bench.h), and the reports are `mapo cook`'s
 * (mapo/report_cook.h: text, JSON, Gantt, trace, SVG), with the ranks added.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"
#include "outputs.h"

enum { TAG_STEP = 1, TAG_DONE = 2 };
enum { STOP = -1 }; /* sent as the step: go home */

/* What the reports call the model. The cooks hold the worker for every step (a rank
 * sleeps through a `wait` step), so the bound counts all work, as for threads. */
static const mapo_cook_model mpi_model = {
    .name = "mpi",
    .cook = NULL, /* not in the table: the ranks below cook, not a mapo_cook_fn */
    .hold = MAPO_HOLD_ALL,
    .lesson = "Rank 0 only coordinates: each ready step goes to an idle cook rank as a "
              "message and comes back as another, so every step pays two messages and the "
              "chef's bookkeeping (dispatch); with enough cooks the makespan is still the "
              "span."};

static void barrier_idle(void) {
  MPI_Request req;
  MPI_Ibarrier(MPI_COMM_WORLD, &req);
  mapo__mpi_wait_idle(&req);
}

/* ---- a cook (ranks 1..size-1) ---------------------------------------------------- */

/* Cook whatever the chef sends until it says stop; answer each step with its start and
 * end, and the stop with the CPU time this rank used meanwhile. The times are this
 * rank's CLOCK_MONOTONIC: on one machine every rank reads the same clock, but across
 * nodes each node's starts at its own boot (MPI_Wtime is no more global unless
 * MPI_WTIME_IS_GLOBAL says so). The chef knows how far each cook's clock is from its
 * own (place.c measured it before the kitchen opened) and moves the times onto its
 * clock (finish). */
static void cook(const mapo_recipe *r, double unit_ms) {
  const int64_t cpu0 = mapo_cpu_ns();
  for (;;) {
    int step;
    mapo__mpi_recv_idle(&step, 1, MPI_INT, 0, TAG_STEP, MPI_COMM_WORLD, NULL);
    if (step == STOP) break;
    const mapo_step *st = &r->steps[step];
    const int64_t start = mapo_now_ns();
    /* The same rounding as mapo_kitchen_ns(), which the chef's bound uses. */
    const int64_t deadline = start + (int64_t)llround(st->units * unit_ms * 1e6);
    if (st->kind == MAPO_HANDS)
      mapo_kitchen_spin_until(deadline); /* hands busy: this rank keeps its core */
    else if (deadline > start)
      mapo_kitchen_sleep_until(deadline);
    int64_t done[3] = {step, start, mapo_now_ns()};
    MPI_Send(done, 3, MPI_INT64_T, 0, TAG_DONE, MPI_COMM_WORLD);
  }
  int64_t used[3] = {STOP, mapo_cpu_ns() - cpu0, 0};
  MPI_Send(used, 3, MPI_INT64_T, 0, TAG_DONE, MPI_COMM_WORLD);
}

/* ---- the head chef (rank 0) ------------------------------------------------------- */

typedef struct chef {
  mapo_kitchen *k;
  mapo_board board; /* what can start: predecessors done, utensils in */
  int *idle;        /* idle cooks (worker = rank - 1), a stack */
  int nidle;
  int nbusy;                    /* steps dealt and not yet done */
  int64_t *sent;                /* [step]: when the chef sent it (its clock) */
  const mapo__mpi_place *where; /* every cook's clock against the chef's */
} chef;

/* Deal ready steps while a cook is idle. A step takes its utensils here, before it is
 * sent: the chef keeps the cupboard, and a cook never holds a step it cannot start. */
static void deal(chef *c) {
  for (int s; c->nidle > 0 && (s = mapo_board_next(&c->board, c->k)) >= 0;) {
    const int w = c->idle[--c->nidle];
    mapo_kitchen_begin(c->k, s, w); /* the worker, and the step it ran before */
    c->nbusy++;
    c->sent[s] = mapo_now_ns();
    MPI_Send(&s, 1, MPI_INT, w + 1, TAG_STEP, MPI_COMM_WORLD);
  }
}

/* Step s, sent at sent and heard of at heard (the chef's clock), ran from start to end
 * on a cook whose clock reads offset (+/- its uncertainty) against the chef's: its
 * start on the chef's clock. The estimate is moved into what the messages prove: the
 * step started after it was sent and ended before the chef heard of it, so no step
 * appears to start before a predecessor ended, whatever the uncertainty. Its duration
 * is the cook's own, read on one clock: exact. */
static int64_t on_chefs_clock(int64_t start, int64_t end, int64_t offset, int64_t sent,
                              int64_t heard) {
  int64_t t = start - offset;
  if (t + (end - start) > heard) t = heard - (end - start);
  return t < sent ? sent : t;
}

/* Step s is done on worker w, between start and end (the cook's clock). */
static void finish(chef *c, int s, int w, int64_t start, int64_t end) {
  mapo_kitchen *k = c->k;
  const mapo_step *st = &k->recipe->steps[s];
  mapo_kitchen_end(k, s); /* returns its utensils */
  const int64_t at =
      on_chefs_clock(start, end, c->where->offset_ns[w + 1], c->sent[s], mapo_now_ns());
  end = at + (end - start);
  start = at;
  /* The timeline holds what the cook measured, not when the chef heard of it: the step
   * ran from start to end, and what it readies (successors, utensils) was ready at its
   * end. The messages' latency thus lands in the next step's dispatch, where it
   * belongs: it is this model's cost. */
  mapo_slot *sl = &k->slots[s];
  sl->start_ns = start - k->t0;
  sl->end_ns = end - k->t0;
  for (int i = 0; i < st->nuse; i++) k->returned_ns[st->use[i].utensil] = sl->end_ns;
  mapo_board_done(&c->board, k->recipe, s);
  c->idle[c->nidle++] = w;
  c->nbusy--;
}

/* Cook the recipe with the other ranks as cooks; the kitchen ends closed, with the CPU
 * time of every rank. Returns 0, or -EDEADLK when steps are left that nothing running
 * could ever release (cannot happen with a recipe the parser accepted). */
static int head_chef(mapo_kitchen *k, int cooks, const mapo__mpi_place *where) {
  const mapo_recipe *r = k->recipe;
  chef c = {.k = k, .where = where};
  c.idle = malloc((size_t)cooks * sizeof *c.idle);
  c.sent = malloc((size_t)r->nsteps * sizeof *c.sent);
  int rc = c.idle == NULL || c.sent == NULL ? -ENOMEM : mapo_board_init(&c.board, r);
  for (int w = cooks - 1; rc == 0 && w >= 0; w--) c.idle[c.nidle++] = w; /* cook 0 on top */

  mapo_kitchen_open(k);
  barrier_idle(); /* every cook is in: they are waiting for their first step */
  /* The cooks entered through the barrier; the chef's enter is the last, so the clock
   * starts now and the kitchen counts the cooks (the chef is not one). */
  atomic_store(&k->arrived, cooks - 1);
  mapo_kitchen_enter(k, 0, cooks);
  if (rc == 0) {
    for (int done = 0; done < r->nsteps;) {
      deal(&c);
      if (c.nbusy == 0) { /* nothing running, nothing dealt: nothing will change */
        rc = -EDEADLK;
        break;
      }
      int64_t msg[3];
      MPI_Status st;
      mapo__mpi_recv_idle(msg, 3, MPI_INT64_T, MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &st);
      finish(&c, (int)msg[0], st.MPI_SOURCE - 1, msg[1], msg[2]);
      done++;
    }
  }
  /* Busy cooks (only after a failure) answer their step before they hear stop. */
  for (; c.nbusy > 0; c.nbusy--) {
    int64_t msg[3];
    mapo__mpi_recv_idle(msg, 3, MPI_INT64_T, MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, NULL);
  }
  mapo_kitchen_close(k);
  const int stop = STOP;
  for (int w = 0; w < cooks; w++) MPI_Send(&stop, 1, MPI_INT, w + 1, TAG_STEP, MPI_COMM_WORLD);
  for (int w = 0; w < cooks; w++) {
    int64_t used[3];
    mapo__mpi_recv_idle(used, 3, MPI_INT64_T, MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, NULL);
    k->cpu_ns += used[1]; /* the chef's own is in already: cpu is every rank's */
  }
  mapo_board_free(&c.board);
  free(c.idle);
  free(c.sent);
  return rc;
}

/* One run on every rank: rank 0 fills and closes k (initialised for unit_ms), the
 * others cook. Returns the chef's status, agreed. */
static int cook_once(mapo_kitchen *k, const mapo_recipe *r, double unit_ms,
                     const mapo__mpi_place *where) {
  int rc = 0;
  if (mapo__mpi_rank() == 0) {
    rc = head_chef(k, mapo__mpi_size() - 1, where);
  } else {
    barrier_idle();
    cook(r, unit_ms);
  }
  return mapo__mpi_agree(rc < 0 ? 1 : 0) ? (rc < 0 ? rc : -EIO) : 0;
}

/* ---- the lesson: parse -> run -> report -------------------------------------------- */

typedef struct cook_args {
  const char *recipe, *trace, *svg;
  int gantt, json, insist, wide;
  double unit_ms;
} cook_args;

/* Every rank parses; rank 0 checks the output files, whose folders are the ones that
 * count (it alone writes them). Returns -1 to go on, or the exit status, agreed. */
static int parse(int argc, char **argv, cook_args *a) {
  const cli_opt opts[] = {
      {"recipe", CLI_STRING, &a->recipe, 0, 0, NULL, "FILE",
       "a recipe file (default: the notebook's)"},
      {"unit-ms", CLI_DOUBLE, &a->unit_ms, 0, 60000, NULL, "MS",
       "ms per unit (default 100; 0: messages only)"},
      {"gantt", CLI_FLAG, &a->gantt, 0, 0, NULL, NULL, "draw a text Gantt chart, a row per cook"},
      {"trace", CLI_STRING, &a->trace, 0, 0, NULL, "FILE",
       "write a Chrome trace (open in Perfetto)"},
      {"svg", CLI_STRING, &a->svg, 0, 0, NULL, "FILE", "write an SVG Gantt chart"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object, nothing else"},
      {"wide", CLI_FLAG, &a->wide, 0, 0, NULL, NULL, "do not fold sentences to 80 columns"},
      CLI_INSIST(&a->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "cook",
      "[--recipe FILE] [--unit-ms MS] [--gantt] [--trace FILE]\n"
      "       [--svg FILE] [--json] [--wide] [--insist]",
      "Cook a recipe (the notebook's Mapo Tofu by default) with MPI ranks: rank 0, the\n"
      "head chef, deals each ready step to an idle cook (ranks 1 and up) as a message,\n"
      "keeping the dependencies and the utensils; it reports the makespan against the\n"
      "bound for that many cooks, the messages' cost (dispatch) and the rice\n"
      "temperature, as `mapo cook` does. Run it under mpirun with at least 2 ranks:\n"
      "mpirun -n 4 gives 3 cooks.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos;
  int rc = mapo__mpi_parse(&cmd, argc, argv, pos, &npos);
  if (rc >= 0) return rc;
  if (mapo__mpi_size() < 2)
    return mapo__mpi_fail(2, "cook",
                          "needs at least 2 ranks, a head chef and a cook "
                          "(rank 0 only coordinates): mpirun -n 4 mapo-mpi cook has 3 cooks");
  int status = 0;
  if (mapo__mpi_rank() == 0) {
    if ((status = cli_check_distinct(&cmd, "trace", a->trace, "svg", a->svg)) == 0 &&
        (status = cli_check_distinct(&cmd, "trace", a->trace, "recipe", a->recipe)) == 0 &&
        (status = cli_check_distinct(&cmd, "svg", a->svg, "recipe", a->recipe)) == 0 &&
        (status = cli_check_output(&cmd, "trace", a->trace)) == 0)
      status = cli_check_output(&cmd, "svg", a->svg);
    if (status != 0) mapo__mpi_fail(status, "cook", "%s", cli_error);
  }
  status = mapo__mpi_agree(status);
  return status != 0 ? status : -1;
}

/* The recipe's error, as `mapo cook` words it, kept for the agreement (every rank
 * parses the same bytes, so rank 0 has it too, and its line is the one told). */
static void recipe_failed(const char *path, const mapo_diag *d, int rc) {
  const int status = rc == -ENOMEM ? 1 : 2; /* out of memory is no bad input */
  if (path == NULL)
    mapo__mpi_fail(status, "cook", "the built-in recipe: %s", mapo_strerror(rc));
  else if (d->line > 0)
    mapo__mpi_fail(status, NULL, "%s:%d: %s", path, d->line, d->msg);
  else
    mapo__mpi_fail(status, NULL, "%s: %s", path, d->msg);
}

/* Rank 0 reads the recipe, once (its file, or the built-in text), and every rank parses
 * the same bytes: a cook needs each step's duration and kind, and must number the steps
 * as the chef does. The other ranks' --recipe is not read: it may name a node-local file
 * that differs, or stdin, which only rank 0 is given. Returns 0, or the exit status
 * agreed (2 for a recipe that cannot be read or parsed, 1 out of memory); then nothing is left to
 * free. */
static int load_recipe(const char *path, mapo_recipe *r) {
  mapo_diag d = {0};
  char *text = NULL;
  size_t len = 0;
  int rc = 0;
  if (mapo__mpi_rank() == 0) {
    rc = path ? mapo_recipe_read(path, &text, &len, &d) : 0;
    if (path == NULL && (text = strdup(mapo_recipe_builtin_text())) == NULL) rc = -ENOMEM;
    if (path == NULL && text != NULL) len = strlen(text);
    if (rc < 0) recipe_failed(path, &d, rc);
  }
  int status = mapo__mpi_agree(rc == -ENOMEM ? 1 : rc < 0 ? 2 : 0);
  if (status == 0) status = mapo__mpi_share("cook", &text, &len);
  if (status == 0) {
    rc = mapo_recipe_parse(r, text, len, &d);
    if (rc < 0) recipe_failed(path, &d, rc);
    status = mapo__mpi_agree(rc == -ENOMEM ? 1 : rc < 0 ? 2 : 0);
    if (status != 0 && rc == 0) mapo_recipe_free(r);
  }
  free(text);
  return status;
}

/* What the benchmark harness's hooks share: the kitchen (rank 0's), the recipe, the
 * unit asked for and the one of the run at hand, and how many runs were prepared. */
typedef struct job {
  mapo_kitchen k;
  mapo_cook_summary s;
  const mapo_recipe *r;
  mapo__mpi_place where; /* hosts, and the cooks' clocks against the chef's */
  double unit_ms, unit_now;
  int runs;
} job;

/* Before a run: rank 0 sets up the kitchen. The harness's warm-up is cooked at 0 ms a
 * unit, unobserved, as mapo_cook() does: the first messages between two ranks set up
 * their connection, and the first pass through any code path pays page faults and lazy
 * binding. Then the run that counts, at the unit asked for. */
static int prepare(void *user) {
  job *j = user;
  int rc = 0;
  j->unit_now = j->runs++ == 0 ? 0 : j->unit_ms;
  const mapo_kitchen_opts o = {.unit_ms = j->unit_now, .cooks = mapo__mpi_size() - 1};
  if (mapo__mpi_rank() == 0) {
    mapo_kitchen_free(&j->k);
    rc = mapo_kitchen_init(&j->k, j->r, &o);
  }
  return mapo__mpi_agree(rc < 0 ? 1 : 0) == 0 ? 0 : rc < 0 ? rc : -EIO;
}

/* The run: the kitchen times itself from the moment every cook is in, so its makespan
 * (rank 0's; the cooks do not know it) is the run's seconds. */
static int run(void *user, double *seconds) {
  job *j = user;
  int rc = cook_once(&j->k, j->r, j->unit_now, &j->where);
  *seconds = (double)j->k.makespan_ns / 1e9;
  return rc;
}

/* Rank 0: the report, as `mapo cook` gives it, with the ranks added, and the files.
 * Returns the exit status. */
static int report(const cook_args *a, const job *j) {
  int status = 0, rc;
  const int size = mapo__mpi_size();
  if (a->json) {
    fputc('{', stdout);
    mapo_report_cook_json_fields(stdout, &mpi_model, &j->k, &j->s);
    printf(",\"ranks\":%d,", size);
    mapo__mpi_place_json(stdout, &j->where, 1);
    fputs("}\n", stdout);
  } else {
    char ranks[256];
    const int columns = cli_columns(a->wide);
    mapo_report_cook_text(stdout, &mpi_model, &j->k, &j->s);
    mapo_report_paragraph(stdout, columns, "  ", "  ",
                          mapo_report_cook_ranks(ranks, sizeof ranks, size));
    mapo__mpi_place_text(stdout, &j->where, 1, columns);
    /* The chart's time axis: 64 columns, or what leaves room for its labels (22). */
    int chart = columns > 0 && columns - 22 < 64 ? columns - 22 : 64;
    if (a->gantt) mapo_report_gantt(stdout, &j->k, &j->s, chart < 20 ? 20 : chart);
  }
  if (a->trace && (rc = mapo_report_trace_file(a->trace, &mpi_model, &j->k)) < 0) {
    fprintf(stderr, "mapo-mpi cook: --trace %s: %s\n", a->trace, mapo_strerror(rc));
    status = 1;
  }
  if (a->svg && (rc = mapo_report_svg_file(a->svg, &mpi_model, &j->k, &j->s)) < 0) {
    fprintf(stderr, "mapo-mpi cook: --svg %s: %s\n", a->svg, mapo_strerror(rc));
    status = 1;
  }
  if (fflush(stdout) != 0 || ferror(stdout)) status = 1;
  return status;
}

/* The run's least time against the limit (cli_check_time): the recipe's bound for the
 * cooks, ranks 1 and up, as a model row of their own. Every rank decides alike from the
 * same flags and recipe, and agree; rank 0 prints the line (agree.c). 0 or 2. */
static int check_time(const cook_args *a, const mapo_recipe *r) {
  const mapo_cook_model ranks = {"mpi", NULL, MAPO_HOLD_ALL, mapo__mpi_size() - 1, NULL, NULL};
  const mapo_kitchen_opts o = {.unit_ms = a->unit_ms};
  const cli_cmd cmd = {.name = "cook"}; /* for the message: parse's is gone */
  const int status = cli_check_time(&cmd, mapo_cook_estimate_s(&ranks, r, &o, 1), a->insist);
  if (status != 0) mapo__mpi_fail(status, "cook", "%s", cli_error);
  return mapo__mpi_agree(status);
}

int mapo__mpi_cook(int argc, char **argv) {
  cook_args a = {.unit_ms = 100};
  const int parsed = parse(argc, argv, &a);
  if (parsed >= 0) return parsed;
  mapo_recipe r;
  int loaded = load_recipe(a.recipe, &r);
  if (loaded != 0) return loaded;
  if (check_time(&a, &r) != 0) {
    mapo_recipe_free(&r);
    return 2;
  }

  /* Where the cooks are and how their clocks read, then one warm-up and the run that
   * counts (see prepare). */
  job j = {.r = &r, .unit_ms = a.unit_ms};
  if (mapo__mpi_place_init(&j.where) != 0) {
    mapo_recipe_free(&r);
    return 1;
  }
  mapo__mpi_place_clocks(&j.where);
  double seconds;
  const mapo_bench b = {.warmup = 1, .repeat = 1, .user = &j, .prepare = prepare, .run = run};
  int rc = mapo_bench_run(&b, &seconds, NULL), status = 0;
  if (rc < 0)
    status = mapo__mpi_fail(
        1, "cook", "%s",
        rc == -EDEADLK ? "steps are left that wait for utensils nobody holds" : mapo_strerror(rc));
  if (status == 0 && mapo__mpi_rank() == 0) {
    rc = mapo_kitchen_summarize(&j.k, MAPO_HOLD_ALL, &j.s);
    status = rc < 0 ? mapo__mpi_fail(1, "cook", "%s", mapo_strerror(rc)) : report(&a, &j);
  }
  mapo_cook_summary_free(&j.s);
  mapo_kitchen_free(&j.k);
  mapo__mpi_place_free(&j.where);
  mapo_recipe_free(&r);
  return mapo__mpi_agree(status);
}
