/* test_scale.c - placeholder: being written. */
#include "mapo_test.h"

static void test_nothing(void) { CU_ASSERT(1); }

int main(void) {
  static const mapo_test tests[] = {{"placeholder", test_nothing}, {NULL, NULL}};
  return mapo_test_run("scale", tests);
}
