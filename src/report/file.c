/* file.c - output files, all or nothing: write a temporary file beside the target,
 * flush it to disk, then rename() it into place. A run killed halfway leaves at most
 * a stray temporary, never half a file under the name the user asked for. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapo/error.h"
#include "mapo/report.h"

int mapo_report_write_file(const char *path, mapo_writer writer, const void *arg) {
  if (path == NULL || *path == '\0' || writer == NULL) return MAPO_EINVAL;
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (tmp == NULL) return -ENOMEM;
  snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
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
