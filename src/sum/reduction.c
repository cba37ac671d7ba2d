/* reduction.c - every thread sums into private totals; OpenMP adds them up once.
 *
 * Run:    mapo sum --model reduction --threads 2   (the default model)
 * Notice: 128-bit integers are not among OpenMP's built-in reduction types, so
 *         `declare reduction` defines one: how to combine two partial totals and
 *         what a private total starts at. The clause covers the whole array of
 *         per-number totals, so with --split range each thread adds its part of
 *         every number privately. No lock, no shared cache line: C has no GIL, and
 *         two threads do twice the work of one.
 */
#include <omp.h>

#include "internal.h"

#pragma omp declare reduction(u128_sum:mapo_u128 : omp_out += omp_in) initializer(omp_priv = 0)

int mapo_sum_reduction(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job), numbers = job->numbers;
  mapo_u128 *result = job->result;

#pragma omp parallel num_threads(job->threads)
  {
    mapo__sum_checkin(job);
#pragma omp for schedule(static, 1) reduction(u128_sum : result[:numbers])
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      result[w.number] += mapo_sum_squares(w.lo, w.hi);
    }
  }
  return 0;
}
