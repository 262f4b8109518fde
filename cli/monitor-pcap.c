/* SPDX-License-Identifier: MIT */
/*
 * `vwirectl monitor NAME --pcap FILE`: the monitored packets as a pcap file (common/pcap.h),
 * instead of lines. The link type comes from the endpoint: Ethernet for a [net] tap, raw IP for
 * everything else (a tun, a UDP socket carrying a tun's packets). The file is opened by vwirectl,
 * with the rights of whoever runs it; "-" is standard output (vwirectl monitor a --pcap - |
 * tcpdump -r -). Every record is flushed at once, so the file is readable while it grows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "log.h"
#include "monitor-pcap.h"
#include "output.h"
#include "pcap.h"
#include "varlink.h"

static uint32_t linktype_of(struct ctl *c, const char *name)
{
        _cleanup_json_ json_object *p = NULL;
        json_object *req = json_object_new_object(), *ep, *details;
        const char *kind, *type;

        if (!req)
                return VW_PCAP_LINKTYPE_RAW;
        json_object_object_add(req, "name", json_object_new_string(name));
        if (ctl_call(c, VW_INTERFACE ".Show", req, false, &p, NULL) < 0 || !json_object_object_get_ex(p, "endpoint", &ep))
                return VW_PCAP_LINKTYPE_RAW;
        kind = ctl_get_string(ep, "kind");
        if (!kind || !streq(kind, "net") || !json_object_object_get_ex(ep, "details", &details))
                return VW_PCAP_LINKTYPE_RAW;
        type = ctl_get_string(details, "type");
        return type && streq(type, "tap") ? VW_PCAP_LINKTYPE_ETHERNET : VW_PCAP_LINKTYPE_RAW;
}

int monitor_pcap_open(struct ctl *c, const char *name)
{
        uint8_t hdr[VW_PCAP_FILE_HEADER];
        uint32_t linktype = linktype_of(c, name);

        c->pcap = streq(c->pcap_path, "-") ? stdout : fopen(c->pcap_path, "we");
        if (!c->pcap)
                return log_error_errno(errno, "cannot create %s", c->pcap_path);
        vw_pcap_file_header(linktype, hdr);
        if (fwrite(hdr, sizeof(hdr), 1, c->pcap) != 1 || fflush(c->pcap) != 0)
                return log_error_errno(errno, "cannot write %s", c->pcap_path);
        return 0;
}

int monitor_pcap_write(struct ctl *c, json_object *event)
{
        const char *hex = ctl_get_string(event, "hex");
        _cleanup_free_ unsigned char *data = NULL;
        uint8_t hdr[VW_PCAP_RECORD_HEADER];
        int64_t usec, lost;
        size_t n = 0, caplen;

        if (ctl_get_int(event, "lost", &lost) && lost > 0)
                log_warning("%" PRId64 " packet%s missing from %s: the monitor could not keep up", lost,
                            lost == 1 ? "" : "s", c->pcap_path);
        if (!hex)
                return 0;
        if (vw_hex_decode(hex, &data, &n) < 0) {
                log_error("vwired sent an event whose data is not hex");
                return CTL_ERR_PROTOCOL;
        }
        if (!ctl_get_int(event, "realtime_usec", &usec) || usec < 0) {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                usec = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        }
        caplen = vw_pcap_record_header((uint64_t)usec * 1000u, n, hdr);
        if (fwrite(hdr, sizeof(hdr), 1, c->pcap) != 1 || (caplen && fwrite(data, caplen, 1, c->pcap) != 1) ||
            fflush(c->pcap) != 0)
                return log_error_errno(errno, "cannot write %s", c->pcap_path);
        c->pcap_packets++;
        return 0;
}

void monitor_pcap_close(struct ctl *c)
{
        if (!c->pcap)
                return;
        if (c->pcap != stdout)
                fclose(c->pcap);
        c->pcap = NULL;
        log_info("%" PRIu64 " packet%s written to %s", c->pcap_packets, c->pcap_packets == 1 ? "" : "s",
                 c->pcap_path);
}
