/* generate.c - reproducible random recipes for scale runs (`mapo recipe generate`).
 *
 * A layered DAG: layers of random width, every step after one to three steps of the
 * layer before (and now and then one further back). Durations are whole units from 1
 * to 5; one step in five is `hands`; one in ten holds the knife and one in ten a
 * burner. The generator is splitmix64, so a seed gives the same recipe everywhere.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "mapo/error.h"

static uint64_t next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static int below(uint64_t *state, int n) { return (int)(next(state) % (uint64_t)n); }

int mapo_recipe_generate(char **text, size_t *len, int nsteps, uint64_t seed) {
  if (text == NULL || nsteps < 1 || nsteps > MAPO_STEPS_MAX) return MAPO_EINVAL;
  uint64_t rng = seed;
  int wide = (int)sqrt((double)nsteps) / 2 + 1; /* mean layer width ~ sqrt(n)/2 */
  mapo__buf b = {0};
  mapo__buf_printf(&b, "# mapo recipe generate --steps %d --seed %llu\n", nsteps,
                   (unsigned long long)seed);
  mapo__buf_printf(&b, "title generated: %d steps, seed %llu\n", nsteps, (unsigned long long)seed);
  mapo__buf_printf(&b, "utensil knife 1\nutensil burner 2\n");
  int prev_first = 0, prev_len = 0, older_first = 0;
  for (int s = 0; s < nsteps;) {
    int layer = 1 + below(&rng, 2 * wide);
    if (layer > nsteps - s) layer = nsteps - s;
    for (int i = 0; i < layer; i++) {
      int id = s + i;
      mapo__buf_printf(&b, "step s%d %d %s", id, 1 + below(&rng, 5),
                       below(&rng, 5) == 0 ? "hands" : "wait");
      if (prev_len > 0) {
        /* Distinct predecessors: consecutive steps of the previous layer from a
         * random offset, wrapping around. */
        int k = 1 + below(&rng, prev_len < 3 ? prev_len : 3);
        int at = below(&rng, prev_len);
        mapo__buf_printf(&b, " after");
        for (int j = 0; j < k; j++) mapo__buf_printf(&b, " s%d", prev_first + (at + j) % prev_len);
        if (prev_first > older_first && below(&rng, 8) == 0)
          mapo__buf_printf(&b, " s%d", older_first + below(&rng, prev_first - older_first));
      }
      int tool = below(&rng, 10);
      if (tool == 0) mapo__buf_printf(&b, " uses knife");
      if (tool == 1) mapo__buf_printf(&b, " uses burner");
      mapo__buf_printf(&b, "\n");
    }
    older_first = prev_first;
    prev_first = s;
    prev_len = layer;
    s += layer;
  }
  if (b.failed) {
    free(b.data);
    return -ENOMEM;
  }
  *text = b.data;
  if (len != NULL) *len = b.len;
  return 0;
}
