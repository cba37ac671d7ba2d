/* internal.h - private to src/: helpers the core shares between its files. */
#ifndef MAPO_CORE_INTERNAL_H
#define MAPO_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "mapo/recipe.h"

/* Fill a diagnostic, printf-style; returns code so that callers can `return`. */
int mapo__diag(mapo_diag *d, int line, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* A growable byte buffer for building text. */
typedef struct mapo__buf {
  char *data;
  size_t len, cap;
  int failed; /* set once an allocation failed; later appends do nothing */
} mapo__buf;

void mapo__buf_printf(mapo__buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append n bytes, NULs included. */
void mapo__buf_append(mapo__buf *b, const void *data, size_t n);

/* Make room for `need` elements of `size` bytes in *p, doubling from 16. Nothing
 * changes on failure (-ENOMEM). */
int mapo__grow(void **p, size_t *cap, size_t need, size_t size);

/* Record the first failure of a run in words, from any thread: `text` (of `size`
 * bytes) is written only while it is still empty, under one lock; later failures are
 * dropped, so the report names the one that happened first. */
void mapo__first(char *text, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void mapo__vfirst(char *text, size_t size, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* Whether n more threads can run at once now: they are created, wait for each other and
 * are joined. 0, or MAPO_ETHREADS. An OpenMP model probes before its first parallel
 * region because libgomp, when it cannot create a thread, prints its own two lines and
 * exits the process: a library must fail with a code instead. libgomp keeps the threads
 * of its largest team so far idle in its pool, so only threads beyond the largest n that
 * passed are probed (a second probe of them would count them twice). Best effort: what
 * other processes start between the probe and the region is not foreseen. */
int mapo__threads_probe(int n);

/* Keep the first kitchen rule broken (mapo_rule; later ones are dropped), from any
 * thread: the step, the other step or number it concerns, the worker (-1: none). For
 * MAPO_RULE_TEAM, step says which of its checks: */
enum { MAPO_TEAM_SIZE = 0, MAPO_TEAM_WORKER = 1, MAPO_TEAM_TWICE = 2 };
struct mapo_kitchen;
void mapo__kitchen_break(struct mapo_kitchen *k, int rule, int step, int other, int worker);

/* The shortest text that reads back as exactly v. */
void mapo__format_number(char *out, size_t size, double v);

#endif
