/* cmd_sum.c - `mapo sum`: the notebook's CPU-bound example as a verified benchmark.
 *
 * Run:    mapo sum [--model atomic] [--threads 2] [--split range] [--json]
 * Notice: the command reads parse -> run -> report. The timing and the verification
 *         are the library's (mapo_sum_time, on the benchmark harness); the words and
 *         keys are src/report/sum.c's, shared with `mapo-mpi sum`.
 */
#include <stdio.h>

#include "cli.h"
#include "outputs.h"

enum { REPEAT_MAX = 1000 };

typedef struct sum_args {
  const char *model, *split;
  int threads, numbers, repeat, json, insist, wide;
  uint64_t base;
} sum_args;

/* One run's outcome: what the report needs beside the job. */
typedef struct sum_run {
  double seconds[REPEAT_MAX];
  mapo_spread spread;
  double serial_seconds[REPEAT_MAX]; /* the serial baseline, beside a threaded model */
  mapo_spread serial;
  int has_serial;
  int verified, bad;
  char warning[160];
} sum_run;

const char *const *mapo__cli_sum_models(void) { return mapo_sum_model_names(); }

cli_opt mapo__cli_sum_numbers(int *numbers) {
  return (cli_opt){"numbers",
                   CLI_INT,
                   numbers,
                   1,
                   MAPO_SUM_NUMBERS_MAX,
                   NULL,
                   "N",
                   "how many numbers n = base, base+1, ... (default 20, the notebook's)"};
}

cli_opt mapo__cli_sum_split(const char **split) {
  return (cli_opt){
      "split", CLI_CHOICE,
      split,   0,
      0,       mapo_sum_split_names,
      "S",     "hand out whole numbers (the notebook's) or cut every number's range evenly"};
}

/* The flags into a; returns -1 to go on, or the exit status (0 after --help, 2). */
static int parse(int argc, char **argv, sum_args *a) {
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &a->model, 0, 0, mapo__cli_sum_models(), "M",
       "the model (default reduction)"},
      {"threads", CLI_INT, &a->threads, 1, MAPO_SUM_THREADS_MAX, NULL, "N",
       "threads (default: the processors OpenMP sees)"},
      mapo__cli_sum_numbers(&a->numbers),
      {"base", CLI_U64, &a->base, 0, (double)MAPO_SUM_N_MAX, NULL, "B",
       "the first n (default 5000000, the notebook's); n + numbers - 1 <= 2^32"},
      mapo__cli_sum_split(&a->split),
      {"repeat", CLI_INT, &a->repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs after one warm-up (default 5): median, min and max are reported"},
      {"json", CLI_FLAG, &a->json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      CLI_WIDE(&a->wide),
      CLI_INSIST(&a->insist),
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "sum",
      "",
      "The notebook's CPU-bound example: for each of N numbers n = B, B+1, ..., the sum of\n"
      "i*i for i < n, exact (128-bit), verified against n(n-1)(2n-1)/6 after the clock\n"
      "stops (exit 1 if any number is wrong). Each model teaches one lesson: serial,\n"
      "critical and atomic (a shared total behind a lock), false-sharing and padded (a\n"
      "total per thread, sharing a cache line or not), reduction (the default).",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (MAPO_SUM_N_MAX - a->base < (uint64_t)(a->numbers - 1))
    return cli_fail(&cmd,
                    "--base %llu with --numbers %d goes past n = 2^32, where i*i no longer "
                    "fits 64 bits",
                    (unsigned long long)a->base, a->numbers);
  if (!mapo_sum_model_find(a->model)->threaded && a->threads > 1)
    return cli_fail(&cmd, "--threads: the serial model runs on one thread");
  /* The cores the run can use: its threads, at most one a processor. */
  const int procs = mapo_sum_processors(), threads = a->threads ? a->threads : procs;
  const int cores = !mapo_sum_model_find(a->model)->threaded ? 1
                    : threads < procs                        ? threads
                                                             : procs;
  /* A threaded model is timed beside the serial one, its baseline, on one core. */
  double least = mapo_sum_estimate_s(a->numbers, a->base, cores, a->repeat + 1);
  if (mapo_sum_model_find(a->model)->threaded)
    least += mapo_sum_estimate_s(a->numbers, a->base, 1, a->repeat + 1);
  return cli_check_time(&cmd, least, a->insist) ? 2 : -1;
}

/* The serial model on the same numbers, first, so that the job keeps the threaded
 * model's results and CPUs for the report: the baseline of the verdict. Returns 0, or 1
 * after one line on stderr. */
static int baseline(mapo_sum_job *job, int repeat, sum_run *x) {
  int bad = -1;
  int rc = mapo_sum_time(mapo_sum_model_find("serial"), job, repeat, x->serial_seconds, &x->serial,
                         &bad);
  if (rc < 0) {
    fprintf(stderr, "mapo sum: the serial baseline: %s\n", mapo_strerror(rc));
    return 1;
  }
  x->has_serial = 1;
  return 0;
}

/* Time the model on the job (beside serial when it is threaded); a warning first when
 * the threads outnumber the processors: whether that costs anything, the verdict says.
 * Returns 0 (verified or not: x says), or 1 after one line on stderr. */
static int run(const mapo_sum_model *m, mapo_sum_job *job, int repeat, sum_run *x) {
  const int procs = mapo_sum_processors();
  if (job->threads > procs) {
    snprintf(x->warning, sizeof x->warning,
             "%d threads on %d processors: they take turns on the cores", job->threads, procs);
    fprintf(stderr, "mapo sum: warning: %s\n", x->warning);
  }
  if (m->threaded && baseline(job, repeat, x) != 0) return 1;
  int rc = mapo_sum_time(m, job, repeat, x->seconds, &x->spread, &x->bad);
  if (rc < 0 && rc != MAPO_EVERIFY) {
    fprintf(stderr, "mapo sum: %s\n", mapo_strerror(rc));
    return 1;
  }
  x->verified = rc == 0;
  return 0;
}

/* The report of one run on stdout; returns the exit status. */
static int report(const sum_args *a, const mapo_sum_model *m, const mapo_sum_job *job,
                  const sum_run *x) {
  mapo_sum_result r = {.model = m->name,
                       .lesson = m->lesson,
                       .how = mapo_sum_model_how(m),
                       .atomic = mapo_sum_atomic_how(),
                       .numbers = job->numbers,
                       .base = job->base,
                       .split = a->split,
                       .threads = job->threads,
                       .threads_used = job->threads_used,
                       .repeat = a->repeat,
                       .seconds = x->seconds,
                       .spread = x->spread,
                       .verified = x->verified,
                       .cpus = job->cpu,
                       .processors = mapo_sum_processors(),
                       .openmp = mapo_sum_openmp_version(),
                       .warning = x->warning,
                       .serial = x->has_serial ? &x->serial : NULL,
                       .text = cli_width(a->wide)};
  mapo_u128_format(mapo_sum_checksum(job), r.checksum);
  if (!x->verified) {
    r.bad_n = job->base + (uint64_t)x->bad;
    mapo_u128_format(job->result[x->bad], r.got);
    mapo_u128_format(mapo_sum_formula(r.bad_n), r.want);
  }
  if (a->json)
    mapo_report_sum_json(stdout, &r);
  else
    mapo_report_sum_text(stdout, &r);
  if (!x->verified)
    fprintf(stderr, "mapo sum: n = %llu did not verify\n", (unsigned long long)r.bad_n);
  return x->verified ? 0 : 1;
}

int mapo__cmd_sum(int argc, char **argv) {
  sum_args a = {
      .model = "reduction", .split = "numbers", .numbers = 20, .repeat = 5, .base = 5000000};
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  const mapo_sum_model *m = mapo_sum_model_find(a.model);
  const int threads = a.threads ? a.threads : m->threaded ? mapo_sum_processors() : 1;
  mapo_sum_job job;
  rc =
      mapo_sum_job_init(&job, a.numbers, a.base, threads, (mapo_split)mapo_sum_split_find(a.split));
  if (rc < 0) {
    fprintf(stderr, "mapo sum: %s\n", mapo_strerror(rc));
    return rc == MAPO_EINVAL ? 2 : 1;
  }
  sum_run x = {.bad = -1};
  int status = run(m, &job, a.repeat, &x);
  if (status == 0) status = report(&a, m, &job, &x);
  mapo_sum_job_free(&job);
  return status;
}
