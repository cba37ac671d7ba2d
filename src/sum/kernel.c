/* kernel.c - the one kernel: the sum of i*i for lo <= i < hi, exact, and fast.
 *
 * What to notice:
 * - Exact. A term i*i fits 64 bits (i < 2^32) but the sums do not (the notebook's are
 *   about 4.2e19 > 2^64), so 64-bit lanes are flushed into a 128-bit total before they
 *   can overflow: a lane adds one term per round, each at most (hi-1)^2, so after
 *   UINT64_MAX / (hi-1)^2 rounds it must be emptied. The interval depends on n:
 *   about 737,000 rounds at the notebook's n = 5,000,000, one round at n = 2^32.
 * - Real work. clang -O2 turns a naive `for (i...) s += i*i` into the closed form and
 *   the benchmark would measure nothing. Here the lanes are GNU vector types, which
 *   the compilers' loop algebra (LLVM's scalar evolution, gcc's) does not reason
 *   about: every term is visited, and doubling n doubles the time.
 * - Fast under gcc and clang alike. Each lane steps through its squares by addition,
 *   (x + W)^2 = x^2 + (2Wx + W^2), with four groups of lanes (W = 16 terms a round
 *   with AVX2) so that additions of different groups overlap in the pipeline. Written
 *   with multiplications instead, gcc emits 64-bit vector multiplies (vpmullq) that
 *   are 1.5x slower than clang's 32-bit ones (vpmuludq); additions are the same for
 *   both. Build with -march=native (the release preset does) to get AVX2/AVX-512.
 */
#include "mapo/sum.h"

/* A vector register's worth of 64-bit lanes: four with AVX2 (and AVX-512, where wider
 * vectors gained nothing here), two with the SSE2 every x86-64 has. Wider than the
 * registers, the four groups would not fit in them and spill to memory. */
#if defined(__AVX2__)
#define LANES 4
#else
#define LANES 2
#endif
typedef uint64_t lanes __attribute__((vector_size(LANES * 8)));

enum { GROUPS = 4, WIDTH = LANES * GROUPS };

mapo_u128 mapo_sum_squares(uint64_t lo, uint64_t hi) {
  if (hi <= lo || hi > MAPO_SUM_N_MAX) return 0;
  mapo_u128 total = 0;
  const uint64_t top = (hi - 1) * (hi - 1);               /* the largest term */
  const uint64_t flush = top > 0 ? UINT64_MAX / top : UINT64_MAX; /* rounds a lane can take */
  uint64_t i = lo;
  while (hi - i >= WIDTH) {
    uint64_t rounds = (hi - i) / WIDTH;
    if (rounds > flush) rounds = flush;
    lanes lane;
    for (int j = 0; j < LANES; j++) lane[j] = (uint64_t)j; /* 0, 1, 2, ... */
    lanes square[GROUPS], step[GROUPS], sum[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
      const lanes x = lane + (i + (uint64_t)(LANES * g)); /* the first term of each lane */
      square[g] = x * x;
      step[g] = 2 * WIDTH * x + WIDTH * WIDTH;
      sum[g] = (lanes){0};
    }
    for (uint64_t r = 0; r < rounds; r++)
      for (int g = 0; g < GROUPS; g++) {
        sum[g] += square[g];
        square[g] += step[g];
        step[g] += 2 * WIDTH * WIDTH;
      }
    for (int g = 0; g < GROUPS; g++)
      for (int j = 0; j < LANES; j++) total += sum[g][j];
    i += rounds * WIDTH;
  }
  for (; i < hi; i++) total += i * i; /* the last few terms, one by one */
  return total;
}

mapo_u128 mapo_sum_formula(uint64_t n) {
  if (n == 0 || n > MAPO_SUM_N_MAX) return 0;
  /* n(n-1)(2n-1) < 2^97: no overflow in 128 bits, and the division is exact. */
  return (mapo_u128)n * (n - 1) * (2 * n - 1) / 6;
}

char *mapo_u128_format(mapo_u128 v, char *buf) {
  char digits[40];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v > 0);
  for (int i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
  buf[n] = '\0';
  return buf;
}
