/* aio.c - a file workload: N files read through POSIX aio on the event loop, beside
 * plain read() of one file after another (the yardstick, timed in turn with it).
 *
 * Run:    mapo io --model aio --requests 1000 --file-kib 64
 * Notice: aio_read() returns at once and the loop hears of each completion, so one
 *         thread has every read in flight without ever blocking. But Linux has no
 *         asynchronous buffered file reads for glibc to use: glibc performs each aio
 *         request with pread() on helper threads of its own, and the report counts
 *         them. The files were just written, so they sit in the page cache and every
 *         read is a memory copy: here aio adds the cost of handing reads to threads and
 *         back, and plain read() is the one to beat. On a real disk, or with files out
 *         of the cache (--dir on another file system), the overlap is what aio buys.
 *         The files are made and opened before the clock starts, as the network models
 *         open their connections; each file starts with "file  NNNNNNNNN\n", its number,
 *         which each read checks, as the network models check their answers.
 * Litter: the files have no names (O_TMPFILE): the kernel frees them when the last
 *         descriptor closes, so Ctrl-C or SIGKILL leaves nothing on disk. A file system
 *         without O_TMPFILE gets named files in a folder of ours, each unlinked as soon
 *         as it is open, and the folder removed once they are made; a folder that a
 *         killed run left behind is swept by the next run (sweep()).
 * Hangs:  glibc drops a completion when it cannot start the thread that delivers it
 *         (ulimit -u): a watchdog on the loop (mapo_aio_reap) turns that into one
 *         clear failure instead of a wait in ppoll() forever.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "mapo/clock.h"
#include "mapo/error.h"

typedef struct state state;

typedef struct file {
  int fd; /* opened before the clock */
  int number;
  char *buf; /* where its contents land */
  state *s;
} file;

struct state {
  mapo_loop *loop;
  file *files;
  int n; /* files made */
  size_t size;
  char *mem;             /* every file's buffer */
  char parent[PATH_MAX]; /* where the files go: --dir, $TMPDIR or /tmp */
  char dir[PATH_MAX];    /* without O_TMPFILE: our folder in parent while files are made */
  int rc;                /* the run's first error */
  mapo_io_job *job;
  /* The watchdog: a timer that fires when no read came back for the grace. */
  int pending; /* reads out */
  int64_t last_ns;
  uint64_t watchdog;
  int armed;
};

static void check(state *s, file *f, ssize_t got) {
  if (got == (ssize_t)s->size && mapo__io_answer_ok(s->job, f->buf, "file ", f->number)) {
    s->job->answered++;
    return;
  }
  s->job->wrong++;
  if (got < 0)
    mapo__io_first(s->job, "file %d: %s", f->number, mapo_strerror((int)got));
  else if (got != (ssize_t)s->size)
    mapo__io_first(s->job, "file %d: %zd bytes read of %zu", f->number, got, s->size);
}

static void on_read(mapo_loop *loop, ssize_t result, void *arg) {
  file *f = arg;
  state *s = f->s;
  s->last_ns = mapo_loop_now(loop);
  if (--s->pending == 0 && s->armed) { /* nothing left to wait for: the loop may return */
    mapo_loop_timer_cancel(loop, s->watchdog);
    s->armed = 0;
  }
  if (result < 0 && s->rc == 0) s->rc = (int)result;
  check(s, f, result);
}

/* ---- the files ------------------------------------------------------------------- */

/* Stale folders: "mapo-io-files-PID-XXXXXX" in parent, ours (this user's) and of a
 * process that is gone (kill(PID, 0) says ESRCH; a live one, or one we may not signal,
 * is left alone). Only names of our files are removed inside, never through a symbolic
 * link, and the folder only once empty. */
static void sweep_folder(int parent, const char *name) {
  const int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  DIR *d = fstat(fd, &st) == 0 && st.st_uid == geteuid() ? fdopendir(fd) : NULL;
  if (d == NULL) {
    close(fd);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (strlen(e->d_name) == 9 && strspn(e->d_name, "0123456789") == 9) unlinkat(fd, e->d_name, 0);
  closedir(d);
  unlinkat(parent, name, AT_REMOVEDIR);
}

/* The PID in "mapo-io-files-PID-XXXXXX" (mkdtemp's six letters and digits), or 0. */
static long owner_of(const char *name) {
  static const char head[] = "mapo-io-files-";
  if (strncmp(name, head, sizeof head - 1) != 0) return 0;
  const char *digits = name + sizeof head - 1;
  char *end;
  errno = 0;
  const long pid = strtol(digits, &end, 10);
  if (end == digits || *digits < '1' || *digits > '9' || errno != 0 || *end != '-') return 0;
  static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return strlen(end + 1) == 6 && strspn(end + 1, alnum) == 6 ? pid : 0;
}

static void sweep(const char *parent) {
  DIR *d = opendir(parent);
  if (d == NULL) return;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    const long pid = owner_of(e->d_name);
    if (pid <= 0 || pid == (long)getpid() || pid > INT_MAX) continue;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) sweep_folder(dirfd(d), e->d_name);
  }
  closedir(d);
}

static int path_of(const state *s, int number, char *path) {
  int n = snprintf(path, PATH_MAX, "%s/%09d", s->dir, number);
  return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* A file without O_TMPFILE: named in our folder, and the name removed at once. */
static int open_named(state *s, int number, int *fd) {
  if (s->dir[0] == '\0') {
    if (snprintf(s->dir, sizeof s->dir, "%s/mapo-io-files-%ld-XXXXXX", s->parent, (long)getpid()) >=
        (int)sizeof s->dir)
      return -ENAMETOOLONG;
    if (mkdtemp(s->dir) == NULL) {
      s->dir[0] = '\0';
      return -errno;
    }
  }
  char path[PATH_MAX];
  int rc = path_of(s, number, path);
  if (rc < 0) return rc;
  *fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (*fd < 0) return -errno;
  return unlink(path) == 0 ? 0 : -errno;
}

/* File `number`: no name (O_TMPFILE) where the file system can; its first line, then
 * filler up to the size. Its descriptor, kept for the reads, is all that holds it. */
static int make_file(state *s, int number, char *content) {
  int fd = open(s->parent, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  int rc = fd >= 0 ? 0 : -errno;
  if (rc == -EOPNOTSUPP || rc == -EISDIR || rc == -EINVAL) rc = open_named(s, number, &fd);
  s->files[number].fd = fd;
  if (rc < 0) return rc;
  mapo__io_file_header(content, number);
  for (size_t done = 0; done < s->size && rc == 0;) {
    ssize_t n = pwrite(fd, content + done, s->size - done, (off_t)done);
    if (n < 0 && errno != EINTR) rc = -errno;
    if (n > 0) done += (size_t)n;
  }
  return rc;
}

static void remove_folder(state *s) {
  if (s->dir[0] != '\0') rmdir(s->dir); /* empty: every name was removed when opened */
  s->dir[0] = '\0';
}

int mapo_io_aio_setup(mapo_io_job *job) {
  state *s = calloc(1, sizeof *s);
  if (s == NULL) return -ENOMEM;
  job->state = s;
  s->job = job;
  s->size = (size_t)job->opts.file_kib * 1024;
  int rc = mapo_loop_new(&s->loop);
  if (rc < 0) return rc;
  job->loop = s->loop;
  const char *tmp = job->opts.dir ? job->opts.dir : getenv("TMPDIR");
  if (snprintf(s->parent, sizeof s->parent, "%s", tmp && *tmp ? tmp : "/tmp") >=
      (int)sizeof s->parent)
    return -ENAMETOOLONG;
  sweep(s->parent); /* what a run killed while it made its files left behind */
  const int files = job->opts.requests;
  s->files = calloc((size_t)files, sizeof *s->files);
  s->mem = malloc((size_t)files * s->size);
  char *content = malloc(s->size);
  if (s->files == NULL || s->mem == NULL || content == NULL) {
    free(content);
    return -ENOMEM;
  }
  for (size_t i = 0; i < s->size; i++) content[i] = (char)('a' + i % 26);
  content[s->size - 1] = '\n';
  for (int i = 0; i < files && rc == 0; i++) {
    s->files[i] = (file){-1, i, s->mem + (size_t)i * s->size, s};
    s->n = job->width = i + 1;
    rc = make_file(s, i, content);
  }
  free(content);
  remove_folder(s);
  return rc;
}

/* ---- the runs -------------------------------------------------------------------- */

static void on_watchdog(mapo_loop *loop, void *arg);

static void arm_watchdog(state *s) {
  const int64_t grace_ns = (int64_t)mapo__io_grace_ms(&s->job->opts) * 1000000;
  int rc = mapo_loop_timer(s->loop, s->last_ns + grace_ns, on_watchdog, s, &s->watchdog);
  s->armed = rc == 0;
  if (rc < 0 && s->rc == 0) s->rc = rc;
}

/* No read came back for the grace: glibc may have dropped completions. Those are
 * completed now with -EAGAIN (mapo_aio_reap), and the run fails in one clear line;
 * reads still running are waited for, a grace at a time. */
static void on_watchdog(mapo_loop *loop, void *arg) {
  state *s = arg;
  s->armed = 0;
  const int64_t now = mapo_loop_now(loop);
  if (now - s->last_ns >= (int64_t)mapo__io_grace_ms(&s->job->opts) * 1000000) {
    const int lost = mapo_aio_reap(loop);
    if (lost > 0) {
      mapo__io_first(s->job,
                     "%d of %d POSIX aio reads never came back: glibc could not start the "
                     "threads that deliver them (too many processes or threads: ulimit -u)",
                     lost, s->job->orders);
      if (s->rc == 0) s->rc = -EAGAIN;
    }
    s->last_ns = now;
  }
  if (s->pending > 0) arm_watchdog(s);
}

int mapo_io_aio_run(mapo_io_job *job) {
  state *s = job->state;
  s->rc = 0;
  s->pending = 0;
  for (int i = 0; i < job->orders; i++) {
    file *f = &s->files[i];
    int rc = mapo_aio_read(s->loop, f->fd, f->buf, s->size, 0, on_read, f);
    if (rc < 0) { /* the reads queued so far still complete: the loop drains them */
      if (rc == -EAGAIN)
        mapo__io_first(job,
                       "aio_read of file %d: glibc could not start a thread for it "
                       "(too many processes or threads: ulimit -u)",
                       i);
      s->rc = rc;
      break;
    }
    s->pending++;
  }
  s->last_ns = mapo_now_ns(); /* the loop's time is its last iteration's: stale here */
  if (s->pending > 0) arm_watchdog(s);
  int rc = mapo_loop_run(s->loop); /* returns when every read has come back */
  return rc < 0 ? rc : s->rc;
}

int mapo_io_aio_read_run(mapo_io_job *job) {
  state *s = job->state;
  for (int i = 0; i < job->orders; i++) {
    file *f = &s->files[i];
    size_t done = 0;
    while (done < s->size) {
      ssize_t n = pread(f->fd, f->buf + done, s->size - done, (off_t)done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -errno;
      if (n == 0) break; /* the file is shorter than it should be: check() says so */
      done += (size_t)n;
    }
    check(s, f, (ssize_t)done);
  }
  return 0;
}

void mapo_io_aio_teardown(mapo_io_job *job) {
  state *s = job->state;
  if (s == NULL) return;
  if (s->loop != NULL) mapo_loop_free(s->loop);
  for (int i = 0; i < s->n; i++)
    if (s->files[i].fd >= 0) close(s->files[i].fd);
  remove_folder(s);
  free(s->files);
  free(s->mem);
  free(s);
  job->state = NULL;
  job->loop = NULL;
}
