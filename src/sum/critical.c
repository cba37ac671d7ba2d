/* critical.c - every term added to the shared total inside `omp critical`.
 *
 * Run:    mapo sum --model critical --threads 2 --base 500000
 * Notice: the naive port of the notebook's threads: one total, every thread adds to it,
 *         and a critical section keeps the additions from racing. Correct, and slower
 *         than one thread: for every term a thread takes the lock, adds, and gives it
 *         back, and the other threads wait. The kernel is not used at all: the lock
 *         is taken per term.
 */
#include <omp.h>

#include "internal.h"

int mapo_sum_critical(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job);
  mapo_u128 *result = job->result;

#pragma omp parallel num_threads(job->threads)
  {
    mapo__sum_checkin(job);
#pragma omp for schedule(static, 1)
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      for (uint64_t i = w.lo; i < w.hi; i++) {
#pragma omp critical
        result[w.number] += (mapo_u128)i * i;
      }
    }
  }
  return 0;
}
