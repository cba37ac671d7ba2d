/* mapo/mapo.h - everything: one workload through every concurrency model. */
#ifndef MAPO_H
#define MAPO_H

#define MAPO_VERSION "0.1.0"

#include "error.h"
#include "clock.h"
#include "bench.h"
#include "recipe.h"
#include "kitchen.h"
#include "cook.h"
#include "report.h"
#include "report_sum.h"
#include "report_recipe.h"
#include "report_cook.h"
#include "stats.h"
#include "sum.h"
#include "scale.h"
#include "race.h"
#include "report_race.h"
#include "report_pingpong.h"
#include "io.h"
#include "report_io.h"
#include "loop.h"
#include "env.h"
#include "report_env.h"
#include "report_compare.h"

#endif
