/* stats.c - median, min and max of repeated measurements. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapo/error.h"
#include "mapo/stats.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int mapo_spread_of(const double *v, int n, mapo_spread *out) {
  if (v == NULL || out == NULL || n < 1) return MAPO_EINVAL;
  double *s = malloc((size_t)n * sizeof *s);
  if (s == NULL) return -ENOMEM;
  memcpy(s, v, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp);
  out->n = n;
  out->min = s[0];
  out->max = s[n - 1];
  out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  free(s);
  return 0;
}
