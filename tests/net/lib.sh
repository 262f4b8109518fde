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
