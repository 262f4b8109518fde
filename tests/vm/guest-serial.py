#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Inside the VM of serial-socket-test: the guest's /dev/ttyS1 is QEMU's socket chardev, which the
# host's vwired routes to a PTY. Says hello, sends a checksummed block, then reads the host's
# block and checks it; exits 0 when both went through. Plain os/termios: the guest has pyserial
# too (the host's root), but this is what any program on a guest's UART would do.
import hashlib
import os
import select
import sys
import termios
import time
import tty

DEV = sys.argv[1] if len(sys.argv) > 1 else "/dev/ttyS1"
SIZE = 4096


def block(seed):
    return bytes((i * 31 + seed + i // 251) & 0xFF for i in range(SIZE))


def read_exact(fd, n, deadline):
    got = b""
    while len(got) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"read {len(got)} of {n} bytes")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            got += os.read(fd, n - len(got))
    return got


fd = os.open(DEV, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
attrs = termios.tcgetattr(fd)
attrs[4] = attrs[5] = termios.B115200
attrs[2] &= ~termios.CRTSCTS
attrs[2] |= termios.CLOCAL
termios.tcsetattr(fd, termios.TCSANOW, attrs)
termios.tcflush(fd, termios.TCIOFLUSH)

mine = block(1)
os.write(fd, b"HELLO-FROM-GUEST\n" + hashlib.sha256(mine).hexdigest().encode() + b"\n")
os.write(fd, mine)
termios.tcdrain(fd)

deadline = time.monotonic() + 60
want = b"HELLO-FROM-HOST\n"
line = read_exact(fd, len(want), deadline)
if line != want:
    print(f"guest: expected {want!r}, read {line!r}", file=sys.stderr)
    sys.exit(1)
theirs = read_exact(fd, SIZE, deadline)
if theirs != block(2):
    print("guest: the host's block arrived changed", file=sys.stderr)
    sys.exit(1)
print(f"guest: {DEV}: sent and received {SIZE} bytes intact")
