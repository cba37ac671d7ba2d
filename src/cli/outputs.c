/* outputs.c - the files a run will write, proved before the run (outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mapo/report.h"
#include "mapo/text.h"

int cli_check_output(const cli_cmd *cmd, const char *flag, const char *path) {
  if (path == NULL) return 0;
  int rc = mapo_report_check_file(path);
  if (rc == 0) return 0;
  /* The words the README's bad-input table promises for the common case. */
  const char *why =
      rc == -ENOENT || rc == -ENOTDIR ? "no such folder, or not writable" : strerror(-rc);
  return cli_fail(cmd, "--%s: cannot write '%s' (%s)", flag, path, why);
}

int cli_std_fds(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    /* The lowest free descriptor is fd itself: 0 to fd - 1 are open by now. */
    int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got != fd) {
      int err = got < 0 ? errno : EBADF;
      if (got >= 0) close(got);
      fprintf(stderr, "%s: cannot open /dev/null for descriptor %d: %s\n", cli_program, fd,
              strerror(err));
      return -err;
    }
  }
  return 0;
}

int cli_check_distinct(const cli_cmd *cmd, const char *flag_a, const char *a, const char *flag_b,
                       const char *b) {
  if (a == NULL || b == NULL || !mapo_report_same_file(a, b)) return 0;
  return cli_fail(cmd, "--%s and --%s name the same file", flag_a, flag_b);
}

int cli_columns(int wide) {
  if (wide) return 0;
  const char *env = getenv("COLUMNS");
  if (env != NULL && mapo_is_decimal(env, 1)) {
    const long cols = strtol(env, NULL, 10);
    if (cols >= 20 && cols <= 1000) return (int)cols;
  }
  struct winsize ws;
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return MAPO_REPORT_COLUMNS;
}

mapo_text_width cli_width(int wide) {
  const mapo_text_width w = {cli_columns(wide), wide};
  return w;
}

int cli_gantt_columns(int wide) {
  if (wide) return 64;
  /* "  cook 0  |" before the axis, "|" after it. */
  const int cols = cli_columns(0) - 12;
  return cols < 20 ? 20 : cols > 200 ? 200 : cols;
}
