/* grain.c - the same work cut into tasks of `grain` items: from one item a task to one
 * task for everything.
 *
 * Run:    mapo load --part grain
 * Notice: a task costs something to make and to hand to a thread, whatever it holds. A
 *         task of one item pays that cost for a few nanoseconds of work: the tiniest
 *         grain is many times slower than the best. Past the best, tasks grow so few
 *         that a thread runs out of them while another still works: one task for
 *         everything is one thread working alone. Between the two lies the crossover the
 *         report finds: the smallest grain within 10% of the best.
 *         Each task claims its items from a shared counter instead of carrying its bounds
 *         (firstprivate): the counter costs one atomic add a task, in every grain alike,
 *         and it keeps ThreadSanitizer's OpenMP tool (Archer 14) quiet, which takes the
 *         reuse of one task's private data by a task of a later parallel region for a
 *         race (DEVELOPERS.md, "TSan and tasks").
 */
#include <errno.h>
#include <omp.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "mapo/error.h"
#include "mapo/load.h"

typedef struct total {
  alignas(64) uint64_t sum;
} total;

int mapo_load_grain_run(mapo_load_grain *job) {
  if (job == NULL || job->threads < 1 || job->threads > MAPO_LOAD_WORKERS_MAX || job->items < 1 ||
      job->items > MAPO_LOAD_ITEMS_MAX || job->grain < 1)
    return MAPO_EINVAL;
  total *totals = aligned_alloc(64, (size_t)job->threads * sizeof *totals);
  if (totals == NULL) return -ENOMEM;
  const long items = job->items, grain = job->grain;
  int team = 0;
  atomic_long next = 0;
  omp_set_dynamic(0);
#pragma omp parallel num_threads(job->threads)
  {
    totals[omp_get_thread_num()].sum = 0;
#pragma omp barrier
#pragma omp single
    {
      team = omp_get_num_threads();
      for (long lo = 0; lo < items; lo += grain) {
        /* A task is a ticket for the next `grain` items, claimed when it runs: it carries
         * no data of its own (see why in the header). Whichever thread runs it adds to its
         * own total: no lock, no shared line. */
#pragma omp task
        {
          const long mine = atomic_fetch_add_explicit(&next, grain, memory_order_relaxed);
          const long hi = items - mine > grain ? mine + grain : items;
          totals[omp_get_thread_num()].sum += mapo_load_items((uint64_t)mine, (uint64_t)hi);
        }
      }
    }
  }
  job->team = team;
  job->sum = 0;
  for (int t = 0; t < team; t++) job->sum += totals[t].sum;
  free(totals);
  return team < job->threads ? MAPO_ETHREADS : 0;
}
