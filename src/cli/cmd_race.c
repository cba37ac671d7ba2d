/* cmd_race.c - `mapo race`: the race and deadlock lab, one mode or all of a demo. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const demos[] = {"cupboard", "counter", "deadlock", NULL};
static const char *const modes[] = {"unsafe", "critical", "lock", "atomic", "reduction",
                                    "naive", "ordered", "trylock", "all", NULL};

static void modes_of(const char *demo, char *out, size_t size) {
  size_t n = 0;
  out[0] = '\0';
  for (const mapo_race_mode *m = mapo_race_modes; m->demo && n < size; m++)
    if (strcmp(m->demo, demo) == 0)
      n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", m->mode);
}

static const char *what_fails(const char *demo) {
  if (strcmp(demo, "cupboard") == 0) return "trials where a cook found no knife or took the wrong thing";
  if (strcmp(demo, "counter") == 0) return "updates lost";
  return "trials that dead-locked (each found by the watchdog)";
}

static void report_json(const mapo_race_mode *m, const mapo_race_opts *o, const mapo_race_result *r) {
  fputs("{\"demo\":", stdout);
  mapo_json_string(stdout, m->demo);
  fputs(",\"mode\":", stdout);
  mapo_json_string(stdout, m->mode);
  printf(",\"trials\":%ld,\"failures\":%lld,\"threads\":%d,\"racy\":%s", r->trials, r->failures,
         strcmp(m->demo, "deadlock") == 0 ? 2 : o->threads, m->racy ? "true" : "false");
  if (strcmp(m->demo, "counter") == 0)
    printf(",\"increments\":%ld,\"expected\":%lld,\"counted\":%lld", o->increments, r->expected,
           r->counted);
  else
    printf(",\"window_us\":%d,\"waits\":%lld", o->window_us, r->waits);
  if (strcmp(m->demo, "deadlock") == 0) printf(",\"watchdog_ms\":%d", o->watchdog_ms);
  mapo_json_member(stdout, "seconds", r->seconds);
  fputs(",\"first\":", stdout);
  mapo_json_string(stdout, r->first);
  fputs(",\"lesson\":", stdout);
  mapo_json_string(stdout, m->lesson);
  fputc('}', stdout);
}

static void report_text(const mapo_race_mode *m, const mapo_race_opts *o, const mapo_race_result *r) {
  const int counter = strcmp(m->demo, "counter") == 0;
  printf("\nmapo race --demo %s --mode %s: %d %s, %ld trial%s", m->demo, m->mode,
         strcmp(m->demo, "deadlock") == 0 ? 2 : o->threads, counter ? "threads" : "cooks",
         r->trials, r->trials == 1 ? "" : "s");
  if (counter)
    printf(", %ld increments per thread per trial\n\n", o->increments);
  else
    printf(", window %d us\n\n", o->window_us);
  if (counter)
    printf("  lost       %lld of %lld updates (%.2f%%)\n", r->failures, r->expected,
           r->expected ? 100.0 * (double)r->failures / (double)r->expected : 0.0);
  else
    printf("  failures   %lld of %ld (%.0f%%): %s\n", r->failures, r->trials,
           100.0 * (double)r->failures / (double)r->trials, what_fails(m->demo));
  if (!counter && r->waits)
    printf("  %-10s %lld\n", strcmp(m->demo, "deadlock") == 0 ? "back-offs" : "waits", r->waits);
  if (r->first[0]) printf("  first      %s\n", r->first);
  printf("  time       %.3f ms\n\n  %s\n", r->seconds * 1e3, m->lesson);
}

int mapo__cmd_race(int argc, char **argv) {
  const char *demo = NULL, *mode = NULL;
  int trials = 0, threads = 0, window = -1, watchdog = 0, json = 0, increments = 0;
  const cli_opt opts[] = {
      {"demo", CLI_CHOICE, &demo, 0, 0, demos, "D", "the demo (required)"},
      {"mode", CLI_CHOICE, &mode, 0, 0, modes, "M",
       "the mode, or all of the demo's side by side (required)"},
      {"trials", CLI_INT, &trials, 1, 10000000, NULL, "K",
       "trials (default 100; counter: 10)"},
      {"threads", CLI_INT, &threads, 2, 64, NULL, "N", "cooks or threads (default 2; deadlock: 2)"},
      {"window-us", CLI_INT, &window, 0, 1000000, NULL, "U",
       "cupboard: the gap between looking for the knife and taking it (default 100; 0: "
       "the natural rate); deadlock: how long a cook holding its first utensil waits for "
       "the other (default 1000)"},
      {"increments", CLI_INT, &increments, 1, 1000000000, NULL, "M",
       "counter: additions per thread per trial (default 1000000)"},
      {"watchdog-ms", CLI_INT, &watchdog, 1, 60000, NULL, "MS",
       "deadlock: no progress for this long is examined for a cycle (default 20)"},
      {"json", CLI_FLAG, &json, 0, 0, NULL, NULL, "print one JSON object and nothing else"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "race", "--demo D --mode M [--trials K] [--threads N] [--window-us U] [--json]",
      "The notebook's catch as a lab. cupboard: two cooks take the one knife (unsafe,\n"
      "critical, lock, atomic); counter: threads add to one counter (unsafe, atomic,\n"
      "critical, reduction); deadlock: two cooks, two utensils, opposite orders (naive,\n"
      "ordered, trylock). A mode that shows its bug exits 0; a fix that fails exits 1.",
      opts, 0, 0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (demo == NULL) return cli_fail(&cmd, "--demo is required (cupboard, counter or deadlock)");
  char list[128];
  modes_of(demo, list, sizeof list);
  if (mode == NULL) return cli_fail(&cmd, "--mode is required (for %s: %s, all)", demo, list);
  if (strcmp(mode, "all") != 0 && mapo_race_find(demo, mode) == NULL)
    return cli_fail(&cmd, "the %s demo has no mode '%s' (its modes: %s, all)", demo, mode, list);
  const int counter = strcmp(demo, "counter") == 0, deadlock = strcmp(demo, "deadlock") == 0;
  if (counter && window >= 0) return cli_fail(&cmd, "--window-us does not apply to the counter demo");
  if (!counter && increments) return cli_fail(&cmd, "--increments applies to the counter demo only");
  if (!deadlock && watchdog) return cli_fail(&cmd, "--watchdog-ms applies to the deadlock demo only");
  if (deadlock && threads > 2) return cli_fail(&cmd, "--threads: the deadlock demo has two cooks");

  mapo_race_opts o;
  mapo_race_defaults(demo, &o);
  if (trials) o.trials = trials;
  if (threads) o.threads = threads;
  if (window >= 0) o.window_us = window;
  if (increments) o.increments = increments;
  if (watchdog) o.watchdog_ms = watchdog;

  int status = 0, n = 0;
  if (json && strcmp(mode, "all") == 0) printf("{\"demo\":\"%s\",\"runs\":[", demo);
  for (const mapo_race_mode *m = mapo_race_modes; m->demo; m++) {
    if (strcmp(m->demo, demo) != 0 || (strcmp(mode, "all") != 0 && strcmp(m->mode, mode) != 0))
      continue;
    mapo_race_result r;
    rc = mapo_race_run(m, &o, &r);
    if (rc < 0) {
      fprintf(stderr, "mapo race: %s: %s\n", m->mode, mapo_strerror(rc));
      return rc == MAPO_EINVAL ? 2 : 1;
    }
    if (json) {
      if (n++) fputc(',', stdout);
      report_json(m, &o, &r);
    } else {
      report_text(m, &o, &r);
    }
    if (!m->racy && r.failures > 0) {
      fprintf(stderr, "mapo race: the fix '%s' failed: %lld %s\n", m->mode, r.failures,
              what_fails(demo));
      status = 1;
    }
  }
  if (json) fputs(strcmp(mode, "all") == 0 ? "]}\n" : "\n", stdout);
  return status;
}
