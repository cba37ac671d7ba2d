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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
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
  char *mem; /* every file's buffer */
  char dir[PATH_MAX];
  int rc; /* the run's first error */
  mapo_io_job *job;
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
  (void)loop;
  if (result < 0 && f->s->rc == 0) f->s->rc = (int)result;
  check(f->s, f, result);
}

static int path_of(const state *s, int number, char *path) {
  int n = snprintf(path, PATH_MAX, "%s/%09d", s->dir, number);
  return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* File `number`: its first line, then filler up to the size. */
static int make_file(state *s, int number, char *content) {
  char path[PATH_MAX];
  int rc = path_of(s, number, path);
  if (rc < 0) return rc;
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -errno;
  mapo__io_file_header(content, number);
  for (size_t done = 0; done < s->size && rc == 0;) {
    ssize_t n = write(fd, content + done, s->size - done);
    if (n < 0 && errno != EINTR) rc = -errno;
    if (n > 0) done += (size_t)n;
  }
  if (close(fd) != 0 && rc == 0) rc = -errno;
  if (rc == 0 && (s->files[number].fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) rc = -errno;
  return rc;
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
  if (snprintf(s->dir, sizeof s->dir, "%s/mapo-io-files-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
      (int)sizeof s->dir)
    return -ENAMETOOLONG;
  if (mkdtemp(s->dir) == NULL) {
    s->dir[0] = '\0';
    return -errno;
  }
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
  return rc;
}

int mapo_io_aio_run(mapo_io_job *job) {
  state *s = job->state;
  s->rc = 0;
  for (int i = 0; i < job->orders; i++) {
    file *f = &s->files[i];
    int rc = mapo_aio_read(s->loop, f->fd, f->buf, s->size, 0, on_read, f);
    if (rc < 0) { /* the reads queued so far still complete: the loop drains them */
      s->rc = rc;
      break;
    }
  }
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
  char path[PATH_MAX];
  for (int i = 0; i < s->n; i++) {
    if (s->files[i].fd >= 0) close(s->files[i].fd);
    if (path_of(s, i, path) == 0) unlink(path);
  }
  if (s->dir[0] != '\0') rmdir(s->dir);
  free(s->files);
  free(s->mem);
  free(s);
  job->state = NULL;
  job->loop = NULL;
}
