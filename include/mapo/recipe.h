/* mapo/recipe.h - the recipe: a DAG of steps, and what follows from its shape.
 *
 * A step has a name, a duration in units, the steps it comes after, the utensils it
 * holds while it runs (counted resources) and a kind: `wait` (the cook is free while
 * it runs: boiling) or `hands` (the cook is busy: chopping). From the graph follow the
 * work, the span and its critical path, the parallelism, the width, and a lower bound
 * on the makespan for P workers under a model.
 *
 * The text format is documented in README.md ("Recipe files"); the built-in recipe is
 * the notebook's Mapo Tofu, kept as text and parsed like any file.
 */
#ifndef MAPO_RECIPE_H
#define MAPO_RECIPE_H

#include <stddef.h>
#include <stdint.h>

#define MAPO_NAME_MAX 63                   /* longest step or utensil name, bytes */
#define MAPO_LINE_MAX 4096                 /* longest recipe line, bytes, newline excluded */
#define MAPO_STEPS_MAX 1000000             /* most steps in one recipe */
#define MAPO_UTENSILS_MAX 64               /* most kinds of utensil in one kitchen */
#define MAPO_UTENSIL_COUNT_MAX 1024        /* most pieces of one utensil */
#define MAPO_UNITS_MAX 1000000.0           /* longest step, units */
#define MAPO_RECIPE_BYTES_MAX (256u << 20) /* largest recipe file */

typedef enum { MAPO_WAIT = 0, MAPO_HANDS = 1 } mapo_kind;

typedef struct mapo_use {
  int utensil; /* index into recipe->utensils */
  int count;   /* how many pieces the step holds */
} mapo_use;

/* 64 bytes, one cache line (the array is line-aligned): a cook reads a step's first
 * half while cooking it, and on large recipes every line counts. */
typedef struct mapo_step {
  double units;
  mapo_kind kind;
  int nsucc, nuse, npred;
  const int *succ;     /* steps that come after this one */
  const mapo_use *use; /* utensils held for the whole step */
  const int *pred;     /* steps this one comes after */
  const char *name;
  const char *says; /* the live log's words: "Washing the rice" */
} mapo_step;

typedef struct mapo_utensil {
  const char *name;
  int count;
  int line;
} mapo_utensil;

typedef struct mapo_recipe {
  const char *title;
  int nsteps, nutensils;
  mapo_step *steps;
  mapo_utensil *utensils;
  const int *order; /* the steps in a topological order */
  const int *lines; /* per step: the line of the text that defined it */
  int rice;         /* the step that ends with the rice boiled, or -1 */
  double rice_temp; /* degrees when that step ends */
  double rice_rate; /* degrees lost per unit until the dish is served */
  void *mem_;       /* private: owns every array and string above */
} mapo_recipe;

/* Where a recipe went wrong: a line (0 when no single line is to blame) and one
 * sentence. */
typedef struct mapo_diag {
  int line;
  char msg[256];
} mapo_diag;

/* Parse a recipe from text (len bytes, need not be NUL-terminated). On error returns
 * a negative code, fills *diag and leaves *r empty (safe to free). */
int mapo_recipe_parse(mapo_recipe *r, const char *text, size_t len, mapo_diag *diag);
/* Read and parse a file; a file that cannot be read gives -errno and line 0. */
int mapo_recipe_load(mapo_recipe *r, const char *path, mapo_diag *diag);
/* Only the reading of mapo_recipe_load: the file's bytes (at most MAPO_RECIPE_BYTES_MAX)
 * into *text (malloc'd, NUL-terminated; free() it) and *len, with the same errors. For
 * a program that reads a recipe once and parses the same bytes in several places
 * (mapo-mpi: rank 0 reads, every rank parses). On error *text is NULL. */
int mapo_recipe_read(const char *path, char **text, size_t *len, mapo_diag *diag);
/* The notebook's recipe. */
int mapo_recipe_builtin(mapo_recipe *r);
const char *mapo_recipe_builtin_text(void);
void mapo_recipe_free(mapo_recipe *r);

/* Index of the step called name, or -1. */
int mapo_recipe_find(const mapo_recipe *r, const char *name);

/* A reproducible random layered DAG of nsteps steps in the text format (malloc'd,
 * NUL-terminated; free() it). Steps are `wait` or `hands` and some hold a knife or a
 * burner. The same (nsteps, seed) gives the same text on every machine. */
int mapo_recipe_generate(char **text, size_t *len, int nsteps, uint64_t seed);

/* Write a recipe back in the text format. Parsing the output gives the same recipe. */
int mapo_recipe_format(const mapo_recipe *r, char **text, size_t *len);

/* What the shape of the recipe implies. */
typedef struct mapo_recipe_stats {
  double work;        /* sum of the durations */
  double hands_work;  /* the part of the work done by hand */
  double span;        /* longest path, by duration */
  double parallelism; /* work / span (0 when the span is 0) */
  int width;          /* peak number of steps at once in the as-soon-as-possible plan */
  int npath;          /* the critical path, first step first */
  int *path;
  double *earliest; /* per step: earliest start allowed by its dependencies */
} mapo_recipe_stats;

int mapo_recipe_analyze(const mapo_recipe *r, mapo_recipe_stats *s);
void mapo_recipe_stats_free(mapo_recipe_stats *s);

/* Which steps hold a worker for their whole duration under a model. */
typedef enum {
  MAPO_HOLD_ALL = 0, /* threads, processes: a cook who waits is still a cook */
  MAPO_HOLD_HANDS    /* an event loop: only `hands` steps occupy the one thread */
} mapo_hold;

/* Lower bound on the makespan, in units, for `workers` workers: the largest of the
 * span, the occupied work divided by the workers, and for every utensil the work that
 * holds it divided by how many there are. */
double mapo_recipe_bound(const mapo_recipe *r, const mapo_recipe_stats *s, mapo_hold hold,
                         int workers);

/* The fork-join shape that OpenMP sections can express: independent chains that start
 * at once, then one chain (the tail) that starts when all of them have ended. */
typedef struct mapo_chains {
  int nchains;
  int *first; /* chain c is steps[first[c]] .. steps[first[c] + len[c] - 1] */
  int *len;
  int *steps;
  int ntail;
  int *tail;
} mapo_chains;

/* 0, or MAPO_ESHAPE with a reason in diag when the recipe is not of that shape. */
int mapo_recipe_chains(const mapo_recipe *r, mapo_chains *c, mapo_diag *diag);
void mapo_chains_free(mapo_chains *c);

#endif
