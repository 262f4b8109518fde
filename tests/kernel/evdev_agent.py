#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A third-party reader and force feedback client for vwire's input devices: python3-evdev.

  evdev_agent.py read DEVNODE [--times]
      Open the device, print READY, then one line per event read: "TYPE CODE VALUE" (numbers),
      with --times also the kernel's timestamp in microseconds. Ends at EOF on stdin (prints END)
      or when the device goes away (prints GONE).
  evdev_agent.py info DEVNODE
      name, phys, id, properties and every axis's absinfo, one per line.
  evdev_agent.py ff DEVNODE [--hold]
      Upload a rumble and a periodic (sine) effect, set the gain, play the rumble, stop it,
      erase the sine: what a game does. Each upload must complete (vwired answers the request).
      Closing the device erases the rumble (the kernel does that for the closing file); with
      --hold the device stays open until EOF on stdin.
"""
import os
import select
import sys
import time

import evdev
from evdev import ecodes, ff


def read(path, times):
    dev = evdev.InputDevice(path)
    print("READY", flush=True)
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([dev.fd, stdin], [], [], 30)
        if not ready:
            continue
        if dev.fd in ready:
            try:
                events = list(dev.read())
            except OSError:
                print("GONE", flush=True)
                return 0
            out = []
            for e in events:
                if times:
                    out.append("%d %d %d %d" % (e.type, e.code, e.value, e.sec * 1000000 + e.usec))
                else:
                    out.append("%d %d %d" % (e.type, e.code, e.value))
            print("\n".join(out), flush=True)
        if stdin in ready:
            if not os.read(stdin, 4096):
                print("END", flush=True)
                return 0


def info(path):
    dev = evdev.InputDevice(path)
    print("name %s" % dev.name)
    print("phys %s" % dev.phys)
    print("id %04x %04x %04x %04x" % (dev.info.bustype, dev.info.vendor, dev.info.product, dev.info.version))
    print("props %s" % " ".join(str(p) for p in sorted(dev.input_props())))
    caps = dev.capabilities(absinfo=True)
    for code, a in caps.get(ecodes.EV_ABS, []):
        print("abs %d %d %d %d %d %d" % (code, a.min, a.max, a.fuzz, a.flat, a.resolution))
    print("keys %d" % len(caps.get(ecodes.EV_KEY, [])))
    print("rel %s" % " ".join(str(c) for c in caps.get(ecodes.EV_REL, [])))
    print("ff %s" % " ".join(str(c) for c in caps.get(ecodes.EV_FF, [])))
    return 0


def timed(what, fn):
    start = time.monotonic()
    r = fn()
    ms = (time.monotonic() - start) * 1000
    print("%s %.1f ms" % (what, ms), flush=True)
    return r


def force_feedback(path, hold):
    dev = evdev.InputDevice(path)
    rumble = ff.Effect(ecodes.FF_RUMBLE, -1, 0, ff.Trigger(0, 0), ff.Replay(1000, 0),
                       ff.EffectType(ff_rumble_effect=ff.Rumble(strong_magnitude=0x8000, weak_magnitude=0x4000)))
    sine = ff.Effect(ecodes.FF_PERIODIC, -1, 0x4000, ff.Trigger(0, 0), ff.Replay(500, 10),
                     ff.EffectType(ff_periodic_effect=ff.Periodic(
                         waveform=ecodes.FF_SINE, period=50, magnitude=0x2000, offset=0, phase=0,
                         envelope=ff.Envelope(0, 0, 0, 0), custom_len=0, custom_data=None)))
    rid = timed("upload rumble", lambda: dev.upload_effect(rumble))
    print("rumble id %d" % rid, flush=True)
    sid = timed("upload sine", lambda: dev.upload_effect(sine))
    print("sine id %d" % sid, flush=True)
    dev.write(ecodes.EV_FF, ecodes.FF_GAIN, 0xC000)
    dev.write(ecodes.EV_FF, rid, 1)
    print("played %d" % rid, flush=True)
    time.sleep(0.2)
    dev.write(ecodes.EV_FF, rid, 0)
    print("stopped %d" % rid, flush=True)
    time.sleep(0.2)
    timed("erase sine", lambda: dev.erase_effect(sid))
    print("OK", flush=True)
    if hold:
        sys.stdin.read()
        print("END", flush=True)
    return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "read":
        return read(path, "--times" in sys.argv[3:])
    if cmd == "info":
        return info(path)
    if cmd == "ff":
        return force_feedback(path, "--hold" in sys.argv[3:])
    print("unknown command %s" % cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
