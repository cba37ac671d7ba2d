/* scale.c - placeholder: being written. */
#include "mapo/scale.h"
