/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the libFuzzer harnesses share. Each harness is one LLVMFuzzerTestOneInput() over a parser
 * of outside input, plus invariants checked with FUZZ_CHECK: a broken invariant aborts, so
 * libFuzzer saves the input as a crash like any sanitizer report.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                             \
        do {                                                                                         \
                if (!(cond)) {                                                                       \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

/* The input as a C string (fuzz data is not NUL-terminated; it stops at a NUL inside). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* Take the first byte as a selector; 0 on empty input. */
static inline uint8_t fuzz_take_byte(const uint8_t **data, size_t *size)
{
        uint8_t b;

        if (*size == 0)
                return 0;
        b = **data;
        (*data)++;
        (*size)--;
        return b;
}

static void fuzz_quiet_sink(int level, const char *msg, void *userdata)
{
        (void)level, (void)msg, (void)userdata;
}

/* Logging is noise at a million inputs a minute; errors the harness cares about it checks itself.
 * VWIRE_FUZZ_LOG=1 logs everything (debug level), to see why an input does what it does. */
static inline void fuzz_quiet(void)
{
        if (!getenv("VWIRE_FUZZ_LOG"))
                vw_log_set_sink(fuzz_quiet_sink, NULL);
        else
                vw_log_set_level(LOG_DEBUG);
}
