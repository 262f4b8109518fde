#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Echo check with pyserial: serial_echo.py PATH

Writes messages of several sizes (1 byte to 256 KiB, every byte value) to the port and expects
each to come back byte for byte; the largest one is read while it is being written. Prints OK
and exits 0, or FAIL: ... and exits 1.
"""
import random
import sys
import threading
import time

import serial


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def read_exact(port, n, timeout):
    end = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < n and time.monotonic() < end:
        buf += port.read(min(n - len(buf), max(port.in_waiting, 1)))
    return bytes(buf)


def main():
    if len(sys.argv) != 2:
        fail("usage: serial_echo.py PATH")
    port = serial.Serial(sys.argv[1], baudrate=9600, timeout=0.1, write_timeout=30)
    rng = random.Random(7)
    messages = [b"x", b"hello, echo\n", bytes(range(256)), rng.randbytes(4096), rng.randbytes(40000)]
    for msg in messages:
        port.write(msg)
        got = read_exact(port, len(msg), 10)
        if got != msg:
            fail("sent %d bytes, %d came back%s" % (len(msg), len(got), " (different)" if len(got) == len(msg) else ""))

    # larger than every buffer on the way: only works when reading while writing
    big = rng.randbytes(256 * 1024)
    result = {}

    def reader():
        result["got"] = read_exact(port, len(big), 60)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    port.write(big)
    port.flush()
    t.join(65)
    got = result.get("got", b"")
    if got != big:
        fail("256 KiB echo: %d of %d bytes came back%s" % (len(got), len(big), " (different)" if len(got) == len(big) else ""))
    extra = read_exact(port, 1, 0.3)
    if extra:
        fail("unexpected extra bytes: %r" % extra)
    print("OK %d messages echoed" % (len(messages) + 1), flush=True)


if __name__ == "__main__":
    main()
