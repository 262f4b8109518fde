/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "ledger.h"

int vw_ledger_write_entry(FILE *f, char type, bool confined, dev_t dev, ino_t ino, const char *path)
{
        fprintf(f, "%c %" PRIu64 " %" PRIu64 " ", confined ? toupper(type) : type, (uint64_t)dev, (uint64_t)ino);
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

int vw_ledger_parse_line(const char *line, struct vw_ledger_entry *ret)
{
        unsigned long long dev, ino;
        char type;
        int n = 0;
        size_t o = 0;
        const char *p;

        if (sscanf(line, "%c %llu %llu %n", &type, &dev, &ino, &n) != 3 || n == 0)
                return -EINVAL;
        ret->confined = isupper((unsigned char)type);
        ret->type = (char)tolower((unsigned char)type);
        if (ret->type != 'l' && ret->type != 's')
                return -EINVAL;
        ret->dev = (dev_t)dev;
        ret->ino = (ino_t)ino;
        for (p = line + n; *p; p++) {
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

