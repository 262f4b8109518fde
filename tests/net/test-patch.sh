#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A software patch cable (issue 13): two taps in two namespaces joined by one duplex route, no
# socket in between. IPv4 needs ARP across it and IPv6 neighbour discovery: both must resolve the
# other side's MAC, and ping must work both ways.
. "$(dirname "$0")/lib.sh"
need_root_tun

A=vwc-a$TAG B=vwc-b$TAG
netns_add "$A"
netns_add "$B"
cat >"$T/patch.conf" <<CONF
[net a]
type = tap
ifname = vwca$TAG
netns = $A
mac = 02:00:00:00:0a:01
address = 10.80.0.1/24 fd80::1/64
[net b]
type = tap
ifname = vwcb$TAG
netns = $B
mac = 02:00:00:00:0b:01
address = 10.80.0.2/24 fd80::2/64
[route cable]
from = a
to = b
duplex = yes
CONF
start_vwired d "$T/patch.conf"
shows "02:00:00:00:0a:01" ip -n "$A" link show "vwca$TAG" || fail "mac = was not set"

ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.80.0.2 >"$T/ping4.log" || fail "ping a -> b over IPv4: $(cat "$T/ping4.log")"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.80.0.1 >"$T/ping4b.log" || fail "ping b -> a over IPv4"
shows "10.80.0.2 .*lladdr 02:00:00:00:0b:01" ip -n "$A" neigh show dev "vwca$TAG" || fail "ARP did not resolve b: $(ip -n "$A" neigh)"
ok "ARP across the cable, ping both ways"

for _ in $(seq 40); do
        shows tentative ip -n "$A" addr show "vwca$TAG" || shows tentative ip -n "$B" addr show "vwcb$TAG" || break
        sleep 0.1
done
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd80::2 >"$T/ping6.log" || fail "ping -6 a -> b: $(cat "$T/ping6.log")"
shows "fd80::2 .*lladdr 02:00:00:00:0b:01" ip -n "$A" -6 neigh show dev "vwca$TAG" ||
        fail "neighbour discovery did not resolve b: $(ip -n "$A" -6 neigh)"
ok "IPv6 neighbour discovery across the cable"
