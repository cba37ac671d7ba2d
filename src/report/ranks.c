/* ranks.c - who is who among the ranks of `mapo-mpi cook` (mapo/report_mpi.h).
 *
 * What to notice: a rank's number and a cook's differ by one (rank 0 only coordinates,
 * and the timeline numbers the cooks from 0), so the sentence gives both, and words a
 * single cook, a pair and a range each the way one would say them: never "ranks 1 to 1".
 */
#include <stdio.h>

#include "mapo/report_mpi.h"

char *mapo_report_cook_ranks(char *buf, size_t size, int ranks) {
  const int cooks = ranks - 1;
  if (cooks < 1)
    snprintf(buf, size, "%d rank%s: a head chef, and no cook to deal steps to.", ranks,
             ranks == 1 ? "" : "s");
  else if (cooks == 1)
    snprintf(buf, size,
             "2 ranks: rank 0 is the head chef and only coordinates; rank 1 is the one cook "
             "(cook 0 in the timeline).");
  else if (cooks == 2)
    snprintf(buf, size,
             "3 ranks: rank 0 is the head chef and only coordinates; ranks 1 and 2 are the "
             "2 cooks (cooks 0 and 1 in the timeline).");
  else
    snprintf(buf, size,
             "%d ranks: rank 0 is the head chef and only coordinates; ranks 1 to %d are the "
             "%d cooks (cooks 0 to %d in the timeline).",
             ranks, ranks - 1, cooks, cooks - 1);
  return buf;
}
