/* fuzz_recipe.c - libFuzzer harness for the recipe parser (src/core/recipe.c).
 *
 * Every input is parsed as a recipe file. When it parses, the recipe is analysed
 * (work, span, critical path, width, the lower bounds, the sections chains), written back in the
 * text format, and that text is parsed again: it must parse, with the same number of steps, as
 * mapo/recipe.h promises ("Parsing the output gives the same recipe"). Anything else that goes
 * wrong (a crash, a leak, undefined behaviour) is reported by the sanitizers.
 *
 * Build and run: see tests/fuzz/README.md. Notice that a parse error is a normal
 * outcome here, not a failure: the parser must only fail cleanly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mapo/recipe.h"

/* A failed round trip is a bug, not bad input: abort() so libFuzzer saves the input. */
static void fail(const char *what, const mapo_diag *d) {
  fprintf(stderr, "fuzz_recipe: %s (line %d: %s)\n", what, d ? d->line : 0, d ? d->msg : "");
  abort();
}

/* libFuzzer's entry point, declared by no header of its own. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mapo_recipe r;
  mapo_diag diag;
  if (mapo_recipe_parse(&r, (const char *)data, size, &diag) < 0) {
    /* The header says *r is left empty and safe to free. */
    mapo_recipe_free(&r);
    return 0;
  }

  /* What `mapo recipe show` computes from a recipe: its shape, the bounds, the chains. */
  mapo_recipe_stats s;
  if (mapo_recipe_analyze(&r, &s) == 0) {
    for (int w = 1; w <= 3; w++) {
      (void)mapo_recipe_bound(&r, &s, MAPO_HOLD_ALL, w);
      (void)mapo_recipe_bound(&r, &s, MAPO_HOLD_HANDS, w);
    }
    mapo_recipe_stats_free(&s);
  }
  mapo_chains c;
  mapo_diag cd;
  if (mapo_recipe_chains(&r, &c, &cd) == 0) mapo_chains_free(&c);

  char *text = NULL;
  size_t len = 0;
  if (mapo_recipe_format(&r, &text, &len) < 0) fail("format failed on a parsed recipe", NULL);

  mapo_recipe back;
  mapo_diag diag2;
  if (mapo_recipe_parse(&back, text, len, &diag2) < 0) {
    fputs(text, stderr);
    fail("the formatted recipe does not parse", &diag2);
  }
  if (back.nsteps != r.nsteps) fail("the formatted recipe has another step count", NULL);

  mapo_recipe_free(&back);
  free(text);
  mapo_recipe_free(&r);
  return 0;
}
