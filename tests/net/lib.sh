# SPDX-License-Identifier: MIT
# Shared by the 'net' suite (tests/net/test-*.sh): root and /dev/net/tun or a loud skip, namespaces
# and vwired instances that are removed on every exit (failure, timeout's SIGTERM included).
set -euo pipefail

VWIRED=${VWIRE_TEST_VWIRED:?run through meson test --suite net}
VWIRECTL=${VWIRE_TEST_VWIRECTL:?run through meson test --suite net}
T=$(mktemp -d /tmp/vwnet.XXXXXX)
TAG=$$                  # in every name this run makes, so parallel runs and leftovers never collide
NETNS=()                # namespaces to delete at exit
LINKS=()                # links (in the root namespace) to delete at exit
PIDS=()                 # processes to kill at exit

skip() {
        local bar
        bar=$(printf '!%.0s' {1..78})
        printf '%s\nSKIPPED: %s\n%s\n' "$bar" "$*" "$bar"
        exit 77
}

need_root_tun() {
        [ "$(id -u)" -eq 0 ] || skip "the 'net' suite needs root: it creates network namespaces and tun/tap adapters (sudo meson test -C BUILD --suite net)"
        [ -c /dev/net/tun ] || skip "/dev/net/tun is missing (modprobe tun)"
        for tool in ip ping python3; do
                command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (tools/install-deps --test)"; exit 1; }
        done
}

cleanup() {
        local rc=$?
        for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
        for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
        for l in "${LINKS[@]}"; do ip link del "$l" 2>/dev/null || true; done
        for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
                for f in "$T"/*.log; do [ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }; done
        fi
        rm -rf "$T"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*"; exit 1; }
# shows PATTERN COMMAND...: does COMMAND's output match? (not "cmd | grep -q": under pipefail
# grep's early exit turns the writer's SIGPIPE into a failure)
shows() {
        local pattern=$1 out
        shift
        out=$("$@" 2>&1) || true
        grep -q -- "$pattern" <<<"$out"
}
ok() { echo "ok: $*"; }

netns_add() {
        ip netns add "$1"
        NETNS+=("$1")
        ip -n "$1" link set lo up
}

# start_vwired NAME CONFIG: vwired with its own runtime dir and socket; waits until it answers.
start_vwired() {
        local name=$1 conf=$2
        mkdir -p "$T/$name"
        "$VWIRED" --config "$conf" --runtime-dir "$T/$name/rt" --control-socket "$T/$name/ctl" \
                >"$T/$name.log" 2>&1 &
        PIDS+=($!)
        eval "PID_$name=$!"
        for _ in $(seq 100); do
                "$VWIRECTL" --socket "$T/$name/ctl" status >/dev/null 2>&1 && return 0
                kill -0 "$!" 2>/dev/null || fail "vwired $name exited: $(cat "$T/$name.log")"
                sleep 0.05
        done
        fail "vwired $name did not answer"
}

ctl() {
        local name=$1
        shift
        "$VWIRECTL" --socket "$T/$name/ctl" "$@"
}

# A free UDP/TCP port on 127.0.0.1 (bound and released: good enough for a test).
free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# tcp_stream_check SERVER_NS ADDR CLIENT_NS MIB: MIB MiB of random bytes over TCP from a client
# in CLIENT_NS to a server on ADDR:5001 in SERVER_NS; both ends hash, and they must agree.
tcp_stream_check() {
        local sns=$1 addr=$2 cns=$3 mib=$4 want n got server
        head -c $((mib << 20)) /dev/urandom >"$T/payload"
        want=$(sha256sum <"$T/payload" | cut -d' ' -f1)
        rm -f "$T/listening"
        ip netns exec "$sns" python3 -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], 5001)); s.listen(1); s.settimeout(30)
open(sys.argv[1], "w").write("listening")
c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())' "$T/listening" "$addr" >"$T/received" &
        server=$!
        PIDS+=($server)
        for _ in $(seq 100); do [ -s "$T/listening" ] && break; sleep 0.05; done
        ip netns exec "$cns" python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[2], 5001), timeout=30)
c.sendall(open(sys.argv[1], "rb").read()); c.shutdown(socket.SHUT_WR); c.recv(1)' "$T/payload" "$addr" ||
                fail "TCP client failed"
        wait "$server" || fail "TCP server failed"
        read -r n got <"$T/received"
        [ "$n" = $((mib << 20)) ] || fail "received $n bytes, sent $((mib << 20))"
        [ "$got" = "$want" ] || fail "SHA-256 differs: sent $want, received $got"
}
