#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Null-modem check with pyserial: serial_pair.py PATH_A PATH_B [BYTES] [SEED]

Opens both ends, sends short messages each way, then BYTES (default 1 MiB) of seeded random data
in each direction at the same time, every side reading while the other writes, and compares
length and SHA-256 end to end. Prints one OK line and exits 0, or prints FAIL: ... and exits 1.
"""
import hashlib
import random
import sys
import threading
import time

import serial

DEADLINE = 90.0


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def open_port(path):
    # raw by default in pyserial; the timeouts keep every call bounded
    return serial.Serial(path, baudrate=115200, timeout=0.1, write_timeout=DEADLINE)


def read_exact(port, n, timeout):
    end = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < n and time.monotonic() < end:
        buf += port.read(min(n - len(buf), max(port.in_waiting, 1)))
    return bytes(buf)


def short_exchange(src, dst, msg, what):
    src.write(msg)
    src.flush()
    got = read_exact(dst, len(msg), 10)
    if got != msg:
        fail("%s: sent %r, received %r" % (what, msg, got))


class Writer(threading.Thread):
    def __init__(self, port, data):
        super().__init__(daemon=True)
        self.port, self.data, self.error = port, data, None

    def run(self):
        try:
            rng = random.Random(len(self.data))
            i = 0
            while i < len(self.data):
                n = rng.randint(1, 16384)  # uneven writes
                self.port.write(self.data[i:i + n])
                i += n
            self.port.flush()
        except Exception as e:  # reported by the main thread
            self.error = e


class Reader(threading.Thread):
    def __init__(self, port, n):
        super().__init__(daemon=True)
        self.port, self.n, self.got, self.error = port, n, 0, None
        self.sha = hashlib.sha256()

    def run(self):
        try:
            end = time.monotonic() + DEADLINE
            while self.got < self.n and time.monotonic() < end:
                chunk = self.port.read(min(self.n - self.got, max(self.port.in_waiting, 1)))
                self.got += len(chunk)
                self.sha.update(chunk)
        except Exception as e:
            self.error = e


def main():
    if len(sys.argv) < 3:
        fail("usage: serial_pair.py PATH_A PATH_B [BYTES] [SEED]")
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    a, b = open_port(sys.argv[1]), open_port(sys.argv[2])

    short_exchange(a, b, b"hello from a\r\n", "a -> b")
    short_exchange(b, a, b"hello from b\x00\xff\x11\x13", "b -> a")

    rng = random.Random(seed)
    ab, ba = rng.randbytes(size), rng.randbytes(size)
    threads = [Reader(b, size), Reader(a, size), Writer(a, ab), Writer(b, ba)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE + 5)
    took = time.monotonic() - start
    for t in threads:
        if t.is_alive():
            fail("a thread is still running after %.0f s" % took)
        if t.error:
            fail("%s: %r" % (type(t).__name__, t.error))
    rb, ra = threads[0], threads[1]
    for name, r, data in (("a -> b", rb, ab), ("b -> a", ra, ba)):
        if r.got != size:
            fail("%s: received %d of %d bytes" % (name, r.got, size))
        if r.sha.hexdigest() != hashlib.sha256(data).hexdigest():
            fail("%s: %d bytes arrived but their SHA-256 differs" % (name, size))
    # nothing extra may follow
    for name, port in (("b", b), ("a", a)):
        extra = read_exact(port, 1, 0.3)
        if extra:
            fail("unexpected bytes on %s after the transfer: %r" % (name, extra))
    print("OK %d bytes each way in %.2f s, sha256 a->b %s b->a %s" % (
        size, took, rb.sha.hexdigest()[:16], ra.sha.hexdigest()[:16]), flush=True)


if __name__ == "__main__":
    main()
