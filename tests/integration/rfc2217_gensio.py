#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gensio (python3-gensio) as a second independent RFC 2217 client of vwire's server, with a
vwire PTY as the peer: rfc2217_gensio.py TCP_PORT PTY_PATH PTY_NAME VWIRECTL CONTROL_SOCKET

Every setting gensio's sergensio sets is answered with the value asked and reaches the pty's
side (peer_line, peer_modem); a break and a transmit-buffer flush arrive; the first
NOTIFY-MODEMSTATE tells CTS, DSR and DCD up (a pty's DTR and RTS, crossed); bytes with 0xFF
cross both ways. Prints OK or FAIL: ...; exits 77 with SKIPPED when gensio is not installed.
"""
import json
import os
import subprocess
import sys
import time

try:
    import gensio
except ImportError:
    print("SKIPPED: python3-gensio is not installed (tools/install-deps --test installs it)", flush=True)
    sys.exit(77)

port, pty_path, pty_name, vwirectl, control = sys.argv[1:6]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def show(name):
    out = subprocess.run([vwirectl, "--socket", control, "--json", "show", name], check=True,
                         capture_output=True, text=True, timeout=15).stdout
    return json.loads(out)["endpoint"]["details"]


class Log:
    def gensio_log(self, level, log):
        pass


class Handler:
    def __init__(self):
        self.data = bytearray()
        self.modem = None

    def read_callback(self, io, err, buf, auxdata):
        if buf:
            self.data.extend(buf)
        return len(buf) if buf else 0

    def write_callback(self, io):
        pass

    def modemstate(self, io, modemstate):
        self.modem = modemstate


o = gensio.alloc_gensio_selector(Log())
w = gensio.waiter(o)
h = Handler()
g = gensio.gensio(o, "telnet(rfc2217),tcp,127.0.0.1,%s" % port, h)
g.open_s()
g.read_cb_enable(True)
sg = g.cast_to_sergensio()


def wait_for(what, cond, timeout=5.0):
    end = time.monotonic() + timeout
    while True:
        d = show(pty_name)
        if cond(d):
            return d
        if time.monotonic() > end:
            fail("gensio: %s: the pty's side shows %s" % (what, json.dumps(d)))
        w.wait_timeout(1, 50)


for name, call, value in (("baud", sg.sg_baud_s, 250000), ("datasize", sg.sg_datasize_s, 7),
                          ("parity", sg.sg_parity_s, gensio.SERGENSIO_PARITY_EVEN), ("stopbits", sg.sg_stopbits_s, 2),
                          ("dtr", sg.sg_dtr_s, gensio.SERGENSIO_DTR_OFF), ("rts", sg.sg_rts_s, gensio.SERGENSIO_RTS_OFF)):
    got = call(value)
    if got != value:
        fail("gensio: %s %s answered with %s" % (name, value, got))
d = wait_for("250000 7E2, DTR and RTS off", lambda d: d.get("peer_line", {}).get("text") == "250000 7E2" and
             d.get("peer_modem", {}).get("dtr") is False and d["peer_modem"]["rts"] is False)
if h.modem is None or (h.modem & 0xb0) != 0xb0:
    fail("gensio: modem state %s, expected CTS, DSR and DCD up" % h.modem)

breaks, flushes = d["breaks_in"], d["flushes_in"]
sg.sg_send_break()
wait_for("a break", lambda d: d["breaks_in"] == breaks + 1)
sg.sg_flush(gensio.SERGENSIO_FLUSH_XMIT_BUFFER)
wait_for("a transmit-buffer flush", lambda d: d["flushes_in"] == flushes + 1)

pty = os.open(pty_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
msg = bytes(range(256)) * 4
g.write(msg, None)
got = b""
end = time.monotonic() + 5
while len(got) < len(msg) and time.monotonic() < end:
    w.wait_timeout(1, 20)
    try:
        got += os.read(pty, 65536)
    except BlockingIOError:
        pass
if got != msg:
    fail("gensio -> pty: %d of %d bytes" % (len(got), len(msg)))
os.write(pty, msg[::-1])
end = time.monotonic() + 5
while len(h.data) < len(msg) and time.monotonic() < end:
    w.wait_timeout(1, 20)
if bytes(h.data) != msg[::-1]:
    fail("pty -> gensio: %d of %d bytes" % (len(h.data), len(msg)))
g.close_s()
print("OK gensio", flush=True)
