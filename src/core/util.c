/* util.c - small helpers the core shares: diagnostics, text buffers, numbers. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int mapo__diag(mapo_diag *d, int line, int code, const char *fmt, ...) {
  if (d != NULL) {
    va_list ap;
    va_start(ap, fmt);
    d->line = line;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

int mapo__grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * size);
  if (q == NULL) return -ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}

static pthread_mutex_t first_lock = PTHREAD_MUTEX_INITIALIZER;

void mapo__vfirst(char *text, size_t size, const char *fmt, va_list ap) {
  pthread_mutex_lock(&first_lock);
  if (size > 0 && text[0] == '\0') vsnprintf(text, size, fmt, ap);
  pthread_mutex_unlock(&first_lock);
}

void mapo__first(char *text, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mapo__vfirst(text, size, fmt, ap);
  va_end(ap);
}

static int reserve(mapo__buf *b, size_t extra) {
  if (b->failed) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (p == NULL) {
    b->failed = 1;
    return -1;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

void mapo__buf_append(mapo__buf *b, const void *data, size_t n) {
  if (reserve(b, n) < 0) return;
  memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void mapo__buf_printf(mapo__buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) < 0) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void mapo__format_number(char *out, size_t size, double v) {
  for (int digits = 6; digits <= 17; digits++) {
    snprintf(out, size, "%.*g", digits, v);
    if (strtod(out, NULL) == v) return;
  }
}
