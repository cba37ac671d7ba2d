/* padded.c - a total per thread, each on a cache line of its own.
 *
 * Run:    mapo sum --model padded --threads 2 --base 5000000
 * Notice: the same code as false_sharing.c but for one line: each total is aligned to
 *         64 bytes, so each sits on a cache line of its own and no core ever has to
 *         take a line from another. The volatile writes still go to memory (to L1),
 *         which is why this is slower than reduction.c, whose totals live in registers.
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct total {
  _Alignas(64) mapo_u128 sum; /* a 64-byte line each: nothing shared */
} total;

int mapo_sum_padded(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job);
  mapo_u128 *result = job->result;
  /* The array starts on a cache line (64 bytes) in both files: only the size of an
   * element differs. */
  const size_t bytes = ((size_t)job->threads * sizeof(total) + 63) / 64 * 64;
  total *mine = aligned_alloc(64, bytes);
  if (mine == NULL) return -ENOMEM;
  memset(mine, 0, bytes);

#pragma omp parallel num_threads(job->threads)
  {
    mapo__sum_checkin(job);
    volatile mapo_u128 *sum = &mine[omp_get_thread_num()].sum;
#pragma omp for schedule(static, 1)
    for (int p = 0; p < pieces; p++) {
      const mapo_sum_piece w = mapo_sum_piece_at(job, p);
      *sum = 0;
      for (uint64_t i = w.lo; i < w.hi; i++) *sum += (mapo_u128)i * i;
#pragma omp critical
      result[w.number] += *sum; /* once a piece: the lock costs nothing here */
    }
  }
  free(mine);
  return 0;
}
