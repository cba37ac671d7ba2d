/* cupboard.c - task 3: two cooks share the cupboard's one knife, and neither ever takes
 * the wrong thing.
 *
 * Check:  cmake --build build-ex --target check   (or build-ex/grade cupboard); and
 *         under ThreadSanitizer (README.md): it must report no data race.
 * Notice: what is here is the notebook's cut_meat(): cupboard.pop(cupboard.index(
 *         "knife")). It looks for the knife, then takes what is at that place: between
 *         the two the other cook can take it first, and this cook takes the spoon, or
 *         finds no knife at all. The checker's two cooks meet, then each takes the
 *         knife, cuts, and puts it back, in 500 trials.
 */
#include "exercise.h"

int take_knife(cupboard *c) {
  /* TODO: make looking and taking one step that no other cook can come between
   * (#pragma omp critical around both, with cupboard_pause() left between them; or an
   * omp lock that stands for the knife), and when the knife is out, wait and look
   * again until it is back: a cook always comes back with the knife. */
  const int at = cupboard_index(c, KNIFE); /* look ... */
  if (at < 0) return NOTHING;              /* the other cook has it */
  cupboard_pause();
  return cupboard_pop(c, at); /* ... then take what is at that place now */
}

void put_back(cupboard *c, int item) {
  /* TODO: putting back changes the list too: the same protection as taking. */
  cupboard_append(c, item);
}
