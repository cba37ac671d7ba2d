/* serial.c - one connection, one order after another: the notebook's serial cook, who
 * stands by the pot until it boils.
 *
 * Run:    mapo io --model serial --requests 20 --latency-ms 50
 * Notice: the time is N x L. The client places an order and then does nothing at all
 *         until the answer comes: the CPU is idle for the whole run, which is what "I/O
 *         bound" means. A faster CPU would not help; only waiting for several answers
 *         at once does. Diff this file against threads.c and poll.c: the loop of
 *         send() and recv() below is the same in all three, and what changes is who
 *         runs it while the others wait.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

typedef struct state {
  int fd; /* the one connection, opened before the clock */
} state;

int mapo_io_serial_setup(mapo_io_job *job) {
  state *s = malloc(sizeof *s);
  if (s == NULL) return -ENOMEM;
  s->fd = -1;
  job->state = s;
  job->width = 1;
  return mapo__io_dial(job, 0, &s->fd);
}

int mapo_io_serial_run(mapo_io_job *job) {
  state *s = job->state;
  char msg[MAPO_IO_MSG_LEN];
  for (int number = 0; number < job->orders; number++) {
    mapo__io_order(msg, number);
    int rc = mapo__io_send_all(s->fd, msg, sizeof msg);
    if (rc == 0) rc = mapo__io_recv_all(s->fd, msg, sizeof msg); /* blocks for L */
    if (rc == -ETIMEDOUT) return mapo__io_overdue(job, number);  /* L + grace, at most */
    if (rc < 0) return rc;
    if (mapo__io_answer_ok(job, msg, "ready", number))
      job->answered++;
    else
      job->wrong++;
  }
  return 0;
}

void mapo_io_serial_teardown(mapo_io_job *job) {
  state *s = job->state;
  if (s == NULL) return;
  if (s->fd >= 0) close(s->fd);
  free(s);
  job->state = NULL;
}
