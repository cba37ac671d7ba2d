/* text.c - UTF-8 and decimal numbers, checked where text enters mapo (mapo/text.h).
 *
 * Notice that validation follows RFC 3629's table byte by byte: the second byte's
 * range depends on the first (E0 A0.., ED ..9F, F0 90.., F4 ..8F), which is what
 * rules out overlong forms, surrogates and code points above U+10FFFF.
 */
#include "mapo/text.h"

#include <string.h>

static int is_cont(unsigned char c) { return c >= 0x80 && c <= 0xbf; }

int mapo_utf8_char(const char *s, size_t n, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)s;
  if (n == 0) return 0;
  unsigned char c = p[0];
  int len = 0;
  unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
  uint32_t v = 0;
  if (c < 0x80) {
    if (cp != NULL) *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    v = c & 0x1fu;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    v = c & 0x0fu;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    v = c & 0x07u;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (n < (size_t)len || p[1] < lo || p[1] > hi) return 0;
  for (int i = 1; i < len; i++) {
    if (!is_cont(p[i])) return 0;
    v = (v << 6) | (p[i] & 0x3fu);
  }
  if (cp != NULL) *cp = v;
  return len;
}

size_t mapo_utf8_valid(const char *s, size_t n) {
  size_t at = 0;
  while (at < n) {
    int len = mapo_utf8_char(s + at, n - at, NULL);
    if (len == 0) break;
    at += (size_t)len;
  }
  return at;
}

int mapo_utf8_cut(const char *s, size_t max) {
  size_t n = strnlen(s, max + 1);
  if (n > max) {
    /* s[max] is the first byte left out: while it continues a character, that
     * character's start is left out too. */
    n = max;
    for (int back = 0; back < 3 && n > 0 && is_cont((unsigned char)s[n]); back++) n--;
  }
  return n > (size_t)0x7fffffff ? 0x7fffffff : (int)n;
}

void mapo_utf8_trim(char *s) {
  size_t n = strlen(s), k = n;
  for (int back = 0; back < 3 && k > 0 && is_cont((unsigned char)s[k - 1]); back++) k--;
  if (k == 0) return;
  k--; /* the last byte that is not a continuation: ASCII or a character's first byte */
  if ((unsigned char)s[k] >= 0xc0 && mapo_utf8_char(s + k, n - k, NULL) != (int)(n - k))
    s[k] = '\0';
}

static const char *digits(const char *s) {
  const char *p = s;
  while (*p >= '0' && *p <= '9') p++;
  return p;
}

int mapo_is_decimal(const char *s, int whole) {
  const char *p = s;
  if (*p == '-') p++;
  const char *after = digits(p);
  int any = after > p;
  p = after;
  if (whole) return any && *p == '\0';
  if (*p == '.') {
    after = digits(p + 1);
    any |= after > p + 1;
    p = after;
  }
  if (!any) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '-' || *p == '+') p++;
    after = digits(p);
    if (after == p) return 0;
    p = after;
  }
  return *p == '\0';
}
