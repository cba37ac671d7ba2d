/* aio.c - POSIX aio whose completions arrive in the event loop.
 *
 * Run:    ctest -R unit.test_loop --output-on-failure (the aio tests at its end).
 * Notice: "asynchronous" I/O in glibc is threads. aio_read() queues the request and
 *         glibc hands it to a helper thread of its own (up to 20, kept 1 s after their
 *         last request), which does an ordinary blocking pread(). Requests on the same
 *         file descriptor are not run side by side: glibc queues them behind the one
 *         running for that descriptor, on one helper. When a request is done, glibc
 *         starts one more thread (SIGEV_THREAD: a new thread per completion) to call
 *         our notify function, which posts the completion into the loop; the loop's
 *         eventfd wakes its ppoll and the callback runs on the loop's thread. So one
 *         loop thread never blocks on the disk, but the process is far from single-
 *         threaded: mapo_aio_get_stats() counts the threads that delivered completions
 *         and the peak number of threads while requests were pending.
 * Why not signals: SIGEV_SIGNAL delivers to any thread that does not block the signal,
 *         and the default action of a real-time signal ends the process; a library
 *         cannot know every thread's mask. SIGEV_THREAD needs no signal at all.
 * And:    a ThreadSanitizer build refuses aio (-ENOTSUP): see MAPO_TSAN below.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/internal.h"
#include "internal.h"
#include "mapo/error.h"
#include "sanitizer.h"

/* ThreadSanitizer cannot run glibc's aio with SIGEV_THREAD. glibc starts its helper
 * threads with its internal __pthread_create, which TSan does not intercept, so TSan
 * has no state for them; with SIGEV_THREAD the helper then calls malloc (intercepted)
 * for the notify thread's record, and TSan's allocator crashes on the unknown thread
 * (glibc 2.36, clang 14: SIGSEGV under __aio_notify_only; with SIGEV_NONE the helper
 * touches nothing TSan intercepts and survives). This is no race report, and nothing
 * of ours could avoid it short of another notification scheme: a TSan build refuses
 * aio with -ENOTSUP instead of crashing. */

typedef struct request {
  struct aiocb cb;
  mapo__post post; /* embedded: delivering the completion allocates nothing */
  mapo_loop *loop;
  mapo_aio_cb done;
  void *arg;
  ssize_t result;
  size_t slot;          /* its place in the table of requests out (below) */
  struct request *next; /* mapo_aio_reap's list */
} request;

/* Every request out with glibc has a slot here, and its notification carries the slot
 * and the slot's generation, not the request's address. Whoever takes the request out
 * of its slot first delivers it: the notify thread, or mapo_aio_reap when glibc dropped
 * the notification. A notification that comes after a reap finds another generation
 * and touches nothing, where a pointer would lead it into freed memory. */
typedef struct slot {
  request *r;    /* NULL: free */
  uintptr_t gen; /* below 1 << GEN_SHIFT */
  size_t next_free;
} slot;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static slot *slots;
static size_t nslots, capslots, free_slot = SIZE_MAX;
/* A slot and its generation in one sigval: the generation in the pointer's upper half. */
enum { GEN_SHIFT = sizeof(uintptr_t) * 4 };
#define LOW_HALF (((uintptr_t)1 << GEN_SHIFT) - 1)

/* Process-wide statistics: every loop's requests count here. */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static int peak_threads;
static pid_t *tids; /* distinct notifying thread ids: an open-addressing set, 0 = empty */
static size_t ntids, captids;

/* Threads in this process now: the entries of /proc/self/task. -1 if unreadable. */
static int count_threads(void) {
  DIR *d = opendir("/proc/self/task");
  if (d == NULL) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static void note_threads(void) {
  const int n = count_threads();
  pthread_mutex_lock(&stats_lock);
  if (n > peak_threads) peak_threads = n;
  pthread_mutex_unlock(&stats_lock);
}

static size_t tid_slot(const pid_t *set, size_t cap, pid_t t) {
  size_t i = ((size_t)t * 2654435761u) & (cap - 1);
  while (set[i] != 0 && set[i] != t) i = (i + 1) & (cap - 1);
  return i;
}

/* Add t to the set (kept at most half full). Caller holds stats_lock. Without memory
 * the thread is not counted: statistics never fail a request. */
static void note_tid(pid_t t) {
  if (2 * (ntids + 1) > captids) {
    const size_t cap = captids ? 2 * captids : 64;
    pid_t *set = calloc(cap, sizeof *set);
    if (set == NULL) return;
    for (size_t i = 0; i < captids; i++)
      if (tids[i] != 0) set[tid_slot(set, cap, tids[i])] = tids[i];
    free(tids);
    tids = set;
    captids = cap;
  }
  const size_t i = tid_slot(tids, captids, t);
  if (tids[i] == 0) {
    tids[i] = t;
    ntids++;
  }
}

/* A slot for r (its generation is then r's). 0, or -ENOMEM. */
static int put_out(request *r) {
  pthread_mutex_lock(&out_lock);
  int rc = 0;
  if (free_slot == SIZE_MAX) {
    const size_t at = nslots;
    if (at >= LOW_HALF || mapo__grow((void **)&slots, &capslots, at + 1, sizeof *slots) < 0) {
      rc = -ENOMEM;
    } else {
      slots[at] = (slot){NULL, 0, SIZE_MAX};
      nslots++;
      free_slot = at;
    }
  }
  if (rc == 0) {
    r->slot = free_slot;
    free_slot = slots[r->slot].next_free;
    slots[r->slot].r = r;
  }
  pthread_mutex_unlock(&out_lock);
  return rc;
}

static union sigval sigval_of(const request *r) {
  union sigval sv;
  sv.sival_ptr = (void *)((slots[r->slot].gen << GEN_SHIFT) | (uintptr_t)r->slot);
  return sv;
}

/* Free the slot; its next request gets a new generation. Caller holds out_lock. */
static void free_out(size_t at) {
  slots[at].r = NULL;
  slots[at].gen = (slots[at].gen + 1) & LOW_HALF;
  slots[at].next_free = free_slot;
  free_slot = at;
}

/* The request the notification names, taken out of its slot; NULL when it was taken. */
static request *take_out(union sigval sv) {
  const uintptr_t v = (uintptr_t)sv.sival_ptr;
  const size_t at = (size_t)(v & LOW_HALF);
  const uintptr_t gen = v >> GEN_SHIFT;
  pthread_mutex_lock(&out_lock);
  request *r = NULL;
  if (at < nslots && slots[at].r != NULL && slots[at].gen == gen) {
    r = slots[at].r;
    free_out(at);
  }
  pthread_mutex_unlock(&out_lock);
  return r;
}

/* Runs on the loop's thread, in the completions phase. */
static void on_complete(mapo_loop *loop, void *arg) {
  request *r = arg;
  const mapo_aio_cb done = r->done;
  void *user = r->arg;
  const ssize_t result = r->result;
  free(r);
  done(loop, result, user);
  mapo_loop_unref(loop); /* after the callback: it may have queued the next request */
}

/* Runs on the thread glibc starts for this completion. If glibc cannot start that
 * thread, it drops the notification without a word (it tests pthread_create's result
 * with `< 0`, and the function returns a positive error): the request then never
 * completes and its ref keeps the loop running. Nothing here can detect that; the
 * request stays in its slot, where mapo_aio_reap finds it done. */
static void on_notify(union sigval sv) {
  request *r = take_out(sv);
  if (r == NULL) return; /* mapo_aio_reap took it: the loop has its completion */
  /* aio_error takes glibc's request lock, which the helper thread holds until it has
   * finished with this aiocb: after it returns, the aiocb is ours again. */
  const int err = aio_error(&r->cb);
  r->result = err == 0 ? aio_return(&r->cb) : -(ssize_t)err;
  pthread_mutex_lock(&stats_lock);
  note_tid(gettid());
  pthread_mutex_unlock(&stats_lock);
  note_threads();
  mapo__loop_post_node(r->loop, &r->post); /* r may be freed from here on */
}

static int submit(mapo_loop *loop, int fd, void *buf, size_t len, off_t offset, mapo_aio_cb cb,
                  void *arg, int write) {
  if (loop == NULL || cb == NULL || fd < 0 || offset < 0 || (buf == NULL && len > 0))
    return MAPO_EINVAL;
#ifdef MAPO_TSAN
  return -ENOTSUP;
#endif
  request *r = calloc(1, sizeof *r);
  if (r == NULL) return -ENOMEM;
  r->cb.aio_fildes = fd;
  r->cb.aio_buf = buf;
  r->cb.aio_nbytes = len;
  r->cb.aio_offset = offset;
  r->cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
  r->cb.aio_sigevent.sigev_notify_function = on_notify;
  r->loop = loop;
  r->done = cb;
  r->arg = arg;
  r->post.cb = on_complete;
  r->post.arg = r;
  if (put_out(r) < 0) {
    free(r);
    return -ENOMEM;
  }
  /* Read under the lock: another request's put_out may move the table. */
  pthread_mutex_lock(&out_lock);
  r->cb.aio_sigevent.sigev_value = sigval_of(r);
  pthread_mutex_unlock(&out_lock);
  mapo_loop_ref(loop); /* the loop may not end while the request is out */
  if ((write ? aio_write(&r->cb) : aio_read(&r->cb)) != 0) {
    const int rc = -errno;
    pthread_mutex_lock(&out_lock);
    free_out(r->slot); /* glibc never took it: no notification will come */
    pthread_mutex_unlock(&out_lock);
    mapo_loop_unref(loop);
    free(r);
    return rc;
  }
  note_threads(); /* glibc's helper for this request exists by now */
  return 0;
}

int mapo_aio_read(mapo_loop *loop, int fd, void *buf, size_t len, off_t offset, mapo_aio_cb cb,
                  void *arg) {
  return submit(loop, fd, buf, len, offset, cb, arg, 0);
}

int mapo_aio_write(mapo_loop *loop, int fd, const void *buf, size_t len, off_t offset,
                   mapo_aio_cb cb, void *arg) {
  /* aio_buf is volatile void * for both directions; glibc only reads it for a write. The
   * const goes through an integer, as POSIX's own interfaces force on every caller. */
  return submit(loop, fd, (void *)(uintptr_t)buf, len, offset, cb, arg, 1);
}

void mapo_aio_get_stats(mapo_aio_stats *s) {
  if (s == NULL) return;
  pthread_mutex_lock(&stats_lock);
  s->notify_threads = (int)ntids;
  s->peak_threads = peak_threads;
  pthread_mutex_unlock(&stats_lock);
}

int mapo_aio_reap(mapo_loop *loop) {
  if (loop == NULL) return MAPO_EINVAL;
  request *done = NULL;
  int n = 0;
  /* aio_error takes glibc's request lock under ours; the notify thread takes ours with
   * none of glibc's held, and glibc's helper never takes ours: no cycle. */
  pthread_mutex_lock(&out_lock);
  for (size_t at = 0; at < nslots; at++) {
    request *r = slots[at].r;
    if (r == NULL || r->loop != loop || aio_error(&r->cb) == EINPROGRESS) continue;
    free_out(at);
    r->result = -EAGAIN;
    r->next = done;
    done = r;
    n++;
  }
  pthread_mutex_unlock(&out_lock);
  while (done != NULL) {
    request *r = done;
    done = r->next;
    mapo__loop_post_node(loop, &r->post); /* r may be freed from here on */
  }
  return n;
}
