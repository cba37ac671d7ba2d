/* kernel.c - the one kernel: the sum of i*i for lo <= i < hi, exact, and fast on any x86-64.
 *
 * What to notice:
 * - Real work. clang -O2 turns a naive `for (i...) s += i*i` into the closed form and
 *   the benchmark would measure nothing. Here the lanes are GNU vector types, which
 *   the compilers' loop algebra (LLVM's scalar evolution, gcc's) does not reason
 *   about: every term is visited, and doubling n doubles the time.
 * - Additions only. A lane steps through its squares by (x + W)^2 = x^2 + (2Wx + W^2),
 *   W the terms of a round: a round of a group of lanes is three vector additions (sum,
 *   square, step), where a multiplication would be a 64-bit vector product: vpmullq
 *   where AVX-512DQ has it (slow on many CPUs), several instructions elsewhere.
 * - Why it took 1.8x the time of a plain `acc += i*i` loop built by clang (issue 12), and
 *   what changed. The loop is bound by how many vector additions a core starts per cycle
 *   (four on this Zen 5, 512-bit ones included), not by latency: each addition of a
 *   round needs only the round before, one cycle back, so the lanes' dependency chains
 *   never wait. Work per cycle is therefore additions x lanes, and the lanes were sized
 *   for AVX2 (four) wherever __AVX2__ was defined, on the belief that AVX-512 gained
 *   nothing; on full-width AVX-512 units eight lanes halve the time. And four groups
 *   kept the adders busy about 3.6 cycles in 4 (six groups ran 8% faster, eight no
 *   faster than six). bench/sum-study.sh measures the result against the plain loop
 *   built by gcc and by clang (README.md, "The CPU-bound benchmark").
 * - Portable and fast. One build runs on every x86-64: each instruction set gets its
 *   own copy of the kernel (a macro, because C has no templates; `target` lets a copy
 *   use AVX2 or AVX-512 in a file compiled for plain x86-64), and the dynamic loader
 *   binds mapo_sum_squares to the widest copy the CPU has, once, through an ifunc
 *   (GNU C, glibc). mapo_sum_kernel() names it, and the JSON environment records it.
 *   A build that already assumes AVX-512 (-march=native here) calls it directly.
 * - Exact. A term i*i fits 64 bits (i < 2^32) but the sums do not (the notebook's are
 *   about 4.2e19 > 2^64), so 64-bit lanes are flushed into a 128-bit total before they
 *   can overflow. Proof, for any lanes L and groups G (W = L * G terms a round): lane j
 *   of group g adds in round r the term x = i + W r + L g + j, and rounds <= (hi - i) / W
 *   gives x <= hi - 1, so each term added is at most top = (hi - 1)^2 < 2^64. Its value
 *   is exact: the recurrences hold modulo 2^64, and a number below 2^64 is its own
 *   residue (the square worked out after the last round, of a term past hi, may wrap;
 *   it is never added). A lane adds one term per round, whatever L and G are, so after
 *   k <= flush = floor(UINT64_MAX / top) rounds it holds at most k * top <= UINT64_MAX:
 *   no lane overflows. flush is about 737,000 rounds at the notebook's n = 5,000,000,
 *   one round at n = 2^32.
 */
#include <string.h>

#include "mapo/sum.h"

/* The kernel, for L 64-bit lanes per vector and G groups of them. `attrs` is what the
 * copy may use (a target attribute, or nothing for the build's own). A group costs three
 * vector registers, plus one for the step's increment: 3G + 1 of the 16 (SSE2, AVX2) or
 * 32 (AVX-512) registers; more groups would spill to memory. */
/* `attrs` is an attribute list or nothing, which parentheses would make a syntax error. */
// NOLINTBEGIN(bugprone-macro-parentheses): attrs cannot be parenthesised (see above)
#define MAPO__SQUARES(name, attrs, L, G)                                                \
  typedef uint64_t name##_lanes __attribute__((vector_size(8 * (L))));                  \
  attrs static mapo_u128 name(uint64_t lo, uint64_t hi) {                               \
    const uint64_t W = (uint64_t)(L) * (G); /* unsigned, as the lanes */                \
    if (hi <= lo || hi > MAPO_SUM_N_MAX) return 0;                                      \
    mapo_u128 total = 0;                                                                \
    const uint64_t top = (hi - 1) * (hi - 1);                                           \
    const uint64_t flush = top > 0 ? UINT64_MAX / top : UINT64_MAX;                     \
    uint64_t i = lo;                                                                    \
    while (hi - i >= W) {                                                               \
      uint64_t rounds = (hi - i) / W;                                                   \
      if (rounds > flush) rounds = flush;                                               \
      name##_lanes lane, square[G], step[G], sum[G];                                    \
      for (int j = 0; j < (L); j++) lane[j] = (uint64_t)j; /* 0, 1, 2, ... */           \
      for (int g = 0; g < (G); g++) {                                                   \
        const name##_lanes x = lane + (i + (uint64_t)((L)*g)); /* each lane's first */  \
        square[g] = x * x;                                                              \
        step[g] = 2 * W * x + W * W;                                                    \
        sum[g] = (name##_lanes){0};                                                     \
      }                                                                                 \
      for (uint64_t r = 0; r < rounds; r++)                                             \
        for (int g = 0; g < (G); g++) {                                                 \
          sum[g] += square[g];                                                          \
          square[g] += step[g];                                                         \
          step[g] += 2 * W * W;                                                         \
        }                                                                               \
      for (int g = 0; g < (G); g++)                                                     \
        for (int j = 0; j < (L); j++) total += sum[g][j];                               \
      i += rounds * W;                                                                  \
    }                                                                                   \
    for (; i < hi; i++) total += (mapo_u128)i * i; /* the last few terms, one by one */ \
    return total;                                                                       \
  }
// NOLINTEND(bugprone-macro-parentheses)

#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__AVX512F__)

/* A portable build: the SSE2 every x86-64 has, and wider copies for the CPUs that can. */
MAPO__SQUARES(squares_sse2, , 2, 5)
MAPO__SQUARES(squares_avx2, __attribute__((target("avx2"))), 4, 5)
MAPO__SQUARES(squares_avx512, __attribute__((target("avx512f"))), 8, 6)

/* The resolver runs while the dynamic loader relocates the program, before a sanitizer's
 * runtime is set up (and valgrind runs it on its own CPU, which reports no AVX-512): it
 * must not be instrumented. __builtin_cpu_init is needed that early, says gcc's manual. */
#define MAPO__NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined")))
#if defined(__has_attribute) && __has_attribute(disable_sanitizer_instrumentation)
/* clang 14 needs both: no_sanitize("thread") still reports function entries to TSan's
 * runtime, disable_sanitizer_instrumentation alone keeps ASan's checks. */
#define MAPO__UNINSTRUMENTED MAPO__NO_SANITIZE __attribute__((disable_sanitizer_instrumentation))
#else
#define MAPO__UNINSTRUMENTED MAPO__NO_SANITIZE
#endif

typedef mapo_u128 squares_fn(uint64_t lo, uint64_t hi);
enum { SSE2, AVX2, AVX512 };

MAPO__UNINSTRUMENTED static int widest(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return AVX512;
  if (__builtin_cpu_supports("avx2")) return AVX2;
  return SSE2;
}

MAPO__UNINSTRUMENTED __attribute__((used)) static squares_fn *squares_resolve(void) {
  const int w = widest();
  return w == AVX512 ? squares_avx512 : w == AVX2 ? squares_avx2 : squares_sse2;
}

mapo_u128 mapo_sum_squares(uint64_t lo, uint64_t hi) __attribute__((ifunc("squares_resolve")));

static const struct {
  const char *name;
  squares_fn *fn;
} copies[] = {[SSE2] = {"sse2", squares_sse2},
              [AVX2] = {"avx2", squares_avx2},
              [AVX512] = {"avx512", squares_avx512}};

const char *mapo_sum_kernel(void) { return copies[widest()].name; }

mapo_sum_squares_fn mapo_sum_kernel_copy(const char *name) {
  for (int c = SSE2; name != NULL && c <= widest(); c++)
    if (strcmp(name, copies[c].name) == 0) return copies[c].fn;
  return NULL;
}

#else

/* The build's target decides: a build for AVX-512 (-march=native here) has nothing wider
 * to choose, and without an ifunc (another CPU or C library) its baseline is all there is. */
#if defined(__AVX512F__)
MAPO__SQUARES(squares, , 8, 6)
#define MAPO__KERNEL "avx512"
#elif defined(__AVX2__)
MAPO__SQUARES(squares, , 4, 5)
#define MAPO__KERNEL "avx2"
#else
MAPO__SQUARES(squares, , 2, 5)
#if defined(__SSE2__)
#define MAPO__KERNEL "sse2"
#else
#define MAPO__KERNEL "generic"
#endif
#endif

mapo_u128 mapo_sum_squares(uint64_t lo, uint64_t hi) { return squares(lo, hi); }
const char *mapo_sum_kernel(void) { return MAPO__KERNEL; }

mapo_sum_squares_fn mapo_sum_kernel_copy(const char *name) {
  return name != NULL && strcmp(name, MAPO__KERNEL) == 0 ? squares : NULL;
}

#endif

double mapo_sum_estimate_s(long long numbers, uint64_t base, int cores, int runs) {
  if (numbers < 1 || cores < 1 || runs < 1) return 0;
  const double n = (double)numbers, terms = n * (double)base + n * (n - 1) / 2;
  return terms * runs / (MAPO_SUM_TERMS_PER_S * cores);
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
