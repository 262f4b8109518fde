#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A remote port as a local CUSE device, through vwire's RFC 2217 client and server:
cuse_rfc2217.py LOCAL_DEV REMOTE_DEV TCP_PORT VWIRECTL CONTROL_SOCKET

LOCAL_DEV is routed to the client c; the server s serves REMOTE_DEV (route rr). Both are CUSE
ports of one vwired, so the far end has real modem lines. Checks, with pyserial and raw ioctls:
a custom baud rate (termios2 BOTHER), DTR/RTS, a break (PARMRK at the far end), bytes with
0xFF both ways; the far program's RTS/DTR as the local CTS, DSR, DCD (TIOCMGET), waking
TIOCMIWAIT and counted by TIOCGICOUNT; the far program's break reaching a local PARMRK
reader; tcflush() sent on as PURGE-DATA; DCD off while the server is gone, on again after the
reconnect. Prints OK or FAIL: ...
"""
import fcntl
import json
import os
import struct
import subprocess
import sys
import termios
import threading
import time

import serial

local_dev, remote_dev, port, vwirectl, control = sys.argv[1:6]
TIOCMIWAIT = 0x545C
TIOCGICOUNT = 0x545D


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def ctl(*args, check=True):
    r = subprocess.run([vwirectl, "--socket", control, "--json"] + list(args), capture_output=True, text=True,
                       timeout=15)
    if check and r.returncode != 0:
        fail("vwirectl %s: %s" % (" ".join(args), r.stderr))
    return json.loads(r.stdout) if r.stdout.strip() else None


def show(name):
    return ctl("show", name)["endpoint"]["details"]


def wait_for(what, cond, timeout=10.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            fail("%s; c shows %s" % (what, json.dumps(show("c"))))
        time.sleep(0.05)


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


def icount(fd):
    buf = fcntl.ioctl(fd, TIOCGICOUNT, bytes(80))
    cts, dsr, rng, dcd = struct.unpack("4i", buf[:16])
    return {"cts": cts, "dsr": dsr, "rng": rng, "dcd": dcd}


def parmrk(s):
    a = termios.tcgetattr(s.fd)
    a[0] |= termios.PARMRK
    a[0] &= ~(termios.IGNBRK | termios.BRKINT | termios.IGNPAR)
    termios.tcsetattr(s.fd, termios.TCSANOW, a)


wait_for("c never negotiated COM-PORT-OPTION", lambda: show("c").get("com_port") is True)
L = serial.Serial(local_dev, baudrate=1234567, timeout=0.2)
R = serial.Serial(remote_dev, baudrate=9600, timeout=0.2)
wait_for("the custom rate did not reach the far port", lambda: show("r").get("peer_line", {}).get("baud") == 1234567)

msg = bytes(range(256)) * 8
L.write(msg)
if read_exact(R, len(msg)) != msg:
    fail("local -> far: bytes lost or changed")
R.write(msg[::-1])
if read_exact(L, len(msg)) != msg[::-1]:
    fail("far -> local: bytes lost or changed")

# our DTR/RTS at the far end, crossed as a null modem: DTR -> DSR + DCD, RTS -> CTS
L.dtr = False
wait_for("DTR off did not reach the far port", lambda: not R.dsr and not R.cd)
L.rts = False
wait_for("RTS off did not reach the far port", lambda: not R.cts)
L.dtr = True
L.rts = True
wait_for("DTR/RTS on did not reach the far port", lambda: R.dsr and R.cd and R.cts)

# the far program's lines as ours: TIOCMGET, TIOCMIWAIT, TIOCGICOUNT
wait_for("the far port's lines are not ours", lambda: L.cts and L.dsr and L.cd)
before = icount(L.fd)
woke = {}


def miwait():
    t0 = time.monotonic()
    fcntl.ioctl(L.fd, TIOCMIWAIT, 0x020)  # TIOCM_CTS
    woke["after"] = time.monotonic() - t0


th = threading.Thread(target=miwait, daemon=True)
th.start()
time.sleep(0.5)
if "after" in woke:
    fail("TIOCMIWAIT returned while nothing changed")
R.rts = False
th.join(10)
if th.is_alive():
    fail("TIOCMIWAIT did not wake when the far RTS dropped")
wait_for("the far RTS off is not our CTS off", lambda: not L.cts)
R.dtr = False
wait_for("the far DTR off is not our DSR/DCD off", lambda: not L.dsr and not L.cd)
after = icount(L.fd)
if after["cts"] <= before["cts"] or after["dsr"] <= before["dsr"] or after["dcd"] <= before["dcd"]:
    fail("TIOCGICOUNT did not count the changes: %s -> %s" % (before, after))
R.rts = True
R.dtr = True
wait_for("the far lines did not come back", lambda: L.cts and L.dsr and L.cd)

# breaks both ways, read by PARMRK readers
parmrk(R)
parmrk(L)
L.reset_input_buffer()
R.reset_input_buffer()
L.write(b"A")
L.send_break(0.25)
L.write(b"B")
got = read_exact(R, 5)
if got != b"A\xff\x00\x00B":
    fail("local break at the far PARMRK reader: %r" % got)
termios.tcsendbreak(R.fd, 0)
got = read_exact(L, 3)
if got != b"\xff\x00\x00":
    fail("far break at the local PARMRK reader: %r" % got)

purges = show("c")["purges_sent"]
L.reset_output_buffer()
wait_for("tcflush() was not sent on", lambda: show("c")["purges_sent"] == purges + 1)

# the server goes: no carrier; it comes back: the client reconnects
ctl("remove", "rr")
ctl("remove", "s")
wait_for("DCD still on with the server gone", lambda: not L.cd and not L.dsr and not L.cts)
ctl("add", "socket", "s", "listen=tcp:127.0.0.1:%s" % port, "protocol=rfc2217")
ctl("route", "add", "rr", "from=r", "to=s", "duplex=yes")
wait_for("no carrier after the server came back", lambda: L.cd and L.dsr and L.cts, timeout=15)
wait_for("the rate was not sent again on the new connection",
         lambda: show("r").get("peer_line", {}).get("baud") == 1234567)
L.write(b"again\xff")
if read_exact(R, 6) != b"again\xff":
    fail("no data after the reconnect")
d = show("c")
if d["refused"]:
    fail("refused: " + d["refused"])
print("OK", flush=True)
