/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#define ALIGN_TO(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))

#define TAKE_PTR(p)                      \
        ({                               \
                typeof(p) _tp_ = (p);    \
                (p) = NULL;              \
                _tp_;                    \
        })
#define TAKE_FD(fd)                      \
        ({                               \
                int _tf_ = (fd);         \
                (fd) = -1;               \
                _tf_;                    \
        })

/* clang-format off */
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(const int *fd) { if (*fd >= 0) close(*fd); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline int safe_close(int fd) { if (fd >= 0) close(fd); return -1; }
/* -errno after a failed call, never 0: a failure path must not return success */
static inline int negative_errno(void) { return errno > 0 ? -errno : -EIO; }
/* clang-format on */

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Define a NULL-safe cleanup helper for a type's destructor. */
/* NOLINTBEGIN(bugprone-macro-parentheses): type is a type name; (type) *p would be a cast */
#define DEFINE_CLEANUP(type, func)                                   \
        static inline void func##p(type *p) { if (*p) func(*p); }
/* NOLINTEND(bugprone-macro-parentheses) */

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

/* Set *err (if err is not NULL) to a formatted explanation, NULL when out of memory; returns -EINVAL. */
static inline int vw_errorf(char **err, const char *fmt, ...) _printf_(2, 3);
static inline int vw_errorf(char **err, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return -EINVAL;
        va_start(ap, fmt);
        if (vasprintf(err, fmt, ap) < 0)
                *err = NULL;
        va_end(ap);
        return -EINVAL;
}
