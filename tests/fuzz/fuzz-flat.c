/* SPDX-License-Identifier: MIT */
/*
 * proto/flat.c, the control server's fast way for flat calls: the input is one message (the
 * bytes before a NUL). Invariant (tests/flat-agree.c): a message the fast way takes is taken by
 * the general way too, with the same method, flags and parameter values; a parser reused for
 * the next message remembers nothing of this one. The fast way may decline anything.
 */
#include <stdbool.h>

#include "../flat-agree.h"
#include "flat.h"
#include "fuzz.h"

static struct vw_flat reused; /* as the server's: storage kept from input to input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vw_flat fresh = {};
        const char *why;
        bool taken, taken_fresh;

        why = vw_flat_disagreement(&reused, (const char *)data, size, &taken);
        if (why)
                fprintf(stderr, "the fast way and json-c disagree: %s\n", why);
        FUZZ_CHECK(!why);
        /* the same answer from a parser that never saw another message */
        why = vw_flat_disagreement(&fresh, (const char *)data, size, &taken_fresh);
        FUZZ_CHECK(!why);
        FUZZ_CHECK(taken == taken_fresh);
        vw_flat_done(&fresh);
        return 0;
}
