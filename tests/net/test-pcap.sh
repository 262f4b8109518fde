#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Capture (issue 13): two tuns in two namespaces joined by a patch cable (a duplex route between
# the adapters), a [file] format = pcap capture on a route from both, and
# `vwirectl monitor a --pcap FILE`. tcpdump and tshark must read both files and find exactly the
# 2 x 5 ICMP packets of `ping -c 5`, and as many records in the [file] as the endpoint says it
# wrote; capinfos must see raw IP and nanosecond timestamps.
. "$(dirname "$0")/lib.sh"
need_root_tun
for tool in tcpdump tshark capinfos; do
        command -v "$tool" >/dev/null || fail "$tool is missing (tools/install-deps --test)"
done

A=vwp-a$TAG B=vwp-b$TAG
netns_add "$A"
netns_add "$B"
cat >"$T/pcap.conf" <<CONF
[net a]
ifname = vwpa$TAG
netns = $A
address = 10.79.0.1/24
[net b]
ifname = vwpb$TAG
netns = $B
address = 10.79.0.2/24
[file cap]
mode = capture
path = $T/cap.pcap
format = pcap
linktype = raw
[route cable]
from = a
to = b
duplex = yes
[route tocap]
from = a b
to = cap
CONF
start_vwired d "$T/pcap.conf"

"$VWIRECTL" --socket "$T/d/ctl" monitor a --pcap "$T/mon.pcap" 2>"$T/monitor.log" &
PIDS+=($!)
mon=$!
for _ in $(seq 100); do [ -s "$T/mon.pcap" ] && break; sleep 0.05; done
sleep 0.2
ip netns exec "$A" ping -c 5 -i 0.2 -W 2 10.79.0.2 >"$T/ping.log" || fail "ping over the patch cable: $(cat "$T/ping.log")"
grep -q " 0% packet loss" "$T/ping.log" || fail "ping lost packets"
sleep 0.3
kill -INT "$mon"
wait "$mon" || fail "vwirectl monitor --pcap exited with $?: $(cat "$T/monitor.log")"

for f in cap mon; do
        tcpdump -n -r "$T/$f.pcap" icmp >"$T/$f.txt" 2>"$T/$f.err" || fail "tcpdump cannot read $f.pcap: $(cat "$T/$f.err")"
        n=$(grep -c "ICMP echo" "$T/$f.txt" || true)
        [ "$n" -eq 10 ] || fail "$f.pcap: $n ICMP echo packets, want 10: $(cat "$T/$f.txt")"
        [ "$(grep -c "ICMP echo request" "$T/$f.txt")" -eq 5 ] || fail "$f.pcap: not 5 requests"
done
ok "tcpdump reads 10 ICMP echo packets from the [file] capture and from monitor --pcap"
for f in cap mon; do
        # (as root tshark warns on stderr that it runs as root: kept apart from the count)
        n=$(tshark -n -r "$T/$f.pcap" -Y "icmp.type == 8 || icmp.type == 0" -T fields -e frame.number 2>"$T/$f.tshark.err" | wc -l)
        [ "$n" -eq 10 ] || fail "tshark: $f.pcap: $n ICMP echo packets, want 10: $(cat "$T/$f.tshark.err")"
        info=$(capinfos -E -i "$T/$f.pcap" 2>&1) || fail "capinfos cannot read $f.pcap: $info"
        grep -q "Raw IP" <<<"$info" || fail "capinfos: $f.pcap is not raw IP: $info"
        info=$(capinfos -a "$T/$f.pcap" 2>&1)
        grep -Eq "[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}" <<<"$info" || fail "capinfos: $f.pcap: no nanosecond times: $info"
done
ok "tshark reads the same 10 packets; capinfos sees raw IP with nanosecond times"
grep -q "link-type RAW" "$T/cap.err" || fail "cap.pcap is not LINKTYPE_RAW: $(cat "$T/cap.err")"

total=$(tcpdump -n -r "$T/cap.pcap" 2>/dev/null | wc -l)
packets=$(ctl d show cap | sed -n 's/^details.packets: *//p')
[ "$total" -eq "$packets" ] || fail "tcpdump counts $total records, the capture wrote $packets"
ok "every record of the [file] capture is readable ($total)"
# nanosecond timestamps: the reader sees them as such
nano=$(tcpdump -n --time-stamp-precision=nano -r "$T/cap.pcap" 2>/dev/null)
grep -Eq '^[0-9:]+\.[0-9]{9} ' <<<"$nano" || fail "no nanosecond timestamps"
ok "nanosecond timestamps"
