#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vwire's RFC 2217 client, from its local PTY: rfc2217_client.py MODE LOCAL_PTY CLIENT_NAME VWIRECTL
CONTROL_SOCKET [ARGS]

MODE vwire PEER_NAME: the server is vwire's own, routed to the pty PEER_NAME; a baud rate and
  two stop bits set on the local pty reach it (a pty carries no data bits or parity), and a
  tcflush() of the local pty's output purges what the peer has not read.
MODE portmanager TCP_PORT: the server is pyserial's PortManager around a loop:// port, started
  here: the settings reach that port, data comes back, and nothing blocks although PortManager
  answers no query.
Either way `vwirectl show CLIENT_NAME` must name no refused setting. Prints OK or FAIL: ...
"""
import json
import socket
import subprocess
import sys
import termios
import threading
import time

import serial
import serial.rfc2217

mode, local_path, client_name, vwirectl, control = sys.argv[1:6]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def show(name):
    out = subprocess.run([vwirectl, "--socket", control, "--json", "show", name], check=True,
                         capture_output=True, text=True, timeout=15).stdout
    return json.loads(out)["endpoint"]["details"]


def wait_for(what, cond, timeout=8.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            fail("%s; %s shows %s" % (what, client_name, json.dumps(show(client_name))))
        time.sleep(0.05)


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


class Writer:
    def __init__(self, conn):
        self.conn, self.lock = conn, threading.Lock()

    def write(self, data):
        with self.lock:
            self.conn.sendall(data)


class Server(threading.Thread):
    """pyserial's PortManager serving loop://, one connection."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.ls = socket.create_server(("127.0.0.1", int(port)))
        self.ser = serial.serial_for_url("loop://", timeout=0.05)
        self.connected = threading.Event()

    def pump_out(self, out, mgr):
        while True:
            data = self.ser.read(4096)
            if data:
                out.write(b"".join(mgr.escape(data)))

    def run(self):
        conn, _ = self.ls.accept()
        out = Writer(conn)
        mgr = serial.rfc2217.PortManager(self.ser, out)
        self.connected.set()
        threading.Thread(target=self.pump_out, args=(out, mgr), daemon=True).start()
        while True:
            data = conn.recv(4096)
            if not data:
                return
            self.ser.write(b"".join(mgr.filter(data)))


if mode == "portmanager":
    srv = Server(sys.argv[6])
    srv.start()
    if not srv.connected.wait(10):
        fail("vwire's client did not connect")

local = serial.Serial(local_path, baudrate=57600, timeout=0.2)
if mode == "vwire":
    peer = sys.argv[6]
    wait_for("57600 did not reach the server's port",
             lambda: show(peer).get("peer_line", {}).get("baud") == 57600)
    local.stopbits = serial.STOPBITS_TWO
    local.baudrate = 230400
    wait_for("230400 with 2 stop bits did not reach the server's port",
             lambda: show(peer)["peer_line"]["text"] == "230400 8N2")
    flushes = show(peer)["flushes_in"]
    termios.tcflush(local.fileno(), termios.TCOFLUSH)
    wait_for("a tcflush() of the output did not purge the server's port",
             lambda: show(peer)["flushes_in"] == flushes + 1)
else:
    wait_for("57600 did not reach PortManager's port", lambda: srv.ser.baudrate == 57600)
    local.baudrate = 1234567  # a custom rate, through termios2
    wait_for("a custom baud rate did not reach PortManager's port", lambda: srv.ser.baudrate == 1234567)
    msg = bytes(range(256)) * 8
    local.write(msg)
    got = read_exact(local, len(msg))
    if got != msg:
        fail("loop:// echo: %d of %d bytes came back" % (len(got), len(msg)))

wait_for("every setting answered", lambda: show(client_name).get("com_port") is True and
         show(client_name).get("answers", 0) > 0)
d = show(client_name)
if d["refused"]:
    fail("refused: " + d["refused"])
print("OK %s signature %r" % (mode, d["remote_signature"]), flush=True)
