#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A pyserial client driven line by line: serial_agent.py PATH [BAUD [STOPBITS]]

Opens PATH (with the given line settings), prints READY, then obeys stdin:
  w HEX            write the bytes; answers OK
  r N SECONDS      read exactly N bytes within SECONDS; answers DATA HEX (possibly short)
  p BAUD STOPBITS  change the line settings; answers OK
  q                close the port and exit 0
Anything unexpected prints ERROR ... and exits 1. EOF on stdin acts as q.
"""
import sys
import time

import serial


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def read_exact(port, n, timeout):
    end = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < n and time.monotonic() < end:
        buf += port.read(min(n - len(buf), max(port.in_waiting, 1)))
    return bytes(buf)


def main():
    if len(sys.argv) < 2:
        say("ERROR usage: serial_agent.py PATH [BAUD [STOPBITS]]")
        sys.exit(1)
    baud = int(sys.argv[2]) if len(sys.argv) > 2 else 9600
    stop = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    port = serial.Serial(sys.argv[1], baudrate=baud, stopbits=stop, timeout=0.1, write_timeout=10)
    say("READY")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "w":
                port.write(bytes.fromhex(words[1]))
                port.flush()
                say("OK")
            elif words[0] == "r":
                say("DATA " + read_exact(port, int(words[1]), float(words[2])).hex())
            elif words[0] == "p":
                port.baudrate = int(words[1])
                port.stopbits = int(words[2])
                say("OK")
            elif words[0] == "q":
                break
            else:
                say("ERROR unknown command " + words[0])
                sys.exit(1)
        except (serial.SerialException, OSError, ValueError, IndexError) as e:
            say("ERROR %r" % e)
            sys.exit(1)
    port.close()


if __name__ == "__main__":
    main()
