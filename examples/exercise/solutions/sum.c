/* solutions/sum.c - task 2, a reference solution: every thread adds into totals of its
 * own, and OpenMP adds them up once at the end (mapo's `reduction` model).
 *
 * Notice: 128-bit totals are not among OpenMP's reduction types: `declare reduction`
 *         says how two are combined and what a private one starts at. No lock and no
 *         shared cache line in the loop, so two threads do twice the work of one.
 */
#include <omp.h>

#include "exercise.h"

#pragma omp declare reduction(u128_sum:mapo_u128 : omp_out += omp_in) initializer(omp_priv = 0)

int exercise_sum(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job), numbers = job->numbers;
  mapo_u128 *result = job->result;

#pragma omp parallel num_threads(job->threads)
  {
#pragma omp masked
    job->threads_used = omp_get_num_threads();
#pragma omp for schedule(static) reduction(u128_sum : result[:numbers])
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      result[w.number] += mapo_sum_squares(w.lo, w.hi);
    }
  }
  return 0;
}
