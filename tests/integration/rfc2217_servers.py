#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""vwire's RFC 2217 client against another server that serves a vwire PTY (ser2net, sredird):
rfc2217_servers.py SERVER LOCAL_PTY CLIENT_NAME DEVICE_NAME VWIRECTL CONTROL_SOCKET

The server's device is the pty DEVICE_NAME, routed to an echo loopback; the local pty is routed
to vwire's client CLIENT_NAME. Checks: bytes come back through the server; settings made on the
local pty are applied by the server to its device (`vwirectl show DEVICE_NAME` line); a rate the
server cannot set is never silent: either the device has it, or `refused` names it and doctor
warns. Prints OK or FAIL: ...
"""
import json
import subprocess
import sys
import time

import serial

server, local_path, client_name, device_name, vwirectl, control = sys.argv[1:7]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def ctl(*args):
    out = subprocess.run([vwirectl, "--socket", control, "--json"] + list(args), capture_output=True, text=True,
                         timeout=15).stdout
    return json.loads(out)


def show(name):
    return ctl("show", name)["endpoint"]["details"]


def wait_for(what, cond, timeout=8.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            fail("%s: %s; %s" % (server, what, json.dumps(show(client_name))))
        time.sleep(0.05)


def read_exact(f, n, timeout=5.0):
    end = time.monotonic() + timeout
    buf = b""
    while len(buf) < n and time.monotonic() < end:
        buf += f.read(n - len(buf))
    return buf


wait_for("never agreed to COM-PORT-OPTION", lambda: show(client_name).get("com_port") is True)
local = serial.Serial(local_path, baudrate=57600, timeout=0.2)
wait_for("57600 not applied to the device", lambda: show(device_name)["line"]["baud"] == 57600)
# sredird 2.2.1 garbles a stream with 0xFF in it (IAC doubled: the bytes around it come back out
# of order); ser2net and pyserial carry every byte value through vwire's client and server.
# In lock step, a piece at a time: sredird drops what its device does not take at once.
piece = bytes(range(255 if server.startswith("sredird") else 256))
for i in range(16):
    local.write(piece)
    got = read_exact(local, len(piece))
    if got != piece:
        at = next((k for k in range(min(len(got), len(piece))) if got[k] != piece[k]), min(len(got), len(piece)))
        fail("%s: piece %d: %d of %d bytes came back through the server's device, first difference at %d: "
             "%s, not %s" % (server, i, len(got), len(piece), at, got[at:at + 8].hex(), piece[at:at + 8].hex()))
local.stopbits = serial.STOPBITS_TWO
local.baudrate = 115200
wait_for("115200 8N2 not applied to the device", lambda: show(device_name)["line"]["text"] == "115200 8N2")
wait_for("115200 answered", lambda: show(client_name)["remote"]["line"] == "115200 8N2")
if show(client_name)["refused"]:
    fail("%s: refused %s" % (server, show(client_name)["refused"]))

local.baudrate = 250000


def settled():
    d, c = show(device_name), show(client_name)
    return (d["line"]["baud"] == 250000 and not c["refused"]) or "remote refused 250000 baud" in c["refused"]


wait_for("250000 neither applied nor refused", settled)
d, c = show(device_name), show(client_name)
if d["line"]["baud"] == 250000:
    if c["refused"]:
        fail("%s: the device has 250000 baud but the client says %r" % (server, c["refused"]))
else:
    if "remote refused 250000 baud" not in c["refused"]:
        fail("%s: the device has %s, and the client does not say so: %r" % (server, d["line"]["text"], c["refused"]))
    checks = [x for x in ctl("doctor")["checks"] if x.get("check") == "rfc2217" and x.get("object") == client_name]
    if not checks or checks[0]["status"] != "warn" or "250000" not in checks[0]["message"]:
        fail("%s: doctor does not warn of the refusal: %s" % (server, json.dumps(checks)))
print("OK %s signature %r refused %r deviations %d cisco %s" %
      (server, c["remote_signature"], c["refused"], c["deviations"], c["cisco_baud_codes"]), flush=True)
