#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The 'security' suite, denial of service through the control socket (issue 8, "Per-client
limits"; /work/secspec.md "Control socket limits"). Raw Varlink (NUL-terminated JSON) from
vwsec-member's connections to a root vwired. The bounds asserted:

  - a client that sends requests and never reads: vwired's VmRSS grows < 16 MiB, and the client
    is disconnected or stalls (vwired stops reading it: no byte accepted for 2 s);
  - 300 connections from one non-root uid: at most 16 of them are served, root's Status is still
    answered (< 1 s) and `vwirectl reload` works;
  - a partial message is closed after 10 s (by 13 s), while a slow but complete one is served
    and an idle connection stays;
  - an Add with 100000 settings is refused < 1 s after it is sent, one with 65 names the limit 64;
  - while one client floods Status calls, another's 20 calls are each answered in < 100 ms;
  - duplicate JSON keys (anywhere) and non-boolean "more"/"oneway" are InvalidArgument;
  - descriptors sent with a message that takes none are closed (vwired's fd count is unchanged).

vwired offers no option to shorten the 10 s partial-message timeout, so that case waits it out.
The 5-minute idle timeout of non-root clients is not waited for here.
"""
import json
import os
import select
import signal
import socket
import time

import sechelp as h
from sechelp import INVAL, WORLD as W, Daemon, SecTest, Varlink, Closed

MiB = 1024 * 1024

CONFIG = """\
[loopback cfgloop]
mode = echo
"""


def msg(method, parameters=None, **extra):
    m = {"method": method}
    if parameters is not None:
        m["parameters"] = parameters
    m.update(extra)
    return json.dumps(m, separators=(",", ":")).encode() + b"\0"


def _connect_k(path, k):
    fds, failed = [], 0
    for _ in range(k):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        try:
            s.connect(path)
            fds.append(s.detach())
        except OSError:
            failed += 1
            s.close()
    return {"failed": failed}, fds


def connect_many_as(user, path, n):
    """n non-blocking connections to path by user (a child connects them and passes them back,
    100 per message: SCM_RIGHTS carries at most 253). Returns (sockets, failed connect() calls)."""
    socks, failed, left = [], 0, n
    while left > 0:
        k = min(left, 100)
        data, fds = h.in_child_as(user, lambda k=k: _connect_k(path, k))
        socks += [socket.socket(fileno=fd) for fd in fds]
        failed += data["failed"]
        left -= k
    return socks, failed


class ControlSocketDoS(SecTest):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("dos", CONFIG).start()
        cls.m = W.member

    @classmethod
    def tearDownClass(cls):
        cls.d.stop_clean()

    def setUp(self):
        if not self.d.alive():
            self.d.start()
        self.socks = []
        # the previous case's connections must be gone (the per-uid limit counts them)
        h.wait_for(lambda: "error" not in self.timed_status(self.m, timeout=1)[1], timeout=3, interval=0.1)

    def tearDown(self):
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        alive = self.d.alive()
        if not alive:
            print(f"--- vwired died during {self.id()}:\n{self.d.log_tail(60)}")
        time.sleep(0.2)  # let vwired see the hang-ups before the next case counts connections

    def member_conn(self, user="member"):
        """A connection as user (default: vwsec-member; None: root)."""
        s = h.connect_as(self.m if user == "member" else user, self.d.sock)
        self.socks.append(s)
        return s

    def timed_status(self, user=None, timeout=5):
        """A fresh connection's Status: (seconds, reply)."""
        t0 = time.monotonic()
        try:
            v = self.d.varlink(user, timeout=timeout)
            try:
                r = v.call("io.vwire.Status", timeout=timeout)
            finally:
                v.close()
        except Closed:
            r = {"error": "(vwired closed the connection without an answer: locked out)"}
        except (TimeoutError, socket.timeout):
            r = {"error": f"(no answer within {timeout} s)"}
        except OSError as e:
            r = {"error": f"(cannot connect: {e})"}
        return time.monotonic() - t0, r

    # ---- a client that never reads ----
    def test_non_reading_client_rss_bounded(self):
        rss0 = self.d.rss_kib()
        s = self.member_conn()
        s.setblocking(False)
        # ~80-byte requests whose replies are the whole interface description (kilobytes each)
        batch = msg("org.varlink.service.GetInterfaceDescription", {"interface": "io.vwire"}) * 256
        pending = b""
        sent = 0
        peak = rss0
        stalled_since = None
        outcome = "still accepting after 6 s"
        t0 = last_sample = time.monotonic()
        while time.monotonic() - t0 < 6:
            now = time.monotonic()
            if now - last_sample > 0.05:
                peak = max(peak, self.d.rss_kib())
                last_sample = now
                if peak - rss0 > 64 * 1024:
                    outcome = "stopped by the test: RSS grew by more than 64 MiB"
                    break
            if not pending:
                pending = batch
            try:
                n = s.send(pending)
                pending = pending[n:]
                sent += n
                stalled_since = None
            except BlockingIOError:
                if stalled_since is None:
                    stalled_since = now
                elif now - stalled_since >= 2:
                    outcome = "stalled"
                    break
                select.select([], [s], [], 0.05)
            except (BrokenPipeError, ConnectionResetError):
                outcome = "disconnected"
                break
        # while the non-reader is stuck, others are still served
        secs, r = self.timed_status()
        self.assertOk(r, "Status while a client does not read")
        peak = max(peak, self.d.rss_kib())
        growth = (peak - rss0) / 1024
        print(f"non-reading client: sent {sent / MiB:.1f} MiB of requests; outcome: {outcome}; "
              f"VmRSS {rss0 / 1024:.1f} -> peak {peak / 1024:.1f} MiB (+{growth:.1f} MiB); "
              f"another Status took {secs * 1000:.0f} ms")
        self.assertLess(growth, 16, f"vwired's RSS grew by {growth:.1f} MiB for a client that never reads "
                                    f"(bound: 16 MiB); outcome: {outcome}")
        self.assertIn(outcome, ("stalled", "disconnected"),
                      f"vwired kept reading a client that never reads its replies ({sent / MiB:.1f} MiB sent)")
        self.assertLess(secs, 1, f"Status took {secs:.2f}s while a client did not read")

    # ---- many connections from one uid ----
    def test_300_connections_of_one_uid(self):
        socks, failed = connect_many_as(self.m, self.d.sock, 300)
        self.socks += socks
        # every connection asks Status; count the ones vwired serves
        req = msg("io.vwire.Status")
        for s in socks:
            try:
                s.send(req)
            except OSError:
                pass
        answered, refused, why = set(), set(), set()
        closed = set()
        deadline = time.monotonic() + 3
        bufs = {s.fileno(): b"" for s in socks}
        by_fd = {s.fileno(): s for s in socks}
        waiting = set(bufs)
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(list(waiting), [], [], 0.2)
            for fd in ready:
                try:
                    chunk = by_fd[fd].recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    closed.add(fd)
                    waiting.discard(fd)
                    continue
                bufs[fd] += chunk
                if b"\0" in bufs[fd]:
                    reply = json.loads(bufs[fd].split(b"\0", 1)[0])
                    if "error" in reply:  # vwired said why it refuses the connection, then closed it
                        refused.add(fd)
                        why.add(h.reply_error(reply)[1])
                    else:
                        answered.add(fd)
                    waiting.discard(fd)
        secs, r = self.timed_status(None)
        print(f"300 connections by uid {self.m.uid}: {len(socks)} connected ({failed} connect() failed), "
              f"{len(answered)} served, {len(refused)} refused with a message {sorted(why)[:3]}, "
              f"{len(closed)} closed silently, {len(waiting)} unanswered; root's Status took {secs * 1000:.0f} ms")
        self.assertOk(r, "root's Status with 300 connections of one member open")
        self.assertLess(secs, 1, f"root's Status took {secs:.2f}s")
        self.assertLessEqual(len(answered), 16, f"vwired served {len(answered)} connections of one non-root uid "
                                                f"(limit: 16 per uid)")
        self.assertGreater(len(answered), 0, "vwired served none of the member's connections")
        t0 = time.monotonic()
        rr = self.d.ctl(None, "reload", timeout=10)
        self.assertOk(rr, "vwirectl reload (root) with 300 connections of one member open")
        self.assertLess(time.monotonic() - t0, 3, "reload was slow")
        # another uid is not locked out by this one
        secs2, r2 = self.timed_status(W.member2)
        self.assertOk(r2, "vwsec-member2's Status while vwsec-member holds 300 connections")

    # ---- half-sent messages ----
    def test_partial_message_closed_after_10s(self):
        partial = self.member_conn()
        slow = self.member_conn()
        idle = self.member_conn()
        t0 = time.monotonic()
        partial.sendall(b'{"method":"io.vwire.Sta')
        slow.sendall(b'{"method":"io.vwire.Sta')
        time.sleep(3)
        slow.sendall(b'tus"}\0')
        v = Varlink(slow)
        self.assertOk(v.recv(5), "a message completed after 3 s")
        partial.settimeout(15)
        closed_after = None
        try:
            data = partial.recv(4096)
            closed_after = time.monotonic() - t0
            self.assertEqual(data, b"", f"vwired answered a partial message: {data!r}")
        except ConnectionResetError:
            closed_after = time.monotonic() - t0
        except socket.timeout:
            pass
        print(f"partial message: connection closed after "
              f"{'%.1f s' % closed_after if closed_after is not None else 'more than 15 s'}")
        self.assertIsNotNone(closed_after, "a connection with a partial message was still open after 15 s")
        self.assertLess(closed_after, 13, f"closed only after {closed_after:.1f}s (limit: 10 s)")
        self.assertGreater(closed_after, 5, f"closed after {closed_after:.1f}s: sooner than the 10 s of the spec")
        # the slow client (nothing in flight any more) and the idle one were not closed
        self.assertOk(v.call("io.vwire.Status"), "the slow-but-complete client after 13 s")
        self.assertOk(Varlink(idle).call("io.vwire.Status"), "an idle connection after 13 s")

    # ---- huge Add ----
    def test_add_with_100000_settings_refused_quickly(self):
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        keys = (a + b + c for a in alphabet for b in alphabet for c in alphabet)
        settings = {next(keys): "" for _ in range(100000)}
        settings["mode"] = "echo"
        data = msg("io.vwire.Add", {"kind": "loopback", "name": "huge", "settings": settings})
        self.assertLess(len(data), MiB, "the test's message must stay below the 1 MiB message limit")
        s = self.member_conn()
        s.settimeout(30)
        s.sendall(data)
        t0 = time.monotonic()
        v = Varlink(s)
        try:
            r = v.recv(10)
        except Closed:
            r = None
        except TimeoutError:
            secs = time.monotonic() - t0
            # vwired is stuck in this Add: restart it, or the next cases time out too
            self.d.kill9()
            self.d.start()
            self.fail(f"Add with 100000 settings: no answer within {secs:.0f} s (bound: 1 s); vwired was "
                      f"killed and restarted")
        secs = time.monotonic() - t0
        print(f"Add with 100000 settings ({len(data) / 1024:.0f} KiB): answered after {secs * 1000:.0f} ms: "
              f"{json.dumps(r)[:300] if r else 'connection closed'}")
        self.assertIsNotNone(r, "vwired closed the connection instead of refusing the Add")
        self.assertRefused(r, (INVAL, "io.vwire.InvalidConfig"), (), "Add with 100000 settings")
        self.assertLess(secs, 1, f"refusing 100000 settings took {secs:.2f}s (bound: 1 s)")
        self.assertNotIn("huge", self.d.names())
        secs2, r2 = self.timed_status(W.member2)
        self.assertLess(secs2, 0.1, f"the next client waited {secs2 * 1000:.0f} ms")

    def test_add_with_65_settings_names_the_limit(self):
        settings = {"mode": "echo"}
        settings.update({f"x{i:02d}": "1" for i in range(64)})
        v = Varlink(self.member_conn())
        r = v.call("io.vwire.Add", {"kind": "loopback", "name": "s65", "settings": settings})
        self.assertRefused(r, (INVAL, "io.vwire.InvalidConfig"), ("64",), "Add with 65 settings")
        self.assertNotIn("s65", self.d.names())
        # the legitimate twin: a few settings
        r = v.call("io.vwire.Add", {"kind": "loopback", "name": "s3", "settings": {"mode": "source", "rate": "1K",
                                                                                   "chunk": "16"}})
        self.assertOk(r, "Add with 3 settings")
        self.assertOk(v.call("io.vwire.Remove", {"name": "s3"}))

    # ---- fairness ----
    def test_flood_does_not_delay_others(self):
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:  # the flooder: as the member, pipelined Status calls, reading the replies
            try:
                os.close(rd)
                os.setgroups(self.m.groups)
                os.setresgid(self.m.gid, self.m.gid, self.m.gid)
                os.setresuid(self.m.uid, self.m.uid, self.m.uid)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.d.sock)
                s.setblocking(False)
                batch = msg("io.vwire.Status") * 512
                pending, replies, end = b"", 0, time.monotonic() + 4
                while time.monotonic() < end:
                    if not pending:
                        pending = batch
                    r, w, _ = select.select([s], [s], [], 0.1)
                    if w:
                        try:
                            pending = pending[s.send(pending):]
                        except BlockingIOError:
                            pass
                    if r:
                        chunk = s.recv(1 << 20)
                        if not chunk:
                            break
                        replies += chunk.count(b"\0")
                os.write(wr, str(replies).encode())
            finally:
                os._exit(0)
        os.close(wr)
        try:
            time.sleep(0.5)  # the flood is under way
            lat = []
            v = self.d.varlink(W.member2)
            for _ in range(20):
                t0 = time.monotonic()
                r = v.call("io.vwire.Status", timeout=5)
                lat.append(time.monotonic() - t0)
                self.assertOk(r, "another client's Status during a flood")
                time.sleep(0.02)
            v.close()
        finally:
            os.waitpid(pid, 0)
            replies = int(os.read(rd, 64) or b"0")
            os.close(rd)
        print(f"flood: the flooder got {replies} replies in 4 s; the other client's 20 Status calls: "
              f"max {max(lat) * 1000:.1f} ms, median {sorted(lat)[10] * 1000:.1f} ms")
        self.assertGreater(replies, 2000, "the flooder did not flood (too few replies): the test proves nothing")
        self.assertLess(max(lat), 0.1, f"another client's call took {max(lat) * 1000:.0f} ms during a flood "
                                       f"(bound: 100 ms); all: {[round(x * 1000) for x in lat]}")

    # ---- protocol strictness ----
    def _raw(self, data, user="member"):
        v = Varlink(self.member_conn(user))
        v.send(data)
        try:
            return v.recv(5)
        except Closed:
            return {"error": "(connection closed)", "parameters": {}}
        except TimeoutError:  # e.g. a non-boolean "oneway" taken as true
            return {"(no reply within 5 s)": True}

    def test_duplicate_json_keys_refused(self):
        cases = [
            ("duplicate method", b'{"method":"io.vwire.Remove","method":"io.vwire.Status","parameters":{"name":"cfgloop"}}'),
            ("duplicate parameters",
             b'{"method":"io.vwire.Show","parameters":{"name":"nosuch"},"parameters":{"name":"cfgloop"}}'),
            ("duplicate key in settings",
             b'{"method":"io.vwire.Add","parameters":{"kind":"loopback","name":"dupk",'
             b'"settings":{"mode":"echo","mode":"sink"}}}'),
            ("duplicate key deep inside",
             b'{"method":"io.vwire.Add","parameters":{"kind":"loopback","name":"dupk2","name":"dupk3",'
             b'"settings":{"mode":"echo"}}}'),
        ]
        for what, data in cases:
            with self.subTest(what):
                self.assertRefused(self._raw(data), INVAL, (), what)
        names = self.d.names()
        for n in ("dupk", "dupk2", "dupk3"):
            self.assertNotIn(n, names, f"{n} was added from a message with duplicate keys")
        self.assertIn("cfgloop", names, "a message with a duplicate 'method' removed cfgloop")
        self.assertOk(self._raw(b'{"method":"io.vwire.Show","parameters":{"name":"cfgloop"}}'), "the twin: Show")

    def test_more_and_oneway_must_be_booleans(self):
        for field, value in (("more", "1"), ("more", '"true"'), ("more", "null"), ("more", "{}"),
                             ("oneway", "1"), ("oneway", '"yes"')):
            with self.subTest(field=field, value=value):
                data = b'{"method":"io.vwire.Status","%s":%s}' % (field.encode(), value.encode())
                self.assertRefused(self._raw(data), INVAL, (), f'"{field}": {value}')
        # the twins: real booleans
        self.assertOk(self._raw(b'{"method":"io.vwire.Status","more":false}'), '"more": false')
        v = Varlink(self.member_conn(None))
        v.send(b'{"method":"io.vwire.Monitor","parameters":{"name":"cfgloop"},"more":true}')
        self.assertOk(v.recv(5), 'Monitor with "more": true (root)')
        v = Varlink(self.member_conn())
        v.send(b'{"method":"io.vwire.Status","oneway":true}')
        self.assertOk(v.call("io.vwire.List"), 'a call after a "oneway": true one')

    def test_unwanted_descriptors_are_closed(self):
        before = self.d.fd_count()
        files = [os.open("/dev/null", os.O_RDONLY) for _ in range(9)]
        try:
            for n in (3, 9):
                with self.subTest(fds=n):
                    v = Varlink(self.member_conn())
                    v.send(msg("io.vwire.Status"), fds=files[:n])
                    try:
                        v.recv(5)
                    except Closed:
                        pass
                    v.close()
        finally:
            for f in files:
                os.close(f)
        time.sleep(0.3)
        after = self.d.fd_count()
        self.assertLessEqual(after, before, f"vwired holds {after - before} more descriptors after clients sent "
                                            f"unwanted ones ({before} -> {after})")


if __name__ == "__main__":
    h.run_main()
