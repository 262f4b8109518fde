/* SPDX-License-Identifier: MIT */
/*
 * proto/audio-proto.c: one packet as the ALSA plugin or vwired receives it from the other end
 * of an audio cable's socket. The input is the packet.
 *
 * Invariants: a packet that decodes has a known type and printable, terminated strings; encoded
 * again it is the same bytes (one encoding per message: reserved bytes are zero, nothing
 * trails); a packet of another version decodes to -EPROTO with its version, and a package name
 * only from a well-formed VERSION; nothing else is accepted. The same bytes, as a plugin file,
 * yield a version mark only when it is printable and bounded.
 */
#include <errno.h>
#include <string.h>

#include "audio-proto.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

static void check_str(const char *s, size_t size)
{
        size_t len = strnlen(s, size);

        FUZZ_CHECK(len < size);
        for (size_t i = 0; i < len; i++)
                FUZZ_CHECK(s[i] >= 0x20 && s[i] <= 0x7e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vw_audio_msg m, again;
        uint8_t buf[VW_AUDIO_MSG_MAX];
        char version[VW_AUDIO_VERSION_MAX + 1];
        unsigned protocol = 0;
        int r = vw_audio_msg_decode(data, size, &m), len;

        /* the same bytes as a plugin file that doctor looks for its version mark in */
        if (vw_audio_plugin_id_find(data, size, version, &protocol) == 0) {
                check_str(version, sizeof(version));
                FUZZ_CHECK(version[0] != '\0' && protocol <= 65535);
        }

        check_str(m.cable, sizeof(m.cable));
        check_str(m.program, sizeof(m.program));
        check_str(m.package, sizeof(m.package));
        check_str(m.message, sizeof(m.message));
        if (r == -EPROTO) {
                FUZZ_CHECK(m.version != VW_AUDIO_PROTOCOL);
                FUZZ_CHECK(m.type == VW_AUDIO_VERSION || m.package[0] == '\0');
                return 0;
        }
        FUZZ_CHECK(r == 0 || r == -EBADMSG);
        if (r < 0)
                return 0;
        FUZZ_CHECK(m.type < _VW_AUDIO_MSG_MAX && m.version == VW_AUDIO_PROTOCOL);
        if (m.type == VW_AUDIO_HELLO)
                FUZZ_CHECK(vw_audio_name_is_valid(m.cable) && m.stream <= VW_AUDIO_CAPTURE);
        len = vw_audio_msg_encode(&m, buf, sizeof(buf));
        FUZZ_CHECK(len > 0);
        FUZZ_CHECK((size_t)len == size && memcmp(buf, data, size) == 0);
        FUZZ_CHECK(vw_audio_msg_decode(buf, (size_t)len, &again) == 0);
        FUZZ_CHECK(memcmp(&m, &again, sizeof(m)) == 0);
        return 0;
}
