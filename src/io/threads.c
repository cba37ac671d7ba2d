/* threads.c - T threads, each with its own connection, each placing one blocking order
 * after another: the notebook's answer to I/O-bound work, with threads.
 *
 * Run:    mapo io --model threads --requests 1000 --latency-ms 50 --threads 1000
 *         (the default is one thread per order up to 256: 1000 orders take 4 rounds)
 * Notice: the waits overlap. A thread blocked in recv() sleeps in the kernel and needs
 *         no core, so 256 threads on 2 cores wait together for one latency, not 256.
 *         What they do cost: a stack each (256 KiB here), a wake-up per answer, and the
 *         start of the run, when every thread must be woken before it can send. The
 *         per-thread loop is serial.c's loop; the threads take order numbers from one
 *         shared counter, as the notebook's pool.map hands out work. The threads and
 *         their connections are a pool made before the clock starts, as a client with
 *         keep-alive would keep them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

enum { STACK_BYTES = 256 * 1024 }; /* the default 8 MiB is address space a waiter never uses */

typedef struct state state;

typedef struct worker {
  pthread_t tid;
  int fd; /* its own connection, opened before the clock */
  long answered, wrong;
  int rc;
  state *s;
  mapo_io_job *job;
} worker;

struct state {
  worker *w;
  int threads, started;
  atomic_int next; /* the next order's number: whoever is free takes it */
  /* The pool's gate: run() opens a round, the workers close it as they finish. */
  pthread_mutex_t lock;
  pthread_cond_t go, done;
  unsigned round;
  int busy, quit;
};

static void place_orders(worker *w) {
  mapo_io_job *job = w->job;
  char msg[MAPO_IO_MSG_LEN];
  for (int number; (number = atomic_fetch_add(&w->s->next, 1)) < job->orders;) {
    mapo__io_order(msg, number);
    int rc = mapo__io_send_all(w->fd, msg, sizeof msg);
    if (rc == 0) rc = mapo__io_recv_all(w->fd, msg, sizeof msg); /* blocks for L */
    if (rc == -ETIMEDOUT) rc = mapo__io_overdue(job, number);    /* L + grace, at most */
    if (rc < 0) {
      w->rc = rc;
      return;
    }
    if (mapo__io_answer_ok(job, msg, "ready", number))
      w->answered++;
    else
      w->wrong++;
  }
}

static void *work(void *arg) {
  worker *w = arg;
  state *s = w->s;
  unsigned seen = 0;
  for (;;) {
    pthread_mutex_lock(&s->lock);
    while (s->round == seen && !s->quit) pthread_cond_wait(&s->go, &s->lock);
    seen = s->round;
    const int quit = s->quit;
    pthread_mutex_unlock(&s->lock);
    if (quit) return NULL;
    w->answered = w->wrong = 0;
    w->rc = 0;
    place_orders(w);
    pthread_mutex_lock(&s->lock);
    if (--s->busy == 0) pthread_cond_signal(&s->done);
    pthread_mutex_unlock(&s->lock);
  }
}

int mapo_io_threads_setup(mapo_io_job *job) {
  const int threads = job->opts.threads;
  state *s = calloc(1, sizeof *s);
  if (s == NULL) return -ENOMEM;
  job->state = s;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->go, NULL);
  pthread_cond_init(&s->done, NULL);
  s->w = calloc((size_t)threads, sizeof *s->w);
  if (s->w == NULL) return -ENOMEM;
  for (int t = 0; t < threads; t++) s->w[t].fd = -1;
  s->threads = threads;
  job->width = threads;
  for (int t = 0; t < threads; t++) {
    int rc = mapo__io_dial(job, 0, &s->w[t].fd);
    if (rc < 0) return rc;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, STACK_BYTES);
  int rc = 0;
  for (int t = 0; t < threads && rc == 0; t++) {
    s->w[t].s = s;
    s->w[t].job = job;
    rc = -pthread_create(&s->w[t].tid, &attr, work, &s->w[t]);
    if (rc == 0) s->started++;
  }
  pthread_attr_destroy(&attr);
  return rc;
}

int mapo_io_threads_run(mapo_io_job *job) {
  state *s = job->state;
  atomic_store(&s->next, 0);
  pthread_mutex_lock(&s->lock);
  s->busy = s->started;
  s->round++;
  pthread_cond_broadcast(&s->go);
  while (s->busy > 0) pthread_cond_wait(&s->done, &s->lock);
  pthread_mutex_unlock(&s->lock);
  int rc = 0;
  for (int t = 0; t < s->started; t++) {
    job->answered += s->w[t].answered;
    job->wrong += s->w[t].wrong;
    if (rc == 0) rc = s->w[t].rc;
  }
  return rc;
}

void mapo_io_threads_teardown(mapo_io_job *job) {
  state *s = job->state;
  if (s == NULL) return;
  pthread_mutex_lock(&s->lock);
  s->quit = 1;
  pthread_cond_broadcast(&s->go);
  pthread_mutex_unlock(&s->lock);
  for (int t = 0; t < s->started; t++) pthread_join(s->w[t].tid, NULL);
  for (int t = 0; s->w != NULL && t < s->threads; t++)
    if (s->w[t].fd >= 0) close(s->w[t].fd);
  pthread_cond_destroy(&s->done);
  pthread_cond_destroy(&s->go);
  pthread_mutex_destroy(&s->lock);
  free(s->w);
  free(s);
  job->state = NULL;
}
