/* wellformed.h - private to the fuzz harnesses: is a text strict JSON, is it well-formed
 * XML? Small checkers written for what mapo's writers emit (no external library: the
 * harnesses build from the sources alone). Each returns 0, or -1 with *at set to the
 * byte offset of the first fault and *why to a fixed phrase naming it. */
#ifndef MAPO_FUZZ_WELLFORMED_H
#define MAPO_FUZZ_WELLFORMED_H

#include <stddef.h>

/* One JSON value (RFC 8259), whitespace around it allowed, nothing else: strings valid
 * UTF-8 with no raw control character and only the escapes JSON has, numbers in JSON's
 * grammar, objects and arrays nested at most 256 deep. */
int wf_json(const char *s, size_t n, size_t *at, const char **why);

/* A well-formed XML 1.0 document: an optional <?xml ...?> declaration, comments, one
 * root element; tags that nest, names in ASCII name characters, every attribute quoted
 * and given once, only the five predefined entities and character references to XML
 * characters, no '<' in an attribute, no "]]>" in text, valid UTF-8 and only XML 1.0
 * characters throughout. */
int wf_xml(const char *s, size_t n, size_t *at, const char **why);

/* Plain text: valid UTF-8 and only XML 1.0 characters (no control character but tab,
 * newline and carriage return; no U+FFFE or U+FFFF). */
int wf_text(const char *s, size_t n, size_t *at, const char **why);

#endif
