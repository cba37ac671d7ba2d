/* error.c - messages and names for the one error table in mapo/error.h. */
#include <errno.h>
#include <string.h>

#include "mapo/error.h"

const char *mapo_strerror(int err) {
  switch (err) {
#define MAPO__ERR_MSG(name, code, msg) \
  case (code): return (msg);
    MAPO_ERR_MAP(MAPO__ERR_MSG)
#undef MAPO__ERR_MSG
  }
  if (err < 0 && err > -4096) return strerror(-err);
  return "unknown error";
}

const char *mapo_err_name(int err) {
  switch (err) {
#define MAPO__ERR_NAME(name, code, msg) \
  case (code): return "MAPO_E" #name;
    MAPO_ERR_MAP(MAPO__ERR_NAME)
#undef MAPO__ERR_NAME
  case -ENOENT: return "ENOENT";
  case -ENOMEM: return "ENOMEM";
  case -EACCES: return "EACCES";
  case -EISDIR: return "EISDIR";
  case -EINVAL: return "EINVAL";
  case -EIO: return "EIO";
  }
  return "UNKNOWN";
}
