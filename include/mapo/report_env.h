/* mapo/report_env.h - the environment a measurement was taken in, written down with its
 * result: a number without its environment cannot be compared with anything.
 *
 * One JSON object: compiler, flags, processors_online, host, kernel, machine and
 * variables (an object, NAME: value). Every command's --json carries it as "environment".
 */
#ifndef MAPO_REPORT_ENV_H
#define MAPO_REPORT_ENV_H

#include <stdio.h>

#include "env.h"

/* The facts in e as one JSON object. Returns 0, or -EIO when f has failed. */
int mapo_report_env_json(FILE *f, const mapo_env *e);

/* Gather this process's environment (mapo_env_gather) and write it as above. When
 * memory runs out the variables are left out, never the object. */
void mapo_report_environment_json(FILE *f);

#endif
