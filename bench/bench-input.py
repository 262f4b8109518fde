#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-input.py: events through a vwire [input] device against writing to uinput directly, in one
run on one machine. Needs root, /dev/uinput and python3-evdev (Debian's /usr/bin/python3); on
machines without /dev/uinput run it in the project's VM (tests/vm/README.md):

    ninja -C build && tests/vm/vm-run --timeout 1500 -- /usr/bin/python3 bench/bench-input.py

Both setups get the same device description (custom: KEY_A, REL_X, and 64 multi-touch slots
whose only purpose is to make the kernel give each evdev reader a large buffer, 8192 events, so a
reader in Python keeps up during the throughput run), and the same reader: this process, reading
the device's /dev/input/event* node with os.read(), as an evdev client does.

  latency     one frame (KEY_A 1 or 0, SYN_REPORT) at a time, timed with perf_counter_ns() from
              just before the request to the moment the reader has the frame:
                vwire   an io.vwire.Event call on a connection to vwired's control socket
                        (Varlink: JSON + NUL), already open and past Hello; the reply is read
                        after the frame arrived;
                vwire-wire  the same vwired and device, the frame sent as two wire records on a
                        connection to the [socket] endpoint, through the route (wire-to-events);
                relay   two wire records sent to uinput-relay (bench/uinput-relay.c, compiled here
                        with cc): the smallest daemon that writes to uinput for a client, the floor
                        of any injector in a second process (ydotoold, vwired);
                direct  os.write() of the two struct input_event to the uinput fd, in the reading
                        process itself: no second process, no wake-up (the issue's baseline).
              --warmup frames first, then --frames timed ones per round; p50/p99 over all rounds.
  throughput  --events events (frames of REL_X 1, SYN_REPORT) written as fast as they are taken,
              by a forked writer process; the reader counts events until all arrived; events/s
              from the first to the last one read, median of the rounds:
                vwire   the writer sends the wire format (16-byte records, codecs/input-wire.h) to
                        a [socket] listen = unix:... endpoint; a route with convert =
                        wire-to-events takes them into the device (a control-socket call per
                        event would measure JSON, not the path);
                relay   the writer sends the wire format to uinput-relay;
                direct  the writer writes batches of 256 struct input_event to the uinput fd
                        (vwired writes at most 256 per write() too).
  vwirectl    for information: `vwirectl event` per frame, process start included.

Rounds alternate the setups so that drift hits both alike. Goals (issue 4): vwire's latency p50
within 1.5x of direct uinput, and at least 100k events/s sustained.
"""

import argparse
import json
import os
import platform
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import evdev
from evdev import AbsInfo, UInput, ecodes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_P50_RATIO = 1.5
GOAL_EVENTS_PER_SEC = 100_000
INPUT_EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit Linux
WIRE = struct.Struct("<QHHi")         # vwire's wire format
MT_AXES = ("ABS_MT_TOUCH_MAJOR", "ABS_MT_TOUCH_MINOR", "ABS_MT_WIDTH_MAJOR", "ABS_MT_WIDTH_MINOR",
           "ABS_MT_ORIENTATION", "ABS_MT_POSITION_X", "ABS_MT_POSITION_Y", "ABS_MT_TOOL_TYPE",
           "ABS_MT_BLOB_ID", "ABS_MT_PRESSURE", "ABS_MT_DISTANCE", "ABS_MT_TOOL_X", "ABS_MT_TOOL_Y")


class BenchError(Exception):
    pass


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise BenchError(f"timed out waiting for {what}")
        time.sleep(0.02)


def frame(type_, code, value):
    return INPUT_EVENT.pack(0, 0, type_, code, value) + INPUT_EVENT.pack(0, 0, 0, 0, 0)


class Reader:
    """An evdev client of one device node."""

    def __init__(self, node):
        self.fd = os.open(node, os.O_RDONLY | os.O_NONBLOCK)
        self.poll = select.poll()
        self.poll.register(self.fd, select.POLLIN)

    def drain(self):
        while self.poll.poll(50):
            try:
                os.read(self.fd, 1 << 20)
            except BlockingIOError:
                pass

    def wait_frame(self, timeout_ms=10000):
        """Block until a whole frame (ending in SYN_REPORT) is read."""
        got = b""
        while True:
            if not self.poll.poll(timeout_ms):
                raise BenchError("no event arrived")
            try:
                got += os.read(self.fd, 4096)
            except BlockingIOError:
                continue
            if len(got) >= 2 * INPUT_EVENT.size and got[-8:-4] == b"\0\0\0\0":
                return got

    def close(self):
        os.close(self.fd)


# ---------------------------------------------------------------------------------------------
# setups

class Direct:
    name = "direct"

    def start(self):
        abs_axes = [(ecodes.ABS_MT_SLOT, AbsInfo(0, 0, 63, 0, 0, 0)),
                    (ecodes.ABS_MT_TRACKING_ID, AbsInfo(0, 0, 65535, 0, 0, 0))]
        abs_axes += [(ecodes.ecodes[a], AbsInfo(0, 0, 4095, 0, 0, 0)) for a in MT_AXES]
        self.ui = UInput({ecodes.EV_KEY: [ecodes.KEY_A], ecodes.EV_REL: [ecodes.REL_X], ecodes.EV_ABS: abs_axes},
                         name="bench direct uinput")
        self.fd = self.ui.fd
        wait_for(lambda: self.ui.device is not None, 5, "the direct device")
        self.node = self.ui.device.path

    def stop(self):
        self.ui.close()

    def send_frame(self, value):
        os.write(self.fd, frame(ecodes.EV_KEY, ecodes.KEY_A, value))

    def collect_reply(self):
        pass

    def writer(self, n_events):
        batch = b"".join(frame(ecodes.EV_REL, ecodes.REL_X, 1) for _ in range(128))  # 256 events
        sent = 0
        while sent < n_events:
            os.write(self.fd, batch)
            sent += 256

    def describe(self):
        return "python-evdev UInput, os.write() of struct input_event"


class VwireWire:
    """vwire's device, fed through its wire socket route: latency only."""
    name = "vwire-wire"

    def __init__(self, vwire):
        self.vwire = vwire

    def start(self):
        self.node = self.vwire.node
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(os.path.join(self.vwire.dir, "feed.sock"))
        self.msgs = [WIRE.pack(0, ecodes.EV_KEY, ecodes.KEY_A, v) + WIRE.pack(0, 0, 0, 0) for v in (0, 1)]

    def send_frame(self, value):
        self.sock.sendall(self.msgs[value])

    def collect_reply(self):
        pass

    writer = None

    def stop(self):
        self.sock.close()

    def describe(self):
        return "vwire's device above, frames as wire records on the [socket] endpoint's route"


class Relay:
    name = "relay"

    def __init__(self, tmp):
        self.dir = tmp
        self.proc = None

    def start(self):
        exe = os.path.join(self.dir, "uinput-relay")
        cc = subprocess.run(["cc", "-O2", "-o", exe, os.path.join(REPO, "bench", "uinput-relay.c")],
                            capture_output=True, text=True)
        if cc.returncode != 0:
            raise BenchError(f"cannot compile uinput-relay.c: {cc.stderr}")
        self.path = os.path.join(self.dir, "relay.sock")
        self.proc = subprocess.Popen([exe, self.path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.node = self.proc.stdout.readline().strip()
        if not self.node.startswith("/dev/input/event"):
            raise BenchError("uinput-relay did not start")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)
        self.msgs = [WIRE.pack(0, ecodes.EV_KEY, ecodes.KEY_A, v) + WIRE.pack(0, 0, 0, 0) for v in (0, 1)]

    def send_frame(self, value):
        self.sock.sendall(self.msgs[value])

    def collect_reply(self):
        pass

    def writer(self, n_events):
        # the relay serves one client at a time: the forked writer uses the latency connection
        s = self.sock
        batch = b"".join(WIRE.pack(0, ecodes.EV_REL, ecodes.REL_X, 1) + WIRE.pack(0, 0, 0, 0) for _ in range(2048))
        per = len(batch) // WIRE.size
        sent = 0
        while sent < n_events:
            s.sendall(batch)
            sent += per

    def stop(self):
        self.sock.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def describe(self):
        return "bench/uinput-relay.c: unix socket -> read() -> write() to uinput"


VWIRE_CONFIG = """\
# written by bench/bench-input.py
[input kbd]
profile = keyboard

[input kbd0]
profile = keyboard
pace = 0

[socket ydo]
listen = unix:{dir}/ydo.sock

[route ydo-route]
from = ydo
to = kbd0
convert = ydotool-to-events

[socket kfeed]
listen = unix:{dir}/kfeed.sock

[route kfeed-route]
from = kfeed
to = kbd0
convert = wire-to-events

[input bench]
profile = custom
keys = KEY_A
rel = REL_X
abs = ABS_MT_SLOT:0:63 ABS_MT_TRACKING_ID:0:65535 {mt}

[socket feed]
listen = unix:{dir}/feed.sock

[route wire]
from = feed
to = bench
convert = wire-to-events
buffer = 1M
"""


class Vwire:
    name = "vwire"

    def __init__(self, tmp, vwired, vwirectl):
        self.dir = tmp
        self.vwired = vwired
        self.vwirectl = vwirectl
        self.proc = None

    def start(self):
        conf = os.path.join(self.dir, "bench.conf")
        with open(conf, "w") as f:
            f.write(VWIRE_CONFIG.format(dir=self.dir, mt=" ".join(a + ":0:4095" for a in MT_AXES)))
        self.sock_path = os.path.join(self.dir, "run", "control.sock")
        self.log = open(os.path.join(self.dir, "vwired.log"), "w+")
        self.proc = subprocess.Popen([self.vwired, "--config", conf, "--runtime-dir", os.path.join(self.dir, "run")],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        wait_for(lambda: os.path.exists(self.sock_path) or self.proc.poll() is not None, 30, "vwired")
        if self.proc.poll() is not None:
            self.log.seek(0)
            raise BenchError(f"vwired exited: {self.log.read()[-2000:]}")
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.connect(self.sock_path)
        self.buf = b""
        self.call("io.vwire.Hello", {"version": "bench", "protocol": 1})
        show = self.call("io.vwire.Show", {"name": "bench"})
        self.node = show["endpoint"]["path"]
        # one event: the flat form of Event (a SYN_REPORT is added by vwired)
        self.event_msgs = [json.dumps({"method": "io.vwire.Event", "parameters": {
            "name": "bench", "type": ecodes.EV_KEY, "code": ecodes.KEY_A, "value": v}}).encode() + b"\0"
            for v in (0, 1)]

    def recv(self):
        while b"\0" not in self.buf:
            data = self.ctl.recv(65536)
            if not data:
                raise BenchError("vwired closed the control connection")
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        reply = json.loads(msg)
        if "error" in reply:
            raise BenchError(f"vwired: {reply}")
        return reply.get("parameters", {})

    def call(self, method, params):
        self.ctl.sendall(json.dumps({"method": method, "parameters": params}).encode() + b"\0")
        return self.recv()

    def send_frame(self, value):
        self.ctl.sendall(self.event_msgs[value])

    def collect_reply(self):
        self.recv()

    def writer(self, n_events):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.path.join(self.dir, "feed.sock"))
        batch = b"".join(WIRE.pack(0, ecodes.EV_REL, ecodes.REL_X, 1) + WIRE.pack(0, 0, 0, 0) for _ in range(2048))
        per = len(batch) // WIRE.size
        sent = 0
        while sent < n_events:
            s.sendall(batch)
            sent += per
        s.close()

    def vwirectl_frame(self, value):
        subprocess.run([self.vwirectl, "--socket", self.sock_path, "event", "bench", "EV_KEY", "KEY_A", str(value)],
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.ctl.close()
            self.proc.terminate()
            self.proc.wait(10)

    def describe(self):
        return f"{self.vwired}: [input] custom + [socket] listen unix + route convert = wire-to-events"


# ---------------------------------------------------------------------------------------------
# anchors: ydotool/ydotoold and direct uinput against every vwire path, on keyboards

YDOTOOL = "/usr/bin/ydotool"
YDOTOOLD = "/usr/bin/ydotoold"
YDOTOOL_SOCKET = "/tmp/.ydotool_socket"
YREC = struct.Struct("=HHi")  # ydotool 0.1.8's client record (codecs/input-wire.h)


def find_node(name, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for path in evdev.list_devices():
            try:
                d = evdev.InputDevice(path)
            except OSError:
                continue
            n = d.name
            d.close()
            if n == name:
                return path
        time.sleep(0.05)
    raise BenchError(f"no input device named {name!r} appeared")


class Ydotoold:
    """Debian's ydotoold 0.1.8: its own uinput device, the client protocol on /tmp/.ydotool_socket."""

    def start(self):
        for exe in (YDOTOOL, YDOTOOLD):
            if not os.access(exe, os.X_OK):
                raise BenchError(f"{exe} is missing: tools/install-deps --test installs ydotool and ydotoold")
        if os.path.exists(YDOTOOL_SOCKET):
            os.unlink(YDOTOOL_SOCKET)
        self.proc = subprocess.Popen([YDOTOOLD], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(YDOTOOL_SOCKET) or self.proc.poll() is not None, 10, "ydotoold")
        if self.proc.poll() is not None:
            raise BenchError("ydotoold exited")
        self.node = find_node("ydotoold virtual device")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if os.path.exists(YDOTOOL_SOCKET):
            os.unlink(YDOTOOL_SOCKET)


def yd_frame(value):
    return YREC.pack(ecodes.EV_KEY, ecodes.KEY_A, value) + YREC.pack(0, 0, 0)


def wire_frame(value):
    return WIRE.pack(0, ecodes.EV_KEY, ecodes.KEY_A, value) + WIRE.pack(0, 0, 0, 0)


class StreamPath:
    """Frames as bytes on a stream socket: no reply."""

    def __init__(self, name, path, node, encode):
        self.name, self.path, self.node, self.encode = name, path, node, encode

    def start(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)
        self.msgs = [self.encode(0), self.encode(1)]

    def send(self, value):
        self.sock.sendall(self.msgs[value])

    def send_burst(self, values):
        self.sock.sendall(b"".join(self.msgs[v] for v in values))

    def collect(self, n):
        pass

    def stop(self):
        self.sock.close()


class EventPath:
    """io.vwire.Event on an open control connection (past Hello): JSON + NUL, a reply per call."""

    def __init__(self, name, vwire, device, node):
        self.name, self.vwire, self.device, self.node = name, vwire, device, node

    def start(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.vwire.sock_path)
        self.buf = b""
        self.sock.sendall(json.dumps({"method": "io.vwire.Hello", "parameters": {
            "version": "bench", "protocol": 1}}).encode() + b"\0")
        self.collect(1)
        self.msgs = [json.dumps({"method": "io.vwire.Event", "parameters": {
            "name": self.device, "type": "EV_KEY", "code": "KEY_A", "value": v}}).encode() + b"\0" for v in (0, 1)]

    def send(self, value):
        self.sock.sendall(self.msgs[value])

    def send_burst(self, values):
        self.sock.sendall(b"".join(self.msgs[v] for v in values))

    def collect(self, n):
        while self.buf.count(b"\0") < n:
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("vwired closed the control connection")
            self.buf += data
        for _ in range(n):
            msg, self.buf = self.buf.split(b"\0", 1)
            if b'"error"' in msg:
                raise BenchError(f"vwired: {msg!r}")

    def stop(self):
        self.sock.close()


class EventBatchPath(EventPath):
    """The same, but a burst is one Event call carrying every frame ("events": KEY_A, SYN_REPORT, ...):
    what a client that has several frames at once can send instead of a call per frame."""

    def start(self):
        self.calls = 1  # Hello's reply, which EventPath.start() collects
        super().start()

    def send(self, value):
        super().send(value)
        self.calls += 1

    def send_burst(self, values):
        # built before the clock starts, like every other path's messages: what is timed is the send
        self.sock.sendall(self.batch(tuple(values)))
        self.calls += 1

    def batch(self, values):
        if getattr(self, "_batch_for", None) != values:
            events = []
            for v in values:
                events += [{"type": "EV_KEY", "code": "KEY_A", "value": v},
                           {"type": "EV_SYN", "code": "SYN_REPORT", "value": 0}]
            self._batch_for = values
            self._batch = json.dumps({"method": "io.vwire.Event", "parameters": {
                "name": self.device, "events": events}}).encode() + b"\0"
        return self._batch

    def collect(self, n):
        super().collect(self.calls)
        self.calls = 0


class DirectPath:
    name = "direct uinput"

    def __init__(self, direct):
        self.direct, self.node = direct, direct.node

    def start(self):
        pass

    def send(self, value):
        os.write(self.direct.fd, frame(ecodes.EV_KEY, ecodes.KEY_A, value))

    def send_burst(self, values):
        os.write(self.direct.fd, b"".join(frame(ecodes.EV_KEY, ecodes.KEY_A, v) for v in values))

    def collect(self, n):
        pass

    def stop(self):
        pass


SYN_REPORT_TAIL = b"\0" * 8  # type, code and value of SYN_REPORT, the last 8 bytes of an input_event


def wait_frames(reader, n, timeout_ms=10000):
    """Block until n whole frames (SYN_REPORTs) are read. Counts only what each read adds (whole
    events: evdev returns no part of one), so the reader's own cost does not grow with the burst."""
    syns = 0
    size = INPUT_EVENT.size
    while syns < n:
        if not reader.poll.poll(timeout_ms):
            raise BenchError(f"only {syns} of {n} frames arrived")
        try:
            data = os.read(reader.fd, 1 << 16)
        except BlockingIOError:
            continue
        syns += sum(1 for i in range(16, len(data), size) if data[i:i + 8] == SYN_REPORT_TAIL)


def path_idle(path, reader, n, warmup):
    samples = []
    value = 0
    reader.drain()
    for i in range(warmup + n):
        value ^= 1
        t0 = time.perf_counter_ns()
        path.send(value)
        reader.wait_frame()
        t1 = time.perf_counter_ns()
        path.collect(1)
        if i >= warmup:
            samples.append((t1 - t0) / 1000)
        time.sleep(0.002)  # idle: the injector sleeps between frames, as between a script's commands
    if value:
        # leave the key up: a press of a key already down is no event, and a burst would wait for it
        path.send(0)
        reader.wait_frame()
        path.collect(1)
    return samples


def path_burst(path, reader, bursts, size):
    """Per-frame time of `size` frames sent back to back, until the reader has the last one."""
    samples = []
    reader.drain()
    for _ in range(bursts):
        values = [(i + 1) % 2 for i in range(size)]
        t0 = time.perf_counter_ns()
        path.send_burst(values)
        wait_frames(reader, size)
        t1 = time.perf_counter_ns()
        path.collect(size)
        samples.append((t1 - t0) / 1000 / size)
        reader.drain()
    return samples


def cli_samples(argv, reader, n, warmup):
    """A new process per call: from its start until the reader has the key-press frame, and until it exits."""
    frame_us, exit_us, cpu_us = [], [], []
    reader.drain()
    for i in range(warmup + n):
        t0 = time.perf_counter_ns()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reader.wait_frame()
        t1 = time.perf_counter_ns()
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise BenchError(f"{argv} exited {proc.returncode}")
        t2 = time.perf_counter_ns()
        if i >= warmup:
            frame_us.append((t1 - t0) / 1000)
            exit_us.append((t2 - t0) / 1000)
            cpu_us.append((ru.ru_utime + ru.ru_stime) * 1e6)
        time.sleep(0.02)
        reader.drain()
    return frame_us, exit_us, cpu_us


def anchors(args, vwire, direct, relay, readers, tmp):
    """Every injection path next to its ydotool equivalent, the do-nothing relay and direct uinput."""
    yd = Ydotoold()
    yd.start()
    res = {}
    try:
        kbd = vwire.call("io.vwire.Show", {"name": "kbd"})["endpoint"]["path"]
        kbd0 = vwire.call("io.vwire.Show", {"name": "kbd0"})["endpoint"]["path"]
        rd = {n: Reader(n) for n in (kbd, kbd0, yd.node)}
        rd[direct.node] = readers["direct"]
        rd[relay.node] = readers["relay"]
        ctl = [vwire.vwirectl, "--socket", vwire.sock_path]
        clis = [
            ("vwirectl key", ctl + ["key", "kbd", "KEY_A"], kbd),
            ("ydotool key", [YDOTOOL, "key", "--delay", "0", "a"], yd.node),
            ("vwirectl type", ctl + ["type", "kbd", "a"], kbd),
            ("ydotool type", [YDOTOOL, "type", "--delay", "0", "a"], yd.node),
        ]
        # process start alone: vwirectl --version against the static ydotool printing its usage
        starts = {"vwirectl --version": [], "ydotool (usage)": []}
        for _ in range(args.cli_calls * args.rounds):
            for name, argv in (("vwirectl --version", [vwire.vwirectl, "--version"]), ("ydotool (usage)", [YDOTOOL])):
                t0 = time.perf_counter_ns()
                subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                starts[name].append((time.perf_counter_ns() - t0) / 1000)
        res["starts"] = starts
        for r in range(args.rounds):
            for name, argv, node in (clis if r % 2 == 0 else list(reversed(clis))):
                f, e, cpu = cli_samples(argv, rd[node], args.cli_calls, 2)
                res.setdefault(name, {"frame": [], "exit": [], "cpu": []})
                res[name]["frame"] += f
                res[name]["exit"] += e
                res[name]["cpu"] += cpu
        paths = [
            EventPath("vwire Event (kbd, pace 1 ms)", vwire, "kbd", kbd),
            EventPath("vwire Event (pace 0)", vwire, "kbd0", kbd0),
            EventBatchPath("vwire Event (pace 0), a burst in one call", vwire, "kbd0", kbd0),
            StreamPath("vwire ydotool socket", os.path.join(tmp, "ydo.sock"), kbd0, yd_frame),
            StreamPath("vwire wire socket", os.path.join(tmp, "kfeed.sock"), kbd0, wire_frame),
            StreamPath("ydotoold socket", YDOTOOL_SOCKET, yd.node, yd_frame),
            StreamPath("relay", relay.path, relay.node, wire_frame),
            DirectPath(direct),
        ]
        relay.sock.close()  # the relay serves one client at a time
        for p in paths:
            p.start()
        idle = {p.name: [] for p in paths}
        burst = {p.name: [] for p in paths}
        # the CPU the serving process spends on the bursts (vwired, ydotoold, the relay; direct: none)
        server = {p.name: (relay.pid if p.name == "relay" else yd.proc.pid if p.name == "ydotoold socket"
                           else None if isinstance(p, DirectPath) else vwire.pid) for p in paths}
        burst_cpu = {p.name: 0.0 for p in paths}
        for r in range(args.rounds):
            for p in (paths if r % 2 == 0 else list(reversed(paths))):
                idle[p.name] += path_idle(p, rd[p.node], args.frames, args.warmup)
                c0 = run_seconds(server[p.name])
                burst[p.name] += path_burst(p, rd[p.node], args.bursts, args.burst)
                burst_cpu[p.name] += run_seconds(server[p.name]) - c0
        for p in paths:
            p.stop()
        for n, r in rd.items():
            if n not in (direct.node, relay.node):
                r.close()
    finally:
        yd.stop()

    def p50(v):
        return statistics.median(v)

    out = {"cli": {}, "idle": {}, "burst": {}}
    print()
    st = {k: p50(v) for k, v in res["starts"].items()}
    print(f"process start: vwirectl --version p50 {st['vwirectl --version'] / 1000:.2f} ms, ydotool (usage) p50 "
          f"{st['ydotool (usage)'] / 1000:.2f} ms, ratio {st['vwirectl --version'] / st['ydotool (usage)']:.2f}x")
    out["starts_p50_us"] = st
    print(f"CLI, a new process per call ({args.rounds} rounds x {args.cli_calls} calls): p50 ms until the reader has "
          "the key-press frame / until the process exited")
    for a, b in (("vwirectl key", "ydotool key"), ("vwirectl type", "ydotool type")):
        fa, fb = p50(res[a]["frame"]), p50(res[b]["frame"])
        ea, eb = p50(res[a]["exit"]), p50(res[b]["exit"])
        print(f"  {a:14s} {fa / 1000:7.2f} / {ea / 1000:7.2f}   {b:13s} {fb / 1000:7.2f} / {eb / 1000:7.2f}   "
              f"ratio {fa / fb:5.2f}x / {ea / eb:5.2f}x  (goal <= 1.0x)")
        ca, cb = p50(res[a]["cpu"]), p50(res[b]["cpu"])
        print(f"  {'':14s} CPU of the process (user + system, p50): {ca / 1000:.2f} ms vs {cb / 1000:.2f} ms, "
              f"ratio {ca / cb:.2f}x (robust against a loaded host)")
        out["cli"][a] = {"frame_p50_us": fa, "exit_p50_us": ea, "cpu_p50_us": ca, "vs": b, "frame_ratio": fa / fb,
                         "exit_ratio": ea / eb, "cpu_ratio": ca / cb}
        out["cli"][b] = {"frame_p50_us": fb, "exit_p50_us": eb, "cpu_p50_us": cb}
    yd_i, yd_b = p50(idle["ydotoold socket"]), p50(burst["ydotoold socket"])
    re_i, re_b = p50(idle["relay"]), p50(burst["relay"])
    di_i, di_b = p50(idle["direct uinput"]), p50(burst["direct uinput"])
    print()
    print(f"open connection: idle = one frame at a time, 2 ms apart (p50 us until the reader has it); back to back = "
          f"{args.burst} frames in one send (p50 us per frame until the reader has the last)")
    print(f"  {'path':30s} {'idle':>8s} {'x ydotoold':>10s} {'x relay':>8s} {'x direct':>8s}   "
          f"{'b2b':>7s} {'x ydotoold':>10s} {'x relay':>8s} {'x direct':>8s}")
    for p in paths:
        i, b = p50(idle[p.name]), p50(burst[p.name])
        print(f"  {p.name:30s} {i:8.0f} {i / yd_i:10.2f} {i / re_i:8.2f} {i / di_i:8.2f}   "
              f"{b:7.1f} {b / yd_b:10.2f} {b / re_b:8.2f} {b / di_b:8.2f}")
        out["idle"][p.name] = {"p50_us": i, "p99_us": percentile(idle[p.name], 99), "x_ydotoold": i / yd_i,
                               "x_relay": i / re_i, "x_direct": i / di_i}
        out["burst"][p.name] = {"p50_us_per_frame": b, "x_ydotoold": b / yd_b, "x_relay": b / re_b,
                                "x_direct": b / di_b}
    frames = args.rounds * args.bursts * args.burst
    print(f"  server CPU per frame back to back (vwired / ydotoold / the relay, time on a CPU by "
          f"schedstat, {frames} frames; each burst starts cold, after the reader's 50 ms drain):")
    for p in paths:
        if server[p.name]:
            c = burst_cpu[p.name] / frames * 1e6
            print(f"    {p.name:30s} {c:7.1f} us")
            out["burst"][p.name]["server_cpu_us_per_frame"] = c
    return out


# ---------------------------------------------------------------------------------------------
# measurements

def latency(setup, reader, frames, warmup, value):
    samples = []
    reader.drain()
    for i in range(warmup + frames):
        value ^= 1
        t0 = time.perf_counter_ns()
        setup.send_frame(value)
        reader.wait_frame()
        t1 = time.perf_counter_ns()
        setup.collect_reply()
        if i >= warmup:
            samples.append((t1 - t0) / 1000)
    return samples, value


def run_seconds(pid):
    """The time a process's threads have run on a CPU, from the scheduler (schedstat, ns): exact,
    where /proc/PID/stat counts whole clock ticks that land in it (0 without a pid)."""
    if not pid:
        return 0.0
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):  # every thread: ydotoold does its work in one of its own
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (0 without a pid)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(setup, reader, n_events):
    reader.drain()
    cpu0 = cpu_seconds(getattr(setup, "pid", None))
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            setup.writer(n_events)
        except BaseException as e:  # noqa: B902 - report anything, never return into the parent's code
            print(f"writer: {e}", file=sys.stderr)
            code = 1
        os._exit(code)
    want = n_events * INPUT_EVENT.size
    got = 0
    first = last = None
    while got < want:
        if not reader.poll.poll(10000):
            break
        try:
            data = os.read(reader.fd, 1 << 20)
        except BlockingIOError:
            continue
        now = time.perf_counter()
        if first is None:
            first = now
        last = now
        got += len(data)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise BenchError(f"the {setup.name} writer failed")
    events = got // INPUT_EVENT.size
    setup.cpu = cpu_seconds(getattr(setup, "pid", None)) - cpu0
    if events < n_events:
        print(f"  {setup.name}: {n_events - events} of {n_events} events lost (evdev buffer overflow)", file=sys.stderr)
    if first is None or last == first:
        return 0.0, events
    return events / (last - first), events


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--frames", type=int, default=200, help="timed latency frames per round and setup")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--events", type=int, default=400_000, help="events per throughput run")
    ap.add_argument("--vwirectl", type=int, default=20, help="frames sent with vwirectl (0: skip)")
    ap.add_argument("--json", action="store_true", help="also print the results as one JSON object")
    ap.add_argument("--no-anchors", action="store_true", help="skip ydotool/ydotoold and the per-path table")
    ap.add_argument("--only-anchors", action="store_true", help="only ydotool/ydotoold and the per-path table")
    ap.add_argument("--cli-calls", type=int, default=25, help="CLI calls per round and command (anchors)")
    ap.add_argument("--bursts", type=int, default=20, help="back-to-back bursts per round and path (anchors)")
    ap.add_argument("--burst", type=int, default=16, help="frames per back-to-back burst (anchors)")
    args = ap.parse_args()

    vwired = os.path.join(args.build, "daemon", "vwired")
    vwirectl = os.path.join(args.build, "cli", "vwirectl")
    if not os.access("/dev/uinput", os.W_OK):
        raise BenchError("/dev/uinput is not writable here: run as root, or in the VM (see the docstring)")

    tmp = tempfile.mkdtemp(prefix="bench-input-")
    vwire = Vwire(tmp, vwired, vwirectl)
    setups = [vwire, VwireWire(vwire), Relay(tmp), Direct()]
    readers = {}
    lat = {s.name: [] for s in setups}
    rate = {s.name: [] for s in setups}
    cpu_per_event = {s.name: [] for s in setups}
    values = {s.name: 0 for s in setups}
    try:
        for s in setups:
            s.start()
            readers[s.name] = Reader(s.node)
        for r in range(0 if args.only_anchors else args.rounds):
            order = setups if r % 2 == 0 else list(reversed(setups))
            for s in order:
                samples, values[s.name] = latency(s, readers[s.name], args.frames, args.warmup, values[s.name])
                lat[s.name] += samples
            for s in order:
                if s.writer:
                    eps, n = throughput(s, readers[s.name], args.events)
                    rate[s.name].append(eps)
                    if getattr(s, "pid", None) and n:
                        cpu_per_event[s.name].append(s.cpu / n)
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(
                f"{s.name} p50 {statistics.median(lat[s.name]):.0f} us" +
                (f" {rate[s.name][-1] / 1000:.0f}k ev/s" if rate[s.name] else "") for s in setups), file=sys.stderr)
        ctl_samples = []
        vw = setups[0]
        for i in range(0 if args.only_anchors else args.vwirectl):
            values["vwire"] ^= 1
            t0 = time.perf_counter_ns()
            vw.vwirectl_frame(values["vwire"])
            readers["vwire"].wait_frame()
            ctl_samples.append((time.perf_counter_ns() - t0) / 1000)
        anchor_res = None
        if not args.no_anchors:
            anchor_res = anchors(args, setups[0], setups[3], setups[2], readers, tmp)
    finally:
        for r in readers.values():
            r.close()
        for s in setups:
            try:
                s.stop()
            except Exception as e:  # noqa: BLE001
                print(f"stopping {s.name}: {e}", file=sys.stderr)

    if args.only_anchors:
        if args.json:
            print(json.dumps(anchor_res))
        return 0
    res = {}
    for s in setups:
        res[s.name] = {
            "p50_us": statistics.median(lat[s.name]),
            "p99_us": percentile(lat[s.name], 99),
            "events_per_s": statistics.median(rate[s.name]) if rate[s.name] else None,
        }
    p50_ratio = res["vwire"]["p50_us"] / res["direct"]["p50_us"]
    p99_ratio = res["vwire"]["p99_us"] / res["direct"]["p99_us"]
    eps_ratio = res["vwire"]["events_per_s"] / res["direct"]["events_per_s"]
    relay = res["relay"]

    print(f"bench-input: {platform.node()} {platform.release()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs, python {platform.python_version()}")
    print(f"  {args.rounds} rounds; latency {args.frames} frames/round (+{args.warmup} warmup), "
          f"throughput {args.events} events/run")
    for s in setups:
        print(f"  {s.name:10s} {s.describe()}")
    print()
    print(f"{'setup':10s} {'p50 us':>9s} {'p99 us':>9s} {'events/s':>11s}")
    for s in setups:
        r = res[s.name]
        eps = f"{r['events_per_s']:11.0f}" if r["events_per_s"] else f"{'-':>11s}"
        print(f"{s.name:10s} {r['p50_us']:9.0f} {r['p99_us']:9.0f} {eps}")
    wire = res["vwire-wire"]
    print(f"{'ratio':10s} {p50_ratio:9.2f} {p99_ratio:9.2f} {eps_ratio:11.2f}   (vwire / direct)")
    print(f"{'ratio':10s} {wire['p50_us'] / res['direct']['p50_us']:9.2f} {wire['p99_us'] / res['direct']['p99_us']:9.2f} "
          f"{'':11s}   (vwire-wire / direct)")
    print(f"{'ratio':10s} {res['vwire']['p50_us'] / relay['p50_us']:9.2f} {res['vwire']['p99_us'] / relay['p99_us']:9.2f} "
          f"{res['vwire']['events_per_s'] / relay['events_per_s']:11.2f}   (vwire / relay)")
    print(f"{'ratio':10s} {wire['p50_us'] / relay['p50_us']:9.2f} {wire['p99_us'] / relay['p99_us']:9.2f} "
          f"{'':11s}   (vwire-wire / relay)")
    for s in setups:
        if cpu_per_event[s.name]:
            c = statistics.median(cpu_per_event[s.name])
            res[s.name]["cpu_us_per_event"] = c * 1e6
            print(f"{s.name} CPU in the throughput runs: {c * 1e6:.2f} us per event "
                  f"(alone it could take about {1 / c / 1000:.0f}k events/s)" if c > 0 else
                  f"{s.name} CPU in the throughput runs: below the clock tick")
    if ctl_samples:
        print(f"vwirectl event (process start included): p50 {statistics.median(ctl_samples):.0f} us, "
              f"p99 {percentile(ctl_samples, 99):.0f} us over {len(ctl_samples)} frames")
    ok_lat = p50_ratio <= GOAL_P50_RATIO
    ok_rate = res["vwire"]["events_per_s"] >= GOAL_EVENTS_PER_SEC
    print(f"goal latency p50 <= {GOAL_P50_RATIO}x direct: {'met' if ok_lat else 'NOT met'} ({p50_ratio:.2f}x)")
    print(f"goal >= {GOAL_EVENTS_PER_SEC} events/s: {'met' if ok_rate else 'NOT met'} "
          f"({res['vwire']['events_per_s']:.0f})")
    if args.json:
        res.update(p50_ratio=p50_ratio, p99_ratio=p99_ratio, events_ratio=eps_ratio, anchors=anchor_res)
        if ctl_samples:
            res["vwirectl_p50_us"] = statistics.median(ctl_samples)
        print(json.dumps(res))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench-input: {e}", file=sys.stderr)
        sys.exit(1)
