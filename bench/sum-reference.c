/* sum-reference.c - the yardstick for `mapo sum --model serial`: an independent, exact,
 * well-vectorised kernel for the notebook's 20 sums, in one file with nothing of mapo's.
 *
 * It is written the other common way: eight 64-bit lanes that each add (uint32)i *
 * (uint32)i (a 32x32->64 multiply, which compilers vectorise well), flushed into a
 * 128-bit total before a lane could overflow. Built with -O3 -march=native whatever
 * the preset (bench/CMakeLists.txt). Prints the median wall time of R runs of all the
 * numbers after one warm-up, and exits 1 if any sum differs from n(n-1)(2n-1)/6.
 *
 * usage: sum-reference [BASE [NUMBERS [REPEAT]]]    (default 5000000 20 11)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef unsigned __int128 u128;

static u128 squares(uint64_t n) {
  u128 total = 0;
  const uint64_t top = n > 1 ? (n - 1) * (n - 1) : 1;
  const uint64_t rounds_max = UINT64_MAX / top; /* terms a lane may add between flushes */
  uint64_t i = 0;
  while (n - i >= 8) {
    uint64_t rounds = (n - i) / 8, lane[8] = {0};
    if (rounds > rounds_max) rounds = rounds_max;
    for (uint64_t r = 0; r < rounds; r++, i += 8)
      for (int j = 0; j < 8; j++) {
        const uint32_t v = (uint32_t)(i + (uint64_t)j);
        lane[j] += (uint64_t)v * v;
      }
    for (int j = 0; j < 8; j++) total += lane[j];
  }
  for (; i < n; i++) total += i * i;
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
  const uint64_t base = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
  const int numbers = argc > 2 ? atoi(argv[2]) : 20, repeat = argc > 3 ? atoi(argv[3]) : 11;
  if (base < 1 || base + (uint64_t)numbers > (UINT64_C(1) << 32) || numbers < 1 || repeat < 1 ||
      repeat > 1000) {
    fprintf(stderr, "sum-reference: bad arguments (usage: sum-reference [BASE [NUMBERS [REPEAT]]])\n");
    return 2;
  }
  u128 *sums = malloc((size_t)numbers * sizeof *sums);
  double t[1000];
  if (sums == NULL) return 1;
  for (int r = -1; r < repeat; r++) {
    const double t0 = now();
    for (int k = 0; k < numbers; k++) sums[k] = squares(base + (uint64_t)k);
    if (r >= 0) t[r] = now() - t0;
  }
  for (int k = 0; k < numbers; k++) {
    const u128 n = base + (uint64_t)k;
    if (sums[k] != n * (n - 1) * (2 * n - 1) / 6) {
      fprintf(stderr, "sum-reference: n = %llu did not verify\n", (unsigned long long)n);
      return 1;
    }
  }
  qsort(t, (size_t)repeat, sizeof t[0], cmp);
  printf("%.6f\n", repeat % 2 ? t[repeat / 2] : (t[repeat / 2 - 1] + t[repeat / 2]) / 2);
  free(sums);
  return 0;
}
