/* SPDX-License-Identifier: MIT */
/*
 * A peer's byte stream to a telnet end (codecs/telnet.c) with RFC 2217 on top (codecs/rfc2217.c),
 * as an access server or as a client. Byte 0: bit 0 picks the role, bits 1..7 the size of the
 * pieces the rest is fed in (0: one byte at a time, else 1..127). Invariants: the same stream fed
 * whole gives the same data, subnegotiations, commands and output as fed in pieces; what the end
 * sends parses without a malformed sequence; the data received, escaped and parsed again, is
 * itself; the server's settings stay in their ranges.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "rfc2217.h"
#include "telnet.h"

#define OUT_MAX (1u << 18) /* replies to 64 KiB of input fit */

struct end {
        struct vw_telnet t;
        struct vw_rfc2217_server s;
        struct vw_rfc2217_client c;
        bool server;
        uint8_t *out, *data;
        size_t n_out, n_data;
        uint64_t trace; /* FNV of subnegotiations, commands and option changes, in order */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ULL;
        return h;
}

static void append(uint8_t *buf, size_t *n, const uint8_t *p, size_t len)
{
        if (*n + len > OUT_MAX)
                len = OUT_MAX - *n;
        memcpy(buf + *n, p, len);
        *n += len;
}

static void send_cb(void *u, const uint8_t *p, size_t n)
{
        struct end *e = u;

        append(e->out, &e->n_out, p, n);
}

static void data_cb(void *u, const uint8_t *p, size_t n)
{
        struct end *e = u;

        append(e->data, &e->n_data, p, n);
}

static void command_cb(void *u, uint8_t cmd)
{
        struct end *e = u;

        e->trace = fnv(e->trace, &cmd, 1);
}

static void option_cb(void *u, uint8_t opt, bool remote, bool on)
{
        struct end *e = u;
        uint8_t b[3] = { opt, remote, on };

        e->trace = fnv(e->trace, b, 3);
        if (opt == VW_TELOPT_COM_PORT && on) {
                if (e->server) {
                        vw_rfc2217_server_start(&e->s);
                } else {
                        struct vw_rfc2217_port w;

                        vw_rfc2217_port_default(&w);
                        vw_rfc2217_client_start(&e->c, "fuzz", &w);
                }
        }
}

static void subneg_cb(void *u, uint8_t opt, const uint8_t *p, size_t n)
{
        struct end *e = u;

        e->trace = fnv(fnv(e->trace, &opt, 1), p, n);
        if (opt != VW_TELOPT_COM_PORT)
                return;
        if (e->server)
                vw_rfc2217_server_input(&e->s, p, n);
        else
                vw_rfc2217_client_input(&e->c, p, n);
}

static const struct vw_telnet_ops ops = {
        .send = send_cb,
        .data = data_cb,
        .command = command_cb,
        .option = option_cb,
        .subneg = subneg_cb,
};

static void cpo_send(void *u, const uint8_t *p, size_t n)
{
        struct end *e = u;

        vw_telnet_send_subneg(&e->t, VW_TELOPT_COM_PORT, p, n);
}

static void changed_cb(void *u, unsigned what)
{
        struct end *e = u;
        const struct vw_rfc2217_port *p = &e->s.port;

        FUZZ_CHECK(p->baud != 0);
        FUZZ_CHECK(p->datasize >= 5 && p->datasize <= 8);
        FUZZ_CHECK(p->parity >= 1 && p->parity <= 5);
        FUZZ_CHECK(p->stopsize >= 1 && p->stopsize <= 3);
        FUZZ_CHECK(p->flow >= 1 && p->flow <= 3);
        e->trace = fnv(e->trace, &what, sizeof(what));
}

static const struct vw_rfc2217_server_ops sops = { .send = cpo_send, .changed = changed_cb };
static const struct vw_rfc2217_client_ops cops = { .send = cpo_send };

static struct end *end_new(bool server)
{
        struct end *e = calloc(1, sizeof(*e));

        if (!e)
                abort();
        e->out = malloc(OUT_MAX);
        e->data = malloc(OUT_MAX);
        if (!e->out || !e->data)
                abort();
        e->server = server;
        vw_telnet_init(&e->t, &ops, e);
        vw_telnet_support(&e->t, VW_TELOPT_BINARY, true, true);
        vw_telnet_support(&e->t, VW_TELOPT_SGA, true, true);
        vw_telnet_support(&e->t, VW_TELOPT_COM_PORT, true, true);
        vw_rfc2217_server_init(&e->s, &sops, e, "fuzz");
        vw_rfc2217_client_init(&e->c, &cops, e);
        vw_telnet_request(&e->t, VW_TELOPT_BINARY, false, true);
        vw_telnet_request(&e->t, VW_TELOPT_BINARY, true, true);
        vw_telnet_request(&e->t, VW_TELOPT_COM_PORT, !server, true);
        return e;
}

static void end_free(struct end *e)
{
        free(e->out);
        free(e->data);
        free(e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct end *a, *b, *check;
        size_t piece, used;
        uint8_t *esc;
        bool server;

        if (size < 1 || size > 65536)
                return 0;
        server = data[0] & 1;
        piece = data[0] >> 1;
        data++;
        size--;
        a = end_new(server);
        b = end_new(server);
        for (size_t off = 0; off < size;) {
                size_t n = MIN(piece ? piece : 1, size - off);

                vw_telnet_input(&a->t, data + off, n);
                off += n;
        }
        vw_telnet_input(&b->t, data, size);
        FUZZ_CHECK(a->n_data == b->n_data && memcmp(a->data, b->data, a->n_data) == 0);
        FUZZ_CHECK(a->n_out == b->n_out && memcmp(a->out, b->out, a->n_out) == 0);
        FUZZ_CHECK(a->trace == b->trace);

        /* our own output is well formed */
        check = end_new(!server);
        check->n_out = 0;
        vw_telnet_input(&check->t, a->out, a->n_out);
        FUZZ_CHECK(check->t.stats.bad == 0);
        end_free(check);

        /* data escaped and parsed again (the peer in BINARY) is itself */
        esc = malloc(2 * a->n_data + 1);
        if (!esc)
                abort();
        check = end_new(server);
        vw_telnet_input(&check->t, (const uint8_t[]){ VW_TELNET_IAC, VW_TELNET_WILL, VW_TELOPT_BINARY }, 3);
        check->n_data = 0;
        vw_telnet_input(&check->t, esc, vw_telnet_escape(a->data, a->n_data, esc, 2 * a->n_data + 1, &used));
        FUZZ_CHECK(used == a->n_data);
        FUZZ_CHECK(check->n_data == a->n_data && memcmp(check->data, a->data, a->n_data) == 0);
        end_free(check);
        free(esc);
        end_free(a);
        end_free(b);
        return 0;
}
