#!/usr/bin/python3
"""pyserial-side checks for the CUSE kernel suite. Each subcommand prints one line per check
("ok ..." / "FAIL ...") and exits non-zero if any check failed."""
import fcntl
import hashlib
import os
import struct
import sys
import termios
import threading
import time

import serial  # Debian's python3-serial

TIOCMIWAIT = 0x545C
TIOCM_CD, TIOCM_DSR, TIOCM_CTS = 0x040, 0x100, 0x020
failed = 0


def check(cond, what):
    global failed
    print(("ok " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failed += 1


def cmd_baud(path, baud):
    """Open at BAUD (standard or custom) and read it back through termios2."""
    s = serial.Serial(path, int(baud), timeout=1)
    check(s.baudrate == int(baud), f"pyserial baudrate {s.baudrate} == {baud}")
    buf = bytearray(44)
    fcntl.ioctl(s.fd, 0x802C542A, buf)  # TCGETS2
    ospeed = struct.unpack_from("I", buf, 40)[0]
    check(ospeed == int(baud), f"TCGETS2 c_ospeed {ospeed} == {baud}")
    attrs = termios.tcgetattr(s.fd)  # glibc's tcgetattr over TCGETS must not crash
    check(len(attrs) == 7, "tcgetattr works")
    s.close()


def cmd_modem(a_path, b_path):
    a = serial.Serial(a_path, 115200, timeout=1)
    b = serial.Serial(b_path, 115200, timeout=1)
    time.sleep(0.1)
    check(b.dsr and b.cts and b.cd, f"peer sees DSR/CTS/CD after open (dsr={b.dsr} cts={b.cts} cd={b.cd})")
    a.dtr = False
    time.sleep(0.1)
    check(not b.dsr and not b.cd and b.cts, f"DTR off -> DSR and CD off, CTS on (dsr={b.dsr} cd={b.cd} cts={b.cts})")
    a.rts = False
    time.sleep(0.1)
    check(not b.cts, f"RTS off -> CTS off (cts={b.cts})")

    woke = {}

    def waiter():
        t0 = time.monotonic()
        fcntl.ioctl(b.fd, TIOCMIWAIT, TIOCM_CTS | TIOCM_DSR)
        woke["after"] = time.monotonic() - t0

    th = threading.Thread(target=waiter)
    th.start()
    time.sleep(0.5)
    check("after" not in woke, "TIOCMIWAIT waits while nothing changes")
    a.rts = True
    th.join(10)
    check(not th.is_alive() and woke.get("after", 0) >= 0.4, f"TIOCMIWAIT woke on CTS change after {woke.get('after')}")
    time.sleep(0.1)
    check(b.cts, "RTS on -> CTS on")
    a.close()
    b.close()


def pattern(seed, n):
    out = bytearray()
    h = hashlib.sha256(seed.encode()).digest()
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def cmd_stream(a_path, b_path, nbytes):
    """Both directions at once; everything arrives, checksummed."""
    n = int(nbytes)
    a = serial.Serial(a_path, 115200, timeout=30)
    b = serial.Serial(b_path, 115200, timeout=30)
    data_ab, data_ba = pattern("ab", n), pattern("ba", n)
    got = {}

    def writer(port, data):
        for i in range(0, len(data), 4096):
            port.write(data[i:i + 4096])

    def reader(port, key):
        buf = bytearray()
        while len(buf) < n:
            chunk = port.read(min(65536, n - len(buf)))
            if not chunk:
                break
            buf += chunk
        got[key] = bytes(buf)

    threads = [threading.Thread(target=writer, args=(a, data_ab)), threading.Thread(target=writer, args=(b, data_ba)),
               threading.Thread(target=reader, args=(b, "ab")), threading.Thread(target=reader, args=(a, "ba"))]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    dt = time.monotonic() - t0
    for key, want in (("ab", data_ab), ("ba", data_ba)):
        have = got.get(key, b"")
        check(len(have) == n and hashlib.sha256(have).digest() == hashlib.sha256(want).digest(),
              f"{key}: {len(have)}/{n} bytes, sha256 {'matches' if have == want else 'DIFFERS'} ({dt:.1f}s)")


def cmd_broadcast(a_path, b_path):
    a = serial.Serial(a_path, 115200, timeout=5)
    r1 = serial.Serial(b_path, 115200, timeout=5)
    r2 = serial.Serial(b_path, 115200, timeout=5)
    msg = b"every reader gets every byte\n" * 10
    a.write(msg)
    g1, g2 = r1.read(len(msg)), r2.read(len(msg))
    check(g1 == msg, f"reader 1 got {len(g1)}/{len(msg)} bytes intact")
    check(g2 == msg, f"reader 2 got {len(g2)}/{len(msg)} bytes intact")


def cmd_pacing(a_path, b_path, baud, nbytes):
    """With pacing the delivered rate tracks the sender's baud rate (8N1: baud / 10 bytes/s)."""
    n = int(nbytes)
    a = serial.Serial(a_path, int(baud), timeout=30)
    b = serial.Serial(b_path, int(baud), timeout=30)
    expect = int(baud) / 10.0
    first = None
    got = 0

    def writer():
        a.write(b"x" * n)

    th = threading.Thread(target=writer)
    th.start()
    while got < n:
        chunk = b.read(max(1, min(b.in_waiting, n - got)))
        if not chunk:
            break
        if first is None:
            first = time.monotonic()
            t_first_bytes = len(chunk)
        got += len(chunk)
    end = time.monotonic()
    th.join(60)
    rate = (got - t_first_bytes) / (end - first) if first and end > first else 0
    print(f"delivered {got} bytes at {rate:.0f} B/s, line rate {expect:.0f} B/s", flush=True)
    check(got == n, f"all {n} bytes arrived")
    check(0.8 * expect <= rate <= 1.2 * expect, f"rate {rate:.0f} B/s within 20% of {expect:.0f} B/s")


def cmd_plug(path):
    """A port on a loopback plug (lines = loop): pyserial's loopback-adapter checks (test.py's
    control-line and data-wire tests): RTS on CTS, DTR on DSR (and DCD), no RI, data back."""
    s = serial.Serial(path, 115200, timeout=1)
    for rts in (False, True, False, True):
        s.rts = rts
        time.sleep(0.2)
        check(s.cts == rts, f"RTS {int(rts)} -> CTS {int(s.cts)}")
    for dtr in (False, True, False, True):
        s.dtr = dtr
        time.sleep(0.2)
        check(s.dsr == dtr and s.cd == dtr, f"DTR {int(dtr)} -> DSR {int(s.dsr)} CD {int(s.cd)}")
    check(not s.ri, "RI stays 0")

    woke = {}

    def waiter():
        fcntl.ioctl(s.fd, TIOCMIWAIT, TIOCM_CTS)
        woke["yes"] = True

    th = threading.Thread(target=waiter)
    th.start()
    time.sleep(0.3)
    s.rts = False
    th.join(10)
    check(woke.get("yes", False), "TIOCMIWAIT on CTS woke when RTS dropped")
    s.rts = True
    data = bytes(range(256)) * 16
    s.write(data)
    got = s.read(len(data))
    check(got == data, f"{len(data)} bytes came back through the plug ({len(got)})")
    s.close()


def cmd_xonxoff(path):
    """pyserial's test_WriteTimeout, shared with the PTY suite (tests/integration)."""
    import runpy
    here = os.path.dirname(os.path.abspath(__file__))
    mod = runpy.run_path(os.path.join(here, "..", "integration", "serial_xonxoff.py"))
    check(mod["check_port"](path) == 0, "pyserial: XOFF makes a write time out, XON lets it go")


def main():
    cmds = {"baud": cmd_baud, "modem": cmd_modem, "stream": cmd_stream, "broadcast": cmd_broadcast,
            "pacing": cmd_pacing, "plug": cmd_plug, "xonxoff": cmd_xonxoff}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print("usage: cuse_client.py " + "|".join(cmds) + " ARGS...", file=sys.stderr)
        return 2
    cmds[sys.argv[1]](*sys.argv[2:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
