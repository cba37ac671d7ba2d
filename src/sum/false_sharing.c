/* false_sharing.c - a total per thread, the totals side by side in memory.
 *
 * Run:    mapo sum --model false-sharing --threads 2 --base 5000000
 * Notice: no lock and no shared variable: each thread adds every term into mine[t].
 *         But mine[] is 16 bytes an element, four to a 64-byte cache line, and a core
 *         must own a whole line to write any of it: the line travels between the
 *         cores on every write. The total is written through a volatile pointer so
 *         that it stays in memory, as an array element does when the compiler cannot
 *         keep it in a register. Compare padded.c: one line differs.
 */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct total {
  mapo_u128 sum; /* 16 bytes: neighbours share a cache line */
} total;

int mapo_sum_false_sharing(mapo_sum_job *job) {
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
