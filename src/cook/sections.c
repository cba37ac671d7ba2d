/* sections.c - OpenMP sections: the notebook's fixed split, written into the program.
 *
 * Run:    mapo cook --model sections [--cooks N]
 * Notice: the notebook's threaded cook submits three functions (rice, spices, meat and
 *         tofu), waits for all of them, then mixes. Sections are that: one section
 *         per chain, an implicit barrier (the join), then the rest on one thread. The
 *         split lives in the source code: the program has the notebook's three
 *         sections and fits only recipes of that fork-join shape with at most three
 *         chains; any other recipe gets an error that points to tasks.
 * And:    how sections are dealt to threads is up to the runtime. gcc's libgomp gives
 *         each to the next free thread; LLVM's libomp splits them into contiguous
 *         blocks, one per thread. Written with eight section blocks for "up to eight
 *         chains", libomp would give the first thread sections 0-2, all three chains
 *         of the notebook, and cook serially (23 units): try it with --cooks 2, where
 *         both runtimes put two chains on one cook (16 units).
 */
#include <omp.h>
#include <stdio.h>

#include "mapo/cook.h"
#include "mapo/error.h"
#include "mapo/text.h"

#define SECTIONS 3 /* the section blocks written out below: the notebook's three */

static void run_chain(mapo_kitchen *k, const mapo_chains *c, int chain) {
  if (chain >= c->nchains) return; /* a section with no chain to cook */
  for (int i = 0; i < c->len[chain]; i++) {
    const int s = c->steps[c->first[chain] + i];
    mapo_kitchen_step(k, s, omp_get_thread_num());
  }
}

int mapo_cook_sections(mapo_kitchen *k, mapo_diag *diag) {
  mapo_chains c;
  int rc = mapo_recipe_chains(k->recipe, &c, diag);
  if (rc == 0 && c.nchains > SECTIONS) {
    rc = MAPO_ESHAPE;
    if (diag) diag->line = 0;
    if (diag)
      snprintf(diag->msg, sizeof diag->msg,
               "%d chains start at once but the program "
               "has %d sections, the notebook's",
               c.nchains, SECTIONS);
    mapo_chains_free(&c);
  }
  if (rc < 0) {
    if (diag) {
      char why[sizeof diag->msg];
      snprintf(why, sizeof why, "%s", diag->msg);
      snprintf(diag->msg, sizeof diag->msg,
               "sections cannot cook this recipe (%.*s): use --model tasks",
               mapo_utf8_cut(why, 180), why);
    }
    return rc;
  }

  mapo_kitchen_open(k);
#pragma omp parallel num_threads(k->cooks)
  {
    mapo_kitchen_enter(k, omp_get_thread_num(), omp_get_num_threads());
#pragma omp sections
    {
#pragma omp section
      run_chain(k, &c, 0);
#pragma omp section
      run_chain(k, &c, 1);
#pragma omp section
      run_chain(k, &c, 2);
    } /* the join: an implicit barrier, every chain has ended past this line */

    /* The tail on one cook. The thread that ended the last chain is awake when the
     * barrier opens, so it is usually the one that gets here first. */
#pragma omp single
    for (int i = 0; i < c.ntail; i++) mapo_kitchen_step(k, c.tail[i], omp_get_thread_num());
  }
  mapo_kitchen_close(k);
  mapo_chains_free(&c);
  return 0;
}
