/* mapo/stats.h - summaries of repeated measurements, as STREAM and IMB report them:
 * the median (robust to the odd slow run), the best and the worst. */
#ifndef MAPO_STATS_H
#define MAPO_STATS_H

typedef struct mapo_spread {
  double median, min, max;
  int n;
} mapo_spread;

/* Summarise n values (n >= 1; the array is not modified). The median of an even
 * count is the mean of the two middle values. */
int mapo_spread_of(const double *v, int n, mapo_spread *out);

#endif
