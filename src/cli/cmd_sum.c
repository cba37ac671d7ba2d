/* cmd_sum.c - `mapo sum`: the notebook's CPU-bound example as a verified benchmark. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { REPEAT_MAX = 1000 };

static const char *const split_names[] = {"numbers", "range", NULL};

const char *const *mapo__cli_sum_models(void) {
  static const char *names[16];
  int n = 0;
  for (const mapo_sum_model *m = mapo_sum_models; m->name && n < 15; m++) names[n++] = m->name;
  names[n] = NULL;
  return names;
}

static void cpus_json(const mapo_sum_job *job) {
  fputc('[', stdout);
  for (int t = 0; t < job->threads_used; t++) printf("%s%d", t ? "," : "", job->cpu[t]);
  fputc(']', stdout);
}

int mapo__cmd_sum(int argc, char **argv) {
  const char *model = "reduction", *split = "numbers";
  int threads = 0, numbers = 20, repeat = 5, json = 0;
  uint64_t base = 5000000;
  const cli_opt opts[] = {
      {"model", CLI_CHOICE, &model, 0, 0, mapo__cli_sum_models(), "M", "the model (default reduction)"},
      {"threads", CLI_INT, &threads, 1, MAPO_SUM_THREADS_MAX, NULL, "N",
       "threads (default: the processors OpenMP sees)"},
      {"numbers", CLI_INT, &numbers, 1, MAPO_SUM_NUMBERS_MAX, NULL, "N",
       "how many numbers n = base, base+1, ... (default 20, the notebook's)"},
      {"base", CLI_U64, &base, 0, (double)MAPO_SUM_N_MAX, NULL, "B",
       "the first n (default 5000000, the notebook's); n + numbers - 1 <= 2^32"},
      {"split", CLI_CHOICE, &split, 0, 0, split_names, "S",
       "hand out whole numbers (the notebook's) or cut every number's range evenly"},
      {"repeat", CLI_INT, &repeat, 1, REPEAT_MAX, NULL, "R",
       "timed runs after one warm-up (default 5): median, min and max are reported"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "sum", "[--model M] [--threads N] [--numbers N] [--base B] [--split S] [--repeat R] [--json]",
      "The notebook's CPU-bound example: for each of N numbers n = B, B+1, ..., the sum of\n"
      "i*i for i < n, exact (128-bit), verified against n(n-1)(2n-1)/6 after the clock\n"
      "stops (exit 1 if any number is wrong). Each model teaches one lesson: serial,\n"
      "critical and atomic (a shared total behind a lock), false-sharing and padded (a\n"
      "total per thread, sharing a cache line or not), reduction (the default).",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (MAPO_SUM_N_MAX - base < (uint64_t)(numbers - 1))
    return cli_fail(&cmd, "--base %llu with --numbers %d goes past n = 2^32, where i*i no longer "
                    "fits 64 bits", (unsigned long long)base, numbers);

  const mapo_sum_model *m = mapo_sum_model_find(model);
  if (!m->threaded && threads > 1)
    return cli_fail(&cmd, "--threads: the serial model runs on one thread");
  if (threads == 0) threads = m->threaded ? mapo_sum_processors() : 1;
  mapo_sum_job job;
  rc = mapo_sum_job_init(&job, numbers, base, threads,
                         strcmp(split, "range") == 0 ? MAPO_SPLIT_RANGE : MAPO_SPLIT_NUMBERS);
  if (rc < 0) {
    fprintf(stderr, "mapo sum: %s\n", mapo_strerror(rc));
    return rc == MAPO_EINVAL ? 2 : 1;
  }
  const int procs = mapo_sum_processors();
  char warning[160] = "";
  if (threads > procs)
    snprintf(warning, sizeof warning, "%d threads on %d processors: they take turns on the cores, "
             "and the run strangles itself", threads, procs);
  if (*warning) fprintf(stderr, "mapo sum: warning: %s\n", warning);

  double seconds[REPEAT_MAX];
  mapo_spread s;
  int bad = -1;
  rc = mapo_sum_time(m, &job, repeat, seconds, &s, &bad);
  if (rc < 0 && rc != MAPO_EVERIFY) {
    fprintf(stderr, "mapo sum: %s\n", mapo_strerror(rc));
    mapo_sum_job_free(&job);
    return 1;
  }
  int verified = rc == 0;
  char checksum[40], got[40], want[40];
  mapo_u128_format(mapo_sum_checksum(&job), checksum);

  if (json) {
    fputs("{\"model\":", stdout);
    mapo_json_string(stdout, m->name);
    printf(",\"threads\":%d,\"threads_used\":%d,\"numbers\":%d,\"base\":%llu,\"split\":\"%s\","
           "\"repeat\":%d",
           threads, job.threads_used, numbers, (unsigned long long)base, split, repeat);
    mapo_json_member(stdout, "seconds_median", s.median);
    mapo_json_member(stdout, "seconds_min", s.min);
    mapo_json_member(stdout, "seconds_max", s.max);
    fputs(",\"seconds\":[", stdout);
    for (int r = 0; r < repeat; r++) {
      if (r) fputc(',', stdout);
      mapo_json_number(stdout, seconds[r]);
    }
    printf("],\"verified\":%s,\"checksum\":\"%s\",\"cpus\":", verified ? "true" : "false",
           checksum);
    cpus_json(&job);
    printf(",\"processors\":%d,\"openmp\":%d,\"atomic\":", procs, mapo_sum_openmp_version());
    mapo_json_string(stdout, mapo_sum_atomic_how());
    fputs(",\"lesson\":", stdout);
    mapo_json_string(stdout, m->lesson);
    fputs(",\"warnings\":[", stdout);
    if (*warning) mapo_json_string(stdout, warning);
    fputs("],\"environment\":", stdout);
    mapo_report_environment_json(stdout);
    fputs("}\n", stdout);
  } else {
    printf("\nmapo sum: the sum of i*i for i < n, n = %llu .. %llu (%d numbers), model %s, "
           "%d thread%s, split by %s\n\n",
           (unsigned long long)base, (unsigned long long)(base + (uint64_t)numbers - 1), numbers,
           m->name, job.threads_used, job.threads_used == 1 ? "" : "s", split);
    printf("  seconds    median %.6f   min %.6f   max %.6f   (%d run%s after a warm-up)\n",
           s.median, s.min, s.max, repeat, repeat == 1 ? "" : "s");
    printf("  terms/ns   %.2f at the median\n",
           (double)((base + (uint64_t)numbers / 2) * (uint64_t)numbers) / (s.median * 1e9));
    if (verified)
      printf("  verified   every number equals n(n-1)(2n-1)/6\n");
    else
      printf("  verified   NO: n = %llu gave %s, the formula %s\n",
             (unsigned long long)(base + (uint64_t)bad), mapo_u128_format(job.result[bad], got),
             mapo_u128_format(mapo_sum_formula(base + (uint64_t)bad), want));
    printf("  checksum   %s (the sum over all numbers)\n", checksum);
    printf("  threads    %d on CPU%s", job.threads_used, job.threads_used == 1 ? "" : "s");
    for (int t = 0; t < job.threads_used; t++) printf("%s%d", t ? ", " : " ", job.cpu[t]);
    printf(" of %d processors\n", procs);
    if (strcmp(m->name, "atomic") == 0) printf("  atomic     here: %s\n", mapo_sum_atomic_how());
    printf("  built      %s, %s, OpenMP %d\n", mapo_build_compiler(), mapo_build_flags(),
           mapo_sum_openmp_version());
    printf("\n  %s\n", m->lesson);
  }
  if (!verified)
    fprintf(stderr, "mapo sum: n = %llu did not verify\n", (unsigned long long)(base + (uint64_t)bad));
  mapo_sum_job_free(&job);
  return verified ? 0 : 1;
}
