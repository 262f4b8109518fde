/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "test-common.h"

int vw_test_run(Suite *s)
{
        SRunner *sr = srunner_create(s);
        int failed;

        /* CK_FORK from the environment wins; Check's default is to fork, which keeps cases independent. */
        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

TCase *vw_test_case(Suite *s, const char *name)
{
        TCase *tc = tcase_create(name);

        tcase_set_timeout(tc, 120);
        suite_add_tcase(s, tc);
        return tc;
}

uint64_t vw_test_rand(uint64_t *state)
{
        uint64_t x = *state ? *state : UINT64_C(0x9e3779b97f4a7c15);

        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        return x * UINT64_C(0x2545f4914f6cdd1d);
}

size_t vw_test_range(uint64_t *state, size_t lo, size_t hi)
{
        return lo + (size_t)(vw_test_rand(state) % (uint64_t)(hi - lo + 1));
}

uint64_t vw_test_fnv(uint64_t h, const void *data, size_t len)
{
        const uint8_t *p = data;

        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}
