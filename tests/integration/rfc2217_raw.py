#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Raw telnet bytes against vwire's server: rfc2217_raw.py RFC2217_PORT PTY_PATH PTY_NAME TELNET_PORT
TELNET_PTY_PATH VWIRECTL CONTROL_SOCKET

Every byte is sent on its own (TCP_NODELAY, a pause between): the server must take any split.
Checks: the negotiation arrives unasked right after connecting; unknown options are refused
(DO KERMIT -> WONT KERMIT, WILL TTYPE -> DONT TTYPE, each once); a SET-BAUDRATE whose value holds
0xFF (doubled inside the subnegotiation) is answered with it doubled and reaches the pty; IAC
IAC in data is one 0xFF; on protocol = telnet, CR NUL from a client not in BINARY is a CR.
Prints OK and exits 0, or FAIL: ... and exits 1.
"""
import json
import os
import select
import socket
import subprocess
import sys
import time

import serial

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
port, pty_path, pty_name, tport, tpty_path, vwirectl, control = sys.argv[1:8]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def show(name):
    out = subprocess.run([vwirectl, "--socket", control, "--json", "show", name], check=True,
                         capture_output=True, text=True, timeout=15).stdout
    return json.loads(out)["endpoint"]["details"]


def connect(p):
    s = socket.create_connection(("127.0.0.1", int(p)), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def trickle(s, data):
    for b in data:
        s.sendall(bytes([b]))
        time.sleep(0.002)


def receive(s, want, timeout=3.0):
    """Read until `want` occurs in what came (returned), or fail."""
    buf = b""
    end = time.monotonic() + timeout
    while want not in buf:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            fail("waited for %s, got %s" % (want.hex(), buf.hex()))
        chunk = s.recv(4096)
        if not chunk:
            fail("connection closed; got %s" % buf.hex())
        buf += chunk
    return buf


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


pty = serial.Serial(pty_path, timeout=0.2)
s = connect(port)
# the server speaks first: COM-PORT-OPTION asked for, BINARY both ways
got = receive(s, bytes([IAC, DO, 44]))
for want in (bytes([IAC, WILL, 0]), bytes([IAC, DO, 0])):
    if want not in got:
        got += receive(s, want)

trickle(s, bytes([IAC, DO, 47, IAC, WILL, 24]))
got = receive(s, bytes([IAC, DONT, 24]))
if bytes([IAC, WONT, 47]) not in got:
    fail("DO KERMIT not refused: %s" % got.hex())
trickle(s, bytes([IAC, DO, 47]))  # asked again: answered again, never looped
receive(s, bytes([IAC, WONT, 47]))

trickle(s, bytes([IAC, WILL, 44, IAC, WILL, 0, IAC, DO, 0]))
time.sleep(0.2)
# SET-BAUDRATE 65535: 00 00 ff ff, each 0xFF doubled inside the SB
trickle(s, bytes([IAC, SB, 44, 1, 0, 0, IAC, IAC, IAC, IAC, IAC, SE]))
receive(s, bytes([IAC, SB, 44, 101, 0, 0, IAC, IAC, IAC, IAC, IAC, SE]))
end = time.monotonic() + 5
while show(pty_name).get("peer_line", {}).get("baud") != 65535:
    if time.monotonic() > end:
        fail("the pty's peer_line is %s, not 65535 baud" % show(pty_name).get("peer_line"))
    time.sleep(0.05)

trickle(s, bytes([ord("a"), IAC, IAC, ord("b"), IAC, 241, ord("c")]))  # 241: NOP
got = read_exact(pty, 4)
if got != b"a\xffbc":
    fail("data with IAC IAC and a NOP reached the pty as %r" % got)
# data from the pty: 0xFF doubled towards the client
pty.write(b"x\xffy")
receive(s, bytes([ord("x"), IAC, IAC, ord("y")]))
s.close()

# protocol = telnet, a client that never agrees to BINARY: CR NUL is a bare CR
tpty = serial.Serial(tpty_path, timeout=0.2)
t = connect(tport)
receive(t, bytes([IAC, DO, 0]))
trickle(t, bytes([IAC, DONT, 0, IAC, WONT, 0]) + b"a\r\x00b\r\n" + bytes([IAC, IAC]))
got = read_exact(tpty, 6)
if got != b"a\rb\r\n\xff":
    fail("telnet: the pty got %r" % got)
t.close()
print("OK", flush=True)
