#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The headline of issue 13: two network namespaces, each with a vwire tun, joined by a UDP route
# through vwired (tun a <-> udp listen <-> udp connect <-> tun b). ping both ways, IPv4 and IPv6,
# then an 8 MiB TCP stream across the tunnel whose SHA-256 must arrive intact.
. "$(dirname "$0")/lib.sh"
need_root_tun

A=vwt-a$TAG B=vwt-b$TAG
netns_add "$A"
netns_add "$B"
PORT=$(free_port)
cat >"$T/tunnel.conf" <<CONF
[net a]
ifname = vwta$TAG
netns = $A
address = 10.77.0.1/24 fd77::1/64
[net b]
ifname = vwtb$TAG
netns = $B
address = 10.77.0.2/24 fd77::2/64
[socket ua]
listen = udp:127.0.0.1:$PORT
[socket ub]
connect = udp:127.0.0.1:$PORT
[route ra]
from = a
to = ua
duplex = yes
[route rb]
from = b
to = ub
duplex = yes
CONF
start_vwired d "$T/tunnel.conf"

shows "alias vwire:a pid=" ip -n "$A" -d link show "vwta$TAG" || fail "adapter a has no vwire mark"
shows "10.77.0.1/24" ip -n "$A" addr show "vwta$TAG" || fail "adapter a has no 10.77.0.1/24"
ip link show "vwta$TAG" >/dev/null 2>&1 && fail "adapter a is in the root namespace too"
shows "details.ifname: *vwta$TAG" ctl d show a || fail "vwirectl show a: no ifname"

# b speaks first, so the listening side learns its peer; then both ways must be loss-free
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.77.0.1 >"$T/ping-b.log" || fail "ping b -> a: $(cat "$T/ping-b.log")"
ip netns exec "$A" ping -c 5 -i 0.2 -W 2 10.77.0.2 >"$T/ping-a.log" || fail "ping a -> b"
grep -q " 0% packet loss" "$T/ping-a.log" || fail "ping a -> b lost packets: $(tail -2 "$T/ping-a.log")"
ip netns exec "$B" ping -c 5 -i 0.2 -W 2 10.77.0.1 >"$T/ping-b.log" || fail "ping b -> a"
grep -q " 0% packet loss" "$T/ping-b.log" || fail "ping b -> a lost packets"
ok "ping both ways over IPv4"
for _ in $(seq 40); do  # IPv6 addresses are usable after duplicate address detection
        shows tentative ip -n "$A" addr show "vwta$TAG" || shows tentative ip -n "$B" addr show "vwtb$TAG" || break
        sleep 0.1
done
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd77::2 >"$T/ping6.log" || fail "ping -6 a -> b: $(cat "$T/ping6.log")"
ok "ping over IPv6"

# 8 MiB of random bytes over TCP, checksummed on both ends
tcp_stream_check "$B" 10.77.0.2 "$A" 8
ok "8 MiB TCP stream across the tunnel, SHA-256 intact"

shows "details.peer" ctl d show ua || fail "the listening UDP endpoint never learned its peer"
kill "$PID_d"
wait "$PID_d" || true
ip netns exec "$A" ip link show "vwta$TAG" >/dev/null 2>&1 && fail "adapter a outlived vwired"
ok "adapters gone with vwired"
