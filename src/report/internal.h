/* internal.h - private to src/report: what the writers share. */
#ifndef MAPO_REPORT_INTERNAL_H
#define MAPO_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* s with XML's five special characters escaped; at most max characters, then "..". */
void mapo__xml_text(FILE *f, const char *s, size_t max);

/* An axis step of 1, 2 or 5 times a power of ten that gives at most `most` ticks
 * over span. */
double mapo__tick_step(double span, int most);

#endif
