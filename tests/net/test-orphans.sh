#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The leftover-adapter doctor and vwire's own leftovers (issue 13):
#  - planted foreign orphans (a persistent tap made by `ip tuntap add`, a veth pair with one end
#    in a namespace no process is in) are reported with evidence and NOT deleted; --force deletes
#    exactly the one named, and only after the grace period;
#  - kill -9 vwired: its non-persistent adapter is gone with it, its persist = yes adapter stays,
#    is reported as vwire's own with a dead vwired, and the next vwired removes it at start.
. "$(dirname "$0")/lib.sh"
need_root_tun

TAP=vwot$TAG VA=vwova$TAG VB=vwovb$TAG AB=vwo-ab$TAG
ip tuntap add dev "$TAP" mode tap user 65534
LINKS+=("$TAP")
netns_add "$AB"
ip link add "$VA" type veth peer name "$VB" netns "$AB"
LINKS+=("$VA")

orphans() { "$VWIRECTL" net orphans --json "$@"; }
# field JSON NETNS IFNAME KEY: one orphan's field ("" when the adapter is not listed)
field() {
        python3 -c '
import json, sys
for o in json.loads(sys.argv[1]):
    if (o["netns"] or "") == sys.argv[2] and o["ifname"] == sys.argv[3]:
        v = o.get(sys.argv[4]); print("" if v is None else v); break' "$@"
}

j=$(orphans)
[ "$(field "$j" "" "$TAP" kind)" = tun ] || fail "the planted persistent tap is not reported: $j"
[ "$(field "$j" "" "$TAP" tun_type)" = tap ] || fail "not reported as a tap"
[ "$(field "$j" "" "$TAP" attached_queues)" = 0 ] || fail "evidence: queues"
[ "$(field "$j" "" "$TAP" owner_uid)" = 65534 ] || fail "evidence: owner uid"
[ "$(field "$j" "" "$TAP" vwire)" = False ] || fail "a foreign tap is called vwire's"
shows "namespace $AB, which no process is in" field "$j" "" "$VA" reason || fail "root end of the veth: $j"
shows "no process is in" field "$j" "$AB" "$VB" reason || fail "the veth end in $AB is not reported"
ok "foreign orphans reported with evidence"
"$VWIRECTL" net orphans >"$T/orphans.txt"
grep -q "^$TAP (tun, ifindex [0-9]*): persistent tap with nothing attached" "$T/orphans.txt" || fail "text: $(cat "$T/orphans.txt")"
grep -q "nothing was deleted" "$T/orphans.txt" || fail "text output does not say nothing was deleted"
ip link show "$TAP" >/dev/null && ip link show "$VA" >/dev/null && ip -n "$AB" link show "$VB" >/dev/null ||
        fail "listing deleted something"
ok "listing deletes nothing"

"$VWIRECTL" net orphans --force "$TAP" 2>"$T/young.err" && fail "--force deleted an adapter younger than the grace period"
grep -q "grace period" "$T/young.err" || fail "no grace-period refusal: $(cat "$T/young.err")"
"$VWIRECTL" net orphans --force lo 2>/dev/null && fail "--force lo was not refused"
ip link show lo >/dev/null || fail "lo is gone"
"$VWIRECTL" net orphans --grace 0 --force "$TAP" >"$T/force.txt" || fail "--force $TAP failed"
ip link show "$TAP" >/dev/null 2>&1 && fail "--force did not delete $TAP"
ip link show "$VA" >/dev/null && ip -n "$AB" link show "$VB" >/dev/null || fail "--force $TAP deleted the veth too"
"$VWIRECTL" net orphans --grace 0 --force "$AB/$VB" >/dev/null || fail "--force $AB/$VB failed"
ip link show "$VA" >/dev/null 2>&1 && fail "the veth pair is still there"
ok "--force deletes exactly the one named, after the grace period"

# vwire's own: kill -9, then the next start
cat >"$T/own.conf" <<CONF
[net keep]
ifname = vwok$TAG
type = tap
persist = yes
[net temp]
ifname = vwon$TAG
CONF
start_vwired d "$T/own.conf"
shows "persist on" ip -d link show "vwok$TAG" || fail "persist = yes is not persistent"
j=$(orphans)
[ -z "$(field "$j" "" "vwok$TAG" kind)" ] || fail "a running vwired's adapter is reported as an orphan"
[ -f "$T/d/rt/owned-netdevs/keep" ] || fail "persist = yes is not in the ledger"
kill -9 "$PID_d"
wait "$PID_d" 2>/dev/null || true
for _ in $(seq 50); do ip link show "vwon$TAG" >/dev/null 2>&1 || break; sleep 0.05; done
ip link show "vwon$TAG" >/dev/null 2>&1 && fail "the non-persistent adapter outlived kill -9"
ip link show "vwok$TAG" >/dev/null || fail "the persistent adapter did not survive kill -9"
LINKS+=("vwok$TAG")
j=$(orphans)
[ "$(field "$j" "" "vwok$TAG" vwire)" = True ] || fail "vwire's leftover is not reported as vwire's: $j"
shows "of \[net keep\], its vwired (pid $PID_d) is gone" field "$j" "" "vwok$TAG" reason || fail "reason: $j"
ok "kill -9: the non-persistent adapter is gone, the persistent one is reported as vwire's own"

cat >"$T/after.conf" <<CONF
[loopback x]
mode = echo
CONF
mv "$T/d.log" "$T/d-first.log"
start_vwired d "$T/after.conf"
ip link show "vwok$TAG" >/dev/null 2>&1 && fail "the next vwired did not remove the persistent leftover"
grep -q "removed persistent adapter vwok$TAG" "$T/d.log" || fail "no log line for the removal"
[ -e "$T/d/rt/owned-netdevs" ] && fail "the ledger record is still there"
ok "the next vwired removes its persistent leftover at start"
