#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-rfc2217.py: vwire as a serial port server against ser2net 4.x, each exporting a PTY port
over TCP on the loopback (issue 11, item 6). Run by hand, never in CI.

The "hardware" of each setup is a fresh PTY pair: the server opens the slave as its serial
device, the benchmark holds the master (raw) as the far end of the cable. A TCP client on
127.0.0.1 is the remote user of the port.

  vwire    vwired: [serial hw] backend = device on the slave, routed (duplex, overflow = block)
           to [socket net] listen = tcp:127.0.0.1:PORT, with --protocol (raw | telnet | rfc2217;
           telnet and rfc2217 need the RFC 2217 server of [socket] protocol =).
  ser2net  ser2net -n: accepter tcp,127.0.0.1,PORT (or telnet(rfc2217),tcp,... for rfc2217 and
           telnet,tcp,... for telnet), connector serialdev,SLAVE,115200n81,local; with chardelay
           off and 64 KiB buffers (its defaults, --ser2net-defaults, wait a character time
           before sending and move 64 bytes at a time: much slower).

Measured, interleaved round by round so that drift and other load hit both alike (the order of
the setups alternates every round):
  to-device    --mib MiB of a seeded pseudo-random stream sent by the TCP client, read from
               the master and checked (length and BLAKE2b) - MiB/s, median of the rounds;
  from-device  the same stream written to the master, read and checked by the TCP client;
  round trip   1 byte from the TCP client to the master, where an echo thread writes it back,
               timed with perf_counter_ns; --pings per round after --warmup; p50 and p99.
With telnet or rfc2217 the stream avoids byte 255 (IAC): both servers double it on the wire,
which would change what is counted, and it is the same work for both.

Prints each setup's figures and the ratios vwire / ser2net, with issue 11's goal (>= 1.5x the
throughput, <= 0.8x the p50 round trip) and its floor (not slower on either).

  apt-get install ser2net      # Debian's ser2net 4.x; the script installs it when root
  bench/bench-rfc2217.py [--protocol raw] [--mib 64] [--runs 3] [--pings 2000] [--json FILE]
"""

import argparse
import hashlib
import json
import os
import platform
import random
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tty

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_THROUGHPUT, GOAL_P50 = 1.5, 0.8
CHUNK = 65536


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} does not listen on {port}")


class Setup:
    def __init__(self, name, args, tmp):
        self.name, self.args, self.tmp = name, args, tmp
        self.master, self.slave = os.openpty()
        self.slave_name = os.ttyname(self.slave)
        # The server opens the slave by name. This fd only keeps the pair's far end from reading
        # EIO while no server has it open (ser2net opens the device per connection); it is never read.
        tty.setraw(self.master)
        os.set_blocking(self.master, False)
        self.port = free_port()
        self.proc = None

    def start(self):
        d = os.path.join(self.tmp, self.name)
        os.makedirs(d, exist_ok=True)
        log = open(os.path.join(d, "log"), "w")
        if self.name == "vwire":
            conf = os.path.join(d, "vwire.conf")
            proto = "" if self.args.protocol == "raw" else f"protocol = {self.args.protocol}\n"
            with open(conf, "w") as f:
                f.write(f"[serial hw]\nbackend = device\ndevice = {self.slave_name}\n\n"
                        f"[socket net]\nlisten = tcp:127.0.0.1:{self.port}\n{proto}\n"
                        "[route r]\nfrom = net\nto = hw\nduplex = yes\noverflow = block\n"
                        f"buffer = {self.args.buffer}\n")
            cmd = [self.args.vwired, "--config", conf, "--runtime-dir", os.path.join(d, "run")]
        else:
            acc = {"raw": "tcp", "telnet": "telnet,tcp", "rfc2217": "telnet(rfc2217),tcp"}[self.args.protocol]
            conf = os.path.join(d, "ser2net.yaml")
            with open(conf, "w") as f:
                f.write(f"connection: &bench\n  accepter: {acc},127.0.0.1,{self.port}\n"
                        f"  connector: serialdev,{self.slave_name},115200n81,local\n"
                        "  options:\n    kickolduser: true\n")
                if not self.args.ser2net_defaults:
                    # its defaults wait for a character time before sending (chardelay) and move
                    # 64 bytes at a time; this is ser2net at its fastest, the fair opponent
                    f.write("    chardelay: false\n    dev-to-net-bufsize: 65536\n    net-to-dev-bufsize: 65536\n")
            cmd = [self.args.ser2net, "-n", "-u", "-c", conf, "-P", os.path.join(d, "pid")]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc, self.name)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.close(self.master)
        os.close(self.slave)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.args.protocol != "raw":
            s = Telnet(s, self.args.protocol == "rfc2217")
            s.settle()
        else:
            s = Plain(s)
        drain_master(self.master)
        # one byte through before anything is timed: the server has the device open (ser2net
        # opens it only now, and flushes its input when it does)
        s.sendall(b"S")
        got = read_fd_exact(self.master, 1, hashlib.blake2b(), 10)
        if got != 1:
            sys.exit(f"{self.name}: the first byte did not come through")
        time.sleep(0.05)
        drain_master(self.master)
        return s


class Plain:
    def __init__(self, sock):
        self.sock = sock

    def recv(self, n):
        return self.sock.recv(n)

    def sendall(self, data):
        self.sock.sendall(data)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def close(self):
        self.sock.close()


class Telnet(Plain):
    """The client's side of the telnet layer, just enough for a data stream: BINARY and SGA both
    ways (without BINARY a server strips the NUL after a CR), COM-PORT-OPTION accepted with
    --protocol rfc2217 and refused otherwise, every other option refused; commands and
    subnegotiations the server sends (NOTIFY-MODEMSTATE...) are taken out of what is read."""

    def __init__(self, sock, rfc2217):
        super().__init__(sock)
        self.ok = {0, 3} | ({44} if rfc2217 else set())
        self.state, self.pending = "data", b""

    def answer(self, cmd, opt):
        if cmd == 253:  # DO
            return bytes([255, 251 if opt in self.ok else 252, opt])
        if cmd == 251:  # WILL
            return bytes([255, 253 if opt in self.ok and opt != 44 else 254, opt])
        return b""

    def feed(self, data):
        """Data bytes of what came in; answers negotiation on the way."""
        if self.state == "data" and 255 not in data:
            return data  # the common case, at C speed: the stream has no IAC
        out, reply = bytearray(), bytearray()
        for b in data:
            st = self.state
            if st == "data":
                if b == 255:
                    self.state = "iac"
                else:
                    out.append(b)
            elif st == "iac":
                if b == 255:
                    out.append(255)
                    self.state = "data"
                elif b in (251, 252, 253, 254):
                    self.state = ("opt", b)
                elif b == 250:
                    self.state = "sb"
                else:
                    self.state = "data"
            elif st == "sb":
                if b == 255:
                    self.state = "sbiac"
            elif st == "sbiac":
                self.state = "data" if b == 240 else "sb"
            else:
                reply += self.answer(st[1], b)
                self.state = "data"
        if reply:
            self.sock.sendall(bytes(reply))
        return bytes(out)

    def recv(self, n):
        while True:
            b = self.sock.recv(n)
            if not b:
                return b
            d = self.feed(b)
            if d:
                return d

    def settle(self):
        """Negotiate until the server is quiet for 0.3 s."""
        self.sock.setblocking(False)
        end = time.monotonic() + 3
        quiet = time.monotonic() + 0.3
        while time.monotonic() < min(end, quiet):
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if r:
                b = self.sock.recv(4096)
                if not b:
                    break
                self.feed(b)
                quiet = time.monotonic() + 0.3
        self.sock.setblocking(True)


def drain_master(fd):
    while True:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            return
        try:
            if not os.read(fd, CHUNK):
                return
        except BlockingIOError:
            return


def make_stream(mib, seed, no_iac):
    data = bytearray(random.Random(seed).randbytes(mib << 20))
    if no_iac:
        data = data.replace(b"\xff", b"\xfe")
    return bytes(data), hashlib.blake2b(data).hexdigest()


def write_fd_all(fd, data):
    view, off = memoryview(data), 0
    while off < len(view):
        select.select([], [fd], [])
        try:
            off += os.write(fd, view[off:off + CHUNK])
        except BlockingIOError:
            pass


def read_fd_exact(fd, n, h, timeout):
    got, end = 0, time.monotonic() + timeout
    while got < n:
        left = end - time.monotonic()
        if left <= 0:
            return got
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                b = os.read(fd, min(CHUNK, n - got))
            except BlockingIOError:
                continue
            if not b:
                return got
            h.update(b)
            got += len(b)
    return got


def read_sock_exact(s, n, h, timeout):
    s.settimeout(timeout)
    got = 0
    try:
        while got < n:
            b = s.recv(min(CHUNK, n - got))
            if not b:
                break
            h.update(b)
            got += len(b)
    except socket.timeout:
        pass
    return got


def throughput(setup, data, digest, to_device):
    s = setup.connect()
    h = hashlib.blake2b()
    if to_device:
        writer = threading.Thread(target=s.sendall, args=(data,))
        t0 = time.perf_counter()
        writer.start()
        got = read_fd_exact(setup.master, len(data), h, 120)
        t1 = time.perf_counter()
        writer.join()
    else:
        writer = threading.Thread(target=write_fd_all, args=(setup.master, data))
        t0 = time.perf_counter()
        writer.start()
        got = read_sock_exact(s, len(data), h, 120)
        t1 = time.perf_counter()
        writer.join()
    s.close()
    if got != len(data) or h.hexdigest() != digest:
        sys.exit(f"{setup.name}: {'to' if to_device else 'from'} device: {got} of {len(data)} bytes, "
                 f"checksum {'ok' if h.hexdigest() == digest else 'WRONG'}")
    return len(data) / (1 << 20) / (t1 - t0)


def echo(fd, stop):
    while not stop.is_set():
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                b = os.read(fd, 64)
            except BlockingIOError:
                continue
            if b:
                os.write(fd, b)


def round_trips(setup, n, warmup):
    s = setup.connect()
    stop = threading.Event()
    t = threading.Thread(target=echo, args=(setup.master, stop), daemon=True)
    t.start()
    times = []
    try:
        for i in range(warmup + n):
            t0 = time.perf_counter_ns()
            s.sendall(b"U")
            b = s.recv(1)
            t1 = time.perf_counter_ns()
            if b != b"U":
                sys.exit(f"{setup.name}: round trip {i} read {b!r}")
            if i >= warmup:
                times.append((t1 - t0) / 1000.0)
    finally:
        stop.set()
        t.join()
        s.close()
    return times


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--protocol", choices=("raw", "telnet", "rfc2217"), default="raw")
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pings", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--vwired", default=os.path.join(REPO, "build", "daemon", "vwired"))
    ap.add_argument("--ser2net", default=shutil.which("ser2net") or "/usr/sbin/ser2net")
    ap.add_argument("--json", help="write the figures here too")
    ap.add_argument("--buffer", default="64K", help="vwire's route buffer (default 64K, its default)")
    ap.add_argument("--only", choices=("vwire", "ser2net"), help="one setup alone (for perf); no ratios")
    ap.add_argument("--ser2net-defaults", action="store_true",
                    help="ser2net with its default chardelay and 64-byte buffers (else: chardelay off, 64 KiB)")
    args = ap.parse_args()

    if not os.access(args.ser2net, os.X_OK):
        if os.geteuid() == 0:
            subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "ser2net"], check=True)
            args.ser2net = shutil.which("ser2net") or "/usr/sbin/ser2net"
        else:
            sys.exit("ser2net is not installed: apt-get install ser2net")
    if not os.access(args.vwired, os.X_OK):
        sys.exit(f"no vwired at {args.vwired} (ninja -C build, or --vwired)")
    version = subprocess.run([args.ser2net, "-v"], capture_output=True, text=True).stdout.strip()

    tmp = tempfile.mkdtemp(prefix="vwire-bench2217.")
    setups = [Setup(n, args, tmp) for n in ("vwire", "ser2net") if not args.only or n == args.only]
    res = {s.name: {"to": [], "from": [], "rtt": []} for s in setups}
    try:
        for s in setups:
            s.start()
        for r in range(args.runs):
            data, digest = make_stream(args.mib, 2217 + r, args.protocol != "raw")
            order = setups if r % 2 == 0 else setups[::-1]
            for s in order:
                res[s.name]["to"].append(throughput(s, data, digest, True))
                res[s.name]["from"].append(throughput(s, data, digest, False))
            del data
            for s in order:
                res[s.name]["rtt"] += round_trips(s, args.pings, args.warmup)
            print(f"round {r + 1}/{args.runs}: " + ", ".join(
                f"{s.name} {res[s.name]['to'][-1]:.0f}/{res[s.name]['from'][-1]:.0f} MiB/s" for s in order),
                flush=True)
    finally:
        for s in setups:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    fig = {}
    print(f"\n{platform.node()}, {os.cpu_count()} CPUs, {version}, protocol {args.protocol}, "
          f"{args.mib} MiB x {args.runs} rounds, {args.pings} round trips per round")
    print(f"{'setup':8} {'to-device MiB/s':>16} {'from-device MiB/s':>18} {'rtt p50 us':>11} {'rtt p99 us':>11}")
    for name, v in res.items():
        fig[name] = {"to": statistics.median(v["to"]), "from": statistics.median(v["from"]),
                     "p50": pct(v["rtt"], 50), "p99": pct(v["rtt"], 99)}
        f = fig[name]
        print(f"{name:8} {f['to']:16.1f} {f['from']:18.1f} {f['p50']:11.1f} {f['p99']:11.1f}")
    if args.only:
        return 0
    v, s = fig["vwire"], fig["ser2net"]
    ratios = {"to": v["to"] / s["to"], "from": v["from"] / s["from"], "p50": v["p50"] / s["p50"],
              "p99": v["p99"] / s["p99"]}
    print(f"\nvwire / ser2net: to-device {ratios['to']:.2f}x, from-device {ratios['from']:.2f}x, "
          f"p50 {ratios['p50']:.2f}x, p99 {ratios['p99']:.2f}x")
    tput = min(ratios["to"], ratios["from"])
    print(f"goal (>= {GOAL_THROUGHPUT}x throughput, <= {GOAL_P50}x p50): "
          f"{'met' if tput >= GOAL_THROUGHPUT and ratios['p50'] <= GOAL_P50 else 'MISSED'}; "
          f"floor (not slower): {'met' if tput >= 1.0 and ratios['p50'] <= 1.0 else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"protocol": args.protocol, "ser2net": version, "figures": fig, "ratios": ratios}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
