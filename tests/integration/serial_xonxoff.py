#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pyserial's own test_WriteTimeout (pyserial test/test.py), on a port wired to a loopback plug:

    serial_xonxoff.py PATH

With xonxoff on, the XOFF the port writes comes back through the plug and stops the port's
output, so the next large write must time out after write_timeout (1 s, accepted 0.9-2.1 s as
pyserial's test does). Then XON resumes output and a write goes through. Prints OK and exits 0;
FAIL ... and exits 1 otherwise.
"""
import os
import sys
import termios
import time

import serial


def check_port(path):
    port = serial.serial_for_url(path, do_not_open=True)
    port.write_timeout = 1.0
    port.xonxoff = True
    port.open()
    # pyserial's port.write(XOFF) would select() for room after writing; the plug answers faster
    # than that select, output stops, and that write itself times out: write the byte plainly
    os.write(port.fd, serial.XOFF)
    time.sleep(0.5)  # pyserial's test: some systems need a little delay to react on XOFF
    t1 = time.time()
    try:
        port.write(b"timeout please" * 200)
    except serial.SerialTimeoutException:
        pass
    else:
        print("FAIL: the write did not time out after XOFF")
        return 1
    t2 = time.time()
    if not 0.9 <= (t2 - t1) < 2.1:
        print("FAIL: write timeout took %.2f s, not about 1 s" % (t2 - t1))
        return 1
    # TCION sends XON past the stopped output (tcflow(3)); through the plug it comes back and
    # restarts output, as an XON from a peer would (TCOON would not: it undoes only TCOOFF)
    termios.tcflow(port.fd, termios.TCION)
    time.sleep(0.5)
    port.reset_input_buffer()
    port.write(b"after XON")
    port.flush()
    got = b""
    end = time.monotonic() + 5
    port.timeout = 0.2
    while not got.endswith(b"after XON") and time.monotonic() < end:
        got += port.read(4096)
    if not got.endswith(b"after XON"):
        print("FAIL: output did not resume after XON: %r" % got[-40:])
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(check_port(sys.argv[1]))
