#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pyserial's rfc2217:// client against vwire's RFC 2217 server, with a vwire PTY as the peer:
rfc2217_pyserial.py TCP_PORT PTY_PATH PTY_NAME VWIRECTL CONTROL_SOCKET

Opens within pyserial's 3 s negotiation timeout at 250000 baud, moves bytes both ways (0xFF
too), toggles DTR/RTS, sends a break, purges, changes timeouts, and checks after each step what
the PTY's side sees in `vwirectl show` (peer_line, peer_modem, breaks_in, flushes_in): every
change arrives once, and a timeout change (pyserial re-sends every setting) changes nothing.
Prints OK and exits 0, or FAIL: ... and exits 1.
"""
import json
import os
import subprocess
import sys
import time

import serial

port, pty_path, pty_name, vwirectl, control = sys.argv[1:6]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def show(name):
    out = subprocess.run([vwirectl, "--socket", control, "--json", "show", name], check=True,
                         capture_output=True, text=True, timeout=15).stdout
    return json.loads(out)["endpoint"]["details"]


def wait_for(what, cond, timeout=5.0):
    end = time.monotonic() + timeout
    while True:
        d = show(pty_name)
        if cond(d):
            return d
        if time.monotonic() > end:
            fail("%s: the pty's side shows %s" % (what, json.dumps(d)))
        time.sleep(0.05)


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


pty = serial.Serial(pty_path, timeout=0.2)
t0 = time.monotonic()
s = serial.serial_for_url("rfc2217://127.0.0.1:%s" % port, baudrate=250000, timeout=0.2)
took = time.monotonic() - t0  # pyserial itself raises when the negotiation is not done in 3 s

d = wait_for("baud 250000", lambda d: d.get("peer_line", {}).get("baud") == 250000)
line_signals = d["peer_line"]["signals"]
d = wait_for("DTR/RTS up on connect", lambda d: d.get("peer_modem", {}).get("dtr") and d["peer_modem"]["rts"])
modem_signals = d["peer_modem"]["signals"]
flushes = d["flushes_in"]  # pyserial purges both buffers when it opens
breaks = d["breaks_in"]

msg = bytes(range(256)) * 4  # 0xFF doubled on the wire, single at the pty
s.write(msg)
got = read_exact(pty, len(msg))
if got != msg:
    fail("client -> pty: %d of %d bytes, first difference at %s" %
         (len(got), len(msg), next((i for i in range(min(len(got), len(msg))) if got[i] != msg[i]), len(got))))
pty.write(msg[::-1])
got = read_exact(s, len(msg))
if got != msg[::-1]:
    fail("pty -> client: %d of %d bytes" % (len(got), len(msg)))

# the pty's lines, crossed: a pty always shows DTR and RTS up, so the client sees CTS, DSR, DCD
if not (s.cts and s.dsr and s.cd):
    fail("modem state cts=%s dsr=%s cd=%s, expected all up" % (s.cts, s.dsr, s.cd))

s.dtr = False
wait_for("DTR off", lambda d: d["peer_modem"]["dtr"] is False and d["peer_modem"]["rts"] is True)
s.rts = False
wait_for("RTS off", lambda d: d["peer_modem"]["rts"] is False)
s.dtr = True
wait_for("DTR on", lambda d: d["peer_modem"]["dtr"] is True)
modem_signals += 3

s.send_break(0.25)
wait_for("a break", lambda d: d["breaks_in"] == breaks + 1)

s.reset_output_buffer()  # PURGE-DATA 2: what the client sent and the pty has not read
wait_for("a purge", lambda d: d["flushes_in"] == flushes + 1)
s.reset_input_buffer()  # PURGE-DATA 1: the server's buffer towards the client, nothing at the pty

s.baudrate = 9600
wait_for("baud 9600", lambda d: d["peer_line"]["baud"] == 9600)
s.baudrate = 250000
s.parity = serial.PARITY_EVEN
s.stopbits = serial.STOPBITS_TWO
s.bytesize = serial.SEVENBITS
d = wait_for("7E2", lambda d: d["peer_line"]["text"] == "250000 7E2")
line_signals = d["peer_line"]["signals"]

# pyserial #376: each of these re-sends every setting; nothing may change or toggle
for t in (1.0, 0.5, None, 0.2):
    s.timeout = t
s.inter_byte_timeout = 0.1
time.sleep(0.5)
d = show(pty_name)
if d["peer_line"]["signals"] != line_signals or d["peer_modem"]["signals"] != modem_signals:
    fail("timeout changes toggled something: line %d -> %d signals, modem %d -> %d" %
         (line_signals, d["peer_line"]["signals"], modem_signals, d["peer_modem"]["signals"]))
if d["flushes_in"] != flushes + 1 or d["breaks_in"] != breaks + 1:
    fail("timeout changes flushed or broke: %s" % json.dumps(d))

# still carrying data
s.write(b"\xff\xffend")
if read_exact(pty, 5) != b"\xff\xffend":
    fail("no data after the setting changes")

s.close()
wait_for("DTR down when the client leaves", lambda d: d["peer_modem"]["dtr"] is False)
print("OK open %.2fs" % took, flush=True)
