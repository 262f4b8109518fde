#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tap <-> SLIP over PTYs (issue 13): each namespace's tap is routed through the slip-encode and
# slip-decode converters to a vwire PTY; the two PTYs are joined by socat as a null-modem cable
# in raw mode, so the framed packets cross two real tty line disciplines. ARP and ping must
# work across, and a route carrying KISS must work the same way.
. "$(dirname "$0")/lib.sh"
need_root_tun
command -v socat >/dev/null || fail "socat is missing (tools/install-deps --test)"

for framing in slip kiss; do
        A=vws-a$framing$TAG B=vws-b$framing$TAG
        netns_add "$A"
        netns_add "$B"
        cat >"$T/$framing.conf" <<CONF
[net a]
type = tap
ifname = vws${framing:0:1}a$TAG
netns = $A
mac = 02:00:00:00:1a:01
address = 10.81.0.1/24
[net b]
type = tap
ifname = vws${framing:0:1}b$TAG
netns = $B
mac = 02:00:00:00:1b:01
address = 10.81.0.2/24
[serial pa]
backend = pty
path = $T/pa-$framing
[serial pb]
backend = pty
path = $T/pb-$framing
[route a-out]
from = a
to = pa
convert = $framing-encode
[route a-in]
from = pa
to = a
convert = $framing-decode
[route b-out]
from = b
to = pb
convert = $framing-encode
[route b-in]
from = pb
to = b
convert = $framing-decode
CONF
        start_vwired "d$framing" "$T/$framing.conf"
        socat "$T/pa-$framing,raw,echo=0" "$T/pb-$framing,raw,echo=0" 2>"$T/socat-$framing.log" &
        PIDS+=($!)
        sleep 0.3
        ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.81.0.2 >"$T/ping-$framing.log" ||
                fail "$framing: ping across the PTYs: $(cat "$T/ping-$framing.log")"
        shows "10.81.0.2 .*lladdr 02:00:00:00:1b:01" ip -n "$A" neigh show || fail "$framing: ARP did not resolve"
        ip netns exec "$B" ping -c 3 -i 0.2 -W 2 -s 1400 10.81.0.1 >"$T/ping-$framing-b.log" ||
                fail "$framing: ping b -> a with 1400-byte packets"
        ok "$framing: tap <-> $framing over a PTY pair: ARP and ping both ways"
done
