/* handoff.c - the price of processes: the same data summed by a thread that reads it in
 * place, and by a process that must first receive its own copy through a pipe.
 *
 * Run:    mapo load --part handoff [--mb 64]
 * Notice: a thread shares the memory of its process, so handing it the data costs
 *         nothing but a pointer. A process has memory of its own: every byte is written
 *         into a pipe, copied by the kernel, read into the other process's memory (whose
 *         pages are touched for the first time) and only then summed. Python's
 *         ProcessPoolExecutor does the same with pickles, and pays for encoding and
 *         decoding on top: this is the least a process can pay. The receiving process is
 *         started before the clock, as a pool's processes are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mapo/error.h"
#include "mapo/load.h"

void mapo_load_handoff_init(mapo_load_handoff *h, const uint64_t *data, size_t words,
                            uint64_t *spare) {
  *h = (mapo_load_handoff){data, words, spare, -1, -1, -1, 0};
}

static uint64_t sum_words(const uint64_t *w, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += w[i];
  return sum;
}

static void *thread_sum(void *arg) {
  mapo_load_handoff *h = arg;
  h->sum = sum_words(h->data, h->words);
  return NULL;
}

int mapo_load_handoff_thread(mapo_load_handoff *h) {
  if (h == NULL || h->data == NULL) return MAPO_EINVAL;
  pthread_t t;
  if (pthread_create(&t, NULL, thread_sum, h) != 0) return MAPO_ETHREADS;
  pthread_join(t, NULL);
  return 0;
}

/* All of n bytes, or -errno (-EPIPE: the other end closed first). */
static int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    const ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return k < 0 ? -errno : -EIO;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* All of n bytes, or -errno (-EPIPE at an end of file before them). */
static int read_all(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    const ssize_t k = read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return k < 0 ? -errno : -EPIPE;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* The receiving process: its own copy, then the sum back. Only system calls and
 * arithmetic after a fork from a threaded parent. */
static void receive(const mapo_load_handoff *h, int in, int out) {
  const size_t bytes = h->words * sizeof *h->spare;
  if (read_all(in, h->spare, bytes) != 0) _exit(1);
  const uint64_t sum = sum_words(h->spare, h->words);
  _exit(write_all(out, &sum, sizeof sum) == 0 ? 0 : 1);
}

int mapo_load_handoff_fork(mapo_load_handoff *h) {
  if (h == NULL || h->data == NULL || h->spare == NULL) return MAPO_EINVAL;
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0) return -errno;
  if (pipe2(up, O_CLOEXEC) != 0) {
    const int err = -errno;
    close(down[0]);
    close(down[1]);
    return err;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    receive(h, down[0], up[1]);
  }
  const int err = pid < 0 ? -errno : 0;
  close(down[0]);
  close(up[1]);
  h->child = pid < 0 ? -1 : (int)pid;
  h->to_child = down[1];
  h->from_child = up[0];
  if (err != 0) mapo_load_handoff_cancel(h);
  return err;
}

/* Write with SIGPIPE held back: a receiver that died is -EPIPE, not the end of mapo. */
static int write_quietly(int fd, const void *buf, size_t n) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  const int rc = write_all(fd, buf, n);
  if (rc == -EPIPE) {
    const struct timespec now = {0, 0};
    sigtimedwait(&pipe_set, NULL, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

int mapo_load_handoff_process(mapo_load_handoff *h) {
  if (h == NULL || h->child < 0) return MAPO_EINVAL;
  int rc = write_quietly(h->to_child, h->data, h->words * sizeof *h->data);
  close(h->to_child);
  h->to_child = -1;
  if (rc == 0) rc = read_all(h->from_child, &h->sum, sizeof h->sum);
  mapo_load_handoff_cancel(h);
  return rc;
}

void mapo_load_handoff_cancel(mapo_load_handoff *h) {
  if (h->to_child >= 0) close(h->to_child);
  if (h->from_child >= 0) close(h->from_child);
  h->to_child = h->from_child = -1;
  if (h->child > 0) {
    while (waitpid((pid_t)h->child, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  h->child = -1;
}
