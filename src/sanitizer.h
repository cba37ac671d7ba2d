/* sanitizer.h - private to src/: whether this is a ThreadSanitizer build, and TSan's
 * mutex annotations (sanitizer/tsan_interface.h), which compile to nothing elsewhere. */
#ifndef MAPO_SANITIZER_H
#define MAPO_SANITIZER_H

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MAPO_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define MAPO_TSAN 1
#endif

#ifdef MAPO_TSAN
#include <sanitizer/tsan_interface.h>
#else
#define __tsan_mutex_create(m, f) ((void)0)
#define __tsan_mutex_destroy(m, f) ((void)0)
#define __tsan_mutex_pre_lock(m, f) ((void)0)
#define __tsan_mutex_post_lock(m, f, r) ((void)0)
#define __tsan_mutex_pre_unlock(m, f) ((void)0)
#define __tsan_mutex_post_unlock(m, f) ((void)0)
#define __tsan_mutex_try_lock 0
#define __tsan_mutex_try_lock_failed 0
#endif

#endif
