/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Helpers shared by the Check suites: running a suite, a small deterministic PRNG (so a failing
 * random case reproduces), and a checksum for streams pushed through the buffer core.
 */

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Run every case of `s` and free it. Runs each case in its own process unless CK_FORK=no is set
 * (handy under gdb). Returns EXIT_SUCCESS or EXIT_FAILURE, for main() to return.
 */
int vw_test_run(Suite *s);

/* A test case added to `s`, with a timeout generous enough for valgrind and sanitizer builds. */
TCase *vw_test_case(Suite *s, const char *name);

/* xorshift64*: the same seed gives the same sequence on every run and platform. */
uint64_t vw_test_rand(uint64_t *state);
/* Uniform in [lo, hi] (inclusive). */
size_t vw_test_range(uint64_t *state, size_t lo, size_t hi);

/* FNV-1a 64, continued from `h` (start with VW_TEST_FNV_INIT). */
#define VW_TEST_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t vw_test_fnv(uint64_t h, const void *data, size_t len);

/* The byte at offset `i` of a test stream: a pattern that does not repeat with any short period. */
static inline uint8_t vw_test_pattern(uint64_t i)
{
        return (uint8_t)((i * 131u) ^ (i >> 8) ^ (i >> 16));
}
