/* recipe.c - the recipe text format: parse, validate, write back; the built-in recipe.
 *
 * The format (README.md, "Recipe files") is line-based:
 *
 *   title Mapo Tofu
 *   utensil knife 1
 *   step boil-rice 5 wait after wash-rice uses burner says Boiling the rice
 *   rice boil-rice 80 2
 *
 * Steps may name steps defined further down; names are resolved once the whole text
 * is read. Every problem becomes one diagnostic with the line to blame. Nothing here
 * allocates per token: the text is scanned once into flat arrays, then resolved.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "internal.h"
#include "mapo/error.h"
#include "mapo/text.h"

/* Everything a parsed recipe owns, freed in one go. */
typedef struct recipe_mem {
  char *pool; /* every name and text, NUL-separated */
  mapo_step *steps;
  mapo_utensil *utensils;
  int *ints; /* pred, succ and order arrays, back to back */
  mapo_use *uses;
} recipe_mem;

/* A step as read, before names are resolved. Strings are offsets into the pool. */
typedef struct raw_step {
  size_t name, says; /* says: NONE when absent */
  double units;
  mapo_kind kind;
  int line;
  size_t after; /* first entry in p->refs */
  int nafter;
  size_t uses; /* first entry in p->use_refs */
  int nuses;
} raw_step;

typedef struct raw_use {
  size_t name;
  int count;
} raw_use;

#define NONE ((size_t)-1)

/* A step is one cache line on 64-bit machines (see mapo/recipe.h). */
_Static_assert(sizeof(void *) != 8 || sizeof(mapo_step) == 64, "mapo_step is 64 bytes");

typedef struct parser {
  mapo_diag *diag;
  int line;
  mapo__buf pool;
  raw_step *steps;
  size_t nsteps, capsteps;
  size_t *refs; /* pool offsets of the names after `after` */
  size_t nrefs, caprefs;
  raw_use *use_refs;
  size_t nuse_refs, capuse_refs;
  struct {
    size_t name;
    int count, line;
  } utensils[MAPO_UTENSILS_MAX];
  int nutensils;
  size_t title;
  int title_line;
  size_t rice_name;
  int rice_line;
  double rice_temp, rice_rate;
  /* open-addressing table from step name to index, for duplicates and lookups */
  int *table;
  size_t table_cap;
} parser;

static size_t pool_add(parser *p, const char *s, size_t n) {
  size_t at = p->pool.len;
  mapo__buf_append(&p->pool, s, n);
  mapo__buf_append(&p->pool, "", 1);
  return p->pool.failed ? NONE : at;
}

static const char *str(const parser *p, size_t off) { return p->pool.data + off; }

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* Index of the step called name, or -1. */
static int table_find(const parser *p, const char *name) {
  if (p->table_cap == 0) return -1;
  size_t mask = p->table_cap - 1;
  for (size_t i = hash(name) & mask;; i = (i + 1) & mask) {
    int s = p->table[i];
    if (s < 0) return -1;
    if (strcmp(str(p, p->steps[s].name), name) == 0) return s;
  }
}

static int table_insert(parser *p, int s) {
  if (2 * (p->nsteps + 1) > p->table_cap) {
    size_t cap = p->table_cap ? 2 * p->table_cap : 64;
    int *t = malloc(cap * sizeof *t);
    if (t == NULL) return -ENOMEM;
    memset(t, 0xff, cap * sizeof *t);
    free(p->table);
    p->table = t;
    p->table_cap = cap;
    for (int i = 0; i < s; i++) {
      size_t j = hash(str(p, p->steps[i].name)) & (cap - 1);
      while (t[j] >= 0) j = (j + 1) & (cap - 1);
      t[j] = i;
    }
  }
  size_t mask = p->table_cap - 1;
  size_t j = hash(str(p, p->steps[s].name)) & mask;
  while (p->table[j] >= 0) j = (j + 1) & mask;
  p->table[j] = s;
  return 0;
}

static int is_keyword(const char *t) {
  return strcmp(t, "after") == 0 || strcmp(t, "uses") == 0 || strcmp(t, "says") == 0;
}

/* Names: letters, digits, '_', '-', '.'; not a keyword. */
static int check_name(parser *p, const char *what, const char *t) {
  size_t n = strlen(t);
  if (n > MAPO_NAME_MAX)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "%s name '%.*s...' is longer than %d bytes",
                      what, mapo_utf8_cut(t, 20), t, MAPO_NAME_MAX);
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '-' && t[i] != '.')
      return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                        "%s name '%s' has '%c': use letters, digits, '_', '-' and '.'", what, t,
                        t[i]);
  if (is_keyword(t))
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "'%s' is a keyword, not a %s name", t, what);
  return 0;
}

/* A finite decimal number that uses the whole token: strtod alone would also take
 * 0x10, +5 and inf, which the README's "decimal number" does not promise. */
static int parse_number(parser *p, const char *what, const char *t, double lo, double hi,
                        double *out) {
  char *end;
  errno = 0;
  double v = strtod(t, &end);
  if (!mapo_is_decimal(t, 0) || end == t || *end != '\0' || !isfinite(v) || errno == ERANGE)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "%s '%s' is not a number", what, t);
  if (v < lo) return mapo__diag(p->diag, p->line, MAPO_EPARSE, "%s %s is below %g", what, t, lo);
  if (v > hi)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "%s %s is absurd (the limit is %g)", what, t,
                      hi);
  *out = v;
  return 0;
}

static int parse_count(parser *p, const char *what, const char *t, int hi, int *out) {
  double v = 0;
  int rc = parse_number(p, what, t, 1, hi, &v);
  if (rc < 0) return rc;
  if (v != floor(v))
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "%s '%s' is not a whole number", what, t);
  *out = (int)v;
  return 0;
}

/* tok[i] is a token of the line; at[i] where it began in the original line. */
typedef struct line_tokens {
  char buf[MAPO_LINE_MAX + 1];
  const char *line; /* the line itself, comment removed */
  size_t len;
  char *tok[MAPO_LINE_MAX / 2 + 1];
  size_t at[MAPO_LINE_MAX / 2 + 1];
  int n;
} line_tokens;

/* The rest of the line from token i on, trailing blanks removed. */
static size_t rest_of_line(parser *p, const line_tokens *lt, int i) {
  size_t from = lt->at[i], to = lt->len;
  while (to > from && (lt->line[to - 1] == ' ' || lt->line[to - 1] == '\t')) to--;
  return pool_add(p, lt->line + from, to - from);
}

static int parse_step(parser *p, const line_tokens *lt) {
  if (lt->n < 4)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                      "a step needs a name, a duration and a kind: step NAME UNITS wait|hands");
  int rc = check_name(p, "step", lt->tok[1]);
  if (rc < 0) return rc;
  int dup = table_find(p, lt->tok[1]);
  if (dup >= 0)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "duplicate step '%s' (first on line %d)",
                      lt->tok[1], p->steps[dup].line);
  if (p->nsteps >= MAPO_STEPS_MAX)
    return mapo__diag(p->diag, p->line, MAPO_ELIMIT, "too many steps (the limit is %d)",
                      MAPO_STEPS_MAX);
  raw_step s = {.says = NONE, .line = p->line, .after = p->nrefs, .uses = p->nuse_refs};
  rc = parse_number(p, "duration", lt->tok[2], 0, MAPO_UNITS_MAX, &s.units);
  if (rc < 0) return rc;
  if (strcmp(lt->tok[3], "wait") == 0)
    s.kind = MAPO_WAIT;
  else if (strcmp(lt->tok[3], "hands") == 0)
    s.kind = MAPO_HANDS;
  else
    return mapo__diag(p->diag, p->line, MAPO_EPARSE, "kind '%s' is neither wait nor hands",
                      lt->tok[3]);

  int seen_after = 0, seen_uses = 0;
  for (int i = 4; i < lt->n;) {
    const char *kw = lt->tok[i];
    if (strcmp(kw, "says") == 0) {
      if (i + 1 >= lt->n)
        return mapo__diag(p->diag, p->line, MAPO_EPARSE, "'says' needs the words to say");
      s.says = rest_of_line(p, lt, i + 1);
      break;
    }
    int is_after = strcmp(kw, "after") == 0;
    if (!is_after && strcmp(kw, "uses") != 0)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                        "unexpected '%s' (a step goes on with after, uses or says)", kw);
    if (is_after ? seen_after++ : seen_uses++)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "'%s' appears twice in one step", kw);
    int first = ++i;
    for (; i < lt->n && !is_keyword(lt->tok[i]); i++) {
      char *t = lt->tok[i];
      if (is_after) {
        if ((rc = check_name(p, "step", t)) < 0) return rc;
        if ((rc = mapo__grow((void **)&p->refs, &p->caprefs, p->nrefs + 1, sizeof *p->refs)) < 0)
          return rc;
        p->refs[p->nrefs++] = pool_add(p, t, strlen(t));
        s.nafter++;
      } else {
        raw_use u = {.count = 1};
        char *star = strchr(t, '*');
        if (star == t)
          return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                            "'uses %s' names no utensil: write uses NAME*COUNT (burner*2)", t);
        if (star != NULL && star[1] == '\0')
          return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                            "'uses %s' has no count after '*': write uses NAME*COUNT (burner*2)",
                            t);
        if (star != NULL) {
          *star = '\0';
          if ((rc = parse_count(p, "utensil count", star + 1, MAPO_UTENSIL_COUNT_MAX, &u.count)) <
              0)
            return rc;
        }
        if ((rc = check_name(p, "utensil", t)) < 0) return rc;
        if ((rc = mapo__grow((void **)&p->use_refs, &p->capuse_refs, p->nuse_refs + 1,
                             sizeof *p->use_refs)) < 0)
          return rc;
        u.name = pool_add(p, t, strlen(t));
        p->use_refs[p->nuse_refs++] = u;
        s.nuses++;
      }
    }
    if (i == first)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "'%s' needs at least one name", kw);
  }
  if ((rc = mapo__grow((void **)&p->steps, &p->capsteps, p->nsteps + 1, sizeof *p->steps)) < 0)
    return rc;
  s.name = pool_add(p, lt->tok[1], strlen(lt->tok[1]));
  p->steps[p->nsteps] = s;
  if ((rc = table_insert(p, (int)p->nsteps)) < 0) return rc;
  p->nsteps++;
  return p->pool.failed ? -ENOMEM : 0;
}

static int parse_line(parser *p, line_tokens *lt) {
  const char *d = lt->tok[0];
  int rc;
  if (strcmp(d, "step") == 0) return parse_step(p, lt);
  if (strcmp(d, "title") == 0) {
    if (p->title != NONE)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "a second title (first on line %d)",
                        p->title_line);
    if (lt->n < 2) return mapo__diag(p->diag, p->line, MAPO_EPARSE, "'title' needs the words");
    p->title = rest_of_line(p, lt, 1);
    p->title_line = p->line;
    return 0;
  }
  if (strcmp(d, "utensil") == 0) {
    if (lt->n != 3)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "a utensil is: utensil NAME COUNT");
    if ((rc = check_name(p, "utensil", lt->tok[1])) < 0) return rc;
    for (int u = 0; u < p->nutensils; u++)
      if (strcmp(str(p, p->utensils[u].name), lt->tok[1]) == 0)
        return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                          "duplicate utensil '%s' (first on line %d)", lt->tok[1],
                          p->utensils[u].line);
    if (p->nutensils >= MAPO_UTENSILS_MAX)
      return mapo__diag(p->diag, p->line, MAPO_ELIMIT, "too many utensils (the limit is %d)",
                        MAPO_UTENSILS_MAX);
    int count = 0;
    if ((rc = parse_count(p, "utensil count", lt->tok[2], MAPO_UTENSIL_COUNT_MAX, &count)) < 0)
      return rc;
    p->utensils[p->nutensils].name = pool_add(p, lt->tok[1], strlen(lt->tok[1]));
    p->utensils[p->nutensils].count = count;
    p->utensils[p->nutensils].line = p->line;
    p->nutensils++;
    return 0;
  }
  if (strcmp(d, "rice") == 0) {
    if (p->rice_name != NONE)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "a second rice line (first on line %d)",
                        p->rice_line);
    if (lt->n != 4)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE, "rice is: rice STEP DEGREES LOSS-PER-UNIT");
    if ((rc = check_name(p, "step", lt->tok[1])) < 0) return rc;
    if ((rc = parse_number(p, "rice temperature", lt->tok[2], -273.15, 1e6, &p->rice_temp)) < 0)
      return rc;
    if ((rc = parse_number(p, "rice cooling rate", lt->tok[3], 0, 1e6, &p->rice_rate)) < 0)
      return rc;
    p->rice_name = pool_add(p, lt->tok[1], strlen(lt->tok[1]));
    p->rice_line = p->line;
    return 0;
  }
  return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                    "unknown directive '%.*s' (a line is title, utensil, step or rice)",
                    mapo_utf8_cut(d, 40), d);
}

/* Split one line into tokens, after checking its bytes and cutting its comment. */
static int scan_line(parser *p, const char *s, size_t n, line_tokens *lt) {
  lt->n = 0;                          /* no tokens, whichever way the line is refused */
  if (n > 0 && s[n - 1] == '\r') n--; /* CRLF files */
  /* Bytes first, then length: a binary file is called binary wherever its first newline
   * happens to fall (its first line is often longer than any recipe line). */
  for (size_t i = 0; i < n && i <= MAPO_LINE_MAX; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                        "binary data (byte 0x%02x at column %zu): not a recipe", c, i + 1);
  }
  if (n > MAPO_LINE_MAX)
    return mapo__diag(p->diag, p->line, MAPO_ELIMIT, "line is longer than %d bytes", MAPO_LINE_MAX);
  const char *hash_at = memchr(s, '#', n);
  if (hash_at != NULL) n = (size_t)(hash_at - s);
  /* Every text field (title, names, says) reaches JSON, SVG and terminals: it must be
   * UTF-8. A comment is never read, and '#' cannot fall inside a UTF-8 character, so
   * only what comes before it is checked. */
  size_t valid = mapo_utf8_valid(s, n);
  if (valid < n)
    return mapo__diag(p->diag, p->line, MAPO_EPARSE,
                      "not valid UTF-8 (byte 0x%02x at column %zu): recipes are UTF-8 text",
                      (unsigned char)s[valid], valid + 1);
  memcpy(lt->buf, s, n);
  lt->buf[n] = '\0';
  lt->line = s;
  lt->len = n;
  for (size_t i = 0; i < n;) {
    while (i < n && (lt->buf[i] == ' ' || lt->buf[i] == '\t')) lt->buf[i++] = '\0';
    if (i == n) break;
    lt->at[lt->n] = i;
    lt->tok[lt->n++] = lt->buf + i;
    while (i < n && lt->buf[i] != ' ' && lt->buf[i] != '\t') i++;
  }
  return 0;
}

/* Find a cycle among the steps Kahn's algorithm could not order and describe it. */
static int report_cycle(parser *p, const recipe_mem *m, const int *indeg, int nsteps) {
  int s = 0;
  while (indeg[s] == 0) s++;
  /* Walk backwards through unordered predecessors until a step repeats. */
  int *seen = calloc((size_t)nsteps, sizeof *seen);
  int *walk = malloc((size_t)nsteps * sizeof *walk);
  if (seen == NULL || walk == NULL) {
    free(seen);
    free(walk);
    return -ENOMEM;
  }
  int n = 0;
  while (!seen[s]) {
    seen[s] = n + 1;
    walk[n++] = s;
    const mapo_step *st = &m->steps[s];
    for (int i = 0; i < st->npred; i++)
      if (indeg[st->pred[i]] > 0) {
        s = st->pred[i];
        break;
      }
  }
  /* walk[first .. n-1] is the cycle, each step after the next one. Turn it forwards
   * (the order the steps would have to run in) and start it at the step written
   * first, so the message is the same whichever step the walk began at. */
  int first = seen[s] - 1, len = n - first, lowest = 0;
  int *cycle = walk + first;
  for (int i = 0; i < len / 2; i++) {
    int t = cycle[i];
    cycle[i] = cycle[len - 1 - i];
    cycle[len - 1 - i] = t;
  }
  for (int i = 1; i < len; i++)
    if (cycle[i] < cycle[lowest]) lowest = i;
  char text[200];
  size_t used = 0;
  for (int i = 0; i <= len && used < sizeof text; i++) {
    // NOLINTNEXTLINE(clang-analyzer-core.DivideZero): s was seen, so first < n and len >= 1
    const int at = cycle[(lowest + i) % len];
    int w = snprintf(text + used, sizeof text - used, "%s%s", i ? " -> " : "", m->steps[at].name);
    if (w < 0 || (size_t)w >= sizeof text - used) {
      memcpy(text + sizeof text - 4, "...", 4);
      break;
    }
    used += (size_t)w;
  }
  int line = p->steps[cycle[lowest]].line;
  free(seen);
  free(walk);
  return mapo__diag(p->diag, line, MAPO_ECYCLE, "cycle: %s", text);
}

#define WRITTEN_FIRST(a, b) (*(a) < *(b))
MAPO__HEAP_DEFINE(ready, int, WRITTEN_FIRST, MAPO__HEAP_NOT_MOVED)

/* Resolving happens in named steps, each failing with the diagnostic of the first line
 * to blame: allocate the recipe's arrays, link each step's names (steps after, utensils
 * used), link the successors, order the steps. */

/* Allocate the recipe's arrays and give it the pool and the utensils. */
static int allocate(parser *p, recipe_mem *m, int n) {
  m->steps = aligned_alloc(64, (size_t)n * sizeof *m->steps);
  if (m->steps != NULL) memset(m->steps, 0, (size_t)n * sizeof *m->steps);
  m->utensils = calloc((size_t)p->nutensils + 1, sizeof *m->utensils);
  m->ints = malloc((2 * p->nrefs + 2 * (size_t)n) * sizeof *m->ints);
  m->uses = malloc((p->nuse_refs + 1) * sizeof *m->uses);
  if (!m->steps || !m->utensils || !m->ints || !m->uses) return -ENOMEM;
  m->pool = p->pool.data; /* the recipe owns the pool from here on */
  for (int u = 0; u < p->nutensils; u++)
    m->utensils[u] =
        (mapo_utensil){m->pool + p->utensils[u].name, p->utensils[u].count, p->utensils[u].line};
  return 0;
}

/* Link step s's `after` names to its predecessors, appended to pred at *npred. */
static int link_after(parser *p, recipe_mem *m, int s, int *pred, size_t *npred) {
  const raw_step *rs = &p->steps[s];
  mapo_step *st = &m->steps[s];
  for (int i = 0; i < rs->nafter; i++) {
    const char *name = m->pool + p->refs[rs->after + (size_t)i];
    int q = table_find(p, name);
    if (q < 0)
      return mapo__diag(p->diag, rs->line, MAPO_EPARSE, "step '%s' comes after unknown step '%s'",
                        st->name, name);
    if (q == s)
      return mapo__diag(p->diag, rs->line, MAPO_ECYCLE, "cycle: step '%s' comes after itself",
                        st->name);
    for (int j = 0; j < st->npred; j++)
      if (st->pred[j] == q)
        return mapo__diag(p->diag, rs->line, MAPO_EPARSE,
                          "step '%s' lists '%s' twice after 'after'", st->name, name);
    pred[(*npred)++] = q;
    st->npred++;
    m->steps[q].nsucc++;
  }
  return 0;
}

/* Link step s's `uses` names to utensils, each needing no more pieces than there are. */
static int link_uses(parser *p, recipe_mem *m, int s) {
  const raw_step *rs = &p->steps[s];
  mapo_step *st = &m->steps[s];
  for (int i = 0; i < rs->nuses; i++) {
    const raw_use *ru = &p->use_refs[rs->uses + (size_t)i];
    const char *name = m->pool + ru->name;
    int u = 0;
    while (u < p->nutensils && strcmp(m->utensils[u].name, name) != 0) u++;
    if (u == p->nutensils)
      return mapo__diag(p->diag, rs->line, MAPO_EPARSE,
                        "step '%s' uses unknown utensil '%s' (declare it: utensil %s COUNT)",
                        st->name, name, name);
    if (ru->count > m->utensils[u].count)
      return mapo__diag(p->diag, rs->line, MAPO_EPARSE,
                        "step '%s' needs %d %s but the kitchen has %d", st->name, ru->count, name,
                        m->utensils[u].count);
    for (int j = 0; j < st->nuse; j++)
      if (st->use[j].utensil == u)
        return mapo__diag(p->diag, rs->line, MAPO_EPARSE, "step '%s' uses '%s' twice", st->name,
                          name);
    m->uses[rs->uses + (size_t)st->nuse++] = (mapo_use){u, ru->count};
  }
  return 0;
}

/* Fill every step from its raw record, its names linked, in the order written; then the
 * rice's step. */
static int link_steps(parser *p, mapo_recipe *r, recipe_mem *m, int *pred, int *lines) {
  size_t npred = 0;
  for (int s = 0; s < (int)p->nsteps; s++) {
    const raw_step *rs = &p->steps[s];
    lines[s] = rs->line;
    m->steps[s] = (mapo_step){.name = m->pool + rs->name,
                              .says = m->pool + (rs->says == NONE ? rs->name : rs->says),
                              .units = rs->units,
                              .kind = rs->kind,
                              .pred = pred + npred,
                              .use = m->uses + rs->uses};
    int rc = link_after(p, m, s, pred, &npred);
    if (rc == 0) rc = link_uses(p, m, s);
    if (rc < 0) return rc;
  }
  if (p->rice_name != NONE) {
    r->rice = table_find(p, m->pool + p->rice_name);
    if (r->rice < 0)
      return mapo__diag(p->diag, p->rice_line, MAPO_EPARSE, "rice names unknown step '%s'",
                        m->pool + p->rice_name);
  }
  return 0;
}

/* Successor lists, from the predecessor lists: count (done while linking), then fill. */
static void link_successors(recipe_mem *m, int n, int *succ) {
  size_t off = 0;
  for (int s = 0; s < n; s++) {
    m->steps[s].succ = succ + off;
    off += (size_t)m->steps[s].nsucc;
    m->steps[s].nsucc = 0;
  }
  /* A step's list is read-only through the step: write it through succ, at its place. */
  for (int s = 0; s < n; s++)
    for (int i = 0; i < m->steps[s].npred; i++) {
      mapo_step *q = &m->steps[m->steps[s].pred[i]];
      succ[(q->succ - succ) + q->nsucc++] = s;
    }
}

/* Order the steps into `order` by Kahn's algorithm, taking among the ready steps the one
 * written first (a min-heap of indices): a serial cook then follows the recipe as
 * written, as the notebook does. What it cannot order lies on or behind a cycle, which
 * is described. */
static int order_steps(parser *p, const recipe_mem *m, int n, int *order) {
  int *indeg = malloc((size_t)n * sizeof *indeg);
  int *heap = malloc((size_t)n * sizeof *heap);
  if (indeg == NULL || heap == NULL) {
    free(indeg);
    free(heap);
    return -ENOMEM;
  }
  size_t nheap = 0;
  int tail = 0, rc = 0;
  for (int s = 0; s < n; s++) {
    indeg[s] = m->steps[s].npred;
    if (indeg[s] == 0) ready_push(heap, &nheap, s);
  }
  while (nheap > 0) {
    int s = ready_pop(heap, &nheap);
    order[tail++] = s;
    const mapo_step *st = &m->steps[s];
    for (int i = 0; i < st->nsucc; i++)
      if (--indeg[st->succ[i]] == 0) ready_push(heap, &nheap, st->succ[i]);
  }
  free(heap);
  if (tail < n) rc = report_cycle(p, m, indeg, n);
  free(indeg);
  return rc;
}

/* Turn the raw arrays into a mapo_recipe: allocate, link names, link successors, order
 * the steps; then hand the arrays to r. */
static int resolve(parser *p, mapo_recipe *r, recipe_mem *m) {
  const int n = (int)p->nsteps;
  if (n == 0)
    return mapo__diag(p->diag, p->line > 0 ? p->line : 1, MAPO_EEMPTY, "empty recipe: no steps");
  int rc = allocate(p, m, n);
  if (rc < 0) return rc;
  int *pred = m->ints, *succ = m->ints + p->nrefs, *order = m->ints + 2 * p->nrefs;
  int *lines = order + n;
  if ((rc = link_steps(p, r, m, pred, lines)) < 0) return rc;
  link_successors(m, n, succ);
  if ((rc = order_steps(p, m, n, order)) < 0) return rc;

  r->title = p->title == NONE ? "untitled" : m->pool + p->title;
  r->nsteps = n;
  r->nutensils = p->nutensils;
  r->steps = m->steps;
  r->utensils = m->utensils;
  r->order = order;
  r->lines = lines;
  r->rice_temp = p->rice_temp;
  r->rice_rate = p->rice_rate;
  return 0;
}

static void mem_free(recipe_mem *m) {
  if (m == NULL) return;
  free(m->pool);
  free(m->steps);
  free(m->utensils);
  free(m->ints);
  free(m->uses);
  free(m);
}

int mapo_recipe_parse(mapo_recipe *r, const char *text, size_t len, mapo_diag *diag) {
  mapo_diag spare;
  if (diag == NULL) diag = &spare;
  diag->line = 0;
  diag->msg[0] = '\0';
  if (r == NULL || (text == NULL && len > 0)) return MAPO_EINVAL;
  memset(r, 0, sizeof *r);
  r->rice = -1;
  parser p = {.diag = diag, .title = NONE, .rice_name = NONE};
  line_tokens *lt = malloc(sizeof *lt);
  recipe_mem *m = calloc(1, sizeof *m);
  int rc = (lt == NULL || m == NULL) ? -ENOMEM : 0;
  for (size_t at = 0; rc == 0 && at < len;) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
    p.line++;
    rc = scan_line(&p, text + at, n, lt);
    if (rc == 0 && lt->n > 0) rc = parse_line(&p, lt);
    if (rc == 0 && p.pool.failed) rc = -ENOMEM;
    at += n + 1;
  }
  if (rc == 0) rc = resolve(&p, r, m);
  if (rc == -ENOMEM && diag->msg[0] == '\0') mapo__diag(diag, p.line, rc, "out of memory");
  free(lt);
  if (m == NULL || m->pool != p.pool.data) free(p.pool.data);
  free(p.steps);
  free(p.refs);
  free(p.use_refs);
  free(p.table);
  if (rc < 0) {
    mem_free(m);
    memset(r, 0, sizeof *r);
    r->rice = -1;
    return rc;
  }
  r->mem_ = m;
  return 0;
}

int mapo_recipe_read(const char *path, char **text, size_t *len, mapo_diag *diag) {
  mapo_diag spare;
  if (diag == NULL) diag = &spare;
  if (path == NULL || text == NULL || len == NULL) return MAPO_EINVAL;
  *text = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return mapo__diag(diag, 0, -errno, "cannot open: %s", strerror(errno));
  mapo__buf b = {0};
  char chunk[65536];
  size_t n;
  int rc = 0;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + n > MAPO_RECIPE_BYTES_MAX) {
      rc = mapo__diag(diag, 0, MAPO_ELIMIT, "file is larger than %u bytes", MAPO_RECIPE_BYTES_MAX);
      break;
    }
    mapo__buf_append(&b, chunk, n);
    if (b.failed) {
      rc = mapo__diag(diag, 0, -ENOMEM, "out of memory");
      break;
    }
  }
  if (rc == 0 && ferror(f)) rc = mapo__diag(diag, 0, -EIO, "cannot read: %s", strerror(errno));
  (void)fclose(f); /* read only: ferror above has said whether the reading failed */
  /* An empty file is text too: "" (NUL-terminated, like every text this returns). */
  if (rc == 0 && b.data == NULL && (b.data = calloc(1, 1)) == NULL)
    rc = mapo__diag(diag, 0, -ENOMEM, "out of memory");
  if (rc < 0) {
    free(b.data);
    return rc;
  }
  *text = b.data;
  *len = b.len;
  return 0;
}

int mapo_recipe_load(mapo_recipe *r, const char *path, mapo_diag *diag) {
  mapo_diag spare;
  if (diag == NULL) diag = &spare;
  if (r == NULL || path == NULL) return MAPO_EINVAL;
  memset(r, 0, sizeof *r);
  r->rice = -1;
  char *text = NULL;
  size_t len = 0;
  int rc = mapo_recipe_read(path, &text, &len, diag);
  if (rc == 0) rc = mapo_recipe_parse(r, text, len, diag);
  free(text);
  return rc;
}

void mapo_recipe_free(mapo_recipe *r) {
  if (r == NULL) return;
  mem_free(r->mem_);
  memset(r, 0, sizeof *r);
  r->rice = -1;
}

int mapo_recipe_find(const mapo_recipe *r, const char *name) {
  for (int s = 0; r != NULL && name != NULL && s < r->nsteps; s++)
    if (strcmp(r->steps[s].name, name) == 0) return s;
  return -1;
}

/* The notebook's recipe, cell by cell: three chains that start at once (rice, spices,
 * meat and tofu), then mixing and serving. Every step sleeps in the notebook, so every
 * step is `wait`. Serial: 23 units, rice at 48.0; parallel: 9 units, rice at 76.0. */
static const char builtin_text[] =
    "# Mapo Tofu, as the notebook \"Concepts for parallel programming\" cooks it.\n"
    "# Every step of the notebook sleeps, so every step here is `wait`.\n"
    "title Mapo Tofu\n"
    "\n"
    "#    name          units kind  after                             says\n"
    "step wash-rice      2    wait                                    says Washing the rice\n"
    "step boil-rice      5    wait  after wash-rice                   says Boiling the rice\n"
    "step blend-spices   2    wait                                    says Blending spices\n"
    "step fry-spices     5    wait  after blend-spices                says Frying spices\n"
    "step fry-meat       5    wait                                    says Frying meat\n"
    "step mix-tofu       2    wait  after fry-meat                    says Mixing tofu\n"
    "step mix-oil-meat   2    wait  after boil-rice fry-spices mix-tofu says Mixing oil and meat\n"
    "step serve          0    wait  after mix-oil-meat                says Serving\n"
    "\n"
    "# The rice leaves the pot at 80 degrees and loses 2 a unit until the dish is served.\n"
    "rice boil-rice 80 2\n";

const char *mapo_recipe_builtin_text(void) { return builtin_text; }

int mapo_recipe_builtin(mapo_recipe *r) {
  mapo_diag d;
  return mapo_recipe_parse(r, builtin_text, sizeof builtin_text - 1, &d);
}

int mapo_recipe_format(const mapo_recipe *r, char **text, size_t *len) {
  if (r == NULL || text == NULL) return MAPO_EINVAL;
  mapo__buf b = {0};
  char num[40], num2[40];
  mapo__buf_printf(&b, "title %s\n", r->title);
  for (int u = 0; u < r->nutensils; u++)
    mapo__buf_printf(&b, "utensil %s %d\n", r->utensils[u].name, r->utensils[u].count);
  for (int s = 0; s < r->nsteps; s++) {
    const mapo_step *st = &r->steps[s];
    mapo__format_number(num, sizeof num, st->units);
    mapo__buf_printf(&b, "step %s %s %s", st->name, num, st->kind == MAPO_HANDS ? "hands" : "wait");
    for (int i = 0; i < st->npred; i++)
      mapo__buf_printf(&b, "%s %s", i == 0 ? " after" : "", r->steps[st->pred[i]].name);
    for (int i = 0; i < st->nuse; i++) {
      mapo__buf_printf(&b, "%s %s", i == 0 ? " uses" : "", r->utensils[st->use[i].utensil].name);
      if (st->use[i].count > 1) mapo__buf_printf(&b, "*%d", st->use[i].count);
    }
    if (strcmp(st->says, st->name) != 0) mapo__buf_printf(&b, " says %s", st->says);
    mapo__buf_printf(&b, "\n");
  }
  if (r->rice >= 0) {
    mapo__format_number(num, sizeof num, r->rice_temp);
    mapo__format_number(num2, sizeof num2, r->rice_rate);
    mapo__buf_printf(&b, "rice %s %s %s\n", r->steps[r->rice].name, num, num2);
  }
  if (b.failed) {
    free(b.data);
    return -ENOMEM;
  }
  *text = b.data;
  if (len != NULL) *len = b.len;
  return 0;
}
