#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
cuse-trace.py: the FUSE requests of CUSE round trips, one line each, from an strace log of vwired.

Run bench-serial.py with vwired under strace (in the project's VM, tests/vm/README.md):

  tests/vm/vm-run --timeout 1500 -- sh -c '/usr/bin/python3 bench/bench-serial.py --only cuse \\
      --no-throughput --pings 300 --warmup 50 --runs 1 --client poll-first \\
      --attach "strace -f -ttt -xx -s 64 -e trace=read,writev,epoll_wait -o /tmp/cuse.strace -p {pid}" \\
      && /usr/bin/python3 bench/cuse-trace.py /tmp/cuse.strace'

A round trip starts at a WRITE on the port the pinger writes to (end A: the first port that
gets a WRITE) and ends at the next one. Prints the last --show round trips as a timeline
(microseconds from the WRITE; the port: A or B; the request, its answer, poll notifications and
the loop's epoll_wait returns) and, over all round trips, the mean count of each. strace stops
vwired at every system call, so the times show the order and the gaps, not real costs.
Standard library only.
"""

import argparse
import re
import struct
import sys
from collections import Counter

OPS = {14: "OPEN", 15: "READ", 16: "WRITE", 18: "RELEASE", 25: "FLUSH", 36: "INTERRUPT", 39: "IOCTL", 40: "POLL"}
HEX = r'"((?:\\x[0-9a-f]{2})*)"(?:\.\.\.)?'
LINE = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\d+\.\d+)\s+(.*)$")
RD = re.compile(r"^read\((\d+), " + HEX + r", \d+\) = (\d+)")
WV = re.compile(r"^writev\((\d+), \[\{iov_base=" + HEX + r", iov_len=\d+\}.*\], \d+\) = (\d+)")
EP = re.compile(r"^epoll_wait\(.*\) = (\d+)")


def unhex(h):
    return bytes(int(h[i + 2:i + 4], 16) for i in range(0, len(h), 4))


def events(path):
    """(time, kind, fd, text) for every FUSE request, reply, notification and loop wake-up."""
    pending = {}
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.strip())
            if not m:
                continue
            t, call = float(m.group(1)), m.group(2)
            r = RD.match(call)
            if r:
                b = unhex(r.group(2))
                if len(b) < 40:
                    continue
                _, op, uniq = struct.unpack_from("<IIQ", b)
                name = OPS.get(op, f"op{op}")
                pending[(r.group(1), uniq)] = name
                yield t, "req", r.group(1), name
                continue
            w = WV.match(call)
            if w:
                b = unhex(w.group(2))
                if len(b) < 16:
                    continue
                _, err, uniq = struct.unpack_from("<IiQ", b)
                if uniq == 0:
                    yield t, "notify", w.group(1), "NOTIFY_POLL"
                    continue
                name = pending.pop((w.group(1), uniq), "?")
                size = int(w.group(3)) - 16
                yield t, "reply", w.group(1), f"{name} -> " + (f"error {-err}" if err else f"{size} B")
                continue
            e = EP.match(call)
            if e and int(e.group(1)) > 0:
                yield t, "wake", "-", "epoll_wait returns"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("strace_log")
    ap.add_argument("--show", type=int, default=2, help="round trips to print in full (default: 2)")
    args = ap.parse_args()

    evs = list(events(args.strace_log))
    port_a = next((fd for _, kind, fd, what in evs if kind == "req" and what == "WRITE"), None)
    if port_a is None:
        sys.exit("cuse-trace.py: no WRITE request in the log")
    trips, cur = [], None
    for ev in evs:
        if ev[1] == "req" and ev[3] == "WRITE" and ev[2] == port_a:
            if cur:
                trips.append(cur)
            cur = []
        if cur is not None:
            cur.append(ev)
    trips = trips[5:]  # the first ones are still the warm-up's start
    if not trips:
        sys.exit("cuse-trace.py: fewer than 6 round trips in the log")
    names = {port_a: "A"}
    for t in trips:
        for _, kind, fd, _ in t:
            if fd not in ("-", port_a):
                names.setdefault(fd, "B")
    for t in trips[-args.show:]:
        t0 = t[0][0]
        print("round trip:")
        for ts, kind, fd, what in t:
            print(f"  {1e6 * (ts - t0):9.0f} us  {names.get(fd, ' '):1s}  {kind:6s} {what}")
    counts = Counter()
    for t in trips:
        for _, kind, fd, what in t:
            key = f"{kind} {what.split(' ->')[0]}" if kind != "reply" else f"reply {what}"
            counts[(names.get(fd, "-"), key)] += 1
    print(f"\nper round trip, mean over {len(trips)}:")
    for (port, key), n in sorted(counts.items(), key=lambda kv: (kv[0][1].split()[0], kv[0])):
        print(f"  {port}  {key:32s} {n / len(trips):6.2f}")


if __name__ == "__main__":
    main()
