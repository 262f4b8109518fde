#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""overflow = block through vwire's RFC 2217 server while SETs split the stream:
rfc2217_block.py TCP_PORT PTY_PATH

The pty is not read at first, so the small route fills; the client sends 256 KiB of data with
a SET-BAUDRATE that changes the rate after every 100 bytes (each one ends a chunk early, so a
read splits into more chunks than the room it was sized for). Then the pty is read: every byte
must arrive, in order. Prints OK or FAIL: ...
"""
import hashlib
import os
import select
import socket
import sys
import threading
import time

IAC, SB, SE, WILL, DO = 255, 250, 240, 251, 253
port, pty_path = sys.argv[1:3]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


data = bytes((i * 7 + (i >> 9)) % 255 for i in range(256 * 1024))  # no 0xFF
wire = bytearray([IAC, WILL, 44, IAC, WILL, 0, IAC, DO, 0])
for off in range(0, len(data), 100):
    wire += data[off:off + 100]
    baud = 9600 if (off // 100) % 2 else 19200
    wire += bytes([IAC, SB, 44, 1]) + baud.to_bytes(4, "big") + bytes([IAC, SE])

s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)


def drain():  # answers and notifications: read them so the server never waits on us
    while True:
        try:
            if not s.recv(65536):
                return
        except OSError:
            return


threading.Thread(target=drain, daemon=True).start()
sender = threading.Thread(target=lambda: s.sendall(wire), daemon=True)
sender.start()
time.sleep(1.0)  # the route fills while nobody reads the pty

fd = os.open(pty_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
got = bytearray()
end = time.monotonic() + 60
while len(got) < len(data) and time.monotonic() < end:
    if select.select([fd], [], [], 0.5)[0]:
        got += os.read(fd, 65536)
sender.join(5)
if len(got) != len(data) or hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
    at = next((i for i in range(min(len(got), len(data))) if got[i] != data[i]), min(len(got), len(data)))
    fail("%d of %d bytes, first difference at %d" % (len(got), len(data), at))
print("OK", flush=True)
