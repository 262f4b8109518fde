#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A varlink client in a few lines, to show the protocol needs no vwirectl:
varlink_raw.py SOCKET ENDPOINT...

Calls org.varlink.service.GetInfo, io.vwire.List and GetInterfaceDescription(io.vwire) on one
connection (NUL-terminated JSON), checks the answers, and that each ENDPOINT is listed.
Prints OK and exits 0, or FAIL: ... and exits 1.
"""
import json
import socket
import sys


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b""

    def call(self, method, parameters=None):
        msg = {"method": method}
        if parameters is not None:
            msg["parameters"] = parameters
        self.sock.sendall(json.dumps(msg).encode() + b"\0")
        while b"\0" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                fail("%s: connection closed before the reply" % method)
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        reply = json.loads(raw)
        if not isinstance(reply, dict):
            fail("%s: the reply is not an object: %r" % (method, reply))
        if "error" in reply:
            fail("%s: error %s %r" % (method, reply["error"], reply.get("parameters")))
        return reply.get("parameters", {})


def main():
    if len(sys.argv) < 2:
        fail("usage: varlink_raw.py SOCKET ENDPOINT...")
    c = Conn(sys.argv[1])

    info = c.call("org.varlink.service.GetInfo")
    for key in ("vendor", "product", "version", "url"):
        if not isinstance(info.get(key), str):
            fail("GetInfo: no string %s in %r" % (key, info))
    if "io.vwire" not in info.get("interfaces", []) or "org.varlink.service" not in info.get("interfaces", []):
        fail("GetInfo: interfaces %r lack io.vwire or org.varlink.service" % info.get("interfaces"))

    lst = c.call("io.vwire.List")
    names = [e.get("name") for e in lst.get("endpoints", [])]
    for want in sys.argv[2:]:
        if want not in names:
            fail("List: %s missing from %r" % (want, names))
    for e in lst.get("endpoints", []):
        for key in ("name", "kind", "backend", "state", "origin"):
            if not isinstance(e.get(key), str):
                fail("List: endpoint %r has no string %s" % (e.get("name"), key))
        for key in ("rx_bytes", "tx_bytes", "dropped_bytes"):
            if not isinstance(e.get(key), int):
                fail("List: endpoint %r has no integer %s" % (e.get("name"), key))
    if not isinstance(lst.get("routes"), list):
        fail("List: no routes array")

    desc = c.call("org.varlink.service.GetInterfaceDescription", {"interface": "io.vwire"})
    text = desc.get("description", "")
    if "interface io.vwire" not in text or "method List()" not in text:
        fail("GetInterfaceDescription: unexpected text %r" % text[:200])

    print("OK %s %s, %d endpoints, description %d bytes" % (info["product"], info["version"], len(names), len(text)),
          flush=True)


if __name__ == "__main__":
    main()
