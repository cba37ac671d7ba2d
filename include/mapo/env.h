/* mapo/env.h - the environment a measurement was taken in, as facts: the compiler and
 * its flags, the machine, and the variables that steer OpenMP, Slurm and MPI.
 *
 * The core gathers them (src/core/env.c); writing them down is the report layer's job
 * (mapo/report_env.h). They live in a header of their own, not in report.h, because
 * they are facts of the build and the machine, not of any report: a program may read
 * them without the report layer, and the report layer includes this, never the reverse.
 */
#ifndef MAPO_ENV_H
#define MAPO_ENV_H

/* One variable, NAME=value, from the process's environment. */
typedef struct mapo_env_var {
  char name[128];    /* cut after 127 characters */
  const char *value; /* points into the environment: valid while the variable is unchanged */
} mapo_env_var;

typedef struct mapo_env {
  const char *compiler;   /* mapo_build_compiler() */
  const char *flags;      /* mapo_build_flags() */
  long processors_online; /* sysconf(_SC_NPROCESSORS_ONLN) */
  char host[256];         /* uname(): "unknown" when it fails */
  char kernel[256];
  char machine[256];
  /* The copy of the sum kernel this CPU runs (mapo_sum_kernel(): "avx512", "avx2",
   * "sse2"): a portable build picks it when it loads. */
  const char *sum_kernel;
  /* Every OMP_*, GOMP_*, KMP_*, SLURM_* and OMPI_* variable in the environment's own
   * order, except OMPI_ALLOW_*: that one only says mapo ran as root. */
  mapo_env_var *vars;
  int nvars;
} mapo_env;

/* Fill *e from this process and this machine. Returns 0, or -ENOMEM when the list of
 * variables could not be made (the other facts are there, nvars is 0). Every gathered
 * env needs mapo_env_free() once written. */
int mapo_env_gather(mapo_env *e);
void mapo_env_free(mapo_env *e);

const char *mapo_build_compiler(void); /* "gcc 12.2.0" */
const char *mapo_build_flags(void);    /* the C flags the library was built with */

#endif
