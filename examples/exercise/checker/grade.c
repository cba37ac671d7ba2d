/* grade.c - the graded exercises' checker: `grade [--no-speed] [--unit-ms MS] [TASK...]`
 * checks each task (cook, sum, cupboard; all by default) and prints one line each:
 * "passed", what to fix, or "not judged" when the machine was too busy to judge a
 * speed target. Exit status: 0 every task passed, 1 one has something to fix, 3 none
 * has but a speed was not judged, 2 bad usage.
 *
 * Notice: each task runs in a process of its own (this program again, with --child):
 * a crash, a hang (a cook waiting forever) or a sanitizer's report in the student's
 * code then becomes that task's line, and the other tasks still run. ThreadSanitizer's
 * report is read from the child's output, whole in grade-TASK.log.
 */
#define _GNU_SOURCE /* posix_spawn, strsignal, environ */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checker.h"
#include "exercise.h"

#if defined(__SANITIZE_THREAD__)
#define GRADE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GRADE_TSAN 1
#endif
#endif
#ifndef GRADE_TSAN
#define GRADE_TSAN 0
#endif

extern char **environ;

enum { LIMIT_S = 120, TEXT_MAX = 1024 };
static const char RESULT[] = "grade-result: ";

typedef struct task {
  const char *name, *file;
  grade_fn check;
} task;

static const task tasks[] = {
    {"cook", "cook.c", grade_cook},
    {"sum", "sum.c", grade_sum},
    {"cupboard", "cupboard.c", grade_cupboard},
};
enum { NTASKS = sizeof tasks / sizeof tasks[0] };

static const task *task_find(const char *name) {
  for (int i = 0; i < NTASKS; i++)
    if (strcmp(tasks[i].name, name) == 0) return &tasks[i];
  return NULL;
}

/* In the child: run the check, print the result line, exit with its status. */
static int child(const task *t, const grade_opts *o) {
  alarm(LIMIT_S); /* a hang ends here, and the parent says what may hang */
  char text[TEXT_MAX];
  const grade_status st = t->check(o, text, sizeof text);
  printf("%s%d %s\n", RESULT, (int)st, text);
  return (int)st;
}

/* Run `argv` with stdout and stderr into *out (malloc'd); its wait status, or -1. */
static int run(char *const argv[], char **out) {
  int fd[2];
  *out = NULL;
  if (pipe(fd) < 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
  posix_spawn_file_actions_addclose(&fa, fd[0]);
  posix_spawn_file_actions_addclose(&fa, fd[1]);
  pid_t pid;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fd[1]);
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  for (ssize_t n = 1; rc == 0 && buf != NULL && n > 0;) {
    if (len + 1 == cap) {
      char *more = realloc(buf, cap *= 2);
      if (more == NULL) break;
      buf = more;
    }
    n = read(fd[0], buf + len, cap - 1 - len);
    if (n < 0 && errno == EINTR)
      n = 1;
    else if (n > 0)
      len += (size_t)n;
  }
  close(fd[0]);
  if (buf != NULL) buf[len] = '\0';
  *out = buf;
  int status = -1;
  if (rc == 0) waitpid(pid, &status, 0);
  return rc == 0 ? status : -1;
}

/* A string into dst, cut to fit. */
static void copy(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  if (n >= size) n = size - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* The rest of the line of `out` that starts with `key`, the last such line, into dst. */
static int line_after(const char *out, const char *key, char *dst, size_t size) {
  const char *hit = NULL;
  for (const char *p = strstr(out, key); p != NULL; p = strstr(p + 1, key)) hit = p;
  if (hit == NULL) return 0;
  hit += strlen(key);
  const size_t n = strcspn(hit, "\n");
  snprintf(dst, size, "%.*s", (int)(n < size ? n : size - 1), hit);
  return 1;
}

/* ThreadSanitizer's summary without the folders: "data race cupboard.c:21 in take_knife". */
static void tsan_summary(const char *out, char *dst, size_t size) {
  char line[TEXT_MAX];
  if (!line_after(out, "SUMMARY: ThreadSanitizer: ", line, sizeof line))
    snprintf(line, sizeof line, "a report");
  char *path = strchr(line, '/');
  if (path != NULL) { /* the file's name from its path: the last '/' before a blank */
    char *base = path;
    for (char *p = path; *p != '\0' && *p != ' '; p++)
      if (*p == '/') base = p;
    memmove(path, base + 1, strlen(base));
  }
  copy(dst, size, line);
}

/* What the child's end says when it printed no result. */
static void no_result(int status, const char *name, char *text, size_t size) {
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    snprintf(text, size,
             "it ran for more than %d s: a cook waits forever (every thread of the team "
             "must call mapo_kitchen_enter with the same team; a knife must come back)",
             LIMIT_S);
  else if (WIFSIGNALED(status))
    snprintf(text, size, "it crashed (%s): an index outside an array, or a NULL pointer?",
             strsignal(WTERMSIG(status)));
  else
    snprintf(text, size, "it stopped (exit %d) before the check ended: see grade-%s.log",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1, name);
}

/* Run one task's check in a child; its status and sentence. */
static grade_status grade_one(const task *t, char *self, const grade_opts *o, char *text,
                              size_t size) {
  char unit[32], name[16];
  snprintf(unit, sizeof unit, "%g", o->unit_ms);
  snprintf(name, sizeof name, "%s", t->name);
  char *argv[] = {self, "--child", name, "--unit-ms", unit, o->speed ? NULL : "--no-speed", NULL};
  char *out = NULL;
  const int status = run(argv, &out);
  grade_status st = GRADE_FIX;
  char line[TEXT_MAX + 8] = "";
  if (status == -1 || out == NULL)
    snprintf(text, size, "could not run the check: %s", strerror(errno));
  else if (line_after(out, RESULT, line, sizeof line) && line[0] >= '0' && line[0] <= '9') {
    st = (grade_status)(line[0] - '0');
    copy(text, size, line + 2);
  } else {
    no_result(status, t->name, text, size);
  }
  if (out != NULL && strstr(out, "WARNING: ThreadSanitizer:") != NULL) {
    char summary[256];
    tsan_summary(out, summary, sizeof summary);
    snprintf(text, size,
             "ThreadSanitizer found a %s (report: grade-%s.log): two cooks touch the same "
             "memory with nothing to order them: protect it (%s's TODO)",
             summary, t->name, t->file);
    st = GRADE_FIX;
  } else if (st == GRADE_PASSED && GRADE_TSAN) {
    const size_t n = strlen(text);
    snprintf(text + n, size - n, "; ThreadSanitizer found no data race");
  }
  /* Whatever else the child printed (a sanitizer's report, the model's own lines). */
  char log[64];
  snprintf(log, sizeof log, "grade-%s.log", t->name);
  FILE *f = out != NULL && strlen(out) > strlen(line) + sizeof RESULT + 2 ? fopen(log, "w") : NULL;
  if (f != NULL) {
    fputs(out, f);
    fclose(f);
  }
  free(out);
  return st;
}

static int usage(const char *self) {
  fprintf(stderr, "usage: %s [--no-speed] [--unit-ms MS] [cook|sum|cupboard ...]\n", self);
  return 2;
}

int main(int argc, char **argv) {
  grade_opts o = {.speed = 1, .unit_ms = 15};
  const task *chosen[NTASKS];
  int n = 0, is_child = 0;
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    if (strcmp(argv[i], "--no-speed") == 0) {
      o.speed = 0;
    } else if (strcmp(argv[i], "--child") == 0) {
      is_child = 1;
    } else if (strcmp(argv[i], "--unit-ms") == 0 && i + 1 < argc) {
      o.unit_ms = strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(o.unit_ms >= 1 && o.unit_ms <= 1000))
        return usage(argv[0]);
    } else {
      const task *t = task_find(argv[i]);
      if (t == NULL || n == NTASKS) return usage(argv[0]);
      chosen[n++] = t;
    }
  }
  if (is_child) return n == 1 ? child(chosen[0], &o) : usage(argv[0]);
  if (n == 0)
    for (; n < NTASKS; n++) chosen[n] = &tasks[n];
  /* libomp is not instrumented: without this ThreadSanitizer reports its own work. */
  setenv("TSAN_OPTIONS", "ignore_noninstrumented_modules=1", 0);

  printf("mapo %s: the graded exercises (speed %s)\n", MAPO_VERSION,
         o.speed ? "judged on a quiet machine only" : "not judged: --no-speed");
  int passed = 0, fix = 0;
  for (int i = 0; i < n; i++) {
    char text[TEXT_MAX], first[32];
    const grade_status st = grade_one(chosen[i], argv[0], &o, text, sizeof text);
    snprintf(first, sizeof first, "%-9s %s ", chosen[i]->name,
             st == GRADE_PASSED ? "passed:"
             : st == GRADE_FIX  ? "to fix:"
                                : "not judged:");
    mapo_report_paragraph(stdout, MAPO_REPORT_COLUMNS, first, "          ", text);
    fflush(stdout);
    passed += st == GRADE_PASSED;
    fix += st == GRADE_FIX;
  }
  printf("%d of %d passed\n", passed, n);
  return passed == n ? 0 : fix > 0 ? 1 : 3;
}
