/* cmd_lesson.c - `mapo lesson`: the notebook's lessons as one HTML page to project,
 * print or send, opened from the file (no server, nothing loaded from the network).
 *
 * Run:    mapo lesson --html lesson.html [--quick]       (measure now, at a class's size)
 *         mapo lesson --html jobs.html --from results/   (a Slurm job's results folder)
 * Notice: the page is drawn from the JSON the commands print. Measuring now runs those
 *         very commands (this program, each in a process of its own, with --json), so a
 *         figure in the page was measured as `mapo sum` or `mapo cook` measure it; with
 *         --from, the files a job wrote take their place. The page itself is
 *         src/report/lesson*.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "outputs.h"

extern char **environ;

enum { WORDS_MAX = 32, LINE_MAX_ = 512, RUNS_MAX = 40, FILE_MAX = 64 << 20 };

typedef struct lesson_args {
  const char *html, *from;
  int quick;
} lesson_args;

/* What a command printed (or a file held), grown as it comes. */
typedef struct text {
  char *s;
  size_t len, cap;
} text;

static int text_read(text *t, int fd) {
  for (;;) {
    if (t->cap - t->len < 65536) {
      size_t cap = t->cap ? 2 * t->cap : 1 << 17;
      if (cap > (size_t)FILE_MAX) return -EFBIG; /* no JSON of mapo's is this large */
      char *s = realloc(t->s, cap);
      if (s == NULL) return -ENOMEM;
      t->s = s;
      t->cap = cap;
    }
    ssize_t got = read(fd, t->s + t->len, t->cap - t->len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -errno;
    if (got == 0) return 0;
    t->len += (size_t)got;
  }
}

/* Run this program with the words of `line` (blank-separated), its stdout into *t and
 * its stderr to /dev/null. Returns its exit status, or -errno when it did not start. */
static int run_self(const char *self, const char *line, text *t) {
  char program[4096], words[LINE_MAX_], *argv[WORDS_MAX + 2];
  int argc = 0;
  snprintf(program, sizeof program, "%.4000s", self);
  snprintf(words, sizeof words, "%.500s", line);
  argv[argc++] = program;
  for (char *save = NULL, *w = strtok_r(words, " ", &save); w && argc < WORDS_MAX;
       w = strtok_r(NULL, " ", &save))
    argv[argc++] = w;
  argv[argc] = NULL;
  int fd[2];
  if (pipe2(fd, O_CLOEXEC) != 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, self, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fd[1]);
  if (rc == 0) rc = text_read(t, fd[0]);
  close(fd[0]);
  if (rc > 0) return -rc; /* posix_spawn's error number */
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (rc < 0) return rc;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The commands of a lesson, in the notebook's order, at a class's size (smaller with
 * --quick): every model and demo from the library's tables, none named here. */
static int plan(const lesson_args *a, char lines[][LINE_MAX_]) {
  const int q = a->quick, procs = mapo_sum_processors();
  int n = 0;
  snprintf(lines[n++], LINE_MAX_, "recipe show --json");
  snprintf(lines[n++], LINE_MAX_, "cook --model all --unit-ms %d --json", q ? 5 : 20);
  for (int i = 0; mapo_race_demos[i].name; i++) {
    const mapo_race_demo *d = &mapo_race_demos[i];
    int k = snprintf(lines[n], LINE_MAX_, "race --demo %s --mode all --json", d->name);
    if (d->increments)
      k += snprintf(lines[n] + k, LINE_MAX_ - k, " --increments %d", q ? 10000 : 100000);
    if (d->watchdog) snprintf(lines[n] + k, LINE_MAX_ - k, " --trials %d", q ? 5 : 20);
    n++;
  }
  for (int i = 0; mapo_sum_models[i].name && n < RUNS_MAX - 8; i++)
    snprintf(lines[n++], LINE_MAX_, "sum --model %s --numbers %d --base %d --repeat 3 --json",
             mapo_sum_models[i].name, q ? 4 : 20, q ? 50000 : 200000);
  snprintf(lines[n++], LINE_MAX_, "scale --threads 1-%d --numbers %d --repeat %d --json",
           procs < 2   ? 2
           : procs > 8 ? 16
                       : 2 * procs,
           q ? 8 : 20, q ? 1 : 3);
  for (int i = 0; mapo_io_models[i].name && n < RUNS_MAX - 2; i++)
    if (mapo_io_models[i].network)
      snprintf(lines[n++], LINE_MAX_,
               "io --model %s --requests %d --latency-ms %d --repeat %d --json",
               mapo_io_models[i].name, q ? 10 : 20, q ? 10 : 20, q ? 1 : 3);
  if (!q)
    snprintf(lines[n++], LINE_MAX_,
             "compare --no-python --requests 10 --latency-ms 10 --unit-ms 1 --json");
  return n;
}

/* Measure now: each command of the plan, its JSON into the page. 0; 3 when a command
 * exited 1 with its JSON (the page is still written); or 1 after one line. */
static int measure(const lesson_args *a, mapo_lesson *l) {
  static char lines[RUNS_MAX][LINE_MAX_];
  char self[4096], source[LINE_MAX_ + 8];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) {
    fprintf(stderr, "mapo lesson: cannot find my own program: %s\n", strerror(errno));
    return 1;
  }
  self[len] = '\0';
  const int n = plan(a, lines);
  int failed = 0;
  for (int i = 0; i < n; i++) {
    text t = {0};
    const int status = run_self(self, lines[i], &t);
    snprintf(source, sizeof source, "mapo %.500s", lines[i]);
    /* Exit 1 with its JSON (a sum that did not verify, a fix that failed, a compare cell
     * that failed): the page shows it, and the run ends in 1. */
    int rc =
        status == 0 || status == 1 ? mapo_lesson_add_json(l, t.s ? t.s : "", t.len, source) : 0;
    free(t.s);
    if (status < 0)
      fprintf(stderr, "mapo lesson: %s did not start: %s\n", source, strerror(-status));
    else if (status > 1 || (status == 1 && rc < 0))
      fprintf(stderr, "mapo lesson: %s failed (exit %d)\n", source, status);
    else if (rc < 0)
      fprintf(stderr, "mapo lesson: %s: %s\n", source,
              rc == MAPO_EINVAL ? "printed no JSON this page can read" : mapo_strerror(rc));
    else if (status == 1)
      fprintf(stderr, "mapo lesson: %s failed (exit 1): the page shows what it printed\n", source);
    if (status < 0 || status > 1 || rc < 0) return 1;
    failed += status == 1;
  }
  return failed ? 3 : 0;
}

/* One file of --from into the page: 1 when it is mapo's JSON, 0 when it is not (or
 * cannot be read: skipped, with a line saying so), -ENOMEM. */
static int from_file(mapo_lesson *l, const char *path, const char *name) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  text t = {0};
  int rc = fd < 0 ? -errno : text_read(&t, fd);
  if (fd >= 0) close(fd);
  if (rc == 0) rc = mapo_lesson_add_json(l, t.s ? t.s : "", t.len, name);
  free(t.s);
  if (rc == -ENOMEM) return rc;
  if (rc < 0)
    fprintf(stderr, "mapo lesson: skipped %s: %s\n", path,
            rc == MAPO_EINVAL ? "not JSON that mapo wrote" : mapo_strerror(rc));
  return rc >= 0;
}

static int json_name(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return e->d_name[0] != '.' && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

static int sub_folder(const struct dirent *e) {
  return e->d_name[0] != '.' && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
}

/* Every *.json in dir (`prefix` names it in the page), in name order; with `deeper`, the
 * same in each folder inside it (a results folder holds a folder per job). Returns the
 * files recognised, or -ENOMEM. */
static int from_dir(mapo_lesson *l, const char *dir, const char *prefix, int deeper) {
  struct dirent **list;
  char path[4096], name[512];
  int n = scandir(dir, &list, json_name, alphasort), found = 0, rc = 0;
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
    snprintf(name, sizeof name, "%s%s", prefix, list[i]->d_name);
    struct stat st;
    if (rc >= 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) rc = from_file(l, path, name);
    found += rc > 0;
    free(list[i]);
  }
  if (n >= 0) free(list);
  n = deeper ? scandir(dir, &list, sub_folder, alphasort) : -1;
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
    snprintf(name, sizeof name, "%s%s/", prefix, list[i]->d_name);
    struct stat st;
    int got =
        rc >= 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? from_dir(l, path, name, 0) : 0;
    rc = got < 0 ? got : rc;
    found += got > 0 ? got : 0;
    free(list[i]);
  }
  if (n >= 0) free(list);
  return rc < 0 ? rc : found;
}

/* The flags into a; returns -1 to go on, or the exit status (0 after --help, 2). */
static int parse(int argc, char **argv, lesson_args *a) {
  const cli_opt opts[] = {
      {"html", CLI_STRING, &a->html, 0, 0, NULL, "FILE", "write the page here (required)"},
      {"from", CLI_STRING, &a->from, 0, 0, NULL, "DIR",
       "draw the page from the *.json in DIR and in the folders inside it (a Slurm results "
       "folder) instead of measuring now"},
      {"quick", CLI_FLAG, &a->quick, 0, 0, NULL, NULL,
       "measure at the smallest sizes, without the compare matrix (a few seconds)"},
      {NULL, CLI_FLAG, NULL, 0, 0, NULL, NULL, NULL},
  };
  const cli_cmd cmd = {
      "lesson",
      "--html FILE [--quick | --from DIR]",
      "The notebook's lessons in one HTML page to project or print: the recipe and its\n"
      "critical path, the cooking models as Gantt charts on one time axis, the race lab,\n"
      "the sum models, scaling with Amdahl's law, the I/O-bound models, the compare\n"
      "matrix and the environment. It measures now at a class's size (under 20 s; --quick\n"
      "a few) by running mapo's own commands with --json, or draws what they wrote\n"
      "earlier (--from). The page is one file: no script, nothing loaded, opened as a file.",
      opts,
      0,
      0};
  const char *pos[1];
  int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (a->html == NULL) return cli_fail(&cmd, "--html FILE is required: where to write the page");
  if (a->from && a->quick) return cli_fail(&cmd, "--quick measures; --from measures nothing");
  struct stat st;
  if (a->from && (stat(a->from, &st) != 0 || !S_ISDIR(st.st_mode)))
    return cli_fail(&cmd, "--from: '%s' is not a folder (%s)", a->from,
                    errno && stat(a->from, &st) != 0 ? strerror(errno) : "not a directory");
  if ((rc = cli_check_output(&cmd, "html", a->html)) != 0) return rc;
  return -1;
}

/* --from: the folder's results. 0, 1 (out of memory) or 2 (none there). */
static int gather(const lesson_args *a, mapo_lesson *l) {
  const int found = from_dir(l, a->from, "", 1);
  if (found < 0) {
    fprintf(stderr, "mapo lesson: --from %s: %s\n", a->from, mapo_strerror(found));
    return 1;
  }
  if (found == 0) {
    fprintf(stderr,
            "mapo lesson: --from %s: no JSON that mapo or mapo-mpi wrote (--json) in it or "
            "in its folders\n",
            a->from);
    return 2;
  }
  char origin[400];
  snprintf(origin, sizeof origin, "Read from %s: %d result%s written earlier by mapo --json.",
           a->from, found, found == 1 ? "" : "s");
  mapo_lesson_origin(l, origin);
  return 0;
}

int mapo__cmd_lesson(int argc, char **argv) {
  lesson_args a = {0};
  int rc = parse(argc, argv, &a);
  if (rc >= 0) return rc;
  mapo_lesson *l = mapo_lesson_new();
  if (l == NULL) {
    fprintf(stderr, "mapo lesson: %s\n", strerror(ENOMEM));
    return 1;
  }
  if (a.from) {
    rc = gather(&a, l);
  } else {
    if (isatty(STDERR_FILENO))
      fprintf(stderr, "mapo lesson: measuring (%s) ...\n",
              a.quick ? "a few seconds" : "under 20 s");
    mapo_lesson_origin(l, a.quick ? "Measured now on this machine at the smallest sizes "
                                    "(mapo lesson --quick)."
                                  : "Measured now on this machine at a class's size "
                                    "(mapo lesson).");
    rc = measure(&a, l);
  }
  const int failed = rc == 3; /* measured, but a command failed: the page says which */
  if ((rc == 0 || failed) &&
      (rc = mapo_report_write_file(a.html, mapo_report_lesson_writer, l)) < 0) {
    fprintf(stderr, "mapo lesson: --html %s: %s\n", a.html, mapo_strerror(rc));
    rc = 1;
  }
  if (rc == 0)
    printf("mapo lesson: wrote %s from %d results: open it in a browser\n", a.html,
           mapo_lesson_count(l));
  mapo_lesson_free(l);
  return rc == 0 && failed ? 1 : rc;
}
