/* file.c - output files, all or nothing: write a temporary file beside the target,
 * flush it to disk, then rename() it into place. A run killed halfway leaves at most
 * a stray temporary, never half a file under the name the user asked for.
 *
 * What to notice: only a regular file (or a new name) is replaced. A device, a FIFO or
 * a socket the user names (/dev/null, /dev/stdout, a pipe) is written in place: as root,
 * renaming onto /dev/null would replace it with a regular file for the whole system.
 * Whether two names are one file is asked of the kernel (device and inode), not of the
 * strings: "a.svg" and "./a.svg" are the same file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapo/error.h"
#include "mapo/report.h"

/* Write through writer into what the user named, in place (a device, a FIFO). The
 * output is made in memory first and then written whole, so that a failing device
 * reports its own errno (ENOSPC for /dev/full), not the writer's later EIO. */
static int write_in_place(const char *path, mapo_writer writer, const void *arg) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (m == NULL) return -errno;
  int rc = writer(m, arg);
  if (fclose(m) != 0 && rc == 0) rc = -errno;
  int fd = rc == 0 ? open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC) : -1;
  if (rc == 0 && fd < 0) rc = -errno;
  for (size_t done = 0; rc == 0 && done < len;) {
    ssize_t n = write(fd, buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) rc = -errno;
    if (n == 0) rc = -EIO;
    if (n > 0) done += (size_t)n;
  }
  if (fd >= 0 && close(fd) != 0 && rc == 0) rc = -errno;
  free(buf);
  return rc;
}

/* The temporary name beside path, or NULL when out of memory. */
static char *temporary_name(const char *path) {
  size_t n = strlen(path) + 16;
  char *tmp = malloc(n);
  if (tmp != NULL) snprintf(tmp, n, "%s.tmp.XXXXXX", path);
  return tmp;
}

int mapo_report_check_file(const char *path) {
  if (path == NULL || *path == '\0') return MAPO_EINVAL;
  struct stat st;
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return -EISDIR;
    if (S_ISFIFO(st.st_mode)) return 0; /* opening would wait for a reader */
    if (!S_ISREG(st.st_mode)) {
      int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) return -errno;
      close(fd);
      return 0;
    }
  }
  /* A regular file or a new name is written as a temporary beside it: make that
   * temporary now, so that a folder that is missing, read-only, not ours, or a name
   * too long once suffixed fails before the run and not after it. */
  char *tmp = temporary_name(path);
  if (tmp == NULL) return -ENOMEM;
  int fd = mkstemp(tmp);
  int rc = fd < 0 ? -errno : 0;
  if (fd >= 0) {
    close(fd);
    unlink(tmp);
  }
  free(tmp);
  return rc;
}

/* Who a name is: the file's device and inode, or, for a name not there yet, its
 * folder's and its last part. */
typedef struct identity {
  dev_t dev;
  ino_t ino;
  char base[NAME_MAX + 1]; /* empty for a file that exists */
} identity;

static int identify(const char *path, identity *id) {
  struct stat st;
  memset(id, 0, sizeof *id);
  if (stat(path, &st) == 0) {
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
  }
  char copy[PATH_MAX], copy2[PATH_MAX];
  if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) return -ENAMETOOLONG;
  memcpy(copy2, copy, sizeof copy);
  snprintf(id->base, sizeof id->base, "%s", basename(copy));
  if (stat(dirname(copy2), &st) != 0) return -errno;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  return 0;
}

int mapo_report_same_file(const char *a, const char *b) {
  if (a == NULL || b == NULL) return 0;
  identity x, y;
  if (identify(a, &x) < 0 || identify(b, &y) < 0) return strcmp(a, b) == 0;
  return x.dev == y.dev && x.ino == y.ino && strcmp(x.base, y.base) == 0;
}

int mapo_report_write_file(const char *path, mapo_writer writer, const void *arg) {
  if (path == NULL || *path == '\0' || writer == NULL) return MAPO_EINVAL;
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return S_ISDIR(st.st_mode) ? -EISDIR : write_in_place(path, writer, arg);
  char *tmp = temporary_name(path);
  if (tmp == NULL) return -ENOMEM;
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int rc = -errno;
    free(tmp);
    return rc;
  }
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  FILE *f = fdopen(fd, "w");
  int rc = f == NULL ? -errno : 0;
  if (rc == 0) rc = writer(f, arg);
  if (f != NULL) {
    if (fflush(f) != 0 && rc == 0) rc = -errno;
    if (rc == 0 && fsync(fileno(f)) != 0 && errno != EINVAL) rc = -errno;
    if (fclose(f) != 0 && rc == 0) rc = -errno;
  } else {
    close(fd);
  }
  if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
  if (rc < 0) unlink(tmp);
  free(tmp);
  return rc;
}
