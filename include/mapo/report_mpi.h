/* mapo/report_mpi.h - words of mapo-mpi's lessons that only the ranks have: who is who
 * in `mapo-mpi cook` (the head chef and the cooks, in the ranks' numbers and in the
 * timeline's). The measurements' sentences live with each lesson's report
 * (report_pingpong.h, report_sum.h, report_race.h). */
#ifndef MAPO_REPORT_MPI_H
#define MAPO_REPORT_MPI_H

#include <stddef.h>

/* "4 ranks: rank 0 is the head chef and only coordinates; ranks 1 to 3 are the 3 cooks
 * (cooks 0 to 2 in the timeline)." -- worded for one cook, two, and more. Returns buf. */
char *mapo_report_cook_ranks(char *buf, size_t size, int ranks);

#endif
