/* internal.h - private to src/async/: what loop.c lends to aio.c. */
#ifndef MAPO_ASYNC_INTERNAL_H
#define MAPO_ASYNC_INTERNAL_H

#include "mapo/loop.h"

/* One queued completion. mapo_loop_post() allocates its own; aio.c embeds one in each
 * request, so that delivering a finished request can never fail for want of memory: a
 * completion lost there would leave the loop waiting forever on the request's ref. */
typedef struct mapo__post {
  struct mapo__post *next;
  mapo_post_cb cb;
  void *arg;
  int owned; /* allocated by mapo_loop_post: the loop frees it before running cb */
} mapo__post;

/* Queue p (cb and arg filled in; it must stay valid until cb starts). Thread-safe,
 * cannot fail. */
void mapo__loop_post_node(mapo_loop *loop, mapo__post *p);

#endif
