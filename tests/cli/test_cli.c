/* test_cli.c - the `mapo` program seen from outside, as a user or a script sees it.
 *
 * Every bad flag and every malformed recipe file must end in exit 2 with exactly one
 * line on stderr (a recipe: "FILE:LINE: message", the line to blame), nothing on
 * stdout, no crash and no output file left behind; the good runs must exit 0 and print
 * what the contract says. Each case runs the real binary as a child process, with its
 * stdout and stderr captured through pipes and a time limit, so a hang fails the test
 * instead of blocking it.
 *
 * Run it with ctest (`ctest -L cli`), or by hand:
 *   test_cli build/mapo . /tmp/mapo-cli-scratch
 * The scratch folder is emptied at the start; the recipe files written there are
 * left behind after the run, to read when a case fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mapo_test.h"

#define PATH_LEN 4096
#ifndef CHILD_TIMEOUT_MS
#define CHILD_TIMEOUT_MS 60000 /* a run takes milliseconds: a minute means a hang */
#endif

static const char *mapo_bin, *src_dir, *scratch;

/* ---------------------------------------------------------------- helpers */

/* What one run of the program did. */
typedef struct child {
  int status;      /* exit status, or -1 when it did not exit normally */
  int signal;      /* the signal that ended it, or 0 */
  int timed_out;   /* killed by us after CHILD_TIMEOUT_MS */
  char *out, *err; /* NUL-terminated; the lengths count the bytes read */
  size_t nout, nerr;
  char cmd[1024]; /* the command line, for failure messages */
} child;

/* A NULL-terminated argument list, without the program name. */
#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void append(char **buf, size_t *len, const char *data, size_t n) {
  char *p = realloc(*buf, *len + n + 1);
  if (p == NULL) return;
  memcpy(p + *len, data, n);
  *len += n;
  p[*len] = '\0';
  *buf = p;
}

static void child_free(child *c) {
  free(c->out);
  free(c->err);
  c->out = c->err = NULL;
}

/* Run mapo with args; stdin is /dev/null, stdout the file stdout_path when it is not
 * NULL. Returns 0 once the child has been reaped (whatever its status), -1 when it
 * could not be started at all. */
static int run_to(child *c, const char *const *args, const char *stdout_path) {
  memset(c, 0, sizeof *c);
  c->status = -1;
  c->out = calloc(1, 1);
  c->err = calloc(1, 1);
  size_t n = 0, len = (size_t)snprintf(c->cmd, sizeof c->cmd, "mapo");
  for (; args[n] != NULL; n++)
    if (len < sizeof c->cmd)
      len += (size_t)snprintf(c->cmd + len, sizeof c->cmd - len, " '%s'", args[n]);
  const char **argv = calloc(n + 2, sizeof *argv);
  int po[2] = {-1, -1}, pe[2] = {-1, -1};
  if (c->out == NULL || c->err == NULL || argv == NULL || pipe(po) != 0 || pipe(pe) != 0) {
    free(argv);
    return -1;
  }
  argv[0] = mapo_bin;
  for (size_t i = 0; i < n; i++) argv[i + 1] = args[i];
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    int out = stdout_path != NULL ? open(stdout_path, O_WRONLY) : po[1];
    dup2(out >= 0 ? out : po[1], 1);
    dup2(pe[1], 2);
    close(po[0]);
    close(po[1]);
    close(pe[0]);
    close(pe[1]);
    /* execv takes char *const[] for historical reasons and does not write: the pointers
     * are copied, not cast, so the strings stay const here. */
    char **exec_argv = calloc(n + 2, sizeof *exec_argv);
    if (exec_argv == NULL) _exit(127);
    memcpy(exec_argv, argv, (n + 2) * sizeof *exec_argv);
    execv(mapo_bin, exec_argv);
    _exit(127);
  }
  free(argv);
  close(po[1]);
  close(pe[1]);
  if (pid < 0) {
    close(po[0]);
    close(pe[0]);
    return -1;
  }
  struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
  int64_t deadline = now_ms() + CHILD_TIMEOUT_MS;
  int open_fds = 2;
  while (open_fds > 0) {
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      c->timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    int r = poll(fds, 2, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        if (i == 0)
          append(&c->out, &c->nout, buf, (size_t)got);
        else
          append(&c->err, &c->nerr, buf, (size_t)got);
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0) close(fds[i].fd);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st)) c->status = WEXITSTATUS(st);
  if (WIFSIGNALED(st)) c->signal = WTERMSIG(st);
  return 0;
}

static int run(child *c, const char *const *args) { return run_to(c, args, NULL); }

/* Print what the child did, so that a failed assertion says which command it was. */
static void explain(const child *c, const char *what, const char *file, int line) {
  fprintf(stderr,
          "\n  %s:%d: %s failed\n    command: %s\n    exit %d, signal %d%s, stdout %zu bytes, "
          "stderr %zu bytes\n    stdout: %.300s\n    stderr: %.600s\n",
          file, line, what, c->cmd, c->status, c->signal, c->timed_out ? " (timed out)" : "",
          c->nout, c->nerr, c->out ? c->out : "", c->err ? c->err : "");
}

/* CU_ASSERT that names the condition and, when it fails, the command. */
#define CHECK(c, cond)                                                                          \
  do {                                                                                          \
    int ok_ = (cond) ? 1 : 0;                                                                   \
    if (!ok_) explain((c), #cond, __FILE__, __LINE__);                                          \
    CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, __LINE__, #cond, __FILE__, "", CU_FALSE); \
  } while (0)

/* Exactly one line: some text, one '\n', at the very end. */
static int one_line(const char *s, size_t n) {
  return n >= 2 && s[n - 1] == '\n' && memchr(s, '\n', n - 1) == NULL && s[0] != '\n';
}

static size_t count_lines(const char *s, size_t n) {
  size_t lines = 0;
  for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
  if (n > 0 && s[n - 1] != '\n') lines++;
  return lines;
}

static int contains(const char *haystack, const char *needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* The checks every refusal shares: exit 2, one line on stderr, nothing on stdout. */
static void check_refused(const child *c) {
  CHECK(c, !c->timed_out);
  CHECK(c, c->signal == 0);
  CHECK(c, c->status == 2);
  CHECK(c, c->nout == 0);
  CHECK(c, one_line(c->err, c->nerr));
}

/* Run mapo with args and expect a refusal; `says`, when not NULL, is a part of the
 * message. */
static void expect_refused(const char *says, const char *const *args) {
  child c;
  CU_ASSERT_EQUAL_FATAL(run(&c, args), 0);
  check_refused(&c);
  if (says != NULL) CHECK(&c, contains(c.err, says));
  child_free(&c);
}

/* Run mapo with args and expect success with something on stdout, nothing on stderr. */
static void expect_ok(child *c, const char *const *args) {
  CU_ASSERT_EQUAL_FATAL(run(c, args), 0);
  CHECK(c, !c->timed_out);
  CHECK(c, c->signal == 0);
  CHECK(c, c->status == 0);
  CHECK(c, c->nout > 0);
  CHECK(c, c->nerr == 0);
}

static const char *in_scratch(char *buf, const char *name) {
  snprintf(buf, PATH_LEN, "%s/%s", scratch, name);
  return buf;
}

static const char *in_source(char *buf, const char *name) {
  snprintf(buf, PATH_LEN, "%s/%s", src_dir, name);
  return buf;
}

static int write_file(const char *path, const char *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  size_t put = fwrite(data, 1, n, f);
  return fclose(f) == 0 && put == n ? 0 : -1;
}

/* The whole file, NUL-terminated, or NULL. */
static char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *buf = calloc(1, 1), chunk[65536];
  size_t len = 0, got;
  while (buf != NULL && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
    append(&buf, &len, chunk, got);
  fclose(f);
  if (n != NULL) *n = len;
  return buf;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* How many entries of the scratch folder have a name that starts with prefix. */
static int count_in_scratch(const char *prefix) {
  DIR *d = opendir(scratch);
  if (d == NULL) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
  closedir(d);
  return n;
}

/* Remove path and, if it is a folder, everything in it. */
static void remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char sub[PATH_LEN + 256];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    if (d != NULL) closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static int make_dirs(const char *path) {
  char buf[PATH_LEN];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---------------------------------------------------------------- bad flags */

static void test_top_level(void) {
  static const char *const none[] = {NULL};
  expect_refused(NULL, none); /* no command at all */
  expect_refused("unknown command", ARGV("bogus"));
  expect_refused(NULL, ARGV("--bogus"));
}

static void test_cook_unknown_options(void) {
  expect_refused("--bogus", ARGV("cook", "--bogus"));
  expect_refused("-x", ARGV("cook", "-x"));
  expect_refused(NULL, ARGV("cook", "--unit-ms", "0", "extra"));
  expect_refused(NULL, ARGV("cook", "--json=1"));
  expect_refused(NULL, ARGV("cook", "--json", "--json", "--unit-ms", "0"));
  expect_refused(NULL, ARGV("cook", "--unit-ms", "0", "--unit-ms", "0"));
}

static void test_cook_values(void) {
  expect_refused("--cooks", ARGV("cook", "--unit-ms", "0", "--cooks"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "abc", "--unit-ms", "0"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "2x", "--unit-ms", "0"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "0", "--unit-ms", "0"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "5000", "--unit-ms", "0"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "99999999999999999999999", "--unit-ms", "0"));
  expect_refused("--cooks", ARGV("cook", "--cooks", "1.5", "--unit-ms", "0"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", "x"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", "-1"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", "1e9"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", "nan"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", "inf"));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms", ""));
  expect_refused("--unit-ms", ARGV("cook", "--unit-ms=", "--quiet"));
  expect_refused("--model", ARGV("cook", "--model", "nope", "--unit-ms", "0"));
  expect_refused("--recipe", ARGV("cook", "--recipe", "", "--unit-ms", "0"));
}

static void test_cook_async_flags(void) {
  expect_refused("--blocking", ARGV("cook", "--model", "tasks", "--blocking", "--unit-ms", "0"));
  expect_refused("--blocking", ARGV("cook", "--model", "all", "--blocking", "--unit-ms", "0"));
  expect_refused("one cook", ARGV("cook", "--model", "async", "--cooks", "2", "--unit-ms", "0"));
  child c;
  expect_ok(&c, ARGV("cook", "--model", "async", "--blocking", "--unit-ms", "1", "--json"));
  CHECK(&c, contains(c.out, "\"blocking\":true") && contains(c.out, "\"model\":\"async\""));
  child_free(&c);
}

static void test_cook_combinations(void) {
  char dir[PATH_LEN], a[PATH_LEN];
  expect_refused(NULL, ARGV("cook", "--model", "all", "--gantt", "--unit-ms", "0"));
  expect_refused(NULL, ARGV("cook", "--model", "serial", "--cooks", "2", "--unit-ms", "0"));
  in_scratch(dir, "no-such-folder/t.json");
  expect_refused("--trace", ARGV("cook", "--unit-ms", "0", "--trace", dir));
  in_scratch(dir, "no-such-folder/t.svg");
  expect_refused("--svg", ARGV("cook", "--unit-ms", "0", "--svg", dir));
  in_scratch(a, "same.out");
  expect_refused(NULL, ARGV("cook", "--unit-ms", "0", "--trace", a, "--svg", a));
  CU_ASSERT_EQUAL(count_in_scratch("same.out"), 0);
  CU_ASSERT_EQUAL(count_in_scratch("no-such-folder"), 0);
}

static void test_cook_recipe_files(void) {
  char path[PATH_LEN], dir[PATH_LEN];
  in_scratch(path, "missing.recipe");
  expect_refused("missing.recipe", ARGV("cook", "--unit-ms", "0", "--recipe", path));
  in_scratch(dir, "a-folder.recipe");
  CU_ASSERT_EQUAL_FATAL(make_dirs(dir), 0);
  expect_refused("a-folder.recipe", ARGV("cook", "--unit-ms", "0", "--recipe", dir));
  expect_refused("a-folder.recipe", ARGV("recipe", "check", dir));
}

/* Sections cannot cook a recipe whose chains fork and join again: a bad choice of model
 * for the input, so exit 2, and the message points to the model that can. */
static void test_cook_sections_cannot(void) {
  char dinner[PATH_LEN];
  in_source(dinner, "examples/recipes/dinner.recipe");
  expect_refused("tasks",
                 ARGV("cook", "--model", "sections", "--recipe", dinner, "--unit-ms", "0"));
  expect_refused("tasks", ARGV("cook", "--model", "sections", "--recipe", dinner, "--unit-ms", "0",
                               "--quiet"));
  expect_refused(
      "tasks", ARGV("cook", "--model", "sections", "--recipe", dinner, "--unit-ms", "0", "--json"));
}

static void test_recipe_command(void) {
  char a[PATH_LEN], b[PATH_LEN];
  in_source(a, "examples/recipes/mapo-tofu.recipe");
  in_source(b, "examples/recipes/dinner.recipe");
  expect_refused("subcommand", ARGV("recipe"));
  expect_refused("subcommand", ARGV("recipe", "nope"));
  expect_refused(NULL, ARGV("recipe", "check"));
  expect_refused(NULL, ARGV("recipe", "check", a, b));
  expect_refused(NULL, ARGV("recipe", "check", "--json", a));
  expect_refused("--steps", ARGV("recipe", "generate"));
  expect_refused("--steps", ARGV("recipe", "generate", "--seed", "3"));
  expect_refused("--steps", ARGV("recipe", "generate", "--steps", "0"));
  expect_refused("--steps", ARGV("recipe", "generate", "--steps", "2000000"));
  expect_refused("--steps", ARGV("recipe", "generate", "--steps", "ten"));
  expect_refused("--seed", ARGV("recipe", "generate", "--steps", "5", "--seed", "-1"));
  expect_refused("--seed", ARGV("recipe", "generate", "--steps", "5", "--seed", "1.5"));
  expect_refused("--seed", ARGV("recipe", "generate", "--steps", "5", "--seed", "x"));
  expect_refused(NULL, ARGV("recipe", "generate", "--steps", "5", "extra"));
  expect_refused(NULL, ARGV("recipe", "show", "--json", "--text"));
  expect_refused(NULL, ARGV("recipe", "show", a, b));
  expect_refused(NULL, ARGV("recipe", "show", "--bogus"));
}

/* ---------------------------------------------------------------- bad recipes */

typedef struct bad_recipe {
  const char *file; /* its name in the scratch folder */
  const char *text;
  size_t len;           /* 0: strlen(text) */
  int lines[6];         /* the lines it may blame, 0-terminated; -1: 1 or the last line */
  const char *says[4];  /* parts of the message, NULL-terminated */
  const char *not_says; /* not a part of the message (after the FILE:LINE: prefix) */
} bad_recipe;

#define LIT(s) s, sizeof s - 1

static const bad_recipe bad_recipes[] = {
    {"unknown-after.recipe",
     "title t\nstep a 1 wait\nstep b 1 wait after zz\n",
     0,
     {3},
     {"unknown step 'zz'"},
     NULL},
    /* Names may come before their step: the unknown one is blamed on the line that
     * names it, not on the end of the file. */
    {"unknown-forward.recipe",
     "step b 1 wait after a x\nstep a 1 wait\n\n",
     0,
     {1},
     {"unknown step 'x'"},
     NULL},
    {"duplicate-step.recipe",
     "step a 1 wait\n# again\nstep a 2 wait\n",
     0,
     {3},
     {"duplicate step 'a'", "line 1"},
     NULL},
    {"cycle2.recipe",
     "title two\nstep a 1 wait after b\nstep b 1 wait after a\nstep c 1 wait\n",
     0,
     {2},
     {"cycle: a -> b -> a"},
     NULL},
    {"cycle3.recipe",
     "step a 1 wait after c\nstep b 1 wait after a\nstep c 1 wait after b\n",
     0,
     {1},
     {"cycle: a -> b -> c -> a"},
     NULL},
    /* A step behind a cycle is not a part of it, and the message must not say it is. */
    {"cycle-tail.recipe",
     "step xx 1 wait after a\nstep a 1 wait after b\nstep b 1 wait after a\n",
     0,
     {2},
     {"cycle: a -> b -> a"},
     "xx"},
    {"self.recipe", "step a 1 wait\nstep b 1 wait after a b\n", 0, {2}, {"cycle", "'b'"}, NULL},
    {"twice-after.recipe", "step a 1 wait\nstep b 1 wait after a a\n", 0, {2}, {"twice"}, NULL},
    {"duration-abc.recipe", "title t\nstep a abc wait\n", 0, {2}, {"'abc'", "not a number"}, NULL},
    {"duration-negative.recipe", "\n\nstep a -1 wait\n", 0, {3}, {"duration", "-1"}, NULL},
    {"duration-absurd.recipe", "step a 1e9 wait\n", 0, {1}, {"1e9", "absurd"}, NULL},
    {"duration-nan.recipe", "step z 1 wait\nstep a nan wait\n", 0, {2}, {"nan"}, NULL},
    {"duration-inf.recipe", "step a inf wait\n", 0, {1}, {"inf"}, NULL},
    {"kind.recipe", "step a 1 wait\nstep b 1 sleep\n", 0, {2}, {"'sleep'"}, NULL},
    {"step-short.recipe", "step a 1\n", 0, {1}, {"step"}, NULL},
    {"utensil-unknown.recipe",
     "utensil knife 1\n\nstep a 1 hands uses spoon\n",
     0,
     {3},
     {"unknown utensil 'spoon'"},
     NULL},
    {"utensil-too-many.recipe",
     "utensil knife 1\nstep a 1 hands uses knife*2\n",
     0,
     {2},
     {"knife", "2", "1"},
     NULL},
    {"utensil-duplicate.recipe",
     "utensil knife 1\nutensil burner 2\nutensil knife 2\n",
     0,
     {3},
     {"duplicate utensil 'knife'"},
     NULL},
    {"utensil-used-twice.recipe",
     "utensil knife 2\nstep a 1 hands uses knife knife\n",
     0,
     {2},
     {"knife", "twice"},
     NULL},
    {"utensil-zero.recipe",
     "title t\nutensil knife 0\nstep a 1 wait\n",
     0,
     {2},
     {"utensil count", "0"},
     NULL},
    {"utensil-use-zero.recipe",
     "utensil knife 1\nstep a 1 hands uses knife*0\n",
     0,
     {2},
     {"0"},
     NULL},
    {"utensil-half.recipe", "utensil knife 1.5\nstep a 1 wait\n", 0, {1}, {"1.5"}, NULL},
    {"directive.recipe", "title t\nstir a\n", 0, {2}, {"unknown directive 'stir'"}, NULL},
    {"binary.recipe",
     LIT("step a 1 wait\nst\0ep\x01\x7f b 1 wait\nstep c 1 wait\n"),
     {2},
     {"binary"},
     NULL},
    {"binary-esc.recipe", "step a 1 wait\n\x1b[31mstep b 1 wait\n", 0, {2}, {"binary"}, NULL},
    {"empty.recipe", "", 0, {-1}, {"empty"}, NULL},
    {"comments.recipe", "# only\n# comments\n\n   # and blanks\n", 0, {-1}, {"empty"}, NULL},
    {"keyword.recipe", "step a 1 wait\nstep uses 1 wait\n", 0, {2}, {"'uses'", "keyword"}, NULL},
    {"keyword-after.recipe", "step after 1 wait\n", 0, {1}, {"'after'", "keyword"}, NULL},
    {"bad-char.recipe", "step a/b 1 wait\n", 0, {1}, {"a/b", "'/'"}, NULL},
    {"after-empty.recipe", "step a 1 wait\nstep b 1 wait after\n", 0, {2}, {"'after'"}, NULL},
    {"after-then-uses.recipe",
     "utensil knife 1\nstep b 1 wait after uses knife\n",
     0,
     {2},
     {"'after'"},
     NULL},
    {"title-twice.recipe",
     "title one\nstep a 1 wait\ntitle two\n",
     0,
     {3},
     {"second title", "line 1"},
     NULL},
    {"rice-unknown.recipe", "step a 1 wait\n\nrice zz 80 2\n", 0, {3}, {"'zz'"}, NULL},
    {"rice-short.recipe", "step a 1 wait\nrice a 80\n", 0, {2}, {"rice"}, NULL},
};

/* The generated ones: a line of 5000 bytes; a name longer than 63 bytes; a cycle of
 * long names whose description has to be cut short. */
static void make_generated(char *long_line, char *long_name, char *long_cycle) {
  memcpy(long_line, "title t\nstep ", 13);
  memset(long_line + 13, 'a', 5000);
  memcpy(long_line + 5013, " 1 wait\n", 9);
  memcpy(long_name, "step ", 5);
  memset(long_name + 5, 'n', 64);
  memcpy(long_name + 69, " 1 wait\n", 9);
  char *p = long_cycle;
  for (int i = 0; i < 6; i++) p += sprintf(p, "step %060d 1 wait after %060d\n", i, (i + 5) % 6);
}

/* Check the refusal of a bad recipe: "FILE:N: message" with N among the lines. */
static void check_diagnostic(const child *c, const char *path, const bad_recipe *b, int last_line) {
  check_refused(c);
  size_t plen = strlen(path);
  int starts = strncmp(c->err, path, plen) == 0 && c->err[plen] == ':';
  CHECK(c, starts);
  if (!starts) return;
  char *end;
  long n = strtol(c->err + plen + 1, &end, 10);
  CHECK(c, end > c->err + plen + 1 && end[0] == ':' && end[1] == ' ');
  int line_ok = 0;
  for (int i = 0; i < 6 && b->lines[i] != 0; i++)
    if (b->lines[i] == -1 ? (n == 1 || n == last_line) : n == b->lines[i]) line_ok = 1;
  if (!line_ok) fprintf(stderr, "\n  %s: blamed line %ld\n", b->file, n);
  CHECK(c, line_ok);
  for (int i = 0; i < 4 && b->says[i] != NULL; i++) {
    if (!contains(end, b->says[i])) fprintf(stderr, "\n  %s: no '%s'\n", b->file, b->says[i]);
    CHECK(c, contains(end, b->says[i]));
  }
  if (b->not_says != NULL) CHECK(c, !contains(end, b->not_says));
}

static void check_bad_recipe(const bad_recipe *b, const char *text, size_t len) {
  char path[PATH_LEN];
  in_scratch(path, b->file);
  CU_ASSERT_EQUAL_FATAL(write_file(path, text, len), 0);
  int last_line = (int)count_lines(text, len);
  if (last_line == 0) last_line = 1;
  child c;
  CU_ASSERT_EQUAL_FATAL(run(&c, ARGV("recipe", "check", path)), 0);
  check_diagnostic(&c, path, b, last_line);
  child_free(&c);
  CU_ASSERT_EQUAL_FATAL(run(&c, ARGV("cook", "--recipe", path, "--unit-ms", "0")), 0);
  check_diagnostic(&c, path, b, last_line);
  child_free(&c);
  CU_ASSERT_EQUAL_FATAL(run(&c, ARGV("recipe", "show", path, "--json")), 0);
  check_diagnostic(&c, path, b, last_line);
  child_free(&c);
}

static void test_bad_recipes(void) {
  for (size_t i = 0; i < sizeof bad_recipes / sizeof bad_recipes[0]; i++) {
    const bad_recipe *b = &bad_recipes[i];
    check_bad_recipe(b, b->text, b->len ? b->len : strlen(b->text));
  }
}

static void test_bad_generated_recipes(void) {
  static char long_line[5100], long_name[100], long_cycle[1000];
  make_generated(long_line, long_name, long_cycle);
  const bad_recipe line = {"long-line.recipe", NULL, 0, {2}, {"longer"}, NULL};
  check_bad_recipe(&line, long_line, strlen(long_line));
  const bad_recipe name = {"long-name.recipe", NULL, 0, {1}, {"longer"}, NULL};
  check_bad_recipe(&name, long_name, strlen(long_name));
  /* The cycle starts at the step written first; 200 bytes of it, then "...". */
  const bad_recipe cycle = {
      "long-cycle.recipe", NULL, 0, {1}, {"cycle: 0000", " -> 0000", "..."}, NULL};
  check_bad_recipe(&cycle, long_cycle, strlen(long_cycle));
}

/* ---------------------------------------------------------------- nothing left behind */

static void test_no_file_left_behind(void) {
  char t[PATH_LEN], s[PATH_LEN], bad[PATH_LEN], dinner[PATH_LEN];
  in_scratch(t, "t.json");
  in_scratch(s, "s.svg");
  expect_refused(NULL, ARGV("cook", "--trace", t, "--cooks", "0", "--unit-ms", "0"));
  expect_refused(NULL, ARGV("cook", "--svg", s, "--unit-ms", "x"));
  expect_refused(NULL, ARGV("cook", "--svg", s, "--trace", t, "--model", "all", "--unit-ms", "0"));
  CU_ASSERT_EQUAL(count_in_scratch("t.json"), 0);
  CU_ASSERT_EQUAL(count_in_scratch("s.svg"), 0);

  in_scratch(bad, "left-behind.recipe");
  CU_ASSERT_EQUAL_FATAL(write_file(bad, LIT("step a 1 wait after b\nstep b 1 wait after a\n")), 0);
  expect_refused("left-behind.recipe:",
                 ARGV("cook", "--recipe", bad, "--svg", s, "--trace", t, "--unit-ms", "0"));
  CU_ASSERT_EQUAL(count_in_scratch("t.json"), 0);
  CU_ASSERT_EQUAL(count_in_scratch("s.svg"), 0);

  /* Refused after the recipe was read: the model cannot cook it. */
  in_source(dinner, "examples/recipes/dinner.recipe");
  expect_refused("tasks", ARGV("cook", "--model", "sections", "--recipe", dinner, "--svg", s,
                               "--trace", t, "--unit-ms", "0"));
  CU_ASSERT_EQUAL(count_in_scratch("t.json"), 0);
  CU_ASSERT_EQUAL(count_in_scratch("s.svg"), 0);
}

static void test_output_files_written(void) {
  char t[PATH_LEN], s[PATH_LEN];
  in_scratch(t, "good.json");
  in_scratch(s, "good.svg");
  child c;
  CU_ASSERT_EQUAL_FATAL(
      run(&c, ARGV("cook", "--unit-ms", "0", "--quiet", "--trace", t, "--svg", s)), 0);
  CHECK(&c, c.status == 0 && c.signal == 0 && c.nerr == 0);
  child_free(&c);
  CU_ASSERT(exists(t));
  CU_ASSERT(exists(s));
  CU_ASSERT_EQUAL(count_in_scratch("good.json"), 1);
  CU_ASSERT_EQUAL(count_in_scratch("good.svg"), 1);
  size_t n;
  char *text = read_file(t, &n);
  CU_ASSERT(text != NULL && n > 0 && contains(text, "traceEvents"));
  free(text);
  text = read_file(s, &n);
  CU_ASSERT(text != NULL && n > 0 && contains(text, "<svg") && contains(text, "</svg>"));
  free(text);
}

/* ---------------------------------------------------------------- good runs */

static void test_help_and_version(void) {
  const char *const *helps[] = {ARGV("--help"),
                                ARGV("-h"),
                                ARGV("help"),
                                ARGV("cook", "--help"),
                                ARGV("recipe", "--help"),
                                ARGV("recipe", "check", "--help"),
                                ARGV("recipe", "show", "--help"),
                                ARGV("recipe", "generate", "--help")};
  for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
    child c;
    expect_ok(&c, helps[i]);
    CHECK(&c, contains(c.out, "usage"));
    child_free(&c);
  }
  child c;
  expect_ok(&c, ARGV("cook", "--help"));
  CHECK(&c, contains(c.out, "--unit-ms") && contains(c.out, "--model"));
  child_free(&c);
  expect_ok(&c, ARGV("--version"));
  CHECK(&c, one_line(c.out, c.nout) && strncmp(c.out, "mapo ", 5) == 0);
  child_free(&c);
}

static void test_check_examples(void) {
  char dir[PATH_LEN];
  in_source(dir, "examples/recipes");
  DIR *d = opendir(dir);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  int checked = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t n = strlen(e->d_name);
    if (n < 8 || strcmp(e->d_name + n - 7, ".recipe") != 0) continue;
    char path[PATH_LEN + 256];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    child c;
    expect_ok(&c, ARGV("recipe", "check", path));
    CHECK(&c, contains(c.out, "ok"));
    child_free(&c);
    checked++;
  }
  closedir(d);
  CU_ASSERT(checked >= 3);
}

/* Names before their definitions, utensils declared after their use, CRLF line ends,
 * tabs, a missing last newline: all fine. */
static void test_check_forward_references(void) {
  char path[PATH_LEN];
  in_scratch(path, "forward.recipe");
  const char text[] = "step b 1\twait after a uses knife says Second  # a comment\r\n"
                      "step a 2 hands says First\r\n"
                      "utensil knife 1\r\n"
                      "rice a 80 2";
  CU_ASSERT_EQUAL_FATAL(write_file(path, text, sizeof text - 1), 0);
  child c;
  expect_ok(&c, ARGV("recipe", "check", path));
  CHECK(&c, contains(c.out, "2 steps"));
  child_free(&c);
}

static void test_generate(void) {
  char a[PATH_LEN], other[PATH_LEN];
  child c1, c2, c3;
  expect_ok(&c1, ARGV("recipe", "generate", "--steps", "500", "--seed", "7"));
  expect_ok(&c2, ARGV("recipe", "generate", "--seed", "7", "--steps", "500"));
  expect_ok(&c3, ARGV("recipe", "generate", "--steps", "500", "--seed", "8"));
  CU_ASSERT(c1.nout == c2.nout && memcmp(c1.out, c2.out, c1.nout) == 0);
  CU_ASSERT(c1.nout != c3.nout || memcmp(c1.out, c3.out, c1.nout) != 0);
  in_scratch(a, "gen-7.recipe");
  in_scratch(other, "gen-8.recipe");
  CU_ASSERT_EQUAL_FATAL(write_file(a, c1.out, c1.nout), 0);
  CU_ASSERT_EQUAL_FATAL(write_file(other, c3.out, c3.nout), 0);
  child_free(&c1);
  child_free(&c2);
  child_free(&c3);
  child c;
  expect_ok(&c, ARGV("recipe", "check", a));
  CHECK(&c, contains(c.out, "500 steps"));
  child_free(&c);
  expect_ok(&c, ARGV("recipe", "check", other));
  CHECK(&c, contains(c.out, "500 steps"));
  child_free(&c);
  expect_ok(&c, ARGV("recipe", "generate", "--steps", "1", "--seed", "0"));
  child_free(&c);

  /* Megabytes through the pipe, and a large recipe read back. */
  char big[PATH_LEN];
  expect_ok(&c, ARGV("recipe", "generate", "--steps", "100000", "--seed", "3"));
  CHECK(&c, c.nout > 1000000);
  in_scratch(big, "gen-100000.recipe");
  CU_ASSERT_EQUAL_FATAL(write_file(big, c.out, c.nout), 0);
  child_free(&c);
  expect_ok(&c, ARGV("recipe", "check", big));
  CHECK(&c, contains(c.out, "100000 steps"));
  child_free(&c);
}

static void test_show(void) {
  char path[PATH_LEN], copy[PATH_LEN];
  size_t n;
  char *want = read_file(in_source(path, "examples/recipes/mapo-tofu.recipe"), &n);
  CU_ASSERT_PTR_NOT_NULL_FATAL(want);
  child c;
  expect_ok(&c, ARGV("recipe", "show", "--text"));
  CU_ASSERT(c.nout == n && memcmp(c.out, want, n) == 0);
  child_free(&c);
  free(want);

  /* A file shown as text reads back as the same recipe. */
  in_source(path, "examples/recipes/one-knife.recipe");
  expect_ok(&c, ARGV("recipe", "show", path, "--text"));
  in_scratch(copy, "one-knife-again.recipe");
  CU_ASSERT_EQUAL_FATAL(write_file(copy, c.out, c.nout), 0);
  child_free(&c);
  child a, b;
  expect_ok(&a, ARGV("recipe", "show", path, "--json"));
  expect_ok(&b, ARGV("recipe", "show", copy, "--json"));
  CU_ASSERT(a.nout == b.nout && memcmp(a.out, b.out, a.nout) == 0);
  child_free(&a);
  child_free(&b);

  expect_ok(&c, ARGV("recipe", "show", "--json"));
  CHECK(&c, one_line(c.out, c.nout) && c.out[0] == '{');
  CHECK(&c, contains(c.out, "\"critical_path\""));
  child_free(&c);
  expect_ok(&c, ARGV("recipe", "show"));
  child_free(&c);
}

static void test_cook_json(void) {
  child c;
  expect_ok(&c, ARGV("cook", "--model", "all", "--unit-ms", "0", "--json"));
  CHECK(&c, one_line(c.out, c.nout) && c.out[0] == '{');
  CHECK(&c, contains(c.out, "\"runs\""));
  child_free(&c);
  expect_ok(&c, ARGV("cook", "--model", "tasks", "--unit-ms", "2", "--json"));
  CHECK(&c, one_line(c.out, c.nout) && c.out[0] == '{');
  CHECK(&c, contains(c.out, "\"makespan_units\""));
  child_free(&c);
}

static void test_cook_text(void) {
  static const char *const models[] = {"serial", "sections", "tasks", "tasks-counted"};
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    child c;
    expect_ok(&c, ARGV("cook", "--model", models[i], "--unit-ms", "0", "--gantt"));
    child_free(&c);
  }
  child c;
  expect_ok(&c, ARGV("cook", "--model", "all", "--unit-ms", "0"));
  child_free(&c);
  expect_ok(&c, ARGV("cook", "--model", "serial", "--cooks", "1", "--unit-ms", "0", "--quiet"));
  child_free(&c);
  expect_ok(&c, ARGV("cook", "--model=tasks", "--cooks=2", "--unit-ms=1", "--quiet"));
  child_free(&c);
}

/* Output that cannot be written is a failed run (exit 1, said on stderr), never a
 * silent success: /dev/full refuses every write with ENOSPC. */
static void test_stdout_write_error(void) {
  if (access("/dev/full", W_OK) != 0) return;
  const char *const *cases[] = {
      ARGV("cook", "--unit-ms", "0", "--json"), ARGV("cook", "--unit-ms", "0", "--quiet"),
      ARGV("recipe", "show", "--json"), ARGV("recipe", "generate", "--steps", "50")};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    child c;
    CU_ASSERT_EQUAL_FATAL(run_to(&c, cases[i], "/dev/full"), 0);
    CHECK(&c, !c.timed_out && c.signal == 0);
    CHECK(&c, c.status == 1);
    CHECK(&c, c.nerr > 0);
    child_free(&c);
  }
}

/* ---------------------------------------------------------------- mapo sum */

static void test_sum_bad_input(void) {
  expect_refused("--model", ARGV("sum", "--model", "nope"));
  expect_refused("--threads", ARGV("sum", "--threads", "0"));
  expect_refused("--threads", ARGV("sum", "--threads", "2000"));
  expect_refused("--threads", ARGV("sum", "--threads", "two"));
  expect_refused("--numbers", ARGV("sum", "--numbers", "0"));
  expect_refused("--numbers", ARGV("sum", "--numbers", "100001"));
  expect_refused("--base", ARGV("sum", "--base", "-5"));
  expect_refused("--base", ARGV("sum", "--base", "1e6"));
  expect_refused("--base", ARGV("sum", "--base", "4294967297"));
  expect_refused("--base", ARGV("sum", "--base", "99999999999999999999999"));
  expect_refused("2^32", ARGV("sum", "--base", "4294967290", "--numbers", "20"));
  expect_refused("--split", ARGV("sum", "--split", "halves"));
  expect_refused("--repeat", ARGV("sum", "--repeat", "0"));
  expect_refused("--repeat", ARGV("sum", "--repeat", "1001"));
  expect_refused(NULL, ARGV("sum", "extra"));
  expect_refused("serial", ARGV("sum", "--model", "serial", "--threads", "2"));
  expect_refused(NULL, ARGV("sum", "--json", "--json"));
}

/* Every model, both splits, small sizes: verified, exit 0, one JSON line with the
 * contract fields; the checksum is the same whatever the model. */
static void test_sum_models(void) {
  static const char *const models[] = {"serial",        "critical", "atomic",
                                       "false-sharing", "padded",   "reduction"};
  static const char *const splits[] = {"numbers", "range"};
  char first[64] = "";
  for (size_t m = 0; m < sizeof models / sizeof models[0]; m++)
    for (size_t s = 0; s < 2; s++) {
      child c;
      expect_ok(&c, ARGV("sum", "--model", models[m], "--split", splits[s], "--threads",
                         m == 0 ? "1" : "2", "--base", "3001", "--numbers", "5", "--repeat", "2",
                         "--json"));
      CHECK(&c, one_line(c.out, c.nout) && c.out[0] == '{');
      static const char *const fields[] = {
          "\"model\"",       "\"threads\"",       "\"seconds_median\"", "\"seconds_min\"",
          "\"seconds_max\"", "\"verified\":true", "\"checksum\":\"",    "\"environment\""};
      for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        CHECK(&c, contains(c.out, fields[f]));
      const char *sum = strstr(c.out, "\"checksum\":\"");
      if (sum != NULL) {
        char mine[64];
        snprintf(mine, sizeof mine, "%.*s", (int)strcspn(sum + 12, "\""), sum + 12);
        if (first[0] == '\0') snprintf(first, sizeof first, "%s", mine);
        CHECK(&c, strcmp(mine, first) == 0);
      }
      child_free(&c);
    }
  /* the sum over n = 3001..3005 of n(n-1)(2n-1)/6 */
  CU_ASSERT_STRING_EQUAL(first, "45112622550");
}

static void test_sum_text(void) {
  child c;
  expect_ok(&c,
            ARGV("sum", "--model", "atomic", "--threads", "1", "--base", "1000", "--repeat", "1"));
  CHECK(&c, contains(c.out, "verified   every number equals n(n-1)(2n-1)/6"));
  CHECK(&c, contains(c.out, "atomic     here: "));
  child_free(&c);
  /* More threads than processors: a warning on stderr, the run still verified. */
  CU_ASSERT_EQUAL_FATAL(run(&c, ARGV("sum", "--threads", "64", "--base", "1000", "--repeat", "1")),
                        0);
  CHECK(&c, c.status == 0);
  CHECK(&c, one_line(c.err, c.nerr) && contains(c.err, "warning"));
  child_free(&c);
}

/* ---------------------------------------------------------------- main */

static const mapo_test tests[] = {
    {"no command, unknown command", test_top_level},
    {"cook: unknown options, repeats, values to flags", test_cook_unknown_options},
    {"cook: bad values", test_cook_values},
    {"cook: flags that exclude each other, unwritable outputs", test_cook_combinations},
    {"cook: recipe file missing or a folder", test_cook_recipe_files},
    {"cook: --blocking and --cooks with async", test_cook_async_flags},
    {"cook: sections cannot cook dinner", test_cook_sections_cannot},
    {"recipe: bad subcommands and flags", test_recipe_command},
    {"recipe files: one line FILE:LINE: per kind of error", test_bad_recipes},
    {"recipe files: long lines, long names, long cycles", test_bad_generated_recipes},
    {"no output file left behind on failure", test_no_file_left_behind},
    {"output files written on success", test_output_files_written},
    {"--help and --version", test_help_and_version},
    {"recipe check on every example", test_check_examples},
    {"recipe check: forward references, CRLF", test_check_forward_references},
    {"recipe generate: reproducible, parses back", test_generate},
    {"recipe show: --text is the example, round trip", test_show},
    {"cook --json", test_cook_json},
    {"cook: text reports of every model", test_cook_text},
    {"a write error on stdout is exit 1", test_stdout_write_error},
    {"sum: bad flags and values", test_sum_bad_input},
    {"sum: every model and split verifies, same checksum", test_sum_models},
    {"sum: text report, warning past the processors", test_sum_text},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MAPO-BINARY SOURCE-DIR SCRATCH-DIR\n", argv[0]);
    return 2;
  }
  mapo_bin = argv[1];
  src_dir = argv[2];
  scratch = argv[3];
  if (access(mapo_bin, X_OK) != 0) {
    fprintf(stderr, "%s: not an executable: %s\n", argv[0], mapo_bin);
    return 2;
  }
  remove_tree(scratch);
  if (make_dirs(scratch) != 0) {
    fprintf(stderr, "%s: cannot create %s: %s\n", argv[0], scratch, strerror(errno));
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  return mapo_test_run("cli", tests);
}
