/* SPDX-License-Identifier: MIT */
/*
 * common/ledger.c: records of <runtime>/owned-paths, which drive deletion at start-up.
 * The input is one line. Invariants: a record parsed and written back is one line that parses
 * to the same record; any absolute path written as a record comes back unchanged (escaping
 * cannot forge a second record or change the path).
 */
#include <stdbool.h>

#include "fuzz.h"
#include "ledger.h"

static char *write_record(const struct vw_ledger_entry *e, size_t *ret_len)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        FUZZ_CHECK(f);
        FUZZ_CHECK(vw_ledger_write_entry(f, e->type, e->confined, e->dev, e->ino, e->path) == 0);
        FUZZ_CHECK(fclose(f) == 0);
        /* exactly one line: the newline at the end and none inside */
        FUZZ_CHECK(len > 0 && text[len - 1] == '\n');
        FUZZ_CHECK(memchr(text, '\n', len - 1) == NULL);
        text[len - 1] = '\0';
        *ret_len = len - 1;
        return text;
}

static void check_same(const struct vw_ledger_entry *a, const struct vw_ledger_entry *b)
{
        FUZZ_CHECK(a->type == b->type);
        FUZZ_CHECK(a->confined == b->confined);
        FUZZ_CHECK(a->dev == b->dev);
        FUZZ_CHECK(a->ino == b->ino);
        FUZZ_CHECK(strcmp(a->path, b->path) == 0);
}

static void round_trip(const struct vw_ledger_entry *e)
{
        static struct vw_ledger_entry again;
        size_t len;
        char *line = write_record(e, &len);

        FUZZ_CHECK(vw_ledger_parse_line(line, &again) == 0);
        check_same(e, &again);
        free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* static: struct vw_ledger_entry holds a PATH_MAX buffer */
        static struct vw_ledger_entry e, w;
        char *line = fuzz_strndup(data, size);
        size_t n = strlen(line);

        if (vw_ledger_parse_line(line, &e) == 0) {
                FUZZ_CHECK(e.type == 'l' || e.type == 's');
                FUZZ_CHECK(e.path[0] == '/');
                FUZZ_CHECK(strlen(e.path) < sizeof(e.path));
                round_trip(&e);
        }

        /* the line itself as a path a client named */
        if (line[0] == '/' && n < sizeof(w.path)) {
                w = (struct vw_ledger_entry){ .type = size % 2 ? 's' : 'l', .confined = size % 3 == 0,
                                              .dev = n * 0x9e3779b97f4a7c15ull, .ino = ~(uint64_t)n };
                memcpy(w.path, line, n + 1);
                round_trip(&w);
        }
        free(line);
        return 0;
}
