#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-net.py: a tun <-> UDP <-> tun tunnel between two network namespaces, through vwired and
through socat, side by side in one run (issue 13's benchmark).

Both setups build the same path: namespace A holds tun adapter 10.<n>.0.1/24, namespace B holds
10.<n>.0.2/24; every packet A's stack sends into its tun is read by a userspace process in the
root namespace, sent as one UDP datagram over 127.0.0.1 to the other side's socket, and written
into B's tun (and back). MTU 1500 on both, no packet-information header (IFF_NO_PI) on both.

  vwire  one vwired: [net a] netns=A, [net b] netns=B, [socket ua] listen = udp:127.0.0.1:P,
         [socket ub] connect = udp:127.0.0.1:P, duplex routes a<->ua and b<->ub.
  socat  two socat processes, as a user would write it:
           socat TUN,tun-name=X,iff-no-pi,tun-type=tun UDP-DATAGRAM:127.0.0.1:Q,bind=127.0.0.1:P
           socat TUN,tun-name=Y,iff-no-pi,tun-type=tun UDP-DATAGRAM:127.0.0.1:P,bind=127.0.0.1:Q
         each adapter then moved into its namespace and given its address there (socat makes
         its tun in its own namespace, and its UDP socket must be in the root one). UDP-DATAGRAM,
         not UDP: a connected UDP socket fails a read with ECONNREFUSED while the other socat is
         not up yet, and socat exits on it.

Measured per round, setups interleaved and the order rotated every round:
  throughput  iperf3 -c B from A (TCP, --seconds, one stream), the receiver's bits/s; iperf3
              checks nothing, so a second run sends --verify-mib MiB of random bytes over TCP and
              compares SHA-256 on both ends (a failure stops the benchmark).
  latency     ping from A to B, --pings echo requests at --interval; p50 and p99 of ping's
              per-packet times over all rounds.

Ratios are vwire / socat: throughput goal >= 2.0x (must >= 1.0x), p50 goal <= 0.8x (must <= 1.0x).
Needs root, /dev/net/tun, ip, ping, iperf3 and socat (tools/install-deps --test installs them).
Run by hand, never in CI:
    sudo bench/bench-net.py [--runs 5] [--seconds 5]
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_THROUGHPUT, MUST_THROUGHPUT = 2.0, 1.0
GOAL_P50, MUST_P50 = 0.8, 1.0


class BenchError(Exception):
    pass


def run(*cmd, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        raise BenchError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise BenchError(f"timed out waiting for {what}")


def link_exists(ns, ifname):
    return subprocess.run(["ip", "-n", ns, "link", "show", ifname], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


class Setup:
    """Two namespaces and a tunnel between them; subclasses start the process(es) in between."""

    def __init__(self, name, net, tmp):
        self.name, self.tmp = name, tmp
        tag = f"{os.getpid() % 10000}{net}"
        self.ns = (f"vwbench-a{tag}", f"vwbench-b{tag}")
        self.ifs = (f"vwba{tag}", f"vwbb{tag}")
        self.addr = (f"10.{net}.0.1", f"10.{net}.0.2")
        self.procs = []

    def start(self):
        for ns in self.ns:
            run("ip", "netns", "add", ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
        self.start_tunnel()
        # the first packets also teach a listening side its peer
        run("ip", "netns", "exec", self.ns[1], "ping", "-c", "3", "-i", "0.2", "-W", "2", self.addr[0])

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for ns in self.ns:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)

    def spawn(self, cmd, log):
        p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def in_ns(self, i, *cmd):
        return ["ip", "netns", "exec", self.ns[i], *cmd]


class Vwire(Setup):
    def __init__(self, net, tmp, vwired, name="vwire"):
        super().__init__(name, net, tmp)
        self.vwired = vwired

    def start_tunnel(self):
        port = free_port()
        conf = os.path.join(self.tmp, "vwire.conf")
        with open(conf, "w") as f:
            f.write(f"[net a]\nifname = {self.ifs[0]}\nnetns = {self.ns[0]}\naddress = {self.addr[0]}/24\n"
                    f"[net b]\nifname = {self.ifs[1]}\nnetns = {self.ns[1]}\naddress = {self.addr[1]}/24\n"
                    f"[socket ua]\nlisten = udp:127.0.0.1:{port}\n"
                    f"[socket ub]\nconnect = udp:127.0.0.1:{port}\n"
                    "[route ra]\nfrom = a\nto = ua\nduplex = yes\n"
                    "[route rb]\nfrom = b\nto = ub\nduplex = yes\n")
        rt = os.path.join(self.tmp, "vwire-rt")
        p = self.spawn([self.vwired, "--config", conf, "--runtime-dir", rt, "--control-socket",
                        os.path.join(self.tmp, "vwire.ctl")], os.path.join(self.tmp, "vwired.log"))
        wait_for(lambda: p.poll() is not None or all(link_exists(n, i) for n, i in zip(self.ns, self.ifs)), 10,
                 "vwired's adapters")
        if p.poll() is not None:
            raise BenchError(f"vwired exited: {open(os.path.join(self.tmp, 'vwired.log')).read()[-2000:]}")
        time.sleep(0.3)  # addresses and links up come right after the adapters


class Socat(Setup):
    def __init__(self, net, tmp, socat):
        super().__init__("socat", net, tmp)
        self.socat = socat

    def start_tunnel(self):
        pa, pb = free_port(), free_port()
        for i, (mine, theirs) in enumerate(((pa, pb), (pb, pa))):
            p = self.spawn([self.socat, f"TUN,tun-name={self.ifs[i]},iff-no-pi,tun-type=tun",
                            f"UDP-DATAGRAM:127.0.0.1:{theirs},bind=127.0.0.1:{mine}"],
                           os.path.join(self.tmp, f"socat{i}.log"))
            wait_for(lambda: p.poll() is not None or os.path.exists(f"/sys/class/net/{self.ifs[i]}"), 10,
                     f"socat's {self.ifs[i]}")
            if p.poll() is not None:
                raise BenchError(f"socat exited: {open(os.path.join(self.tmp, f'socat{i}.log')).read()}")
            run("ip", "link", "set", self.ifs[i], "netns", self.ns[i])
            run("ip", "-n", self.ns[i], "addr", "add", f"{self.addr[i]}/24", "dev", self.ifs[i])
            run("ip", "-n", self.ns[i], "link", "set", self.ifs[i], "mtu", "1500", "up")


def iperf(s, seconds):
    srv = subprocess.Popen(s.in_ns(1, "iperf3", "-s", "-1", "-B", s.addr[1], "-J"), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.3)
    try:
        out = run(*s.in_ns(0, "iperf3", "-c", s.addr[1], "-t", str(seconds), "-J"))
    finally:
        try:
            srv.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.communicate()
    r = json.loads(out)
    return r["end"]["sum_received"]["bits_per_second"] / 8 / 2**20  # MiB/s


VERIFY_SERVER = r"""
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5201)); s.listen(1); s.settimeout(30); print("up", flush=True)
c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest(), flush=True)
"""
VERIFY_CLIENT = r"""
import socket, sys
c = socket.create_connection((sys.argv[1], 5201), timeout=30)
c.sendall(open(sys.argv[2], "rb").read()); c.shutdown(socket.SHUT_WR); c.recv(1)
"""


def verify(s, payload, want):
    srv = subprocess.Popen(s.in_ns(1, sys.executable, "-c", VERIFY_SERVER, s.addr[1]), stdout=subprocess.PIPE,
                           text=True)
    if srv.stdout.readline().strip() != "up":
        raise BenchError("verify server did not start")
    run(*s.in_ns(0, sys.executable, "-c", VERIFY_CLIENT, s.addr[1], payload))
    n, got = srv.communicate(timeout=60)[0].split()
    if int(n) != os.path.getsize(payload) or got != want:
        raise BenchError(f"{s.name}: the checksummed stream arrived damaged ({n} bytes, {got} != {want})")


def ping(s, count, interval):
    out = run(*s.in_ns(0, "ping", "-c", str(count), "-i", str(interval), "-W", "2", s.addr[1]))
    times = [float(t) for t in re.findall(r"time=([0-9.]+) ms", out)]
    if len(times) < count * 0.99:
        raise BenchError(f"{s.name}: ping lost {count - len(times)} of {count}")
    return times


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vwired", default=os.path.join(REPO, "build/daemon/vwired"), help="vwired binary")
    ap.add_argument("--socat", default=shutil.which("socat") or "/usr/bin/socat", help="socat binary")
    ap.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--seconds", type=int, default=5, help="iperf3 seconds per throughput run (default 5)")
    ap.add_argument("--verify-mib", type=int, default=16, help="checksummed MiB per setup and round (default 16)")
    ap.add_argument("--pings", type=int, default=500, help="pings per latency run (default 500)")
    ap.add_argument("--interval", type=float, default=0.01, help="ping interval, s (default 0.01)")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=VWIRED",
                    help="one more vwire setup with another vwired binary (e.g. a build before a change)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench-net.py: needs root (namespaces, tun adapters)")
    for tool in ("ip", "ping", "iperf3", args.socat, args.vwired):
        if not shutil.which(tool):
            sys.exit(f"bench-net.py: {tool} is missing (tools/install-deps --test; ninja -C build)")

    tmp = tempfile.mkdtemp(prefix="vwbench-net.")
    payload = os.path.join(tmp, "payload")
    with open(payload, "wb") as f:
        f.write(os.urandom(args.verify_mib << 20))
    want = hashlib.sha256(open(payload, "rb").read()).hexdigest()
    setups = [Vwire(93, os.path.join(tmp, "vwire"), args.vwired), Socat(94, os.path.join(tmp, "socat"), args.socat)]
    for i, also in enumerate(args.also):
        label, _, path = also.partition("=")
        setups.append(Vwire(95 + i, os.path.join(tmp, label), path, name=label))
    res = {s.name: {"mibs": [], "ping": []} for s in setups}
    try:
        for s in setups:
            os.makedirs(s.tmp)
            s.start()
        for rnd in range(args.runs):
            order = setups[rnd % len(setups):] + setups[:rnd % len(setups)]
            for s in order:
                res[s.name]["mibs"].append(iperf(s, args.seconds))
                verify(s, payload, want)
            for s in order:
                res[s.name]["ping"] += ping(s, args.pings, args.interval)
            print(f"round {rnd + 1}/{args.runs}: " + ", ".join(
                f"{s.name} {res[s.name]['mibs'][-1]:.1f} MiB/s" for s in setups), flush=True)
    except BenchError as e:
        sys.exit(f"bench-net.py: {e}")
    finally:
        for s in setups:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n{'setup':8} {'MiB/s (median)':>15} {'runs':>24} {'ping p50 ms':>12} {'p99 ms':>8}")
    for s in setups:
        r = res[s.name]
        print(f"{s.name:8} {statistics.median(r['mibs']):15.1f} {' '.join(f'{m:.1f}' for m in r['mibs']):>24} "
              f"{pct(r['ping'], 50):12.3f} {pct(r['ping'], 99):8.3f}")
    v, so = res["vwire"], res["socat"]
    tr = statistics.median(v["mibs"]) / statistics.median(so["mibs"])
    per_round = [a / b for a, b in zip(v["mibs"], so["mibs"])]
    lr = pct(v["ping"], 50) / pct(so["ping"], 50)
    print(f"\nthroughput vwire/socat: {tr:.2f}x (per round {' '.join(f'{x:.2f}' for x in per_round)}); "
          f"goal >= {GOAL_THROUGHPUT}x {'met' if tr >= GOAL_THROUGHPUT else 'MISSED'}, "
          f"must >= {MUST_THROUGHPUT}x {'met' if tr >= MUST_THROUGHPUT else 'MISSED'}")
    print(f"ping p50 vwire/socat: {lr:.2f}x (p99 {pct(v['ping'], 99) / pct(so['ping'], 99):.2f}x); "
          f"goal <= {GOAL_P50}x {'met' if lr <= GOAL_P50 else 'MISSED'}, "
          f"must <= {MUST_P50}x {'met' if lr <= MUST_P50 else 'MISSED'}")
    for s in setups[2:]:
        r = res[s.name]
        print(f"{s.name}/socat: throughput {statistics.median(r['mibs']) / statistics.median(so['mibs']):.2f}x, "
              f"ping p50 {pct(r['ping'], 50) / pct(so['ping'], 50):.2f}x")
    print(f"checksummed stream: {args.verify_mib} MiB per setup and round, intact")


if __name__ == "__main__":
    main()
