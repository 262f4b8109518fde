#!/usr/bin/python3
# A stand-in vwired that speaks just enough of io.vwire to be another release:
#   fake_vwired.py SOCKET VERSION PROTOCOL [refuse]
# Hello answers with VERSION/PROTOCOL, or, with "refuse", with the VersionMismatch error a
# vwired of another protocol sends. Any other call gets MethodNotFound. Prints "ready" once
# listening, then serves until killed.
import json
import os
import socket
import sys


def main():
    path, version, protocol = sys.argv[1], sys.argv[2], int(sys.argv[3])
    refuse = len(sys.argv) > 4 and sys.argv[4] == "refuse"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        buf = b""
        with conn:
            while True:
                # vwirectl sends Hello and its call at once and hangs up after a mismatched
                # Hello without reading the second answer: a reset, not a reason to stop serving
                try:
                    data = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not data:
                    break
                buf += data
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    call = json.loads(raw)
                    method = call.get("method", "")
                    params = call.get("parameters", {})
                    if method == "io.vwire.Hello" and refuse:
                        reply = {"error": "io.vwire.VersionMismatch",
                                 "parameters": {"client_version": params.get("version"),
                                                "client_protocol": params.get("protocol"),
                                                "daemon_version": version, "daemon_protocol": protocol}}
                    elif method == "io.vwire.Hello":
                        reply = {"parameters": {"version": version, "protocol": protocol, "pid": os.getpid()}}
                    else:
                        reply = {"error": "org.varlink.service.MethodNotFound", "parameters": {"method": method}}
                    try:
                        conn.sendall(json.dumps(reply).encode() + b"\0")
                    except (BrokenPipeError, ConnectionResetError):
                        buf = b""
                        break


if __name__ == "__main__":
    main()
