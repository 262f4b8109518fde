#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of tests/fuzz/corpus/<target>/ from the tree's own examples.

Seeds are small real inputs: the sample and test configs, the evemu test recording, varlink
messages as vwirectl sends them, values from the config unit tests. Inputs that start with a
selector byte (see each harness's header comment) get it here. Run it again after changing a
harness's input layout; files named regress-* are crash reproducers and are kept as they are.

    tests/fuzz/make-corpus.py
"""
import json
import os
import re
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def read(*path):
    with open(os.path.join(root, *path), "rb") as f:
        return f.read()


def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clear(target):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for n in os.listdir(d):
        if not n.startswith("regress-"):
            os.unlink(os.path.join(d, n))


def uncomment(conf):
    """The sample config with its commented-out examples switched on."""
    out = []
    for line in conf.decode().splitlines():
        m = re.match(r"^#(\[.*\]|[a-z-]+ = .*)$", line)
        out.append(m.group(1) if m else line)
    return ("\n".join(out) + "\n").encode()


# ---- fuzz-config: main file and drop-ins separated by form feeds ----
clear("fuzz-config")
for name in ("vwire.conf", "demo.conf"):
    write("fuzz-config", "conf-" + name, read("conf", name))
write("fuzz-config", "conf-vwire-examples.conf", uncomment(read("conf", "vwire.conf")))
cfgdir = os.path.join(root, "tests", "data", "config")
for name in sorted(os.listdir(cfgdir)):
    if name.endswith(".conf"):
        write("fuzz-config", "data-" + name, read("tests", "data", "config", name))
    elif os.path.isdir(os.path.join(cfgdir, name)):
        parts = [read("tests", "data", "config", name, "vwire.conf")]
        dropins = os.path.join(cfgdir, name, "vwire.conf.d")
        for d in sorted(os.listdir(dropins))[:3]:
            if d.endswith(".conf"):
                parts.append(read("tests", "data", "config", name, "vwire.conf.d", d))
        write("fuzz-config", "data-" + name + ".conf", b"\f".join(parts))
readme = read("README.md").decode()
m = re.search(r"## A config\n\n((?:    .*\n|\n)+)", readme)
if m:
    write("fuzz-config", "readme.conf", re.sub(r"^    ", "", m.group(1), flags=re.M).encode())
write("fuzz-config", "every-kind.conf", b"""[daemon]
runtime-directory = /run/vwire-fuzz
log-level = debug
[serial a]
backend = pty
path = %t/a
mode = 0660
owner = root
group = root
[serial b]
backend = cuse
path = ttyVFUZZ0
readers = exclusive
when-closed = buffer
[loopback echo]
mode = echo
[loopback gen]
mode = source
pattern = AT\r\n
rate = 1K
count = 10
[socket net]
listen = tcp:[::1]:4000
max-clients = 4
[socket out]
connect = unix:%t/out.sock
reconnect = 500ms
reconnect-max = 1min
[file log]
path = /tmp/vwire-fuzz.log
append = yes
rate = 10K/s
[input kbd]
profile = custom
keys = KEY_A, BTN_LEFT
rel = REL_X REL_Y
abs = ABS_X:0:1023
ff = FF_RUMBLE
bus = usb
vendor = 0x1d6b
layout = de
pace = 2ms
[route r1]
from = a
to = b, echo
duplex = yes
overflow = drop-old
buffer = 64K
[route r2]
from = net
to = kbd
convert = text-to-keys
layout = fr
""")
write("fuzz-config", "audio.conf", b"""[audio speakers]
format = S32_LE
rate = 44100
channels = 1
period = 5ms
buffer = 4096
max-clients = 2
[audio mic]
format = FLOAT_LE
[loopback beep]
mode = source
tone = 441
level = -12dB
sample-format = S32_LE
sample-rate = 44100
channels = 1
[loopback hush]
mode = source
[file rec]
format = wav
mode = capture
path = /tmp/vwire-fuzz.wav
sample-format = S32_LE
rate = 44100
channels = 1
[route tone]
from = beep
to = speakers
[route recording]
from = speakers
to = rec, mic
""")
write("fuzz-config", "two-files.conf",
      b"[daemon]\nlog-level = info\n[serial a]\nbackend = pty\npath = /run/x\n"
      b"\f[daemon]\nlog-level = debug\n[route r]\nfrom = a\nto = b\n"
      b"\f[loopback b]\n[serial a]\npath = /run/x\n")

# ---- fuzz-evemu: mode byte (split step, describe, restart), then the text ----
clear("fuzz-evemu")
combo = read("tests", "data", "input", "combo.evemu")
events = b"".join(l + b"\n" for l in combo.splitlines() if l.startswith(b"E:"))
write("fuzz-evemu", "combo-whole", b"\x00" + combo)
write("fuzz-evemu", "combo-split7-describe", b"\x47" + combo)
write("fuzz-evemu", "events-only-split1", b"\x01" + events)
write("fuzz-evemu", "two-recordings-restart", b"\x85" + combo + combo)
write("fuzz-evemu", "small-crlf", b"\x03# EVEMU 1.3\r\nN: pad\r\nI: 0006 0001 0002 0003\r\n"
      b"B: 03 03 00 00 00 00 00 00 00\r\nA: 00 -100 100 0 0\r\nA: 01 -100 100 0 0 12\r\n"
      b"E: 0.000001 0003 0000 -0050\r\nE: 0.000001 0000 0000 0000\r\n")

# ---- fuzz-convert: selector, chunk size, payload ----
clear("fuzz-convert")
CONVERTERS = ["text-to-keys", "evemu-to-events", "events-to-evemu", "wire-to-events", "events-to-wire",
              "ydotool-to-events"]
BYTES, DATAGRAM, EVENTS, LINE = 0, 1, 2, 3


def sel(conv, layout=0, ctype=BYTES):
    return bytes([CONVERTERS.index(conv) | layout << 3 | ctype << 5])


def ev(usec, t, c, v):
    return struct.pack("<QHHi", usec, t, c, v)


key_a = ev(1000, 1, 30, 1) + ev(1000, 0, 0, 0) + ev(2000, 1, 30, 0) + ev(2000, 0, 0, 0)
rel = ev(5, 2, 0, -3) + ev(5, 2, 1, 7) + ev(5, 0, 0, 0)
for i, layout in enumerate(["us", "de", "fr", "gb"]):
    write("fuzz-convert", "text-" + layout, sel("text-to-keys", i) + b"\x00" + "Hello, wörld! ê\r\n\tCtrl\x03".encode())
write("fuzz-convert", "text-split1-de", sel("text-to-keys", 1) + b"\x01" + "Grüße €@\r\n".encode())
write("fuzz-convert", "text-datagram", sel("text-to-keys", 0, DATAGRAM) + b"\x05" + b"abc\r\ndef")
write("fuzz-convert", "evemu-in", sel("evemu-to-events") + b"\x00" + combo)
write("fuzz-convert", "evemu-in-split13", sel("evemu-to-events") + b"\x0d" + events)
write("fuzz-convert", "events-to-evemu", sel("events-to-evemu", 0, EVENTS) + b"\x00" + key_a + rel)
write("fuzz-convert", "events-to-evemu-split16", sel("events-to-evemu", 0, EVENTS) + b"\x10" + key_a)
write("fuzz-convert", "wire-in", sel("wire-to-events") + b"\x00" + key_a + rel)
write("fuzz-convert", "wire-in-split5", sel("wire-to-events") + b"\x05" + key_a)
write("fuzz-convert", "events-to-wire", sel("events-to-wire", 0, EVENTS) + b"\x00" + key_a + rel)
write("fuzz-convert", "events-wrong-type", sel("events-to-wire", 0, BYTES) + b"\x00" + key_a)
write("fuzz-convert", "line-chunk", sel("text-to-keys", 0, LINE) + b"\x00" + b"\x01\x00\x00\x00")
ydotool_ctrl_a = b"".join(struct.pack("=HHi", t, c, v) for t, c, v in
                          [(1, 29, 1), (0, 0, 0), (1, 30, 1), (0, 0, 0), (1, 30, 0), (0, 0, 0), (1, 29, 0), (0, 0, 0)])
write("fuzz-convert", "ydotool-in", sel("ydotool-to-events") + b"\x00" + ydotool_ctrl_a)
write("fuzz-convert", "ydotool-in-split3", sel("ydotool-to-events") + b"\x03" + ydotool_ctrl_a)
write("fuzz-convert", "hangup-line", sel("wire-to-events", 0, LINE) + b"\x00" + b"\x04\x00\x00\x00\x00\x00\x00\x00")

# ---- fuzz-keymap: text and combinations ----
clear("fuzz-keymap")
for i, s in enumerate(["hello world", "Hello, World!\n", "Grüße, ça va? ñ ê ß € @ µ", "a\r\nb\rc\nd\te\x1b\x7f",
                       "\x01\x03\x1a", "ctrl+alt+delete", "KEY_LEFTCTRL+KEY_C", "shift + f1", "super+l",
                       "BTN_LEFT", "altgr+e", "ctrl+shift+alt+super+pgup", "´`^~¨", "£¬¦|\\"]):
    write("fuzz-keymap", "k%02d" % i, s.encode())

# ---- fuzz-ledger: owned-paths records ----
clear("fuzz-ledger")
for i, s in enumerate([b"l 2049 131 /run/vwire/gps", b"S 64768 5 /run/user/1000/vwire/x.sock",
                       b"s 1 2 /tmp/with\\x0aescaped\\\\name", b"L 18446744073709551615 0 /a b",
                       b"vwire-owned-paths 2"]):
    write("fuzz-ledger", "r%d" % i, s)

# ---- fuzz-conf-values: parser index (conf-parse.h order), value ----
clear("fuzz-conf-values")
PARSERS = ["string", "path", "text", "bool", "mode", "size", "rate", "uint", "duration", "enum", "names",
           "address", "user", "group"]
values = {
    "string": ["hello"], "path": ["/run/vwire/gps", "%t/x", "%%t/rel"],
    "text": ["AT\\r\\n", "\\x00\\xff\\\\"], "bool": ["yes", "Off"], "mode": ["0660", "7777"],
    "size": ["64K", "1MiB", "4096B"], "rate": ["9600", "1M/s", "10KB/s"], "uint": ["010", "4294967295"],
    "duration": ["500ms", "1.5s", "2min", "3h", "7"], "enum": ["drop-old", "BLOCK"],
    "names": ["a, b c", "gps,app"],
    "address": ["tcp:127.0.0.1:4000", "tcp:[::1]:1", "unix:/run/x.sock", "unix:@abstract", "unix:%t/c",
                "udp:127.0.0.1:5000", "unix-seqpacket:/run/p", "unix-dgram:@d"],
    "user": ["root", "0"], "group": ["root", "65534"],
}
for kind, vs in values.items():
    for j, v in enumerate(vs):
        write("fuzz-conf-values", "%s-%d" % (kind, j), bytes([PARSERS.index(kind)]) + v.encode())

# ---- fuzz-varlink: mode byte, NUL-terminated messages ----
clear("fuzz-varlink")


def msg(method, params=None, more=False):
    o = {"method": "io.vwire." + method, "parameters": params or {}}
    if more:
        o["more"] = True
    return json.dumps(o, separators=(",", ":")).encode() + b"\0"


hello = msg("Hello", {"version": "0.1.0", "protocol": 1})
session = [hello, msg("Status"), msg("List"), msg("Show", {"name": "gps"}),
           msg("Add", {"kind": "serial", "name": "x", "settings": {"backend": "pty", "path": "/run/vwire/x"}}),
           msg("Send", {"name": "x", "hex": "de:ad be ef"}), msg("Send", {"name": "x", "text": "AT\r\n"}),
           msg("Monitor", {"name": "x"}, more=True), msg("Remove", {"name": "x", "persist": False}),
           msg("Reload"), msg("Type", {"name": "kbd", "text": "hé", "layout": "de", "delay_ms": 5}),
           msg("Key", {"name": "kbd", "combo": "ctrl+c"}),
           b'{"method":"org.varlink.service.GetInfo"}\0']
write("fuzz-varlink", "session-whole", b"\x00" + b"".join(session))
write("fuzz-varlink", "session-split3", b"\x03" + b"".join(session))
write("fuzz-varlink", "bad-messages", b"\x01" + b'[1,2]\0{"a":1} x\0  {"b":[true,null,1.5e3]}  \0{"c":\0')
write("fuzz-varlink", "hex-payload", b"\x80" + b"de:ad be\tef\n00")
write("fuzz-varlink", "hex-and-message", b"\x85" + msg("Send", {"name": "x", "hex": "0d0a"}))
write("fuzz-varlink", "unicode", b"\x00" + json.dumps({"method": "io.vwire.Show", "parameters": {"name": "\u00e9\ud83d\ude00"}}).encode() + b"\0")

# ---- fuzz-control: mode byte (bit 0: as nobody; bits 1-6: write step), calls on a manager with
# [loopback lo] (sink), [loopback echo] (echo) and [route r] lo <-> echo ----
clear("fuzz-control")
safe = [hello, msg("Status"), msg("List"), msg("Show", {"name": "lo"}), msg("Show", {"name": "r"}),
        msg("Add", {"kind": "loopback", "name": "x", "settings": {"mode": "echo"}}),
        msg("Add", {"kind": "route", "name": "rx", "settings": {"from": "x", "to": "lo", "duplex": "yes"}}),
        msg("Send", {"name": "x", "hex": "de:ad be ef"}), msg("Send", {"name": "echo", "text": "AT\r\n"}),
        msg("Remove", {"name": "x"}), msg("Remove", {"name": "rx"}), msg("Remove", {"name": "x"}),
        msg("Reload"), msg("Doctor"), b'{"method":"org.varlink.service.GetInfo"}\0',
        b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.vwire"}}\0']
write("fuzz-control", "session-root", b"\x00" + b"".join(safe))
write("fuzz-control", "session-nobody", b"\x01" + b"".join(safe))
write("fuzz-control", "session-root-split5", b"\x0a" + b"".join(safe))
write("fuzz-control", "monitor", b"\x00" + msg("Monitor", {"name": "echo"}, more=True) +
      msg("Send", {"name": "echo", "text": "hi"}))
write("fuzz-control", "monitor-then-send", b"\x00" + msg("Send", {"name": "lo", "text": "hello"}) +
      msg("Monitor", {"name": "r"}, more=True) + msg("List"))
write("fuzz-control", "oneway-and-bad", b"\x02" +
      b'{"method":"io.vwire.List","oneway":true}\0{"method":"io.vwire.Nope"}\0{"method":"other.If.X"}\0'
      b'[1]\0{"method":"io.vwire.Show","parameters":{"name":"lo","name":"echo"}}\0{"method":"io.vwire.List","more":1}\0'
      b'{"method":"io.vwire.Hello","parameters":{"version":"9","protocol":2}}\0{"method":"io.vwire.Show"}\0')
write("fuzz-control", "add-bad-settings", b"\x00" +
      msg("Add", {"kind": "loopback", "name": "y", "settings": {"mode": "nope", "rate": "1Q"}}) +
      msg("Add", {"kind": "route", "name": "r2", "settings": {"from": "lo", "to": "lo"}}) +
      msg("Add", {"kind": "loopback", "name": "lo", "settings": {"mode": "sink"}}) +
      msg("Add", {"kind": "route", "name": "r3", "settings": {"from": "echo", "to": "lo", "convert": "text-to-keys"}}) +
      msg("Remove", {"name": "echo"}))

# ---- fuzz-cuse-ioctl: calls of [row, flags, arg (4 bytes), data] (cuse-ioctl.c table order) ----
clear("fuzz-cuse-ioctl")
ROWS = ["TCGETS", "TCSETS", "TCSETSW", "TCSETSF", "TCGETS2", "TCSETS2", "TCSETSW2", "TCSETSF2", "TIOCMGET",
        "TIOCMSET", "TIOCMBIS", "TIOCMBIC", "TIOCMIWAIT", "TIOCGICOUNT", "TIOCGWINSZ", "TIOCSWINSZ", "FIONREAD",
        "TIOCOUTQ", "TCFLSH", "TCXONC", "TCSBRK", "TCSBRKP", "TIOCSBRK", "TIOCCBRK", "TIOCEXCL", "TIOCNXCL",
        "TIOCGSERIAL", "TIOCSSERIAL"]
FAIR, TAKE_WAIT = 2, 1
B0, B9600, B115200, BOTHER, CS5, CS7, CS8 = 0, 0o15, 0o010002, 0o010000, 0, 0o40, 0o60
CSTOPB, CREAD, PARENB, PARODD, CLOCAL, CMSPAR, CRTSCTS = 0o100, 0o200, 0o400, 0o1000, 0o4000, 0o10000000000, 0o20000000000


def call(row, data=b"", flags=FAIR, arg=0x7ffd1000):
    return bytes([ROWS.index(row), flags]) + struct.pack("<I", arg) + data


def termios2(cflag, ispeed=9600, ospeed=9600, iflag=0, lflag=0):
    return struct.pack("<IIIIB19sII", iflag, 0, cflag, lflag, 0, bytes(19), ispeed, ospeed)


write("fuzz-cuse-ioctl", "gets", b"".join(call(r) for r in ["TCGETS", "TCGETS2", "TIOCMGET", "TIOCGICOUNT",
                                                               "TIOCGWINSZ", "FIONREAD", "TIOCOUTQ", "TIOCGSERIAL"]))
write("fuzz-cuse-ioctl", "set-115200-8n1", call("TCSETS2", termios2(B115200 | CS8 | CREAD | CLOCAL, 0, 0)) + call("TCGETS2"))
write("fuzz-cuse-ioctl", "set-bother-7e2", call("TCSETS2", termios2(BOTHER | CS7 | PARENB | CSTOPB | CRTSCTS, 250000, 250000)))
write("fuzz-cuse-ioctl", "set-mark-5", call("TCSETSW2", termios2(B9600 | CS5 | PARENB | PARODD | CMSPAR)))
write("fuzz-cuse-ioctl", "set-b0-hangup", call("TCSETSF", termios2(B0 | CS8)[:36]) + call("TIOCMGET"))
write("fuzz-cuse-ioctl", "modem", call("TIOCMSET", struct.pack("<i", 0x006)) + call("TIOCMBIC", struct.pack("<i", 0x004)) +
      call("TIOCMBIS", struct.pack("<i", -1)) + call("TIOCMGET"))
write("fuzz-cuse-ioctl", "miwait", call("TIOCMIWAIT", flags=TAKE_WAIT, arg=0x1f0) + call("TIOCMIWAIT", flags=0, arg=0x020))
write("fuzz-cuse-ioctl", "winsize", call("TIOCSWINSZ", struct.pack("<HHHH", 24, 80, 0, 0)) + call("TIOCGWINSZ"))
write("fuzz-cuse-ioctl", "flow-break", call("TCFLSH", arg=2) + call("TCXONC", arg=0) + call("TCXONC", arg=1) +
      call("TCXONC", arg=2) + call("TCXONC", arg=3) + call("TCSBRK", arg=0) + call("TCSBRKP", arg=5) +
      call("TIOCSBRK") + call("TIOCCBRK") + call("TIOCEXCL") + call("TIOCNXCL"))
write("fuzz-cuse-ioctl", "short-retry", call("TCSETS2", termios2(B9600 | CS8), flags=0x10) + call("TCGETS", flags=0x00))
write("fuzz-cuse-ioctl", "unknown", b"\xff\x02\0\0\0\0" + struct.pack("<I", 0x5401 + 0x100) + call("TIOCSSERIAL", bytes(72)))

# fuzz-net: first byte (mod 7) 0 prefix, 1 MAC, 2 ifalias mark, 3 owned-netdevs record, 4 SLIP, 5 KISS,
# 6 length-prefixed packets
clear("fuzz-net")
for name, sel_, text in [("prefix4", 0, b"10.9.0.1/24"), ("prefix6", 0, b"fd00::1/64"), ("host", 0, b"10.9.0.2"),
                         ("mac", 1, b"02:00:00:00:00:01"), ("mark", 2, b"vwire:tun0 pid=4242"),
                         ("record", 3, b"vwire-netdev 1 7 - vw-tun0\n"),
                         ("record-netns", 3, b"vwire-netdev 1 12 blue vwtb0\n"),
                         ("slip", 4, b"\x07\xc0\x45\x00\xdb\xdc\x01\xdb\xdd\xc0\xc0\x02\xc0"),
                         ("slip-bad-escape", 4, b"\xff\xc0\x01\xdb\x41\xc0\x03\xc0"),
                         ("kiss", 5, b"\x02\xc0\x00\x45\x01\xc0\xc0\x01\x32\xc0\xc0\x10\x05\xc0"),
                         ("lenframe", 6, b"\x02\x00\x03abc\x00\x00\x01\x00" + bytes(256) + b"\x00\x01\xff\x00")]:
    write("fuzz-net", name, bytes([sel_]) + text)

# fuzz-audio-proto: one packet each way, as proto/audio-proto.c lays them out
def audio(ver, typ, body=b""):
    return struct.pack("<IHH", 0x55415756, ver, typ) + body


def astr(s):
    return struct.pack("<H", len(s)) + s


clear("fuzz-audio-proto")
write("fuzz-audio-proto", "hello", audio(1, 1, struct.pack("<BBHI", 0, 0, 0, 4242) + astr(b"c1") + astr(b"aplay") + astr(b"0.1.0")))
write("fuzz-audio-proto", "hello-reply", audio(1, 2, struct.pack("<iBBHIIII", 0, 0, 2, 0, 48000, 256, 4096, 4096) + astr(b"0.1.0") + astr(b"")))
write("fuzz-audio-proto", "hello-refused", audio(1, 2, struct.pack("<iBBHIIII", -2, 0, 0, 0, 0, 0, 0, 0) + astr(b"0.1.0") + astr(b"no such cable")))
write("fuzz-audio-proto", "setup", audio(1, 3, struct.pack("<II", 4095, 1023)))
write("fuzz-audio-proto", "start", audio(1, 5))
write("fuzz-audio-proto", "reply", audio(1, 8, struct.pack("<i", -32) + astr(b"gone")))
write("fuzz-audio-proto", "version-other", audio(2, 0, astr(b"0.2.0")))
# the version mark doctor finds in an installed plugin file
write("fuzz-audio-proto", "plugin-id", b"ELF junk vwire-alsa-plugin version 0.1.0 protocol 1\0more")
write("fuzz-audio-proto", "plugin-id-bad", b"vwire-alsa-plugin version 0.1.0 protocol 99999999\0vwire-alsa-plugin version x protocol 2\0")

# fuzz-ldisc: steps of [op, operands]: 0 SET (8-9 bytes of flag bits, VMIN, VTIME, cc slot, value),
# 1 RECV n bytes, 2 READ size, 3 LIT n bytes, 4 FLUSH, 5 OUT n bytes, 6 ERR n bytes (framing errors)
clear("fuzz-ldisc")
def step(op, *parts):
    return bytes([op]) + b"".join(parts)
def recv(b, op=1):
    return step(op, bytes([len(b)]), b)
SANE = step(0, bytes([0x12, 0x00, 0x03, 0xff, 0x01, 1, 0, 0, 0]))       # ICRNL IXON, OPOST ONLCR, ICANON..IEXTEN
RAW = step(0, bytes([0, 0, 0, 0, 0, 1, 0, 0, 0]))
write("fuzz-ldisc", "canonical-edit", SANE + recv(b"ab\x7fc\r") + step(2, b"\x40") + recv(b"junk\x15one two\x17x\n\x04\x04") +
      step(2, b"\x03") + step(2, b"\x40") + step(2, b"\x40"))
write("fuzz-ldisc", "ixon-ixany", step(0, bytes([0x50, 0, 0, 0, 0, 1, 0, 0, 0])) + recv(b"a\x13b\x11c\x13d") + step(2, b"\x10"))
write("fuzz-ldisc", "vmin-vtime", step(0, bytes([0, 0, 0, 0, 0, 4, 3, 0, 0])) + recv(b"xy") + step(2, b"\x02") + step(2, b"\x10"))
write("fuzz-ldisc", "parmrk-literal", step(0, bytes([0x80, 0, 0, 0, 0, 1, 0, 0, 0])) + recv(b"\xff\x00") +
      recv(b"\xff\x00\x00", 3) + step(2, b"\x10"))
# INPCK (bit 9) with PARMRK (bit 7): marks; then without INPCK, cooked as data
write("fuzz-ldisc", "inpck-marks", step(0, bytes([0x80, 0x02, 0, 0, 0, 1, 0, 0, 0])) + recv(b"a\xff\r", 6) + step(2, b"\x10") +
      SANE + recv(b"ab\x7f\r", 6) + step(2, b"\x10"))
write("fuzz-ldisc", "output", SANE + recv(b"a\nb\r\n", 5) + RAW + recv(b"\n", 5))
write("fuzz-ldisc", "switch-modes", RAW + recv(b"abc") + SANE + step(2, b"\x10") + recv(b"half") + RAW + step(2, b"\x10") +
      step(4))

# fuzz-telnet: byte 0 = role (bit 0: server) | piece size << 1; then what the peer sends
clear("fuzz-telnet")
IAC, SB, SE, WILL, WONT, DO, DONT = 255, 250, 240, 251, 252, 253, 254
def sb(*payload):
    body = bytes(payload).replace(b"\xff", b"\xff\xff")
    return bytes([IAC, SB, 44]) + body + bytes([IAC, SE])
PYSERIAL = (bytes([IAC, WILL, 44, IAC, DO, 0, IAC, WILL, 0, IAC, DO, 3, IAC, WILL, 3]) +
            sb(1, 0, 3, 0xd0, 0x90) + sb(2, 8) + sb(3, 1) + sb(4, 1) + sb(5, 8) + sb(5, 11) + sb(5, 5) + sb(5, 6) +
            sb(12, 1) + sb(7) + sb(0) + sb(0, *b"pyserial") + sb(10, 0x1e) + sb(11, 0xff) + sb(8) + sb(9) +
            b"data \xff\xff more\r\x00")
write("fuzz-telnet", "pyserial-client", bytes([1 | (1 << 1)]) + PYSERIAL)
write("fuzz-telnet", "pyserial-client-whole", bytes([1 | (127 << 1)]) + PYSERIAL)
SERVER = (bytes([IAC, DO, 44, IAC, WILL, 0, IAC, DO, 0, IAC, WILL, 3]) + sb(101, 0, 3, 0xd0, 0x90, 0, 0) +
          sb(102, 8) + sb(103, 1) + sb(104, 1) + sb(105, 1) + sb(105, 1) + sb(105, 11) + sb(101, 8) +
          sb(107, 0xb1) + sb(106, 0x10) + sb(100, *b"ser2net") + sb(100) + sb(108) + sb(109) + b"\xff\xffx")
write("fuzz-telnet", "server-answers", bytes([0 | (3 << 1)]) + SERVER)
write("fuzz-telnet", "unknown-options", bytes([1]) + bytes([IAC, DO, 47, IAC, WILL, 24, IAC, DO, 1, IAC, DONT, 5, IAC, 0x80,
                                                              IAC, SB, 24, 1, IAC, SE, IAC, SB, 44, 5, IAC, DO, 47]))
write("fuzz-telnet", "commands", bytes([1 | (2 << 1)]) + bytes([IAC, 243, IAC, 244, IAC, 241, IAC, 249, IAC, SE, ord("a")]))

print("wrote seeds under", os.path.join(here, "corpus"), file=sys.stderr)
