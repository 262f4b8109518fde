#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vwire's RFC 2217 server routed to vwire's RFC 2217 client (a proxy that re-exports a remote
port), the client to vwire's server with a pty: rfc2217_proxy.py FRONT_PORT PTY_PATH PTY_NAME
VWIRECTL CONTROL_SOCKET

pyserial talks to the front server; its settings, DTR, a TIOCSBRK-style break (BREAK ON, OFF)
and a timed break (IAC BRK from a raw telnet client: 250 ms, the client holds data meanwhile)
cross the client to the far pty. Prints OK or FAIL: ...
"""
import json
import socket
import subprocess
import sys
import time

import serial

front, pty_path, pty_name, vwirectl, control = sys.argv[1:6]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def show(name):
    out = subprocess.run([vwirectl, "--socket", control, "--json", "show", name], check=True,
                         capture_output=True, text=True, timeout=15).stdout
    return json.loads(out)["endpoint"]["details"]


def wait_for(what, cond, timeout=8.0):
    end = time.monotonic() + timeout
    while True:
        d = show(pty_name)
        if cond(d):
            return d
        if time.monotonic() > end:
            fail("%s: the far pty shows %s; c shows %s" % (what, json.dumps(d), json.dumps(show("c"))))
        time.sleep(0.05)


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


end = time.monotonic() + 10
while show("c").get("com_port") is not True:
    if time.monotonic() > end:
        fail("c never negotiated with s")
    time.sleep(0.05)
pty = serial.Serial(pty_path, timeout=0.2)
s = serial.serial_for_url("rfc2217://127.0.0.1:%s" % front, baudrate=250000, timeout=0.2)
wait_for("250000 did not cross the proxy", lambda d: d.get("peer_line", {}).get("baud") == 250000)
breaks = show(pty_name)["breaks_in"]
s.send_break(0.25)
wait_for("a break did not cross the proxy", lambda d: d["breaks_in"] == breaks + 1)
s.write(b"after\xff")
if read_exact(pty, 6) != b"after\xff":
    fail("no data after the break")
s.close()

t = socket.create_connection(("127.0.0.1", int(front)), timeout=5)
time.sleep(0.3)
t.sendall(b"x\xff\xf3y")  # x, IAC BRK, y: the break is held 250 ms, y comes after it
wait_for("IAC BRK did not cross the proxy", lambda d: d["breaks_in"] == breaks + 2)
got = read_exact(pty, 2)
if got != b"xy":
    fail("around the timed break the pty got %r" % got)
t.close()
if show("c")["breaks_sent"] < 2:
    fail("c counts %d breaks sent" % show("c")["breaks_sent"])
print("OK", flush=True)
