/* cmd_scale.c - placeholder: being written. */
#include "cli.h"

int mapo__cmd_scale(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fputs("mapo scale: not written yet\n", stderr);
  return 2;
}
