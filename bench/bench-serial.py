#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-serial.py: vwire's null-modem pairs (PTY, and CUSE where /dev/cuse exists) against socat's PTY
pair and against a bare kernel pty.

All setups run side by side in one run, interleaved so that drift and other load on the
machine hit every setup alike: --runs rounds; in each round every setup does one throughput
run (round-robin, the order rotated every round), then one latency run, the setups taking turns
every --block round trips.

  throughput  stream --mib MiB from end A to end B; a writer process and a reader process, both
              with nonblocking fds and poll() loops; the reader checks every byte against the
              same pseudo-random stream (seeded per round); MiB/s, median of the rounds.
  latency     1-byte ping-pong: A writes one byte, an echo process on B (the same code for every
              setup) reads it and writes it back, A times it with perf_counter_ns(); --warmup
              round trips first, then --pings timed ones per round; p50/p99 over all rounds.
              --client picks how both sides read: read-first (nonblocking read, poll() after
              EAGAIN; the default), poll-first (poll() then read, like pyserial) or blocking.
              On a PTY they cost about the same; on a CUSE port every read, poll and write is a
              request answered by vwired, so the client's pattern sets how many there are.

Setups:
  cuse   vwired (as vwire below) with two [serial] backend=cuse ports and one duplex route:
         A = /dev/ttyVB<pid>a, B = /dev/ttyVB<pid>b, character devices answered by vwired through
         /dev/cuse. Needs /dev/cuse and root; offered only where /dev/cuse exists. On machines without
         it, run the script in the project's VM (tests/vm/README.md):
           tests/vm/vm-run --timeout 1500 -- /usr/bin/python3 bench/bench-serial.py --only cuse,vwire,socat,pty
  vwire  vwired (started here on a temporary config and runtime dir, stopped after) with two
         [serial] backend=pty ports and one duplex route; A = %t/a, B = %t/b.
  socat  socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B.
  pty    os.openpty(): A = master, B = slave; no daemon in between (the ceiling: one pty
         crossing, where the other two cross two ptys and a process).

Every end is set raw (tty.setraw) before use. Benchmarks are run by hand; never in CI.
Uses the standard library only (Debian's /usr/bin/python3).
"""

import argparse
import json
import math
import os
import platform
import random
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tty

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUPS = ("cuse", "vwire", "socat", "pty")
# Issue 3's goal for the CUSE pair, against socat's PTY pair.
CUSE_GOAL_THROUGHPUT = 2.0  # at least this many times socat's MiB/s
CUSE_GOAL_P50 = 1.0         # a p50 round trip at most this many times socat's
MiB = 1 << 20
READ_SIZE = 64 * 1024
WRITE_SIZE = 64 * 1024
STALL_SECONDS = 10.0


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# helpers

def set_raw_nonblocking(fd):
    tty.setraw(fd)
    os.set_blocking(fd, False)


def drain(fd, settle=0.05):
    """Read and discard whatever is pending on fd until it stays quiet for `settle` seconds."""
    n = 0
    p = select.poll()
    p.register(fd, select.POLLIN)
    while p.poll(settle * 1000):
        try:
            b = os.read(fd, READ_SIZE)
        except BlockingIOError:
            continue
        if not b:
            break
        n += len(b)
    return n


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.005)
    raise BenchError(f"timed out after {timeout}s waiting for {what}")


def proc_cpu_ns(pid):
    """CPU time used by pid so far (ns), from /proc/PID/schedstat; None if unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def proc_ctxsw(pid):
    """Voluntary context switches of pid (each one is the process going to sleep, e.g. in epoll_wait)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def child_exit(pid, timeout=30.0):
    """Wait for a forked child; return its exit code (or -signal)."""
    end = time.monotonic() + timeout
    while True:
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)


# ---------------------------------------------------------------------------------------------
# setups: each gives two raw nonblocking fds, a (daemon pid or None), and a stop()

class Setup:
    name = "?"
    pid = None  # the process in between, if any

    def start(self):
        raise NotImplementedError

    def stop(self):
        pass

    def open_ends(self, path_a, path_b):
        self.a = os.open(path_a, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self.b = os.open(path_b, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        set_raw_nonblocking(self.a)
        set_raw_nonblocking(self.b)

    def close_ends(self):
        for fd in (getattr(self, "a", None), getattr(self, "b", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.a = self.b = None


class PtySetup(Setup):
    name = "pty"

    def start(self):
        self.a, self.b = os.openpty()  # A = master, B = slave
        set_raw_nonblocking(self.a)
        set_raw_nonblocking(self.b)

    def stop(self):
        self.close_ends()

    def describe(self):
        return "os.openpty(): A = master, B = slave"


class SocatSetup(Setup):
    name = "socat"

    def __init__(self, socat, tmp):
        self.socat = socat
        self.dir = tmp
        self.proc = None

    def start(self):
        pa, pb = os.path.join(self.dir, "socat-a"), os.path.join(self.dir, "socat-b")
        self.cmd = [self.socat, f"pty,raw,echo=0,link={pa}", f"pty,raw,echo=0,link={pb}"]
        self.log = open(os.path.join(self.dir, "socat.log"), "w+")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        try:
            wait_for(lambda: os.path.exists(pa) and os.path.exists(pb) or self.proc.poll() is not None,
                     10, "socat's links")
            if self.proc.poll() is not None:
                raise BenchError(f"socat exited with {self.proc.returncode}: {self.tail_log()}")
            # socat stops when a slave is closed after being opened: keep both open all along.
            self.open_ends(pa, pb)
        except BaseException:
            self.stop()
            raise

    def tail_log(self):
        self.log.seek(0)
        return self.log.read()[-2000:]

    def stop(self):
        self.close_ends()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def describe(self):
        return shlex.join(self.cmd)


VWIRE_CONFIG = """\
# written by bench/bench-serial.py
[serial a]
backend = pty
path = %t/a

[serial b]
backend = pty
path = %t/b

[route cable]
from = a
to = b
duplex = yes
{route_extra}"""


class VwireSetup(Setup):
    name = "vwire"

    def __init__(self, vwired, tmp, route_extra="", name="vwire"):
        self.name = name
        self.vwired = vwired
        self.dir = os.path.join(tmp, name)
        self.route_extra = route_extra
        self.proc = None

    def start(self):
        run = os.path.join(self.dir, "run")
        os.makedirs(run, mode=0o700)
        conf = os.path.join(self.dir, "vwire.conf")
        with open(conf, "w") as f:
            f.write(VWIRE_CONFIG.format(route_extra=self.route_extra))
        self.cmd = [self.vwired, "--config", conf, "--runtime-dir", run]
        self.log = open(os.path.join(self.dir, "vwired.log"), "w+")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        pa, pb, sock = os.path.join(run, "a"), os.path.join(run, "b"), os.path.join(run, "control.sock")
        try:
            wait_for(lambda: (os.path.exists(pa) and os.path.exists(pb) and os.path.exists(sock))
                     or self.proc.poll() is not None, 10, "vwired's ports")
            if self.proc.poll() is not None:
                raise BenchError(f"vwired exited with {self.proc.returncode}: {self.tail_log()}")
            self.open_ends(pa, pb)
        except BaseException:
            self.stop()
            raise

    def tail_log(self):
        self.log.seek(0)
        return self.log.read()[-2000:]

    def stop(self):
        self.close_ends()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise BenchError("vwired did not stop on SIGTERM within 10s")
            if self.proc.returncode != 0:
                raise BenchError(f"vwired exited with {self.proc.returncode}: {self.tail_log()}")

    def describe(self):
        return shlex.join(self.cmd) + "  (2 pty ports, 1 duplex route" + \
            (", " + self.route_extra.strip().replace("\n", ", ") if self.route_extra.strip() else "") + ")"


CUSE_CONFIG = """\
# written by bench/bench-serial.py
[serial a]
backend = cuse
path = {dev_a}

[serial b]
backend = cuse
path = {dev_b}

[route cable]
from = a
to = b
duplex = yes
{route_extra}"""


def cuse_unavailable():
    """Why a CUSE pair cannot run here (None if it can)."""
    if not os.path.exists("/dev/cuse"):
        return ("/dev/cuse does not exist on this machine (no cuse module). Run the benchmark in the project's "
                "VM, which has it: tests/vm/vm-run --timeout 1500 -- /usr/bin/python3 bench/bench-serial.py "
                "--only cuse,vwire,socat,pty ...")
    if not os.access("/dev/cuse", os.R_OK | os.W_OK):
        return "/dev/cuse exists but is not readable and writable by this user (vwired needs root for it)"
    return None


class CuseSetup(VwireSetup):
    """vwired with two CUSE ports and one duplex route: ends are /dev/<name>, character devices."""

    def __init__(self, vwired, tmp, route_extra="", name="cuse"):
        super().__init__(vwired, tmp, route_extra, name=name)
        tag = f"{os.getpid()}{name}"[:40]
        self.dev_a, self.dev_b = f"ttyVB{tag}a", f"ttyVB{tag}b"

    def start(self):
        run = os.path.join(self.dir, "run")
        os.makedirs(run, mode=0o700)
        conf = os.path.join(self.dir, "vwire.conf")
        with open(conf, "w") as f:
            f.write(CUSE_CONFIG.format(dev_a=self.dev_a, dev_b=self.dev_b, route_extra=self.route_extra))
        self.cmd = [self.vwired, "--config", conf, "--runtime-dir", run]
        self.log = open(os.path.join(self.dir, "vwired.log"), "w+")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        pa, pb = "/dev/" + self.dev_a, "/dev/" + self.dev_b
        sock = os.path.join(run, "control.sock")
        try:
            wait_for(lambda: (os.path.exists(pa) and os.path.exists(pb) and os.path.exists(sock))
                     or self.proc.poll() is not None, 10, "vwired's CUSE devices")
            if self.proc.poll() is not None:
                raise BenchError(f"vwired exited with {self.proc.returncode}: {self.tail_log()}")
            self.open_ends(pa, pb)
        except BaseException:
            self.stop()
            raise

    def request_stats(self):
        """vwired's own counts of the CUSE requests both ports answered (`vwirectl show`: requests),
        summed over the two ports; None if vwirectl cannot say."""
        ctl = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(self.vwired))), "cli", "vwirectl")
        total = {}
        for port in ("a", "b"):
            try:
                r = subprocess.run([ctl, "--socket", os.path.join(self.dir, "run", "control.sock"), "--json", "show", port],
                                   capture_output=True, text=True, timeout=30)
                req = json.loads(r.stdout.splitlines()[-1])["endpoint"]["details"]["requests"]
            except (OSError, ValueError, KeyError, IndexError, subprocess.SubprocessError):
                return None
            for k, v in req.items():
                total[k] = total.get(k, 0) + v
        return total

    def describe(self):
        return shlex.join(self.cmd) + f"  (2 cuse ports /dev/{self.dev_a}, /dev/{self.dev_b}, 1 duplex route" + \
            (", " + self.route_extra.strip().replace("\n", ", ") if self.route_extra.strip() else "") + ")"


# ---------------------------------------------------------------------------------------------
# FUSE request accounting for CUSE setups (--fuse-stats): strace vwired's reads of requests from
# /dev/cuse and its writev() replies, and decode the FUSE headers.

FUSE_OPS = {14: "OPEN", 15: "READ", 16: "WRITE", 18: "RELEASE", 25: "FLUSH", 36: "INTERRUPT",
            39: "IOCTL", 40: "POLL"}


def fuse_strace_cmd(strace, pid, out):
    return [strace, "-f", "-xx", "-s", "128", "-e", "trace=read,writev", "-o", out, "-p", str(pid)]


def fuse_stats(path):
    """Count FUSE requests, errors, poll notifications, request and reply sizes in an strace log."""
    import re
    import struct
    from collections import Counter
    hexstr = r'"((?:\\x[0-9a-f]{2})*)"(?:\.\.\.)?'
    rd = re.compile(r"read\((\d+), " + hexstr + r", \d+\) = (\d+)")
    wv = re.compile(r"writev\((\d+), \[\{iov_base=" + hexstr + r", iov_len=\d+\}.*\], \d+\) = (\d+)")

    def unhex(h):
        return bytes(int(h[i + 2:i + 4], 16) for i in range(0, len(h), 4))
    pending, reqs, errs, sizes, replies = {}, Counter(), Counter(), {}, {}
    notifies = 0
    with open(path, errors="replace") as f:
        for line in f:
            m = rd.search(line)
            if m:
                b = unhex(m.group(2))
                if len(b) < 40:
                    continue
                _, op, uniq = struct.unpack_from("<IIQ", b)
                name = FUSE_OPS.get(op, str(op))
                reqs[name] += 1
                pending[(m.group(1), uniq)] = name
                if name in ("READ", "WRITE") and len(b) >= 60:
                    sizes.setdefault(name, Counter())[struct.unpack_from("<I", b, 56)[0]] += 1
                continue
            m = wv.search(line)
            if m:
                b = unhex(m.group(2))
                if len(b) < 16:
                    continue
                _, err, uniq = struct.unpack_from("<IiQ", b)
                if uniq == 0:
                    notifies += 1  # FUSE_NOTIFY_*: here always a poll wake-up
                    continue
                name = pending.pop((m.group(1), uniq), "?")
                if err:
                    errs[f"{name} {os.strerror(-err)}"] += 1
                elif name == "READ":
                    replies.setdefault(name, []).append(int(m.group(3)) - 16)
    return {"requests": dict(reqs), "total": sum(reqs.values()), "errors": dict(errs), "poll_notifications": notifies,
            "request_sizes": {k: v.most_common(3) for k, v in sizes.items()},
            "read_reply_mean_bytes": (statistics.mean(replies["READ"]) if replies.get("READ") else None)}


# ---------------------------------------------------------------------------------------------
# throughput

def writer_main(fd, data, go_fd):
    """Child: wait for the go byte, then write all of data to fd with a nonblocking poll loop."""
    os.read(go_fd, 1)
    mv = memoryview(data)
    off, total = 0, len(data)
    p = select.poll()
    p.register(fd, select.POLLOUT)
    while off < total:
        try:
            off += os.write(fd, mv[off:off + WRITE_SIZE])
        except BlockingIOError:
            p.poll()
    os._exit(0)


def first_difference(a, b):
    n = min(len(a), len(b))
    lo, step = 0, MiB
    while lo < n:
        hi = min(lo + step, n)
        if a[lo:hi] != b[lo:hi]:
            for i in range(lo, hi):
                if a[i] != b[i]:
                    return i
        lo = hi
    return n if len(a) != len(b) else None


def throughput_once(s, nbytes, seed):
    """Stream nbytes A -> B. Returns (seconds, daemon cpu ns, daemon voluntary ctx switches)."""
    drain(s.a), drain(s.b)
    data = random.Random(seed).randbytes(nbytes)  # shared with the writer copy-on-write
    buf = bytearray(nbytes)
    mv = memoryview(buf)
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(go_w)
            writer_main(s.a, data, go_r)
        finally:
            os._exit(1)
    os.close(go_r)
    p = select.poll()
    p.register(s.b, select.POLLIN)
    got = 0
    cpu0, sw0 = proc_cpu_ns(s.pid), proc_ctxsw(s.pid)
    t0 = time.perf_counter_ns()
    os.write(go_w, b"g")
    try:
        while got < nbytes:
            try:
                n = os.readv(s.b, [mv[got:got + READ_SIZE]])
            except BlockingIOError:
                if not p.poll(STALL_SECONDS * 1000):
                    raise BenchError(f"{s.name}: no data for {STALL_SECONDS}s after {got} of {nbytes} bytes")
                continue
            if n == 0:
                raise BenchError(f"{s.name}: end of file after {got} of {nbytes} bytes")
            got += n
        t1 = time.perf_counter_ns()
        cpu1, sw1 = proc_cpu_ns(s.pid), proc_ctxsw(s.pid)
    finally:
        os.close(go_w)
        rc = child_exit(pid)
    if rc != 0:
        raise BenchError(f"{s.name}: writer exited with {rc}")
    extra = drain(s.b, 0.1)
    if extra:
        raise BenchError(f"{s.name}: {extra} bytes more than were written arrived")
    if buf != data:
        raise BenchError(f"{s.name}: data differ from byte {first_difference(buf, data)} on")
    cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    sw = sw1 - sw0 if sw0 is not None and sw1 is not None else None
    return (t1 - t0) / 1e9, cpu, sw


# ---------------------------------------------------------------------------------------------
# latency

CLIENTS = ("read-first", "poll-first", "blocking")


class Stalled(Exception):
    pass


def on_alarm(signum, frame):
    raise Stalled()


def receive(fd, p, client, size):
    """One read the way `client` does it (see --client); None on a stall of STALL_SECONDS (blocking: the
    caller arms the alarm, see ping())."""
    if client == "blocking":
        try:
            return os.read(fd, size)
        except Stalled:
            return None
    if client == "poll-first":
        while True:
            if not p.poll(STALL_SECONDS * 1000):
                return None
            try:
                return os.read(fd, size)
            except BlockingIOError:
                continue
    while True:  # read-first
        try:
            return os.read(fd, size)
        except BlockingIOError:
            if not p.poll(STALL_SECONDS * 1000):
                return None


def echo_main(fd, client):
    """The echo side, identical for every setup: read what comes, write it back, forever."""
    p = select.poll()
    p.register(fd, select.POLLIN)
    while True:
        b = receive(fd, p, client, 4096)
        if b is None:
            continue
        mv = memoryview(b)
        while mv:
            try:
                mv = mv[os.write(fd, mv):]
            except BlockingIOError:
                select.select([], [fd], [])


def ping(s, fd, p, i, client):
    """One timed round trip on fd (end A of s). Returns nanoseconds."""
    byte = bytes((i & 0xff,))
    if client == "blocking":
        signal.alarm(int(STALL_SECONDS))  # on_alarm raises Stalled in the blocked read
    t0 = time.perf_counter_ns()
    os.write(fd, byte)
    r = receive(fd, p, client, 16)
    t1 = time.perf_counter_ns()
    if client == "blocking":
        signal.alarm(0)
    if r is None:
        raise BenchError(f"{s.name}: ping {i} not echoed within {STALL_SECONDS}s")
    if r != byte:
        raise BenchError(f"{s.name}: ping {i}: sent {byte!r}, got back {r!r}")
    return t1 - t0


# vwired's own request counters over the timed pings of every latency round, per CUSE setup
REQUEST_STATS = {}


def latency_round(setups, warmup, pings, block, client):
    """1-byte ping-pong A -> B -> A on every setup, alternating between setups every `block` pings
    so that load changes on the machine hit all of them alike. Returns, per setup name, the list
    of round-trip times in ns, the voluntary context switches and the CPU time (ns) of its daemon
    during the timed pings. client: how both sides read (see --client)."""
    echoes = {}
    if client == "blocking":
        for s in setups:
            os.set_blocking(s.a, True), os.set_blocking(s.b, True)
    old_alarm = signal.signal(signal.SIGALRM, on_alarm)
    out = {s.name: {"times": [], "sw": 0, "cpu": 0, "have_sw": s.pid is not None} for s in setups}
    try:
        for s in setups:
            drain(s.a), drain(s.b)
            pid = os.fork()
            if pid == 0:
                try:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    echo_main(s.b, client)
                finally:
                    os._exit(1)
            echoes[s.name] = pid
        polls = {}
        for s in setups:
            polls[s.name] = select.poll()
            polls[s.name].register(s.a, select.POLLIN)
            for i in range(warmup):
                ping(s, s.a, polls[s.name], i, client)
        req0 = {s.name: s.request_stats() for s in setups if hasattr(s, "request_stats")}
        done = 0
        while done < pings:
            n = min(block, pings - done)
            for s in setups:
                o = out[s.name]
                sw0, cpu0 = proc_ctxsw(s.pid), proc_cpu_ns(s.pid)
                for i in range(done, done + n):
                    o["times"].append(ping(s, s.a, polls[s.name], i, client))
                sw1, cpu1 = proc_ctxsw(s.pid), proc_cpu_ns(s.pid)
                if None in (sw0, sw1, cpu0, cpu1):
                    o["have_sw"] = False
                else:
                    o["sw"] += sw1 - sw0
                    o["cpu"] += cpu1 - cpu0
            done += n
        for name, r0 in req0.items():
            r1 = next(s for s in setups if s.name == name).request_stats()
            if r0 is not None and r1 is not None:
                d = REQUEST_STATS.setdefault(name, {"pings": 0})
                d["pings"] += pings
                for k in r1:
                    d[k] = d.get(k, 0) + r1[k] - r0.get(k, 0)
    finally:
        for pid in echoes.values():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old_alarm)
        for s in setups:
            os.set_blocking(s.a, False), os.set_blocking(s.b, False)
    return {name: (o["times"], o["sw"] if o["have_sw"] else None, o["cpu"] if o["have_sw"] else None)
            for name, o in out.items()}


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


# ---------------------------------------------------------------------------------------------

def cpu_speed_ms(n=1000000):
    """Milliseconds for a fixed pure-Python loop: compare the start and the end of a run. In a TCG VM a
    jump means the host got busier (its load is invisible from inside), and every figure suffers."""
    t = time.perf_counter()
    x = 0
    for i in range(n):
        x += i & 7
    return (time.perf_counter() - t) * 1000


def cpu_busy_sample(seconds=1.0):
    """Share of all CPUs busy over `seconds` (from /proc/stat), while this script sleeps: other load."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v[:8]), idle
    try:
        t0, i0 = snap()
        time.sleep(seconds)
        t1, i1 = snap()
        return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))
    except (OSError, ValueError, IndexError):
        return None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def machine_facts(vwired, socat):
    facts = {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    for key, cmd in (("vwired", [vwired, "--version"]), ("socat", [socat, "-V"])):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout
            facts[key] = next((l.strip() for l in out.splitlines() if "version" in l), out.strip()[:80])
        except (OSError, subprocess.TimeoutExpired):
            facts[key] = "?"
    try:
        facts["git"] = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                                      capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return facts


def ratio(x, ref):
    return x / ref if ref else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vwired", default=os.path.join(REPO, "build/daemon/vwired"),
                    help="vwired binary (default: %(default)s)")
    ap.add_argument("--socat", default=shutil.which("socat") or "/usr/bin/socat", help="socat binary")
    ap.add_argument("--only", default=None,
                    help="comma-separated subset of: " + ",".join(SETUPS) +
                    " (default: all; cuse only where /dev/cuse exists)")
    ap.add_argument("--mib", type=int, default=64, help="MiB streamed per throughput run (default: 64)")
    ap.add_argument("--runs", type=int, default=3, help="rounds of every test per setup (default: 3)")
    ap.add_argument("--pings", type=int, default=10000, help="timed round trips per latency run (default: 10000)")
    ap.add_argument("--warmup", type=int, default=1000, help="untimed round trips per setup before each latency run")
    ap.add_argument("--block", type=int, default=250,
                    help="latency: timed round trips on one setup before switching to the next (default: %(default)s)")
    ap.add_argument("--route", action="append", default=[], metavar="KEY=VALUE",
                    help="extra key for the route of every vwired setup (vwire, cuse, --also*), "
                         "e.g. --route buffer=1M (repeatable)")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=PATH",
                    help="one more vwired to measure alongside, as setup LABEL (A/B-testing a change; repeatable)")
    ap.add_argument("--also-cuse", action="append", default=[], metavar="LABEL=PATH",
                    help="like --also, but a CUSE pair run by that vwired (needs /dev/cuse; repeatable)")
    ap.add_argument("--attach", metavar="CMD",
                    help="shell command run against every daemon while the tests run, {pid} and {name} "
                         "replaced (e.g. 'strace -c -f -p {pid}'); stopped with SIGINT at the end, its output "
                         "printed. Slows the daemon: for finding out why, not for the figures")
    ap.add_argument("--fuse-stats", action="store_true",
                    help="strace the CUSE setups' vwired and count the FUSE requests (per opcode, errors, poll "
                         "notifications, sizes) per MiB or per round trip; use with --no-latency or "
                         "--no-throughput. Slows vwired: the figures of such a run are not the figures")
    ap.add_argument("--client", choices=CLIENTS, default="read-first",
                    help="latency: how the pinger and the echo read, the same for every setup: read-first "
                         "(nonblocking read, poll() on EAGAIN; the default), poll-first (poll() then read, "
                         "like pyserial), blocking (blocking read) (default: %(default)s)")
    ap.add_argument("--no-throughput", action="store_true", help="skip the throughput test")
    ap.add_argument("--no-latency", action="store_true", help="skip the latency test")
    ap.add_argument("--pause", action="store_true",
                    help="print the daemons' pids and wait for Enter before testing (to attach strace/perf)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON as well")
    args = ap.parse_args()

    no_cuse = cuse_unavailable()
    if args.only is None:
        only = [x for x in SETUPS if x != "cuse" or not no_cuse]
        if no_cuse:
            print(f"note: no cuse setup: {no_cuse}", file=sys.stderr)
    else:
        only = [x.strip() for x in args.only.split(",") if x.strip()]
    bad = [x for x in only if x not in SETUPS]
    if bad or not only:
        ap.error(f"--only: unknown setup(s) {', '.join(bad)}; choose from {', '.join(SETUPS)}")
    only = [x for x in SETUPS if x in only]
    also, also_cuse = {}, {}
    for opt, lst, dest in (("--also", args.also, also), ("--also-cuse", args.also_cuse, also_cuse)):
        for a in lst:
            label, _, path = a.partition("=")
            if not label or not path or label in SETUPS or label in also or label in also_cuse \
                    or not label.isidentifier():
                ap.error(f"{opt} {a}: want LABEL=PATH with a new LABEL (letters, digits, _)")
            if not os.access(path, os.X_OK):
                ap.error(f"{opt} {a}: {path} is not executable")
            dest[label] = path
    strace = shutil.which("strace") or "/usr/bin/strace"
    if args.fuse_stats and not os.access(strace, os.X_OK):
        ap.error("--fuse-stats needs strace")
    if ("cuse" in only or also_cuse) and no_cuse:
        print(f"error: the cuse setup cannot run here: {no_cuse}", file=sys.stderr)
        return 2
    # the extra builds go right after the setup they are variants of
    order = []
    for x in only:
        order.append(x)
        order += list(also) if x == "vwire" else list(also_cuse) if x == "cuse" else []
    order = [x for x in also if x not in order] + [x for x in also_cuse if x not in order] + order
    only = order
    if args.mib <= 0 or args.runs <= 0 or args.pings <= 0 or args.warmup < 0 or args.block <= 0:
        ap.error("--mib, --runs and --pings must be positive, --warmup non-negative")
    if ("vwire" in only or "cuse" in only) and not os.access(args.vwired, os.X_OK):
        ap.error(f"no vwired at {args.vwired} (build it: ninja -C build, or pass --vwired)")
    if "socat" in only and not os.access(args.socat, os.X_OK):
        ap.error(f"no socat at {args.socat}")

    cmdline = shlex.join([sys.executable] + sys.argv)
    facts = machine_facts(args.vwired, args.socat)
    print(f"command: {cmdline}")
    print("machine: nproc {nproc} (usable {cpus_usable}), kernel {kernel}, cpu {cpu}, python {python}"
          .format(**{"cpu": "?", **facts}))
    busy = cpu_busy_sample()
    facts["background_busy_pct"] = busy
    facts["loadavg_before"] = loadavg()
    print(f"background: {busy:.0f}% of all CPUs busy before starting (should be ~0), load average {facts['loadavg_before']}"
          + ("  WARNING: other load on the machine skews every figure" if busy is not None and busy > 10 else ""))
    facts["speed_ms_before"] = cpu_speed_ms()
    tcg = "TCG" in facts.get("cpu", "")
    print(f"cpu speed check: fixed loop {facts['speed_ms_before']:.0f} ms"
          + ("  (QEMU TCG: software emulation; absolute figures are far below real hardware, compare"
             " ratios; the host's load is invisible here, the speed check shows it)" if tcg else ""))
    print(f"versions: vwired: {facts.get('vwired')}; socat: {facts.get('socat')}; git {facts.get('git', '?')}")
    print(f"plan: {args.runs} round(s); throughput {args.mib} MiB A->B; latency {args.warmup}+{args.pings} "
          f"1-byte round trips A->B->A ({args.client} client); setups {', '.join(only)} "
          f"(rotated each round; latency alternates every {args.block} round trips)")
    sys.stdout.flush()

    W = max(6, max(len(n) for n in only))
    tmp = tempfile.mkdtemp(prefix="vwire-bench-")
    setups = []
    attached = []
    fstats = {}
    results = {name: {"throughput_s": [], "daemon_cpu_ns": [], "daemon_wakeups": [],
                      "rtt_ns": [], "rtt_p50_ns_per_run": [], "lat_daemon_wakeups": [],
                      "lat_daemon_cpu_ns": []} for name in only}
    try:
        for name in only:
            route_extra = "".join(kv.replace("=", " = ", 1) + "\n" for kv in args.route)
            if name == "vwire":
                s = VwireSetup(args.vwired, tmp, route_extra)
            elif name == "cuse":
                s = CuseSetup(args.vwired, tmp, route_extra)
            elif name in also_cuse:
                s = CuseSetup(also_cuse[name], tmp, route_extra, name=name)
            elif name in also:
                s = VwireSetup(also[name], tmp, route_extra, name=name)
            elif name == "socat":
                s = SocatSetup(args.socat, tmp)
            else:
                s = PtySetup()
            s.start()
            setups.append(s)
            print(f"  {name}: {s.describe()}" + (f"  [pid {s.pid}]" if s.pid else ""))
        if args.pause:
            input("ready; press Enter to start ")
        if args.attach:
            for s in setups:
                if s.pid:
                    cmd = args.attach.replace("{pid}", str(s.pid)).replace("{name}", s.name)
                    out = open(os.path.join(tmp, f"attach-{s.name}.txt"), "w+")
                    pr = subprocess.Popen(cmd, shell=True, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)
                    attached.append((s.name, cmd, pr, out))
        if args.fuse_stats:
            for s in setups:
                if isinstance(s, CuseSetup):
                    out = os.path.join(tmp, f"fuse-{s.name}.strace")
                    log = open(os.path.join(tmp, f"fuse-{s.name}.log"), "w+")
                    pr = subprocess.Popen(fuse_strace_cmd(strace, s.pid, out), stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
                    attached.append((s.name, "fuse-stats", pr, log))
        if attached:
            time.sleep(2.0)  # let them attach
        nbytes = args.mib * MiB
        for rnd in range(args.runs):
            order = setups[rnd % len(setups):] + setups[:rnd % len(setups)]
            if not args.no_throughput:
                for s in order:
                    r = results[s.name]
                    secs, cpu, sw = throughput_once(s, nbytes, seed=rnd * 7919 + 1)
                    r["throughput_s"].append(secs)
                    r["daemon_cpu_ns"].append(cpu)
                    r["daemon_wakeups"].append(sw)
                    print(f"  round {rnd + 1} {s.name:{W}s} throughput {args.mib / secs:8.1f} MiB/s", flush=True)
            if not args.no_latency:
                lat = latency_round(order, args.warmup, args.pings, args.block, args.client)
                for s in setups:
                    times, sw, cpu = lat[s.name]
                    r = results[s.name]
                    times.sort()
                    r["rtt_ns"].extend(times)
                    r["rtt_p50_ns_per_run"].append(percentile(times, 50))
                    r["lat_daemon_wakeups"].append(sw)
                    r["lat_daemon_cpu_ns"].append(cpu)
                    print(f"  round {rnd + 1} {s.name:{W}s} rtt p50 {percentile(times, 50) / 1000:7.1f} us"
                          f"  p99 {percentile(times, 99) / 1000:7.1f} us", flush=True)
    finally:
        for name, cmd, pr, out in attached:
            try:
                os.killpg(pr.pid, signal.SIGINT)
                pr.wait(60)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(pr.pid, signal.SIGKILL)
                pr.wait()
            out.seek(0)
            if cmd == "fuse-stats":
                fstats[name] = fuse_stats(os.path.join(tmp, f"fuse-{name}.strace"))
            else:
                print(f"\n--- attach {name}: {cmd} (exit {pr.returncode})\n{out.read()}--- end of attach {name}\n")
        errors = []
        for s in setups:
            try:
                s.stop()
            except BenchError as e:
                errors.append(str(e))
        shutil.rmtree(tmp, ignore_errors=True)
        for e in errors:
            print(f"error: {e}", file=sys.stderr)

    facts["loadavg_after"] = loadavg()
    facts["speed_ms_after"] = cpu_speed_ms()
    print(f"load average after: {facts['loadavg_after']}; cpu speed check: fixed loop {facts['speed_ms_after']:.0f} ms"
          f" (before: {facts['speed_ms_before']:.0f} ms)")

    # -- summary
    summary = {}
    for name in only:
        r = results[name]
        d = {}
        if r["throughput_s"]:
            rates = [args.mib / t for t in r["throughput_s"]]
            d["mib_s"] = statistics.median(rates)
            d["mib_s_runs"] = rates
            cpus = [c for c in r["daemon_cpu_ns"] if c is not None]
            if cpus and name != "pty":
                d["daemon_cpu_pct"] = statistics.median(c / t / 1e7 for c, t in zip(cpus, r["throughput_s"]))
                d["daemon_cpu_us_per_mib"] = statistics.median(cpus) / 1000 / args.mib
            sws = [w for w in r["daemon_wakeups"] if w is not None]
            if sws and name != "pty":
                d["daemon_sleeps_per_mib"] = statistics.median(sws) / args.mib
        if r["rtt_ns"]:
            t = sorted(r["rtt_ns"])
            d["p50_us"] = percentile(t, 50) / 1000
            d["p99_us"] = percentile(t, 99) / 1000
            d["p50_us_runs"] = [x / 1000 for x in r["rtt_p50_ns_per_run"]]
            sws = [w for w in r["lat_daemon_wakeups"] if w is not None]
            if sws and name != "pty":
                d["daemon_sleeps_per_rtt"] = statistics.median(sws) / args.pings
            cpus = [c for c in r["lat_daemon_cpu_ns"] if c is not None]
            if cpus and name != "pty":
                d["daemon_cpu_us_per_rtt"] = statistics.median(cpus) / 1000 / args.pings
        summary[name] = d

    ref = summary.get("socat", {})
    print()
    RW = max(24, max(len(" ".join(f"{args.mib / t:.0f}" for t in results[n]["throughput_s"])) for n in only))
    hdr = f"{'setup':{W}s} {'MiB/s':>8s} {'x socat':>8s} {'runs (MiB/s)':>{RW}s} {'p50 us':>8s} {'x socat':>8s} " \
          f"{'p99 us':>8s} {'x socat':>8s} {'cpu':>5s} {'sleeps/MiB':>10s} {'sleeps/rtt':>10s} {'cpu us/rtt':>10s}"
    print(hdr)
    print("-" * len(hdr))
    for name in only:
        d = summary[name]

        def f(key, fmt, width):
            return format(d[key], fmt).rjust(width) if key in d else "-".rjust(width)

        def rr(key, width):
            return (f"{ratio(d[key], ref[key]):.2f}x".rjust(width) if key in d and key in ref else "-".rjust(width))

        runs = " ".join(f"{x:.0f}" for x in d.get("mib_s_runs", []))
        cpu = f"{d['daemon_cpu_pct']:.0f}%" if "daemon_cpu_pct" in d else "-"
        print(f"{name:{W}s} {f('mib_s', '.1f', 8)} {rr('mib_s', 8)} {runs:>{RW}s} {f('p50_us', '.1f', 8)} "
              f"{rr('p50_us', 8)} {f('p99_us', '.1f', 8)} {rr('p99_us', 8)} {cpu:>5s} "
              f"{f('daemon_sleeps_per_mib', '.0f', 10)} {f('daemon_sleeps_per_rtt', '.2f', 10)} "
              f"{f('daemon_cpu_us_per_rtt', '.1f', 10)}")
    print("(of the process in between, vwired or socat: cpu = its CPU time / wall time of the throughput runs;"
          " sleeps = its voluntary\n context switches per MiB and per round trip; cpu us/rtt = its CPU time per round trip)")

    def judge(name, goals):
        """Ratios of setup `name` against socat; goals: [(label, min throughput ratio, max p50 ratio)].
        A goal is True/False when both tests ran, else the part that was measured decides nothing (None)."""
        v, sref = summary.get(name), summary.get("socat")
        if not v or not sref:
            return None
        have_t = "mib_s" in v and "mib_s" in sref
        have_l = "p50_us" in v and "p50_us" in sref
        if not have_t and not have_l:
            return None
        tr = ratio(v["mib_s"], sref["mib_s"]) if have_t else None
        lr = ratio(v["p50_us"], sref["p50_us"]) if have_l else None
        out = {"throughput_ratio": tr, "p50_ratio": lr}
        for label, t_min, l_max in goals:
            out[label] = (tr >= t_min and lr <= l_max) if have_t and have_l else None
            out[label + "_throughput"] = tr >= t_min if have_t else None
            out[label + "_p50"] = lr <= l_max if have_l else None
        # Paired by round: both ran within seconds of each other, so drift cancels out better.
        rv, rs = results[name], results["socat"]
        pt = [s_ / v_ for v_, s_ in zip(rv["throughput_s"], rs["throughput_s"])]  # MiB/s ratio = time ratio inverted
        pl = [v_ / s_ for v_, s_ in zip(rv["rtt_p50_ns_per_run"], rs["rtt_p50_ns_per_run"])]
        out["paired_throughput_ratios"], out["paired_p50_ratios"] = pt, pl
        parts = []
        if pt:
            parts.append(f"throughput {' '.join(f'{x:.2f}' for x in pt)} (median {statistics.median(pt):.2f})")
        if pl:
            parts.append(f"p50 {' '.join(f'{x:.2f}' for x in pl)} (median {statistics.median(pl):.2f})")
        print(f"per-round ratios {name}/socat: " + "; ".join(parts))
        return out

    def met(x):
        return "MET" if x else "MISSED"

    def verdict_line(vd, label, t_min, l_max):
        if vd[label] is not None:
            return f"{label} (>={t_min:.1f}x, <={l_max:.1f}x): {met(vd[label])}"
        if vd[label + "_throughput"] is not None:
            return f"{label}, throughput part (>={t_min:.1f}x): {met(vd[label + '_throughput'])} (no latency test)"
        return f"{label}, p50 part (<={l_max:.1f}x): {met(vd[label + '_p50'])} (no throughput test)"

    pty_goals = [("must", 1.0, 1.0), ("goal", 1.5, 0.7)]
    cuse_goals = [("goal", CUSE_GOAL_THROUGHPUT, CUSE_GOAL_P50)]
    verdicts = {}
    print()
    for name in only:
        if name in ("socat", "pty"):
            continue
        is_cuse = name == "cuse" or name in also_cuse
        verdicts[name] = judge(name, cuse_goals if is_cuse else pty_goals)
    print()
    for name, vd in verdicts.items():
        is_cuse = name == "cuse" or name in also_cuse
        if vd is None:
            print(f"verdict: {name}: needs {name} and socat")
            continue
        figures = ", ".join(x for x in (
            f"throughput {vd['throughput_ratio']:.2f}x" if vd["throughput_ratio"] is not None else "",
            f"p50 latency {vd['p50_ratio']:.2f}x" if vd["p50_ratio"] is not None else "") if x)
        goals = cuse_goals if is_cuse else pty_goals
        print(f"verdict: {name} ({'CUSE pair, issue 3' if is_cuse else 'PTY pair'}) vs socat: {figures} -> "
              + "; ".join(verdict_line(vd, *g) for g in goals))
    if not verdicts:
        print("verdict: needs a vwired setup (vwire or cuse) and socat")
    verdict = verdicts.get("vwire")

    for name, fs in fstats.items():
        if args.no_latency and not args.no_throughput:
            per, unit = args.mib * args.runs, "MiB"
        elif args.no_throughput and not args.no_latency:
            per, unit = (args.warmup + args.pings) * args.runs, "round trip"
        else:
            per, unit = 1, "run (both tests: raw counts)"
        fs["per"] = unit
        reqs = ", ".join(f"{k} {v / per:.2f}" for k, v in sorted(fs["requests"].items(), key=lambda kv: -kv[1]))
        errs = ", ".join(f"{k} {v / per:.2f}" for k, v in fs["errors"].items()) or "none"
        sizes = "; ".join(f"{k} " + ", ".join(f"{sz} B x{n}" for sz, n in v) for k, v in fs["request_sizes"].items())
        mean = fs["read_reply_mean_bytes"]
        print(f"\nFUSE requests of {name} per {unit}: {fs['total'] / per:.2f} ({reqs}); of them failed: {errs}; "
              f"poll notifications {fs['poll_notifications'] / per:.2f}"
              f"\n  request sizes (most common): {sizes or '-'}; READ replies: "
              + (f"{mean:.0f} bytes on average" if mean is not None else "-")
              + "\n  (counted under strace, which slows vwired: the figures of this run are not the figures)")

    for name, d in REQUEST_STATS.items():
        n = d["pings"]
        mean_rtt = statistics.mean(results[name]["rtt_ns"]) / 1000 if results[name]["rtt_ns"] else float("nan")
        kinds = ", ".join(f"{k.upper()} {d.get(k, 0) / n:.2f}" for k in ("write", "read", "poll", "ioctl", "other")
                          if d.get(k, 0))
        total = sum(d.get(k, 0) for k in ("write", "read", "poll", "ioctl", "other"))
        busy = d.get("busy_usec", 0) / n
        print(f"\nvwired's own counters for {name}, per round trip ({n} timed): {total / n:.2f} requests ({kinds}; "
              f"{d.get('eagain', 0) / n:.2f} answered EAGAIN), {d.get('poll_notify', 0) / n:.2f} poll notifications, "
              f"{d.get('wakeups', 0) / n:.2f} wake-ups; vwired busy {busy:.0f} us of a {mean_rtt:.0f} us mean round "
              f"trip ({100 * busy / mean_rtt:.0f} %): the rest is the kernel's FUSE path and scheduling")

    if args.json:
        out = {"command": cmdline, "machine": facts,
               "params": {"mib": args.mib, "runs": args.runs, "pings": args.pings, "warmup": args.warmup,
                          "route": args.route, "client": args.client},
               "results": summary, "verdict": verdict, "verdicts": verdicts}
        if fstats:
            out["fuse_stats"] = fstats
        if REQUEST_STATS:
            out["request_stats"] = REQUEST_STATS
        print(json.dumps(out, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
