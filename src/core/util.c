/* util.c - small helpers the core shares: diagnostics, text buffers, numbers. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mapo/error.h"
#include "mapo/text.h"

int mapo__diag(mapo_diag *d, int line, int code, const char *fmt, ...) {
  if (d != NULL) {
    va_list ap;
    va_start(ap, fmt);
    d->line = line;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    mapo_utf8_trim(d->msg); /* a message cut to fit never ends in half a character */
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
  if (size > 0 && text[0] == '\0') {
    vsnprintf(text, size, fmt, ap);
    mapo_utf8_trim(text); /* a message cut to fit never ends in half a character */
  }
  pthread_mutex_unlock(&first_lock);
}

void mapo__first(char *text, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mapo__vfirst(text, size, fmt, ap);
  va_end(ap);
}

/* The probe's threads wait on one condition until every one of them exists. */
typedef struct probe {
  pthread_mutex_t lock;
  pthread_cond_t leave;
  int done;
} probe;

static void *probe_wait(void *arg) {
  probe *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->done) pthread_cond_wait(&p->leave, &p->lock);
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

static pthread_mutex_t probed_lock = PTHREAD_MUTEX_INITIALIZER;
static int probed; /* the most threads a probe has started at once */

int mapo__threads_probe(int n) {
  pthread_mutex_lock(&probed_lock);
  const int known = probed;
  pthread_mutex_unlock(&probed_lock);
  if (n <= known) return 0;
  /* The threads of the largest team so far are still there, idle in libgomp's pool; a
   * bigger team adds only the rest. */
  const int more = n - known;
  pthread_t *t = malloc((size_t)more * sizeof *t);
  if (t == NULL) return MAPO_ETHREADS;
  probe p = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
  int made = 0;
  while (made < more && pthread_create(&t[made], NULL, probe_wait, &p) == 0) made++;
  pthread_mutex_lock(&p.lock);
  p.done = 1;
  pthread_cond_broadcast(&p.leave);
  pthread_mutex_unlock(&p.lock);
  for (int i = 0; i < made; i++) pthread_join(t[i], NULL);
  free(t);
  if (made < more) return MAPO_ETHREADS;
  pthread_mutex_lock(&probed_lock);
  if (n > probed) probed = n;
  pthread_mutex_unlock(&probed_lock);
  return 0;
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
