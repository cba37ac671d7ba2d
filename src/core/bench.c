/* bench.c - the benchmark harness (mapo/bench.h): warm-ups, timed runs, verification
 * outside the clock, the spread; MPI's barrier and maximum come in through hooks so
 * that this file stays plain C. */
#include <stddef.h>

#include "mapo/bench.h"
#include "mapo/clock.h"
#include "mapo/error.h"

static int one_run(const mapo_bench *b, double *seconds) {
  int rc;
  if (b->prepare != NULL && (rc = b->prepare(b->user)) < 0) return rc;
  if (b->start != NULL && (rc = b->start(b->user)) < 0) return rc;
  double own = -1;
  const double t0 = mapo_now_s();
  rc = b->run(b->user, &own);
  const double t1 = mapo_now_s();
  if (rc < 0) return rc;
  *seconds = own >= 0 ? own : t1 - t0;
  if (b->combine != NULL && (rc = b->combine(b->user, seconds)) < 0) return rc;
  return 0;
}

int mapo_bench_run(const mapo_bench *b, double *seconds, mapo_spread *spread) {
  if (b == NULL || b->run == NULL || b->repeat < 1 || b->warmup < 0 || seconds == NULL)
    return MAPO_EINVAL;
  int verified = 0;
  for (int r = -b->warmup; r < b->repeat; r++) {
    double s = 0;
    int rc = one_run(b, &s);
    if (rc < 0) return rc;
    if (r >= 0) seconds[r] = s;
    if (b->verify != NULL && (rc = b->verify(b->user, r)) < 0) {
      if (rc != MAPO_EVERIFY) return rc;
      verified = MAPO_EVERIFY;
    }
  }
  if (spread != NULL) {
    int rc = mapo_spread_of(seconds, b->repeat, spread);
    if (rc < 0) return rc;
  }
  return verified;
}
