/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The classic pcap file format with nanosecond timestamps (magic 0xa1b23c4d, version 2.4, host
 * byte order as the magic tells readers), which tcpdump, tshark and Wireshark read. Pure byte
 * layout: callers write the bytes where they like (a nonblocking fd in [file], stdio in
 * vwirectl). Our own ~40 lines instead of libpcap's pcap_dump(): that one writes through a
 * blocking FILE * of a pcap_t, which vwired's loop cannot use, and it would add a library to
 * both vwired and vwirectl for two fixed headers.
 */

#include <stddef.h>
#include <stdint.h>

#define VW_PCAP_LINKTYPE_ETHERNET 1
#define VW_PCAP_LINKTYPE_RAW 101 /* an IPv4 or IPv6 packet, no link header: what a tun carries */
#define VW_PCAP_FILE_HEADER 24
#define VW_PCAP_RECORD_HEADER 16
#define VW_PCAP_SNAPLEN 262144u

void vw_pcap_file_header(uint32_t linktype, uint8_t out[VW_PCAP_FILE_HEADER]);
/* A record of len bytes (all of them captured, up to VW_PCAP_SNAPLEN) seen at realtime_nsec. */
size_t vw_pcap_record_header(uint64_t realtime_nsec, size_t len, uint8_t out[VW_PCAP_RECORD_HEADER]);
/* "raw", "ethernet" (also "ether", "eth") -> linktype; -EINVAL for anything else. */
int vw_pcap_linktype_from_string(const char *s);
