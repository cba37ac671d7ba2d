/* cmd_scale.c - `mapo scale`: a scaling study of a sum model over thread counts, by
 * default 1 up to four times the processors, so that the notebook's "too much load
 * will strangle your system" shows past the core count.
 *
 * Run: mapo scale [--threads 1-8] [--weak] [--svg speedup.svg]
 * What to notice: the runs alternate between the thread counts (forward, then
 * backward, ...) so that a machine that drifts slower during the study slows every
 * count alike instead of the last ones; the arithmetic is src/core/scale.c, the
 * reports src/report/scale.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "outputs.h"

enum { REPEAT_MAX = 1000 };

typedef struct scale_args {
  const char *model, *split, *threads, *csv, *svg;
  int numbers, repeat, weak, json, insist, wide;
  uint64_t base;
} scale_args;

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* A thread count from s[0..len): 1 when it is one, 0 when it is no whole number, -1
 * when it is one out of range (leading zeros and huge values included, by length). */
static int count_of(const char *s, size_t len, int *out) {
  if (len == 0) return 0;
  long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    if (v <= MAPO_SUM_THREADS_MAX) v = v * 10 + (s[i] - '0');
  }
  if (v < 1 || v > MAPO_SUM_THREADS_MAX) return -1;
  *out = (int)v;
  return 1;
}

/* --threads: items N or A-B, separated by commas ("1-4,6,8"); every count once, at most
 * MAPO_SCALE_POINTS_MAX of them, 1 among them. Sorted into p[]; returns the count, or
 * prints one line and returns -1. */
static int parse_threads(const cli_cmd *cmd, const char *arg, int *p) {
  int n = 0;
  for (const char *item = arg;; item++) {
    size_t len = strcspn(item, ",");
    const char *dash = memchr(item, '-', len);
    size_t left = dash ? (size_t)(dash - item) : len;
    int lo = 0, hi = 0;
    if (len == 0) {
      cli_fail(cmd, "--threads: '%s' has an empty item (a list is 1,2,4; a range 1-8)", arg);
      return -1;
    }
    int a = count_of(item, left, &lo), b = dash ? count_of(dash + 1, len - left - 1, &hi) : 1;
    if (a == 0 || b == 0) {
      cli_fail(cmd,
               "--threads: '%.*s' is neither a thread count nor a range A-B (a list is "
               "1,2,4; a range 1-8)",
               (int)len, item);
      return -1;
    }
    if (a < 0 || b < 0) {
      cli_fail(cmd, "--threads: '%.*s': a thread count is 1 to %d", (int)len, item,
               MAPO_SUM_THREADS_MAX);
      return -1;
    }
    if (!dash) hi = lo;
    if (hi < lo) {
      cli_fail(cmd, "--threads: '%.*s' runs downwards (write %d-%d)", (int)len, item, hi, lo);
      return -1;
    }
    if (hi - lo + 1 > MAPO_SCALE_POINTS_MAX - n) {
      cli_fail(cmd, "--threads: '%s' makes more than %d thread counts", arg, MAPO_SCALE_POINTS_MAX);
      return -1;
    }
    for (int v = lo; v <= hi; v++) p[n++] = v;
    item += len;
    if (*item == '\0') break;
  }
  qsort(p, (size_t)n, sizeof *p, cmp_int);
  for (int i = 1; i < n; i++)
    if (p[i] == p[i - 1]) {
      cli_fail(cmd, "--threads: %d is given twice", p[i]);
      return -1;
    }
  if (p[0] != 1) {
    cli_fail(cmd, "--threads must include 1: speedup is measured against one thread");
    return -1;
  }
  return n;
}

/* The default: every count from 1 to 4x the processors; on a machine too big for
 * that, the powers of two, the multiples of the processor count and an even spread
 * between them, so that the knee at the processor count is still drawn. */
static int default_threads(int procs, int *p) {
  int top = 4 * procs > MAPO_SUM_THREADS_MAX ? MAPO_SUM_THREADS_MAX : 4 * procs, n = 0;
  if (top <= MAPO_SCALE_POINTS_MAX) {
    for (int v = 1; v <= top; v++) p[n++] = v;
    return n;
  }
  int step = (top + 47) / 48; /* 48 spread + 11 powers of two + 4 multiples <= 64 */
  p[n++] = 1;
  for (int v = 2; v <= top; v *= 2) p[n++] = v;
  for (int k = 1; k <= 4; k++)
    if (k * procs <= top) p[n++] = k * procs;
  for (int v = step; v <= top; v += step) p[n++] = v;
  qsort(p, (size_t)n, sizeof *p, cmp_int);
  int m = 0;
  for (int i = 0; i < n; i++)
    if (m == 0 || p[i] != p[m - 1]) p[m++] = p[i];
  return m;
}

/* A progress line for a person watching: on stderr, only when it is a terminal, drawn
 * over itself and wiped at the end so that nothing of it stays. */
typedef struct progress {
  int on, width;
} progress;

static void progress_show(progress *pr, int done, int total, int threads, int round, int rounds) {
  if (!pr->on) return;
  char line[128];
  int n = snprintf(line, sizeof line, "mapo scale: run %d of %d (%d thread%s, round %d of %d)",
                   done, total, threads, threads == 1 ? "" : "s", round, rounds);
  /* Blanks over whatever a longer line before left. */
  fprintf(stderr, "\r%s%*s", line, pr->width > n ? pr->width - n : 0, "");
  if (n > pr->width) pr->width = n;
  fflush(stderr);
}

static void progress_clear(progress *pr) {
  if (pr->on && pr->width > 0) fprintf(stderr, "\r%*s\r", pr->width, "");
  pr->width = 0;
}

typedef struct study_run {
  int npoints, repeat;
  int p[MAPO_SCALE_POINTS_MAX];
  mapo_sum_job job[MAPO_SCALE_POINTS_MAX];
  double *seconds; /* [point][repeat] */
} study_run;

static void study_free(study_run *x) {
  for (int i = 0; i < x->npoints; i++) mapo_sum_job_free(&x->job[i]);
  free(x->seconds);
}

/* Time every point `repeat` times, alternating the order of the counts: forward in
 * odd rounds, backward in even ones, so that drift and warm caches favour no count.
 * Returns 0, 1 after printing one line (a run failed), or a negative code. */
static int study_time(study_run *x, const mapo_sum_model *m, uint64_t base) {
  progress pr = {isatty(2), 0};
  int total = x->npoints * x->repeat, done = 0;
  for (int r = 0; r < x->repeat; r++) {
    for (int k = 0; k < x->npoints; k++) {
      int i = r % 2 == 0 ? k : x->npoints - 1 - k;
      mapo_sum_job *job = &x->job[i];
      progress_show(&pr, ++done, total, x->p[i], r + 1, x->repeat);
      int bad = -1, rc = mapo_sum_time(m, job, 1, &x->seconds[i * x->repeat + r], NULL, &bad);
      if (rc == MAPO_EVERIFY) {
        progress_clear(&pr);
        fprintf(stderr, "mapo scale: %d thread%s: n = %" PRIu64 " did not verify\n", x->p[i],
                x->p[i] == 1 ? "" : "s", base + (uint64_t)bad);
        return 1;
      }
      if (rc < 0) {
        progress_clear(&pr);
        return rc;
      }
      /* A study whose counts are not what ran measures nothing (OMP_THREAD_LIMIT,
       * OMP_DYNAMIC and the like can shrink a team). */
      if (job->threads_used != x->p[i]) {
        progress_clear(&pr);
        fprintf(stderr,
                "mapo scale: asked for %d threads, the OpenMP runtime gave %d "
                "(OMP_THREAD_LIMIT? OMP_DYNAMIC?)\n",
                x->p[i], job->threads_used);
        return 1;
      }
    }
  }
  progress_clear(&pr);
  return 0;
}

/* What the flags allow together, and the thread counts into x; returns -1 to go on, or
 * 2 after one line on stderr. */
static int check(const cli_cmd *cmd, const scale_args *a, study_run *x) {
  if (!mapo_sum_model_find(a->model)->threaded)
    return cli_fail(cmd,
                    "--model %s: nothing to scale, it runs one thread whatever "
                    "--threads says",
                    a->model);
  x->npoints = a->threads ? parse_threads(cmd, a->threads, x->p)
                          : default_threads(mapo_sum_processors(), x->p);
  if (x->npoints <= 0) return 2; /* each gives one point or more, or says why not */
  const int pmax = x->p[x->npoints - 1];
  /* The most numbers any point sums: under --weak, numbers x the largest count. */
  long long most = (long long)a->numbers * (a->weak ? pmax : 1);
  if (most > MAPO_SUM_NUMBERS_MAX)
    return cli_fail(cmd, "--weak: %d numbers x %d threads is %lld numbers, more than %d",
                    a->numbers, pmax, most, MAPO_SUM_NUMBERS_MAX);
  if (MAPO_SUM_N_MAX - a->base < (uint64_t)(most - 1))
    return cli_fail(cmd,
                    "--base %llu with %lld numbers goes past n = 2^32, where i*i no "
                    "longer fits 64 bits",
                    (unsigned long long)a->base, most);
  int rc;
  if ((rc = cli_check_distinct(cmd, "csv", a->csv, "svg", a->svg)) ||
      (rc = cli_check_output(cmd, "csv", a->csv)) || (rc = cli_check_output(cmd, "svg", a->svg)))
    return rc;
  const double least = mapo_scale_estimate_s(x->p, x->npoints, a->numbers, a->base, a->weak,
                                             mapo_sum_processors(), a->repeat);
  return cli_check_time(cmd, least, a->insist) ? 2 : -1;
}

/* The flags into a, the thread counts into x; returns -1 to go on, or the exit status
 * (0 after --help, 2). */
static int parse(int argc, char **argv, scale_args *a, study_run *x) {
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &a->model, 0, 0, mapo__cli_sum_models(), "M",
       "the sum model (default reduction; serial has nothing to scale)"},
      {"threads", CLI_STRING, &a->threads, 0, 0, NULL, "LIST",
       "thread counts: a list 1,2,4,8, a range 1-8, or both 1-4,6,8; must include 1 "
       "(default: 1 to 4x the processors; on a big machine a spread of 64 counts at most)"},
      {"weak", CLI_FLAG, &a->weak, 0, 0, NULL, NULL,
       "weak scaling: numbers x p numbers at p threads (default: strong, the same work)"},
      mapo__cli_sum_numbers(&a->numbers),
      {"base", CLI_U64, &a->base, 0, (double)MAPO_SUM_N_MAX, NULL, "B",
       "the first n (default 5000000, the notebook's)"},
      mapo__cli_sum_split(&a->split),
      {"repeat", CLI_INT, &a->repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs per thread count (default 5), each after its own warm-up"},
      {"csv", CLI_STRING, &a->csv, 0, 0, NULL, "FILE", "write the points as CSV"},
      {"svg", CLI_STRING, &a->svg, 0, 0, NULL, "FILE",
       "write the chart: speedup and efficiency against threads"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      CLI_WIDE(&a->wide),
      CLI_INSIST(&a->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "scale",
      "",
      "A scaling study: time a sum model (see mapo sum) at each thread count and report\n"
      "speedup T1/Tp, efficiency speedup/p and the Karp-Flatt serial fraction per count,\n"
      "and the serial fraction of Amdahl's law fitted to the counts that have a processor\n"
      "each (under --weak: efficiency T1/Tp, scaled speedup p*T1/Tp, Gustafson's law).\n"
      "Each timing has its own warm-up; the counts take turns (forward, then backward) so\n"
      "that drift hits them all alike. Past the processor count the threads only share\n"
      "cores: the notebook's \"too much load will strangle your system\", measured.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  return check(&cmd, a, x);
}

/* A job per point, each timed `repeat` times. Returns 0, or 1 after one line. */
static int run(const scale_args *a, const mapo_sum_model *m, study_run *x) {
  const mapo_split how = (mapo_split)mapo_sum_split_find(a->split);
  x->repeat = a->repeat;
  const size_t nseconds = (size_t)x->npoints * (size_t)a->repeat;
  x->seconds = malloc((nseconds > 0 ? nseconds : 1) * sizeof *x->seconds);
  int rc = x->seconds ? 0 : -ENOMEM;
  for (int i = 0; i < x->npoints && rc == 0; i++)
    rc = mapo_sum_job_init(&x->job[i], a->weak ? a->numbers * x->p[i] : a->numbers, a->base,
                           x->p[i], how);
  if (rc == 0) rc = study_time(x, m, a->base);
  if (rc < 0) fprintf(stderr, "mapo scale: %s\n", mapo_strerror(rc));
  return rc == 0 ? 0 : 1;
}

/* Each point's spread of times, then speedups and the fit. Returns 0, or 1 after one
 * line (only a run too short for the clock, a time of 0, gets there). */
static int analyze(const study_run *x, mapo_scale_point *pts, mapo_scale_study *st) {
  int rc = 0;
  for (int i = 0; i < x->npoints && rc == 0; i++) {
    mapo_spread s;
    rc = mapo_spread_of(&x->seconds[(size_t)i * (size_t)x->repeat], x->repeat, &s);
    pts[i] = (mapo_scale_point){
        .threads = x->p[i], .seconds_median = s.median, .seconds_min = s.min, .seconds_max = s.max};
  }
  if (rc == 0) rc = mapo_scale_analyze(pts, x->npoints, st->weak, st->processors, &st->fit);
  if (rc < 0)
    fprintf(stderr, "mapo scale: %s: a run took no measurable time (try a larger --base)\n",
            mapo_strerror(rc));
  return rc < 0 ? 1 : 0;
}

/* The study on stdout, and in the files asked for; returns the exit status. */
static int report(const scale_args *a, const mapo_scale_study *st) {
  int status = 0, rc;
  if (a->json)
    mapo_report_scale_json(stdout, st);
  else
    mapo_report_scale_text(stdout, st, cli_width(a->wide));
  if (a->csv && (rc = mapo_report_write_file(a->csv, mapo_report_scale_csv_writer, st)) < 0) {
    fprintf(stderr, "mapo scale: --csv %s: %s\n", a->csv, mapo_strerror(rc));
    status = 1;
  }
  if (a->svg && (rc = mapo_report_write_file(a->svg, mapo_report_scale_svg_writer, st)) < 0) {
    fprintf(stderr, "mapo scale: --svg %s: %s\n", a->svg, mapo_strerror(rc));
    status = 1;
  }
  return ferror(stdout) ? 1 : status;
}

int mapo__cmd_scale(int argc, char **argv) {
  scale_args a = {
      .model = "reduction", .split = "numbers", .numbers = 20, .repeat = 5, .base = 5000000};
  study_run x = {0}; /* every job zeroed: study_free may free any of them */
  int rc = parse(argc, argv, &a, &x);
  if (rc >= 0) return rc;
  const mapo_sum_model *m = mapo_sum_model_find(a.model);
  mapo_scale_point pts[MAPO_SCALE_POINTS_MAX];
  mapo_scale_study st = {.model = m->name,
                         .split = a.split,
                         .lesson = m->lesson,
                         .weak = a.weak,
                         .numbers = a.numbers,
                         .base = a.base,
                         .repeat = a.repeat,
                         .processors = mapo_sum_processors(),
                         .openmp = mapo_sum_openmp_version(),
                         .npoints = x.npoints,
                         .points = pts};
  rc = run(&a, m, &x);
  if (rc == 0) rc = analyze(&x, pts, &st);
  study_free(&x);
  return rc == 0 ? report(&a, &st) : rc;
}
