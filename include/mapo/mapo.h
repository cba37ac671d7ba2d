/* mapo/mapo.h - everything: one workload through every concurrency model. */
#ifndef MAPO_H
#define MAPO_H

#define MAPO_VERSION "0.1.0"

#include "bench.h"
#include "clock.h"
#include "cook.h"
#include "env.h"
#include "error.h"
#include "io.h"
#include "kitchen.h"
#include "load.h"
#include "loop.h"
#include "race.h"
#include "recipe.h"
#include "report.h"
#include "report_compare.h"
#include "report_cook.h"
#include "report_env.h"
#include "report_io.h"
#include "report_lesson.h"
#include "report_load.h"
#include "report_mpi.h"
#include "report_pingpong.h"
#include "report_race.h"
#include "report_recipe.h"
#include "report_sum.h"
#include "scale.h"
#include "stats.h"
#include "sum.h"
#include "text.h"
#include "verdict.h"

#endif
