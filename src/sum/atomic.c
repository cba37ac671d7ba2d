/* atomic.c - every term added to the shared total with `omp atomic`.
 *
 * Run:    mapo sum --model atomic --threads 2 --base 500000
 * Notice: atomic looks cheaper than critical, and for a 64-bit counter it is one
 *         instruction (lock add). No instruction adds 128 bits atomically, so here the
 *         compiler hides a lock behind the pragma: gcc calls GOMP_atomic_start/end, a
 *         global mutex in libgomp; clang uses a 16-byte compare-and-swap loop or a lock
 *         in libatomic. `mapo sum --model atomic` says which this build does.
 */
#include <omp.h>

#include "internal.h"

int mapo_sum_atomic(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job);
  mapo_u128 *result = job->result;

#pragma omp parallel num_threads(job->threads)
  {
    mapo__sum_checkin(job);
#pragma omp for schedule(static, 1)
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      for (uint64_t i = w.lo; i < w.hi; i++) {
#pragma omp atomic
        result[w.number] += (mapo_u128)i * i;
      }
    }
  }
  return 0;
}
