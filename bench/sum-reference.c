/* sum-reference.c - the yardstick for `mapo sum --model serial`: the plain kernel anyone
 * would write for the notebook's 20 sums, in one file with nothing of mapo's.
 *
 * `acc += i*i` over 32-bit indices into a 64-bit accumulator, flushed into a 128-bit
 * total every 2^16 terms, and left to the compiler: -O3 -march=native, built by gcc and
 * by clang (bench/CMakeLists.txt: sum-reference-gcc, sum-reference-clang). What to
 * notice: the two compilers make different programs of it (clang 14 four independent
 * 8-lane accumulators, gcc 12 one), and the faster of the two is what mapo's own kernel
 * must match (bench/sum-study.sh). Doubling n doubles the time: neither compiler turns
 * the loop into the closed form.
 *
 * Prints the median wall time in seconds of R runs of all the numbers after one warm-up,
 * and exits 1 if any sum differs from n(n-1)(2n-1)/6.
 *
 * usage: sum-reference [BASE [NUMBERS [REPEAT]]]    (default 5000000 20 11)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef unsigned __int128 u128;

/* Terms between flushes. A term is below 2^48 while n <= 2^24, so 2^16 of them stay
 * below 2^64: the largest n is 2^24 (main refuses more). */
#define FLUSH 65536u
#define N_MAX (UINT32_C(1) << 24)

/* noinline: the kernel in a function of its own, as in a library. Inlined into main's loop
 * over the numbers, clang 14 sees through it and works out each block's sum in closed
 * form (5 us for the 20 sums); so it does, inlined or not, for a `for (lo...)` loop over
 * the blocks with a fresh index in each. bench/sum-study.sh checks that doubling n
 * doubles the time. */
__attribute__((noinline)) static u128 squares(uint32_t n) {
  u128 total = 0;
  uint32_t i = 0;
  while (i < n) {
    const uint32_t end = n - i > FLUSH ? i + FLUSH : n;
    uint64_t acc = 0;
    for (; i < end; i++) acc += (uint64_t)i * i;
    total += acc;
  }
  return total;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const unsigned long long base = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
  const int numbers = argc > 2 ? atoi(argv[2]) : 20, repeat = argc > 3 ? atoi(argv[3]) : 11;
  if (base < 1 || numbers < 1 || base + (unsigned long long)numbers - 1 > N_MAX || repeat < 1 ||
      repeat > 1000) {
    fprintf(stderr, "sum-reference: bad arguments (usage: sum-reference [BASE [NUMBERS "
                    "[REPEAT]]], BASE + NUMBERS - 1 <= 2^24)\n");
    return 2;
  }
  u128 *sums = malloc((size_t)numbers * sizeof *sums);
  double t[1000];
  if (sums == NULL) return 1;
  for (int r = -1; r < repeat; r++) {
    const double t0 = now();
    for (int k = 0; k < numbers; k++) sums[k] = squares((uint32_t)(base + (unsigned)k));
    if (r >= 0) t[r] = now() - t0;
  }
  for (int k = 0; k < numbers; k++) {
    const u128 n = base + (unsigned)k;
    if (sums[k] != n * (n - 1) * (2 * n - 1) / 6) {
      fprintf(stderr, "sum-reference: n = %llu did not verify\n", base + (unsigned)k);
      free(sums);
      return 1;
    }
  }
  free(sums);
  qsort(t, (size_t)repeat, sizeof t[0], cmp);
  printf("%.6f\n", repeat % 2 ? t[repeat / 2] : (t[repeat / 2 - 1] + t[repeat / 2]) / 2);
  return 0;
}
