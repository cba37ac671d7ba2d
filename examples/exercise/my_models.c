/* my_models.c - your own cooking model and your own sum model, checked and timed by
 * mapo's harness beside the built-in ones.
 *
 * Run:    build-ex/my_models [UNIT_MS]   (see README.md; UNIT_MS defaults to 100)
 * Notice: a cooking model only decides who runs which step when; the kitchen does the
 *         rest (mapo_kitchen_step sleeps or spins, takes and returns utensils, records
 *         the timeline). The level-by-level model below waits at the end of every
 *         level for its slowest step: compare its makespan with `tasks`, which starts
 *         each step the moment what it comes after is done. The sum model hands the
 *         pieces out dynamically: compare its time with `reduction`'s static deal.
 *         Change my_cook() and my_sum() (or write new ones) and run again: main()
 *         checks every run and exits 1 if one is wrong (the kitchen itself refuses a
 *         cooking run that broke one of its rules, README.md, in one sentence).
 */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include <mapo/mapo.h>

/* ---- Your cooking model ------------------------------------------------------- */

/* Level by level: a step's level is one more than the deepest of the steps it comes
 * after, so all steps of one level can run at once. One parallel region; in it, one
 * `omp for` per level, whose implicit barrier is the wait for the whole level. */
static int my_cook(mapo_kitchen *k, mapo_diag *diag) {
  const mapo_recipe *r = k->recipe;
  (void)diag;
  int *level = malloc((size_t)r->nsteps * sizeof *level);
  int *bylevel = malloc((size_t)r->nsteps * sizeof *bylevel);
  int *first = calloc((size_t)r->nsteps + 2, sizeof *first);
  if (level == NULL || bylevel == NULL || first == NULL) {
    free(level), free(bylevel), free(first);
    return -ENOMEM;
  }
  /* r->order is topological: every predecessor's level is known before its step's. */
  int nlevels = 0;
  for (int i = 0; i < r->nsteps; i++) {
    const int s = r->order[i];
    level[s] = 0;
    for (int j = 0; j < r->steps[s].npred; j++)
      if (level[r->steps[s].pred[j]] + 1 > level[s]) level[s] = level[r->steps[s].pred[j]] + 1;
    if (level[s] + 1 > nlevels) nlevels = level[s] + 1;
  }
  /* Steps sorted by level (a counting sort): level l is bylevel[first[l] .. first[l+1]). */
  for (int s = 0; s < r->nsteps; s++) first[level[s] + 2]++;
  for (int l = 2; l <= nlevels + 1; l++) first[l] += first[l - 1];
  for (int i = 0; i < r->nsteps; i++) {
    const int s = r->order[i];
    bylevel[first[level[s] + 1]++] = s;
  }

  mapo_kitchen_open(k);
#pragma omp parallel num_threads(k->cooks)
  {
    const int me = omp_get_thread_num();
    mapo_kitchen_enter(k, me, omp_get_num_threads());
    for (int l = 0; l < nlevels; l++) {
#pragma omp for schedule(dynamic, 1)
      for (int i = first[l]; i < first[l + 1]; i++) mapo_kitchen_step(k, bylevel[i], me);
    }
  }
  mapo_kitchen_close(k);
  free(level), free(bylevel), free(first);
  return 0;
}

static const mapo_cook_model my_cook_model = {
    .name = "my-levels",
    .cook = my_cook,
    .hold = MAPO_HOLD_ALL,
    .fixed_cooks = 0,
    .lesson = "Steps run level by level, a barrier after each: the slowest step of a level "
              "holds up the next."};

/* ---- Your sum model ----------------------------------------------------------- */

#pragma omp declare reduction(my_u128_sum:mapo_u128 : omp_out += omp_in) initializer(omp_priv = 0)

/* The reduction model with schedule(dynamic): a thread that finishes its piece takes
 * the next one, so uneven pieces even out, at the cost of a shared counter per piece. */
static int my_sum(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job), numbers = job->numbers;
  mapo_u128 *result = job->result;

#pragma omp parallel num_threads(job->threads)
  {
#pragma omp masked
    job->threads_used = omp_get_num_threads(); /* what the runtime gave, for the report */
#pragma omp for schedule(dynamic, 1) reduction(my_u128_sum : result[:numbers])
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      result[w.number] += mapo_sum_squares(w.lo, w.hi);
    }
  }
  return 0;
}

static const mapo_sum_model my_sum_model = {
    "my-dynamic", my_sum, 1, "The reduction model dealing pieces on demand (schedule(dynamic))."};

/* ---- The harness: you need not change anything below -------------------------- */

/* Cook the recipe with one model and print mapo's report. The kitchen checks its rules on
 * every run (mapo_kitchen_check): a run that broke one ends in MAPO_EKITCHEN and one
 * sentence, and is never reported. */
static int cook_one(const mapo_cook_model *m, const mapo_recipe *r, double unit_ms) {
  mapo_kitchen_opts o = {.unit_ms = unit_ms, .cooks = 0};
  mapo_kitchen k;
  mapo_cook_summary s;
  mapo_diag diag = {0};
  int rc = mapo_cook(m, r, &o, &k, &s, &diag);
  if (rc == MAPO_EKITCHEN) {
    printf("%s: NOT verified: %s\n\n", m->name, diag.msg);
  } else if (rc < 0) {
    fprintf(stderr, "%s: %s\n", m->name, mapo_strerror(rc));
  } else {
    mapo_report_cook_text(stdout, m, &k, &s);
    printf("%s: verified\n\n", m->name);
  }
  mapo_cook_summary_free(&s);
  mapo_kitchen_free(&k);
  return rc;
}

/* Time one sum model on the notebook's 20 numbers; every run verified. */
static int sum_one(const mapo_sum_model *m, int threads) {
  enum { REPEAT = 3 };
  mapo_sum_job job;
  int rc = mapo_sum_job_init(&job, 20, 5000000, threads, MAPO_SPLIT_NUMBERS);
  if (rc < 0) {
    fprintf(stderr, "%s: %s\n", m->name, mapo_strerror(rc));
    return rc;
  }
  double seconds[REPEAT];
  mapo_spread spread;
  int bad = -1;
  rc = mapo_sum_time(m, &job, REPEAT, seconds, &spread, &bad);
  if (rc == 0)
    printf("%-12s %2d threads  median %8.3f ms  min %8.3f  max %8.3f  verified\n", m->name,
           job.threads_used, spread.median * 1e3, spread.min * 1e3, spread.max * 1e3);
  else if (rc == MAPO_EVERIFY)
    printf("%-12s number %d is wrong: NOT verified\n", m->name, bad);
  else
    fprintf(stderr, "%s: %s\n", m->name, mapo_strerror(rc));
  mapo_sum_job_free(&job);
  return rc;
}

int main(int argc, char **argv) {
  const double unit_ms = argc > 1 ? atof(argv[1]) : 100;
  if (argc > 2 || unit_ms < 0 || unit_ms > 60000) {
    fprintf(stderr, "usage: %s [UNIT_MS]   (0..60000, default 100)\n", argv[0]);
    return 2;
  }
  printf("mapo %s; unit %g ms\n\n", MAPO_VERSION, unit_ms);

  mapo_recipe r;
  int rc = mapo_recipe_builtin(&r);
  if (rc < 0) {
    fprintf(stderr, "the built-in recipe: %s\n", mapo_strerror(rc));
    return 1;
  }
  int failed = 0;
  failed |= cook_one(&my_cook_model, &r, unit_ms) != 0;
  failed |= cook_one(mapo_cook_model_find("tasks"), &r, unit_ms) != 0;
  mapo_recipe_free(&r);

  const int threads = mapo_sum_processors() < 2 ? 2 : mapo_sum_processors();
  printf("sum: 20 numbers from 5000000, 3 timed runs after a warm-up\n");
  failed |= sum_one(&my_sum_model, threads) != 0;
  failed |= sum_one(mapo_sum_model_find("reduction"), threads) != 0;

  printf("\n%s\n", failed ? "FAILED: a model did not verify" : "all verified");
  return failed ? 1 : 0;
}
