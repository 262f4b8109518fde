/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "ledger.h"

int vw_ledger_write_entry(FILE *f, char type, bool confined, dev_t dev, ino_t ino, const char *path)
{
        fprintf(f, "%c %" PRIu64 " %" PRIu64 " ", confined ? toupper(type) : type, (uint64_t)dev, (uint64_t)ino);
        if (!strpbrk(path, "\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12"
                           "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f")) {
                fputs(path, f); /* the common case: nothing to escape */
                return fputc('\n', f) == EOF ? -EIO : 0;
        }
        for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
                if (*p == '\\')
                        fputs("\\\\", f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        }
        return fputc('\n', f) == EOF ? -EIO : 0;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decimal digits (no sign, no blanks) that fit in 64 bits, then one space; *p moves past them. */
static int parse_field(const char **p, uint64_t *ret)
{
        const char *s = *p;
        uint64_t v = 0;

        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        for (; isdigit((unsigned char)*s); s++) {
                unsigned d = (unsigned)(*s - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        if (*s != ' ')
                return -EINVAL;
        *p = s + 1;
        *ret = v;
        return 0;
}

/*
 * Exactly what vw_ledger_write_entry() writes. Not sscanf("%c %llu %llu %n"): that cannot report
 * an overflow and takes "-1", leading blanks and "l 1 2/a", and these records decide what vwired
 * deletes.
 */
int vw_ledger_parse_line(const char *line, struct vw_ledger_entry *ret)
{
        uint64_t dev, ino;
        char type = line[0];
        size_t o = 0;
        const char *p;

        if (type == 0 || line[1] != ' ')
                return -EINVAL;
        p = line + 2;
        if (parse_field(&p, &dev) < 0 || parse_field(&p, &ino) < 0)
                return -EINVAL;
        if ((uint64_t)(dev_t)dev != dev || (uint64_t)(ino_t)ino != ino)
                return -EINVAL;
        ret->confined = isupper((unsigned char)type);
        ret->type = (char)tolower((unsigned char)type);
        if (ret->type != 'l' && ret->type != 's')
                return -EINVAL;
        ret->dev = (dev_t)dev;
        ret->ino = (ino_t)ino;
        for (; *p; p++) {
                int c = (unsigned char)*p;
                if (c == '\\') {
                        if (p[1] == '\\') {
                                p++;
                        } else if (p[1] == 'x' && unhex(p[2]) >= 0 && unhex(p[3]) >= 0) {
                                c = unhex(p[2]) * 16 + unhex(p[3]);
                                p += 3;
                        } else {
                                return -EINVAL;
                        }
                }
                if (c == 0 || o + 1 >= sizeof(ret->path))
                        return -EINVAL;
                ret->path[o++] = (char)c;
        }
        ret->path[o] = 0;
        return ret->path[0] == '/' ? 0 : -EINVAL;
}

