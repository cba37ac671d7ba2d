/* lesson_internal.h - private to the lesson page (src/report/lesson*.c): the JSON it
 * reads back, the documents it holds, and the pieces its sections draw with. */
#ifndef MAPO_REPORT_LESSON_INTERNAL_H
#define MAPO_REPORT_LESSON_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "mapo/report_lesson.h"

/* ---- a JSON value, read back (lesson_json.c) -------------------------------------- */

typedef enum { LJ_NULL, LJ_BOOL, LJ_NUM, LJ_STR, LJ_ARR, LJ_OBJ } lj_type;

typedef struct lj {
  lj_type type;
  double num;       /* LJ_NUM; LJ_BOOL: 0 or 1 */
  char *str;        /* LJ_STR, NUL-terminated UTF-8 */
  int n;            /* LJ_ARR, LJ_OBJ: how many items */
  char **keys;      /* LJ_OBJ: the items' keys */
  struct lj *items; /* LJ_ARR, LJ_OBJ */
} lj;

/* Parse one JSON text (a value and blanks around it). 0, MAPO_EINVAL when it is not
 * JSON (or nests deeper than 64), -ENOMEM. Free *v after a success. */
int mapo__lj_parse(const char *text, size_t len, lj *v);
void mapo__lj_free(lj *v);
/* The member `key` of an object (NULL when v is no object or has none). */
const lj *mapo__lj_get(const lj *v, const char *key);
/* Its number (NAN when missing, null or no number), its string (NULL when none). */
double mapo__lj_num(const lj *v, const char *key);
const char *mapo__lj_str(const lj *v, const char *key);
/* Item i of an array (NULL outside it, or when v is no array). */
const lj *mapo__lj_at(const lj *v, int i);
int mapo__lj_len(const lj *v); /* items of an array, 0 otherwise */

/* ---- the documents a page is made of (lesson.c) ----------------------------------- */

typedef enum {
  LK_RECIPE,  /* mapo recipe show --json */
  LK_COOK,    /* mapo cook --json (one model, or --model all: "runs") */
  LK_RACE,    /* mapo race --json */
  LK_SUM,     /* mapo sum --json, mapo-mpi sum --json */
  LK_SCALE,   /* mapo scale --json */
  LK_IO,      /* mapo io --json */
  LK_COMPARE, /* mapo compare --json */
  LK_OTHER    /* JSON of mapo's that no section draws (mapo-mpi pingpong, cupboard) */
} lesson_kind;

typedef struct lesson_doc {
  lesson_kind kind;
  char source[160]; /* where it came from: a file name, or the command that printed it */
  lj v;
} lesson_doc;

struct mapo_lesson {
  int n, cap;
  lesson_doc *docs;
  char origin[400]; /* a sentence: how the results were made */
};

/* ---- what the sections draw with (lesson_charts.c) -------------------------------- */

/* text escaped for HTML and SVG (mapo__xml_text, whole). */
void mapo__html(FILE *f, const char *text);
/* A <p class="notice"> with the sentence: what to notice. */
void mapo__notice(FILE *f, const char *text);
/* A figure's opening: <figure><figcaption>title</figcaption><svg ... viewBox> of
 * width x height, labelled by the title; and its close. */
void mapo__fig_open(FILE *f, const char *title, int width, int height);
void mapo__fig_close(FILE *f);

/* A horizontal bar chart: a row per bar, its value (a median) and optional range
 * (min, max: NAN when not known), on one axis from 0 with `unit` ("ms"). */
typedef struct lesson_bar {
  const char *label;
  double value, min, max;
  int accent; /* 1: drawn in the accent colour (the one the sentence is about) */
} lesson_bar;
void mapo__bars(FILE *f, const char *title, const char *axis, const lesson_bar *bars, int n);

/* A Gantt chart: rows of bars on a time axis shared by several charts. */
typedef struct lesson_span {
  double start, end; /* axis units */
  const char *label;
  int row;
  int critical; /* on the path that decided the makespan */
} lesson_span;
typedef struct lesson_gantt {
  const char *title;
  const char *axis; /* "time (units)" */
  double axis_max;  /* shared by the charts drawn side by side */
  double bound;     /* a dashed line (NAN: none) */
  int rows;
  const char *const *row_labels; /* "cook 0", ... a row each */
  int nspans;
  const lesson_span *spans;
} lesson_gantt;
void mapo__gantt(FILE *f, const lesson_gantt *g);

/* The dead-lock's cycle: `who` (2) holding one utensil and waiting for the other. */
void mapo__cycle(FILE *f, const char *title, long long deadlocked, long trials);

/* ---- the sections (lesson_sections.c, lesson_more.c) ------------------------------ */

void mapo__lesson_recipe(FILE *f, const mapo_lesson *l);
void mapo__lesson_cook(FILE *f, const mapo_lesson *l);
void mapo__lesson_race(FILE *f, const mapo_lesson *l);
void mapo__lesson_sum(FILE *f, const mapo_lesson *l);
void mapo__lesson_scale(FILE *f, const mapo_lesson *l);
void mapo__lesson_io(FILE *f, const mapo_lesson *l);
void mapo__lesson_compare(FILE *f, const mapo_lesson *l);
void mapo__lesson_env(FILE *f, const mapo_lesson *l);

/* The first document of a kind from index `from` on (its index), or -1. */
int mapo__lesson_next(const mapo_lesson *l, lesson_kind kind, int from);
/* "Not in these results" with the command that would make them. */
void mapo__lesson_missing(FILE *f, const char *command);

#endif
