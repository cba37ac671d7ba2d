/* mapo/error.h - one table of error codes for the whole library.
 *
 * Every library function returns 0 (or a count) on success and a negative code on
 * failure. mapo's own codes come from the table below; a failed system call returns
 * the negative errno (-ENOENT, -ENOMEM, ...), as libuv does. mapo_strerror() and
 * mapo_err_name() understand both. The library never prints, exits or aborts.
 */
#ifndef MAPO_ERROR_H
#define MAPO_ERROR_H

/* XX(name, code, message) */
#define MAPO_ERR_MAP(XX)                                                                    \
  XX(INVAL, -1001, "invalid argument")                                                      \
  XX(PARSE, -1002, "malformed recipe")                                                      \
  XX(LIMIT, -1003, "limit exceeded")                                                        \
  XX(CYCLE, -1004, "the recipe's steps depend on each other in a cycle")                    \
  XX(SHAPE, -1005, "this model cannot express the recipe")                                  \
  XX(EMPTY, -1006, "empty recipe")                                                          \
  XX(VERIFY, -1007, "result did not verify")                                                \
  XX(THREADS, -1008, "cannot start the threads asked for (a limit on processes or memory)") \
  XX(KITCHEN, -1009, "the cooking model broke a kitchen rule")

typedef enum {
#define MAPO__ERR_ENUM(name, code, msg) MAPO_E##name = (code),
  MAPO_ERR_MAP(MAPO__ERR_ENUM)
#undef MAPO__ERR_ENUM
} mapo_err;

/* A message for any code this library returns (mapo's own or -errno). */
const char *mapo_strerror(int err);
/* The symbolic name: "MAPO_EPARSE", "ENOENT". */
const char *mapo_err_name(int err);

#endif
