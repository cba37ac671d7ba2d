/* internal.h - private to src/sum: what the model files share. */
#ifndef MAPO_SUM_INTERNAL_H
#define MAPO_SUM_INTERNAL_H

#include "mapo/sum.h"

/* Called by every thread at the top of a parallel region: records the team's size and
 * the CPU this thread runs on. */
void mapo__sum_checkin(mapo_sum_job *job);

#endif
