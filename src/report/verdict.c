/* verdict.c - one measurement judged against another (mapo/verdict.h has the rule and
 * why): the one place where "faster", "slower", "a tie" and "the machine was busy" are
 * decided; every lesson's sentence is chosen from what this returns.
 *
 * What to notice: nothing here prints; a class and two numbers come out, and a missing
 * or broken input is a class of its own, so that no sentence ever divides by it.
 */
#include <math.h>
#include <stdio.h>

#include "mapo/verdict.h"

static int timed(const mapo_spread *s) { return s != NULL && isfinite(s->median) && s->median > 0; }

/* Whether the range is known: a compare cell read from a child may carry one number. */
static int ranged(const mapo_spread *s) {
  return isfinite(s->min) && isfinite(s->max) && s->min > 0 && s->max >= s->min;
}

/* max/min, or 1 where the range is not known. */
static double width(const mapo_spread *s) { return ranged(s) ? s->max / s->min : 1; }

/* The range, or the median alone where it is not known. */
static void range(const mapo_spread *s, double *lo, double *hi) {
  *lo = ranged(s) ? s->min : s->median;
  *hi = ranged(s) ? s->max : s->median;
}

mapo_verdict mapo_verdict_of(const mapo_spread *candidate, const mapo_spread *baseline) {
  mapo_verdict v = {MAPO_VERDICT_MISSING, NAN, NAN};
  if (!timed(candidate) || !timed(baseline)) return v;
  v.ratio = baseline->median / candidate->median;
  const double wc = width(candidate), wb = width(baseline);
  v.spread = wc > wb ? wc : wb;
  double clo, chi, blo, bhi;
  range(candidate, &clo, &chi);
  range(baseline, &blo, &bhi);
  const int overlap = clo <= bhi && blo <= chi;
  if (overlap && v.spread > MAPO_VERDICT_BUSY_SPREAD)
    v.cls = MAPO_VERDICT_NOISY;
  else if (v.ratio < MAPO_VERDICT_TIE_BAND && v.ratio > 1 / MAPO_VERDICT_TIE_BAND)
    v.cls = MAPO_VERDICT_TIE;
  else
    v.cls = v.ratio > 1 ? MAPO_VERDICT_FASTER : MAPO_VERDICT_SLOWER;
  return v;
}

mapo_spread mapo_verdict_one(double seconds) { return (mapo_spread){seconds, seconds, seconds, 1}; }

const char *mapo_verdict_name(mapo_verdict_class cls) {
  switch (cls) {
  case MAPO_VERDICT_NOISY: return "noisy";
  case MAPO_VERDICT_TIE: return "tie";
  case MAPO_VERDICT_FASTER: return "faster";
  case MAPO_VERDICT_SLOWER: return "slower";
  default: return "missing";
  }
}

char *mapo_verdict_busy(char *buf, size_t size, const mapo_verdict *v) {
  snprintf(buf, size, "the machine was busy (runs %.1fx apart): no verdict",
           isfinite(v->spread) ? v->spread : 1.0);
  return buf;
}

const char *mapo_verdict_verb(mapo_verdict_class cls) {
  switch (cls) {
  case MAPO_VERDICT_FASTER: return "beat";
  case MAPO_VERDICT_TIE: return "tied with";
  case MAPO_VERDICT_SLOWER: return "lost to";
  default: return "could not be compared with";
  }
}

char *mapo_verdict_ratio(char *buf, size_t size, double ratio) {
  int digits = 2;
  /* Two significant digits below 0.1: 0.0021 has its first at the third decimal. */
  if (isfinite(ratio) && ratio > 0 && ratio < 0.1) digits = 1 - (int)floor(log10(ratio));
  if (digits > 12) digits = 12;
  snprintf(buf, size, "%.*fx", digits, isfinite(ratio) ? ratio : 0.0);
  return buf;
}
