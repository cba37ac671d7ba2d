/* wellformed.c - strict JSON and well-formed XML checkers for the fuzz harnesses
 * (wellformed.h). What to notice: both read the text once, left to right, and stop at
 * the first fault, naming it and where it is; neither allocates. JSON's object keys are
 * not checked for duplicates (RFC 8259 says SHOULD, and the report tests compare key
 * sets already); everything else the grammar says is. */
#include "wellformed.h"

#include <string.h>

enum { DEPTH_MAX = 256, ATTRS_MAX = 64 };

typedef struct cursor {
  const unsigned char *s;
  size_t n, i;
  const char *why;
} cursor;

static int fault(cursor *c, const char *why) {
  if (c->why == NULL) c->why = why;
  return -1;
}

static int finish(cursor *c, int rc, size_t *at, const char **why) {
  *at = c->i;
  *why = rc == 0 ? NULL : c->why;
  return rc;
}

/* The length of the UTF-8 sequence at p (at most left bytes) and its code point, or 0
 * for anything invalid: a stray continuation byte, a cut sequence, an overlong form, a
 * surrogate, a value past U+10FFFF. */
static size_t utf8(const unsigned char *p, size_t left, unsigned *cp) {
  static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
  size_t len = p[0] < 0x80             ? 1
               : (p[0] & 0xE0) == 0xC0 ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
  if (len == 0 || len > left) return 0;
  unsigned v = len == 1 ? p[0] : p[0] & (0x7Fu >> len);
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    v = v << 6 | (p[k] & 0x3Fu);
  }
  if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

static int at_is(const cursor *c, const char *lit) {
  size_t len = strlen(lit);
  return c->n - c->i >= len && memcmp(c->s + c->i, lit, len) == 0;
}

static int hex(int ch) {
  return ch >= '0' && ch <= '9'   ? ch - '0'
         : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                  : -1;
}

/* XML 1.0's Char production. */
static int xml_char(unsigned cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

int wf_text(const char *s, size_t n, size_t *at, const char **why) {
  cursor c = {(const unsigned char *)s, n, 0, NULL};
  int rc = 0;
  while (rc == 0 && c.i < n) {
    unsigned cp;
    const size_t len = utf8(c.s + c.i, n - c.i, &cp);
    if (len == 0)
      rc = fault(&c, "invalid UTF-8");
    else if (!xml_char(cp))
      rc = fault(&c, "a character XML 1.0 does not allow");
    else
      c.i += len;
  }
  return finish(&c, rc, at, why);
}

/* ---- JSON ----------------------------------------------------------------------- */

static void json_ws(cursor *c) {
  while (c->i < c->n && strchr(" \t\n\r", c->s[c->i]) != NULL && c->s[c->i] != '\0') c->i++;
}

/* \uXXXX at c->i (after the backslash and the u); its value, or -1. */
static long json_u4(cursor *c) {
  if (c->n - c->i < 4) return -1;
  long v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hex(c->s[c->i + (size_t)k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  c->i += 4;
  return v;
}

static int json_escape(cursor *c) {
  if (c->i >= c->n) return fault(c, "a string ends in a backslash");
  const unsigned char e = c->s[c->i++];
  if (e != 'u') return e != '\0' && strchr("\"\\/bfnrt", e) ? 0 : fault(c, "an unknown escape");
  long v = json_u4(c);
  if (v < 0) return fault(c, "\\u without four hex digits");
  if (v >= 0xDC00 && v <= 0xDFFF) return fault(c, "a low surrogate escape with no high one");
  if (v < 0xD800 || v > 0xDBFF) return 0;
  if (!at_is(c, "\\u")) return fault(c, "a high surrogate escape with no low one");
  c->i += 2;
  v = json_u4(c);
  return v >= 0xDC00 && v <= 0xDFFF ? 0 : fault(c, "a high surrogate escape with no low one");
}

static int json_string(cursor *c) {
  c->i++; /* the opening quote */
  for (;;) {
    if (c->i >= c->n) return fault(c, "an unterminated string");
    const unsigned char ch = c->s[c->i];
    unsigned cp;
    size_t len;
    if (ch == '"') {
      c->i++;
      return 0;
    }
    if (ch == '\\') {
      c->i++;
      if (json_escape(c) < 0) return -1;
    } else if (ch < 0x20) {
      return fault(c, "a raw control character in a string");
    } else if ((len = utf8(c->s + c->i, c->n - c->i, &cp)) == 0) {
      return fault(c, "invalid UTF-8 in a string");
    } else {
      c->i += len;
    }
  }
}

static int digits(cursor *c) {
  const size_t from = c->i;
  while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') c->i++;
  return c->i > from ? 0 : -1;
}

static int json_number(cursor *c) {
  if (c->s[c->i] == '-') c->i++;
  if (c->i < c->n && c->s[c->i] == '0')
    c->i++;
  else if (digits(c) < 0)
    return fault(c, "a number without digits");
  if (c->i < c->n && c->s[c->i] == '.') {
    c->i++;
    if (digits(c) < 0) return fault(c, "a number with no digit after the point");
  }
  if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
    c->i++;
    if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-')) c->i++;
    if (digits(c) < 0) return fault(c, "a number with no digit in its exponent");
  }
  return 0;
}

static int json_value(cursor *c, int depth);

/* An object or an array, from its opening bracket: members (key ':' value) or values,
 * separated by commas. */
static int json_container(cursor *c, int depth, int object) {
  const unsigned char close = object ? '}' : ']';
  if (depth >= DEPTH_MAX) return fault(c, "nested too deep");
  c->i++;
  json_ws(c);
  if (c->i < c->n && c->s[c->i] == close) {
    c->i++;
    return 0;
  }
  for (;;) {
    if (object) {
      json_ws(c);
      if (c->i >= c->n || c->s[c->i] != '"') return fault(c, "an object key that is no string");
      if (json_string(c) < 0) return -1;
      json_ws(c);
      if (c->i >= c->n || c->s[c->i] != ':') return fault(c, "no ':' after an object key");
      c->i++;
    }
    if (json_value(c, depth + 1) < 0) return -1;
    json_ws(c);
    if (c->i < c->n && c->s[c->i] == ',') {
      c->i++;
      continue;
    }
    if (c->i < c->n && c->s[c->i] == close) {
      c->i++;
      return 0;
    }
    return fault(c, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int json_value(cursor *c, int depth) {
  json_ws(c);
  if (c->i >= c->n) return fault(c, "a value is missing");
  const unsigned char ch = c->s[c->i];
  if (ch == '{' || ch == '[') return json_container(c, depth, ch == '{');
  if (ch == '"') return json_string(c);
  if (ch == '-' || (ch >= '0' && ch <= '9')) return json_number(c);
  const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++)
    if (at_is(c, words[k])) {
      c->i += strlen(words[k]);
      return 0;
    }
  return fault(c, "not a JSON value");
}

int wf_json(const char *s, size_t n, size_t *at, const char **why) {
  cursor c = {(const unsigned char *)s, n, 0, NULL};
  int rc = json_value(&c, 0);
  if (rc == 0) {
    json_ws(&c);
    if (c.i != n) rc = fault(&c, "text after the JSON value");
  }
  return finish(&c, rc, at, why);
}

/* ---- XML ------------------------------------------------------------------------ */

/* Every character of the document valid UTF-8 and an XML 1.0 character. */
static int xml_chars(cursor *c) {
  while (c->i < c->n) {
    unsigned cp;
    size_t len = utf8(c->s + c->i, c->n - c->i, &cp);
    if (len == 0) return fault(c, "invalid UTF-8");
    if (!xml_char(cp)) return fault(c, "a character XML 1.0 does not allow");
    c->i += len;
  }
  c->i = 0;
  return 0;
}

static int xml_space(unsigned char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void xml_ws(cursor *c) {
  while (c->i < c->n && xml_space(c->s[c->i])) c->i++;
}

/* A name (ASCII only: mapo's writers use no other) at c->i; its length, or 0. */
static size_t xml_name(cursor *c) {
  const size_t from = c->i;
  while (c->i < c->n) {
    const unsigned char ch = c->s[c->i];
    const int start =
        (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' || ch == ':';
    const int more = (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
    if (!start && !(more && c->i > from)) break;
    c->i++;
  }
  return c->i - from;
}

/* An entity or character reference at c->i (on the '&'). */
static int xml_reference(cursor *c) {
  const char *const named[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
  for (int k = 0; k < 5; k++)
    if (at_is(c, named[k])) {
      c->i += strlen(named[k]);
      return 0;
    }
  if (!at_is(c, "&#")) return fault(c, "an entity XML does not predefine");
  c->i += 2;
  const int base = c->i < c->n && c->s[c->i] == 'x' ? 16 : 10;
  if (base == 16) c->i++;
  unsigned long v = 0;
  size_t count = 0;
  for (; c->i < c->n && c->s[c->i] != ';'; c->i++, count++) {
    int d = hex(c->s[c->i]);
    if (d < 0 || d >= base) return fault(c, "a bad digit in a character reference");
    if (v <= 0x10FFFF) v = v * (unsigned long)base + (unsigned long)d;
  }
  if (c->i >= c->n || count == 0) return fault(c, "an unterminated character reference");
  c->i++;
  return v <= 0x10FFFF && xml_char((unsigned)v) ? 0 : fault(c, "a reference to no XML character");
}

/* Up to the end marker, which must come; what lies between may not hold `bad`. */
static int xml_skip_to(cursor *c, const char *end, const char *bad, const char *unterminated) {
  for (; c->i < c->n; c->i++) {
    if (at_is(c, end)) {
      c->i += strlen(end);
      return 0;
    }
    if (bad && at_is(c, bad)) return fault(c, "\"--\" inside a comment");
  }
  return fault(c, unterminated);
}

/* A comment or a processing instruction at c->i; 1 when there is neither. */
static int xml_misc(cursor *c) {
  if (at_is(c, "<!--")) {
    c->i += 4;
    return xml_skip_to(c, "-->", "--", "an unterminated comment");
  }
  if (at_is(c, "<?")) {
    c->i += 2;
    if (xml_name(c) == 0) return fault(c, "a processing instruction without a target");
    return xml_skip_to(c, "?>", NULL, "an unterminated processing instruction");
  }
  return 1;
}

/* An attribute value at c->i (on its quote). */
static int xml_attr_value(cursor *c) {
  const unsigned char quote = c->s[c->i];
  if (quote != '"' && quote != '\'') return fault(c, "an attribute value without quotes");
  for (c->i++; c->i < c->n && c->s[c->i] != quote;) {
    if (c->s[c->i] == '<') return fault(c, "'<' in an attribute value");
    if (c->s[c->i] == '&') {
      if (xml_reference(c) < 0) return -1;
    } else {
      c->i++;
    }
  }
  if (c->i >= c->n) return fault(c, "an unterminated attribute value");
  c->i++;
  return 0;
}

/* A start tag's attributes, up to '>' (returns 0) or "/>" (returns 1). */
static int xml_attributes(cursor *c) {
  size_t names[ATTRS_MAX], lens[ATTRS_MAX];
  int count = 0;
  for (;;) {
    const size_t before = c->i;
    xml_ws(c);
    if (at_is(c, "/>")) {
      c->i += 2;
      return 1;
    }
    if (at_is(c, ">")) {
      c->i++;
      return 0;
    }
    if (c->i == before) return fault(c, "no space before an attribute");
    const size_t from = c->i, len = xml_name(c);
    if (len == 0) return fault(c, "a bad attribute name");
    for (int k = 0; k < count; k++)
      if (lens[k] == len && memcmp(c->s + names[k], c->s + from, len) == 0)
        return fault(c, "an attribute given twice");
    if (count == ATTRS_MAX) return fault(c, "more attributes than this checker takes");
    names[count] = from;
    lens[count++] = len;
    xml_ws(c);
    if (c->i >= c->n || c->s[c->i] != '=') return fault(c, "an attribute without '='");
    c->i++;
    xml_ws(c);
    if (c->i >= c->n || xml_attr_value(c) < 0) return fault(c, "an attribute without a value");
  }
}

/* The root element and everything in it, from its '<'. */
static int xml_element(cursor *c) {
  size_t open[DEPTH_MAX], open_len[DEPTH_MAX];
  int depth = 0;
  do {
    if (c->i >= c->n) return fault(c, "an element is not closed");
    const unsigned char ch = c->s[c->i];
    int rc;
    if (at_is(c, "</")) {
      c->i += 2;
      if (depth == 0) return fault(c, "an end tag with no element open");
      const size_t from = c->i, len = xml_name(c);
      if (len != open_len[depth - 1] || memcmp(c->s + from, c->s + open[depth - 1], len) != 0)
        return fault(c, "an end tag that does not match its start tag");
      xml_ws(c);
      if (!at_is(c, ">")) return fault(c, "an end tag not closed by '>'");
      c->i++;
      depth--;
    } else if (at_is(c, "<![CDATA[")) {
      c->i += 9;
      if (xml_skip_to(c, "]]>", NULL, "an unterminated CDATA section") < 0) return -1;
    } else if ((rc = xml_misc(c)) <= 0) {
      if (rc < 0) return -1;
    } else if (ch == '<') {
      c->i++;
      const size_t from = c->i, len = xml_name(c);
      if (len == 0) return fault(c, "'<' that starts no tag");
      if ((rc = xml_attributes(c)) < 0) return -1;
      if (rc == 0) {
        if (depth == DEPTH_MAX) return fault(c, "nested too deep");
        open[depth] = from;
        open_len[depth++] = len;
      }
    } else if (ch == '&') {
      if (xml_reference(c) < 0) return -1;
    } else if (at_is(c, "]]>")) {
      return fault(c, "\"]]>\" in text");
    } else {
      c->i++;
    }
  } while (depth > 0);
  return 0;
}

static int xml_document(cursor *c) {
  if (xml_chars(c) < 0) return -1;
  if (at_is(c, "<?xml") && c->n - c->i > 5 && xml_space(c->s[c->i + 5])) {
    c->i += 5;
    if (xml_skip_to(c, "?>", NULL, "an unterminated XML declaration") < 0) return -1;
  }
  int root = 0;
  for (;;) {
    xml_ws(c);
    if (c->i >= c->n) return root ? 0 : fault(c, "no root element");
    int rc = xml_misc(c);
    if (rc < 0) return -1;
    if (rc == 0) continue;
    if (root || c->s[c->i] != '<' || at_is(c, "<!"))
      return fault(c, root ? "text after the root element" : "text before the root element");
    if (xml_element(c) < 0) return -1;
    root = 1;
  }
}

int wf_xml(const char *s, size_t n, size_t *at, const char **why) {
  cursor c = {(const unsigned char *)s, n, 0, NULL};
  return finish(&c, xml_document(&c), at, why);
}
