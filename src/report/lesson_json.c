/* lesson_json.c - JSON read back for the lesson page: what mapo and mapo-mpi printed
 * with --json (now, or in a Slurm job's results folder), as a tree of values.
 *
 * A plain recursive parser, strict where it matters (a value is whole, nothing trails
 * it, strings are closed, nesting stops at 64) and no more: it reads mapo's own output,
 * and anything else it is handed is refused with MAPO_EINVAL, never guessed at.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lesson_internal.h"
#include "mapo/error.h"

enum { DEPTH_MAX = 64 };

typedef struct reader {
  const char *at, *end;
  int depth;
} reader;

static void blanks(reader *r) {
  while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' || *r->at == '\n' || *r->at == '\r'))
    r->at++;
}

static int literal(reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->at) < n || memcmp(r->at, word, n) != 0) return MAPO_EINVAL;
  r->at += n;
  return 0;
}

/* Code point cp as UTF-8 into out; returns the bytes written. */
static size_t utf8_put(char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  out[0] = (char)(0xe0 | (cp >> 12));
  out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[2] = (char)(0x80 | (cp & 0x3f));
  return 3;
}

static int hex4(const char *s, uint32_t *cp) {
  *cp = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return MAPO_EINVAL;
    *cp = *cp * 16 + (uint32_t)d;
  }
  return 0;
}

/* A string after its opening quote, into a new NUL-terminated copy. A \u escape of a
 * surrogate becomes U+FFFD: mapo writes none, and the page needs no astral planes. */
static int string(reader *r, char **out) {
  const char *s = r->at;
  size_t cap = 1;
  while (s < r->end && *s != '"') {
    s += *s == '\\' && s + 1 < r->end ? 2 : 1;
    cap += 3; /* a byte, or an escape of two to six, is at most three bytes of UTF-8 */
  }
  if (s >= r->end) return MAPO_EINVAL;
  char *buf = malloc(cap), *w = buf;
  if (buf == NULL) return -ENOMEM;
  while (r->at < s) {
    char c = *r->at++;
    if (c != '\\') {
      *w++ = c;
      continue;
    }
    c = *r->at++;
    const char *plain = strchr("\"\\/bfnrt", c);
    if (plain && c != '\0') {
      *w++ = "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"];
      continue;
    }
    uint32_t cp;
    if (c != 'u' || s - r->at < 4 || hex4(r->at, &cp) != 0) {
      free(buf);
      return MAPO_EINVAL;
    }
    r->at += 4;
    w += utf8_put(w, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  *w = '\0';
  r->at = s + 1;
  *out = buf;
  return 0;
}

static int value(reader *r, lj *v);

/* Grow an array's or object's items by one; the new one zeroed. */
static lj *item_new(lj *v, int *cap) {
  if (v->n == *cap) {
    int ncap = *cap ? 2 * *cap : 4;
    lj *items = realloc(v->items, (size_t)ncap * sizeof *items);
    if (items == NULL) return NULL;
    v->items = items;
    if (v->type == LJ_OBJ) {
      char **keys = realloc(v->keys, (size_t)ncap * sizeof *keys);
      if (keys == NULL) return NULL;
      v->keys = keys;
    }
    *cap = ncap;
  }
  memset(&v->items[v->n], 0, sizeof v->items[0]);
  if (v->type == LJ_OBJ) v->keys[v->n] = NULL;
  return &v->items[v->n++];
}

/* An array or an object after its opening bracket. */
static int container(reader *r, lj *v, char close) {
  int cap = 0, rc = 0;
  blanks(r);
  if (r->at < r->end && *r->at == close) {
    r->at++;
    return 0;
  }
  for (;;) {
    lj *it = item_new(v, &cap);
    if (it == NULL) return -ENOMEM;
    blanks(r);
    if (v->type == LJ_OBJ) {
      if (r->at >= r->end || *r->at != '"') return MAPO_EINVAL;
      r->at++;
      if ((rc = string(r, &v->keys[v->n - 1])) != 0) return rc;
      blanks(r);
      if (r->at >= r->end || *r->at != ':') return MAPO_EINVAL;
      r->at++;
    }
    if ((rc = value(r, it)) != 0) return rc;
    blanks(r);
    if (r->at < r->end && *r->at == ',') {
      r->at++;
      continue;
    }
    if (r->at < r->end && *r->at == close) {
      r->at++;
      return 0;
    }
    return MAPO_EINVAL;
  }
}

static int number(reader *r, lj *v) {
  char buf[64];
  size_t n = 0;
  while (r->at + n < r->end && n < sizeof buf - 1 && strchr("+-.0123456789eE", r->at[n]) &&
         r->at[n] != '\0')
    n++;
  memcpy(buf, r->at, n);
  buf[n] = '\0';
  char *end;
  v->num = strtod(buf, &end);
  if (n == 0 || end != buf + n || !isfinite(v->num)) return MAPO_EINVAL;
  v->type = LJ_NUM;
  r->at += n;
  return 0;
}

static int value(reader *r, lj *v) {
  blanks(r);
  if (r->at >= r->end) return MAPO_EINVAL;
  int rc;
  switch (*r->at) {
  case '{':
  case '[':
    if (++r->depth > DEPTH_MAX) return MAPO_EINVAL;
    v->type = *r->at == '{' ? LJ_OBJ : LJ_ARR;
    r->at++;
    rc = container(r, v, v->type == LJ_OBJ ? '}' : ']');
    r->depth--;
    return rc;
  case '"':
    r->at++;
    v->type = LJ_STR;
    return string(r, &v->str);
  case 't':
    v->type = LJ_BOOL;
    v->num = 1;
    return literal(r, "true");
  case 'f': v->type = LJ_BOOL; return literal(r, "false");
  case 'n': v->type = LJ_NULL; return literal(r, "null");
  default: return number(r, v);
  }
}

void mapo__lj_free(lj *v) {
  if (v == NULL) return;
  for (int i = 0; i < v->n; i++) {
    mapo__lj_free(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  memset(v, 0, sizeof *v);
}

int mapo__lj_parse(const char *text, size_t len, lj *v) {
  reader r = {text, text + len, 0};
  memset(v, 0, sizeof *v);
  int rc = value(&r, v);
  blanks(&r);
  if (rc == 0 && r.at != r.end) rc = MAPO_EINVAL;
  if (rc != 0) mapo__lj_free(v);
  return rc;
}

const lj *mapo__lj_get(const lj *v, const char *key) {
  if (v == NULL || v->type != LJ_OBJ) return NULL;
  for (int i = 0; i < v->n; i++)
    if (v->keys[i] && strcmp(v->keys[i], key) == 0) return &v->items[i];
  return NULL;
}

double mapo__lj_num(const lj *v, const char *key) {
  const lj *m = mapo__lj_get(v, key);
  return m && (m->type == LJ_NUM || m->type == LJ_BOOL) ? m->num : NAN;
}

const char *mapo__lj_str(const lj *v, const char *key) {
  const lj *m = mapo__lj_get(v, key);
  return m && m->type == LJ_STR ? m->str : NULL;
}

const lj *mapo__lj_at(const lj *v, int i) {
  return v && v->type == LJ_ARR && i >= 0 && i < v->n ? &v->items[i] : NULL;
}

int mapo__lj_len(const lj *v) { return v && v->type == LJ_ARR ? v->n : 0; }
