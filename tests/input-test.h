/* SPDX-License-Identifier: MIT */
#pragma once

/* What the input test suites share: comparing event sequences. */

#include <check.h>

#include "input-event.h"
#include "macro.h"

static inline void check_events(const struct vw_input_event *got, size_t n_got, const struct vw_input_event *want,
                                size_t n_want)
{
        for (size_t i = 0; i < MIN(n_got, n_want); i++)
                ck_assert_msg(got[i].type == want[i].type && got[i].code == want[i].code &&
                                      got[i].value == want[i].value && got[i].usec == want[i].usec,
                              "event %zu: got %u/%u/%d @%llu, want %u/%u/%d @%llu", i, got[i].type, got[i].code,
                              got[i].value, (unsigned long long)got[i].usec, want[i].type, want[i].code,
                              want[i].value, (unsigned long long)want[i].usec);
        ck_assert_uint_eq(n_got, n_want);
}
