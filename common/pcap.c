/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pcap.h"

#define PCAP_MAGIC_NSEC 0xa1b23c4du

static void put16(uint8_t *p, uint16_t v)
{
        memcpy(p, &v, sizeof(v)); /* host order, as put32() */
}

static void put32(uint8_t *p, uint32_t v)
{
        memcpy(p, &v, 4); /* host order: the magic, written the same way, tells the reader */
}

void vw_pcap_file_header(uint32_t linktype, uint8_t out[VW_PCAP_FILE_HEADER])
{
        put32(out, PCAP_MAGIC_NSEC);
        put16(out + 4, 2); /* version 2.4 */
        put16(out + 6, 4);
        put32(out + 8, 0);  /* thiszone: timestamps are UTC */
        put32(out + 12, 0); /* sigfigs */
        put32(out + 16, VW_PCAP_SNAPLEN);
        put32(out + 20, linktype);
}

size_t vw_pcap_record_header(uint64_t realtime_nsec, size_t len, uint8_t out[VW_PCAP_RECORD_HEADER])
{
        size_t caplen = len < VW_PCAP_SNAPLEN ? len : VW_PCAP_SNAPLEN;

        put32(out, (uint32_t)(realtime_nsec / 1000000000u));
        put32(out + 4, (uint32_t)(realtime_nsec % 1000000000u));
        put32(out + 8, (uint32_t)caplen);
        put32(out + 12, (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len));
        return caplen;
}

int vw_pcap_linktype_from_string(const char *s)
{
        if (strcasecmp(s, "raw") == 0)
                return VW_PCAP_LINKTYPE_RAW;
        if (strcasecmp(s, "ethernet") == 0 || strcasecmp(s, "ether") == 0 || strcasecmp(s, "eth") == 0)
                return VW_PCAP_LINKTYPE_ETHERNET;
        return -EINVAL;
}
