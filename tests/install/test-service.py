#!/usr/bin/python3
# vwired as a service: sd_notify and the watchdog, journal priorities, --persist across
# restarts, doctor on planted and real leftovers.
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest

import vwtest
from vwtest import InstanceTest

BASE = """
[daemon]
log-level = info

[loopback base]
mode = echo
"""


def checks_of(doc, check=None, status=None):
    return [c for c in doc["checks"]
            if (check is None or c["check"] == check) and (status is None or c["status"] == status)]


class Notify(InstanceTest):
    def test_ready_status_watchdog_reload_stopping(self):
        inst = self.instance(BASE + "\n[serial p]\nbackend = pty\npath = %t/p\n")
        path = os.path.join(inst.top, "notify")
        listener = vwtest.datagram_listener(path)
        self.addCleanup(listener.close)
        listener.settimeout(5)
        inst.extra_env.update({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        inst.start(wait=False, shell_prefix="export WATCHDOG_PID=$$;")

        def until(pred, what, timeout=5):
            seen = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    msg = listener.recv(4096).decode()
                except socket.timeout:
                    break
                seen.append(msg)
                if pred(msg):
                    return msg, seen
            self.fail(f"no {what} from vwired; got {seen}\n{inst.read_log()}")

        ready, _ = until(lambda m: "READY=1" in m.split("\n"), "READY=1")
        self.assertIn("STATUS=", ready)
        self.assertIn("2 endpoints", ready)
        # the device exists by the time READY=1 is sent
        self.assertTrue(os.path.islink(os.path.join(inst.dir, "p")))
        # WATCHDOG=1 keeps coming from the event loop (every 1/4 to 1/2 of WATCHDOG_USEC)
        t0 = time.monotonic()
        until(lambda m: "WATCHDOG=1" in m.split("\n"), "WATCHDOG=1")
        until(lambda m: "WATCHDOG=1" in m.split("\n"), "a second WATCHDOG=1")
        self.assertLess(time.monotonic() - t0, 2.0)

        inst.proc.send_signal(signal.SIGHUP)
        reloading, _ = until(lambda m: "RELOADING=1" in m.split("\n"), "RELOADING=1")
        self.assertRegex(reloading, r"MONOTONIC_USEC=\d+")
        until(lambda m: "READY=1" in m.split("\n"), "READY=1 after the reload")

        inst.proc.send_signal(signal.SIGTERM)
        until(lambda m: "STOPPING=1" in m.split("\n"), "STOPPING=1")
        self.assertEqual(inst.proc.wait(10), 0)


class SocketActivation(InstanceTest):
    def test_started_by_the_first_connection(self):
        """vwired.socket's way: systemd holds the socket and passes it on (LISTEN_FDS)."""
        activate = shutil.which("systemd-socket-activate")
        if not activate:
            self.skipTest("systemd-socket-activate is not installed")
        inst = self.instance(BASE)
        sock = os.path.join(inst.top, "activated.sock")
        cmd = [activate, "-l", sock, "-E", f"XDG_RUNTIME_DIR={inst.top}"] + inst.command()
        with open(inst.log, "ab") as log:
            inst.proc = subprocess.Popen(cmd, env=inst.env(), stdout=log, stderr=log)
        deadline = time.monotonic() + 5
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.02)
        if inst.as_nobody:
            os.chmod(sock, 0o666)
        r = inst.ctl("status", socket_path=sock)
        self.assertIn("endpoints:", r.stdout)
        self.assertIn("base", inst.ctl("list", socket_path=sock).stdout)
        # vwired serves the socket it was given, and does not remove it: systemd owns it
        self.assertFalse(os.path.exists(inst.sock))
        inst.stop()
        self.assertTrue(os.path.exists(sock))


class Logging(InstanceTest):
    def journal_run(self, args):
        """Run vwired --check-free start/stop with stderr on a file named by JOURNAL_STREAM."""
        inst = self.instance(BASE, args=args)
        with open(inst.log, "wb") as f:
            st = os.fstat(f.fileno())
        inst.extra_env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        inst.start()
        inst.stop()
        return [l for l in inst.read_log().splitlines() if l]

    def test_journal_priorities(self):
        lines = self.journal_run([])
        self.assertTrue(lines)
        for l in lines:
            self.assertRegex(l, r"^<[0-7]>", f"not a journal line: {l!r}")
        self.assertTrue(any(l.startswith("<6>") and "ready" in l for l in lines), lines)
        self.assertFalse(any(l.startswith("<7>") for l in lines))

    def test_verbose(self):
        lines = self.journal_run(["-v"])
        self.assertTrue(any(l.startswith("<7>") for l in lines), lines)

    def test_log_level_warning(self):
        inst = self.instance("[loopback base]\nmode = echo\n", args=["--log-level", "warning"])
        inst.start()
        inst.stop()
        self.assertNotIn("ready", inst.read_log())

    def test_plain_without_journal(self):
        inst = self.instance(BASE)
        inst.start()
        inst.stop()
        log = inst.read_log()
        self.assertIn("vwired: ", log)
        self.assertNotRegex(log, r"(?m)^<\d>")


class Persist(InstanceTest):
    def test_add_persist_survives_restart(self):
        inst = self.instance(BASE).start()
        r = inst.ctl("add", "--persist", "serial", "p1", "backend=pty", "path=%t/p1", "mode=0600")
        self.assertIn("persisted in", r.stdout)
        dropin = os.path.join(inst.dropin, "50-p1.conf")
        self.assertTrue(os.path.exists(dropin))
        with open(dropin) as f:
            text = f.read()
        self.assertIn("[serial p1]", text)
        self.assertIn("path = %t/p1", text)
        # no temporary file left next to it
        self.assertEqual(sorted(os.listdir(inst.dropin)), ["50-p1.conf"])

        _, show = inst.ctl_json("show", "p1")
        self.assertEqual(show["endpoint"]["origin"], "config")
        self.assertTrue(show["endpoint"]["file"].startswith(dropin + ":"))

        # a route over it may be persisted too; over a runtime-only endpoint it may not
        inst.ctl("add", "loopback", "tmp", "mode=sink")
        r = inst.ctl("route", "add", "--persist", "bad", "from=p1", "to=tmp", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("added without --persist", r.stderr)
        self.assertIsNone(_show_or_none(inst, "bad"))
        inst.ctl("route", "add", "--persist", "r1", "from=p1", "to=base", "duplex=yes")

        # a reload finds the persisted objects unchanged
        _, rel = inst.ctl_json("reload")
        self.assertEqual(rel["added"], [])
        self.assertEqual(rel["changed"], [])
        self.assertEqual(rel["removed"], [])

        inst.stop()
        self.assertFalse(os.path.exists(os.path.join(inst.dir, "p1")))
        inst.start()
        _, lst = inst.ctl_json("list")
        names = {e["name"]: e for e in lst["endpoints"]}
        self.assertIn("p1", names)
        self.assertNotIn("tmp", names)
        self.assertEqual(names["p1"]["origin"], "config")
        self.assertEqual([r["name"] for r in lst["routes"]], ["r1"])
        self.assertTrue(os.path.islink(os.path.join(inst.dir, "p1")))

        # remove --persist: refused for what the admin's file defines, deletes our drop-ins
        r = inst.ctl("remove", "--persist", "base", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is defined in", r.stderr)
        self.assertIn("vwire.conf:", r.stderr)
        r = inst.ctl("remove", "--persist", "p1", check=False)
        self.assertEqual(r.returncode, 1)  # in use by r1
        self.assertTrue(os.path.exists(dropin))
        inst.ctl("route", "remove", "--persist", "r1")
        inst.ctl("remove", "--persist", "p1")
        self.assertEqual(os.listdir(inst.dropin), [])
        inst.stop()
        inst.start()
        _, lst = inst.ctl_json("list")
        self.assertEqual(sorted(e["name"] for e in lst["endpoints"]), ["base"])
        self.assertEqual(lst["routes"], [])

    def test_persist_refused_with_config_file(self):
        inst = self.instance(BASE)
        inst.args = ["--config", os.path.join(inst.dir, "vwire.conf")]
        inst.start()
        r = inst.ctl("add", "--persist", "loopback", "x", "mode=echo", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("--config", r.stderr)
        self.assertIsNone(_show_or_none(inst, "x"))
        r = inst.ctl("remove", "--persist", "base", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIsNotNone(_show_or_none(inst, "base"))

    def test_value_that_cannot_be_written(self):
        inst = self.instance(BASE).start()
        r = inst.ctl("add", "--persist", "loopback", "src", "mode=source", "pattern=a ;b", check=False)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("pattern", r.stderr)
        self.assertIsNone(_show_or_none(inst, "src"))
        self.assertEqual(os.listdir(inst.dropin), [])

    def test_hand_written_dropin_is_not_replaced(self):
        inst = self.instance(BASE)
        with open(os.path.join(inst.dropin, "50-mine.conf"), "w") as f:
            f.write("# mine\n")
        os.chmod(os.path.join(inst.dropin, "50-mine.conf"), 0o644)
        inst.start()
        r = inst.ctl("add", "--persist", "loopback", "mine", "mode=echo", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not written by --persist", r.stderr)
        with open(os.path.join(inst.dropin, "50-mine.conf")) as f:
            self.assertEqual(f.read(), "# mine\n")


def _show_or_none(inst, name):
    r, doc = inst.ctl_json("show", name, check=False)
    return doc if r.returncode == 0 else None


class Doctor(InstanceTest):
    def test_planted_stale_leftover(self):
        inst = self.instance(BASE + "\n[serial p]\nbackend = pty\npath = %t/p\n").start()
        r, doc = inst.ctl_json("doctor", check=False)
        self.assertEqual(checks_of(doc, "stale", "warn"), [], doc)
        self.assertTrue(checks_of(doc, "stale", "ok"))

        # A symlink a crashed vwired recorded, which this one does not own.
        stale = os.path.join(inst.top, "old-port")
        os.symlink("/dev/pts/4242", stale)
        st = os.lstat(stale)
        with open(os.path.join(inst.dir, "owned-paths"), "a") as f:
            f.write(f"l {st.st_dev} {st.st_ino} {stale}\n")
        r, doc = inst.ctl_json("doctor", check=False)
        found = checks_of(doc, "stale", "warn")
        self.assertEqual([c["object"] for c in found], [stale], doc)
        self.assertIn("no endpoint owns it", found[0]["message"])
        self.assertIn(f"rm {stale}", found[0]["fix"])
        self.assertEqual(r.returncode, 0 if doc["failures"] == 0 else 1)

        r = inst.ctl("doctor", check=False)
        self.assertRegex(r.stdout, rf"(?m)^WARN +{stale} \(symlink to /dev/pts/4242, dangling\)")

    def test_deleted_symlink_and_open_state(self):
        inst = self.instance(BASE + "\n[serial p]\nbackend = pty\npath = %t/p\n"
                             "[socket s]\nlisten = unix:%t/s.sock\n").start()
        os.unlink(os.path.join(inst.dir, "p"))
        r, doc = inst.ctl_json("doctor", check=False)
        gone = checks_of(doc, "stale", "warn")
        self.assertEqual([c["object"] for c in gone], [os.path.join(inst.dir, "p")], doc)
        opens = {c["object"]: c for c in checks_of(doc, "open")}
        self.assertIn("cannot be known", opens["p"]["message"])
        self.assertEqual(opens["s"]["status"], "warn")

    def test_drops_reported(self):
        # a source into a PTY nobody reads: the kernel's buffer fills, then the route's, then it drops
        inst = self.instance(BASE + "\n[loopback src]\nmode = source\nrate = 1M\n"
                             "[serial slow]\nbackend = pty\npath = %t/slow\n"
                             "[route r]\nfrom = src\nto = slow\noverflow = drop-new\nbuffer = 4K\n").start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            r, doc = inst.ctl_json("doctor", check=False)
            drops = checks_of(doc, "drops", "warn")
            if drops:
                break
            time.sleep(0.1)
        self.assertTrue(any(c["object"] == "r" for c in drops), doc)

    def test_leftovers_after_kill9(self):
        inst = self.instance(BASE + "\n[serial p]\nbackend = pty\npath = %t/p\n").start()
        link = os.path.join(inst.dir, "p")
        inst.kill9()
        self.assertTrue(os.path.islink(link))
        r, doc = inst.ctl_json("doctor", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(checks_of(doc, "daemon")[0]["status"], "fail")
        self.assertIn(link, [c["object"] for c in checks_of(doc, "stale", "warn")], doc)
        # a restart removes it, and then there is nothing to report
        inst.start()
        r, doc = inst.ctl_json("doctor", check=False)
        self.assertEqual(checks_of(doc, "stale", "warn"), [], doc)


if __name__ == "__main__":
    vwtest.run_main()
