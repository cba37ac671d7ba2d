/* serial.c - one thread sums every number: the notebook's find_sums().
 *
 * Run:    mapo sum --model serial
 * Notice: the baseline. The notebook's Python takes about 6 s for the 20 numbers; this
 *         kernel takes milliseconds. Diff this file against reduction.c: a pragma and a
 *         reduction clause are all that parallelism costs in code.
 */
#include "internal.h"

int mapo_sum_serial(mapo_sum_job *job) {
  const int pieces = mapo_sum_pieces(job);
  mapo_u128 *result = job->result;

  for (int p = 0; p < pieces; p++) {
    const mapo_sum_piece w = mapo_sum_piece_at(job, p);
    result[w.number] += mapo_sum_squares(w.lo, w.hi);
  }
  return 0;
}
