/* mapo/loop.h - a single-threaded event loop on poll(), with a timer heap, file
 * descriptor watchers, completions posted from other threads, and POSIX aio whose
 * completions are delivered into the loop.
 *
 * One iteration runs its phases in this order (libuv documents its loop the same way):
 *   1. update the loop's time (mapo_loop_now);
 *   2. timers: every timer whose deadline has passed, earliest first (equal deadlines
 *      in the order they were started);
 *   3. poll: wait in ppoll() for the watched descriptors, at most until the next
 *      timer's deadline (nanosecond precision: poll()'s milliseconds are too coarse);
 *      then the callbacks of the ready descriptors;
 *   4. completions: the callbacks posted with mapo_loop_post() (from any thread; an
 *      eventfd wakes the poll), first posted, first run. aio completions arrive here.
 * mapo_loop_run() returns when nothing is left: no timer, no watcher, no completion
 * pending and no reference held (mapo_loop_ref), or after mapo_loop_stop().
 *
 * When a function that takes a callback returns an error, the callback is never called.
 * Everything but mapo_loop_post() must be called from the loop's thread.
 */
#ifndef MAPO_LOOP_H
#define MAPO_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct mapo_loop mapo_loop;

typedef void (*mapo_timer_cb)(mapo_loop *loop, void *arg);
typedef void (*mapo_io_cb)(mapo_loop *loop, int fd, int revents, void *arg);
typedef void (*mapo_post_cb)(mapo_loop *loop, void *arg);
/* result: bytes transferred, or a negative errno. */
typedef void (*mapo_aio_cb)(mapo_loop *loop, ssize_t result, void *arg);

int mapo_loop_new(mapo_loop **loop);
void mapo_loop_free(mapo_loop *loop); /* pending timers and completions are dropped */

/* Nanoseconds on the monotonic clock, as of the start of this iteration. */
int64_t mapo_loop_now(const mapo_loop *loop);

/* A one-shot timer at deadline_ns (monotonic, as mapo_loop_now). *id (may be NULL)
 * names it for mapo_loop_timer_cancel. Many thousands are cheap (a binary heap). */
int mapo_loop_timer(mapo_loop *loop, int64_t deadline_ns, mapo_timer_cb cb, void *arg,
                    uint64_t *id);
/* 0, or MAPO_EINVAL when no such timer is pending (it fired, or was cancelled). */
int mapo_loop_timer_cancel(mapo_loop *loop, uint64_t id);

/* Watch fd for events (POLLIN, POLLOUT) until mapo_loop_unwatch; cb gets revents. One
 * watcher per fd (MAPO_EINVAL for a second). */
int mapo_loop_watch(mapo_loop *loop, int fd, int events, mapo_io_cb cb, void *arg);
int mapo_loop_unwatch(mapo_loop *loop, int fd);

/* Run cb(loop, arg) on the loop's thread in the completions phase. Thread-safe. */
int mapo_loop_post(mapo_loop *loop, mapo_post_cb cb, void *arg);

/* Keep mapo_loop_run from returning while something outside the loop is pending (an
 * aio request holds a reference until its completion has run). */
void mapo_loop_ref(mapo_loop *loop);
void mapo_loop_unref(mapo_loop *loop);

int mapo_loop_run(mapo_loop *loop);
void mapo_loop_stop(mapo_loop *loop);

/* What the loop did: iterations, timers fired, polls that slept, completions run. */
typedef struct mapo_loop_stats {
  uint64_t iterations, timers, polls, completions;
} mapo_loop_stats;
void mapo_loop_get_stats(const mapo_loop *loop, mapo_loop_stats *s);

/* POSIX aio on the loop: the read or write is queued with aio_read/aio_write and cb runs
 * on the loop's thread when it is done. glibc performs aio on helper threads of its
 * own, and its SIGEV_THREAD notification starts a thread per completion: both are
 * counted (mapo_aio_get_stats). buf must stay valid until cb has run. */
int mapo_aio_read(mapo_loop *loop, int fd, void *buf, size_t len, off_t offset, mapo_aio_cb cb,
                  void *arg);
int mapo_aio_write(mapo_loop *loop, int fd, const void *buf, size_t len, off_t offset,
                   mapo_aio_cb cb, void *arg);
/* Threads seen delivering aio completions so far (distinct thread ids), and the peak
 * number of threads in the process while aio requests were pending. */
typedef struct mapo_aio_stats {
  int notify_threads;
  int peak_threads;
} mapo_aio_stats;
void mapo_aio_get_stats(mapo_aio_stats *s);
/* The loop's requests that glibc finished but whose completion never came: glibc drops
 * a SIGEV_THREAD notification without a word when it cannot start the thread that
 * would deliver it (too many threads or processes: ulimit -u), and the loop would wait
 * for it forever. Each such request is completed now with -EAGAIN (its callback runs in
 * the completions phase, as any other); returns how many. Call it when completions are
 * overdue: a request still running is left alone. */
int mapo_aio_reap(mapo_loop *loop);

#endif
