/* heap.h - private to src/: one binary min-heap, written once, for every priority
 * queue in mapo (the recipe's ready steps in written order, the event loop's timers,
 * the supplier's answers due).
 *
 * MAPO__HEAP_DEFINE(prefix, type, before, moved) defines static functions over an
 * array of `type` kept by the caller: prefix##_push(h, &n, item) (the array must have
 * room for n + 1), prefix##_pop(h, &n) (n >= 1), prefix##_remove(h, &n, i). `before(a,
 * b)` is nonzero when *a must come out first; `moved(h, i)` is called whenever an item
 * lands at index i (a no-op for heaps that never remove from the middle; the loop's
 * timers use it to know where they are, so a cancel costs O(log n)). Generated per
 * type rather than over void pointers: the comparison inlines and the loop's per-timer
 * cost stays a few nanoseconds.
 */
#ifndef MAPO_CORE_HEAP_H
#define MAPO_CORE_HEAP_H

#include <stddef.h>

#define MAPO__HEAP_NOT_MOVED(h, i) ((void)(h), (void)(i))

/* `type` is a type name, declared with (`type *h`, `const type e`): in parentheses it
 * would not compile. */
// NOLINTBEGIN(bugprone-macro-parentheses): a type name cannot be parenthesised
#define MAPO__HEAP_DEFINE(prefix, type, before, moved)                 \
  static inline void prefix##_sift_up(type *h, size_t i) {             \
    const type e = h[i];                                               \
    while (i > 0 && before(&e, &h[(i - 1) / 2])) {                     \
      h[i] = h[(i - 1) / 2];                                           \
      moved(h, i);                                                     \
      i = (i - 1) / 2;                                                 \
    }                                                                  \
    h[i] = e;                                                          \
    moved(h, i);                                                       \
  }                                                                    \
  static inline void prefix##_sift_down(type *h, size_t n, size_t i) { \
    const type e = h[i];                                               \
    for (;;) {                                                         \
      size_t c = 2 * i + 1;                                            \
      if (c >= n) break;                                               \
      if (c + 1 < n && before(&h[c + 1], &h[c])) c++;                  \
      if (!before(&h[c], &e)) break;                                   \
      h[i] = h[c];                                                     \
      moved(h, i);                                                     \
      i = c;                                                           \
    }                                                                  \
    h[i] = e;                                                          \
    moved(h, i);                                                       \
  }                                                                    \
  static inline void prefix##_push(type *h, size_t *n, type add) {     \
    h[*n] = add;                                                       \
    prefix##_sift_up(h, (*n)++);                                       \
  }                                                                    \
  static inline void prefix##_remove(type *h, size_t *n, size_t i) {   \
    if (i == --*n) return;                                             \
    h[i] = h[*n];                                                      \
    if (i > 0 && before(&h[i], &h[(i - 1) / 2]))                       \
      prefix##_sift_up(h, i);                                          \
    else                                                               \
      prefix##_sift_down(h, *n, i);                                    \
  }                                                                    \
  static inline type prefix##_pop(type *h, size_t *n) {                \
    const type top = h[0];                                             \
    prefix##_remove(h, n, 0);                                          \
    return top;                                                        \
  }
// NOLINTEND(bugprone-macro-parentheses)

#endif
