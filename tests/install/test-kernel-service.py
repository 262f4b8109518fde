#!/usr/bin/python3
# vwired's service features that need the real devices (suite 'kernel', run by tests/vm's
# kernel-test: here as root when /dev/cuse and /dev/uinput work, else in the VM): the udev hint
# of a CUSE port, doctor's device and "nobody has it open" checks, and a restart after kill -9
# that leaves no stale node and brings every device back.
import grp
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import vwtest

VWIRED, VWIRECTL = vwtest.VWIRED, vwtest.VWIRECTL


class Kernel(unittest.TestCase):
    def setUp(self):
        vwtest.need_binaries(self)
        if os.geteuid() != 0 or not os.access("/dev/cuse", os.W_OK):
            self.skipTest("needs root and /dev/cuse (run through tests/vm/kernel-test)")
        self.tmp = tempfile.mkdtemp(prefix="vwire-kernel-service.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.run_dir = os.path.join(self.tmp, "run")
        self.conf = os.path.join(self.tmp, "vwire.conf")
        self.sock = os.path.join(self.run_dir, "control.sock")
        self.dev = f"ttyVWT{os.getpid() % 10000}"
        self.gid = grp.getgrnam("dialout").gr_gid if _has_group("dialout") else 0
        with open(self.conf, "w") as f:
            f.write(f"[serial port]\nbackend = cuse\npath = {self.dev}\nmode = 0640\ngroup = {self.gid}\n"
                    "[serial pty]\nbackend = pty\npath = %t/pty\n"
                    "[route r]\nfrom = port\nto = pty\nduplex = yes\n")
        self.proc = None
        self.addCleanup(self.stop)

    def start(self):
        with open(os.path.join(self.tmp, "vwired.log"), "ab") as log:
            self.proc = subprocess.Popen([VWIRED, "--config", self.conf, "--runtime-dir", self.run_dir],
                                         stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ctl("status").returncode == 0:
                return
            self.assertIsNone(self.proc.poll(), self.read_log())
            time.sleep(0.05)
        self.fail("vwired did not start:\n" + self.read_log())

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        self.proc = None

    def read_log(self):
        with open(os.path.join(self.tmp, "vwired.log"), errors="replace") as f:
            return f.read()

    def ctl(self, *args):
        return subprocess.run([VWIRECTL, "--socket", self.sock] + list(args), capture_output=True, text=True,
                              timeout=30)

    def doctor(self):
        import json
        r = self.ctl("--json", "doctor")
        return r, json.loads(r.stdout.splitlines()[-1])

    def test_hint_doctor_and_restart(self):
        self.start()
        node = f"/dev/{self.dev}"
        hint = os.path.join(self.run_dir, "udev", self.dev)
        with open(hint) as f:
            text = f.read()
        self.assertIn("VWIRE_ENDPOINT=port\n", text)
        self.assertIn("VWIRE_MODE=0640\n", text)
        self.assertIn(f"VWIRE_GROUP={self.gid}\n", text)
        st = os.stat(node)
        self.assertEqual((st.st_mode & 0o7777, st.st_gid), (0o640, self.gid))

        r, doc = self.doctor()
        checks = {(c["check"], c.get("object")): c for c in doc["checks"]}
        self.assertEqual(checks[("cuse", "/dev/cuse")]["status"], "ok", doc)
        self.assertEqual(checks[("open", "port")]["status"], "warn", doc)
        self.assertIn("no program has", checks[("open", "port")]["message"])
        self.assertIn("cannot be known", checks[("open", "pty")]["message"])
        fd = os.open(node, os.O_RDWR | os.O_NOCTTY)
        try:
            r, doc = self.doctor()
            checks = {(c["check"], c.get("object")): c for c in doc["checks"]}
            self.assertEqual(checks[("open", "port")]["status"], "ok", doc)
        finally:
            os.close(fd)

        # kill -9: the node goes with the process; the PTY symlink stays until the next start
        self.stop(signal.SIGKILL)
        deadline = time.monotonic() + 5
        while os.path.exists(node) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(node))
        self.assertTrue(os.path.islink(os.path.join(self.run_dir, "pty")))
        self.start()
        self.assertTrue(os.path.exists(node))
        self.assertTrue(os.path.islink(os.path.join(self.run_dir, "pty")))
        r, doc = self.doctor()
        self.assertEqual([c for c in doc["checks"] if c["check"] == "stale" and c["status"] != "ok"], [], doc)
        self.stop()
        self.assertFalse(os.path.exists(hint))
        self.assertFalse(os.path.exists(node))
        self.assertFalse(os.path.lexists(os.path.join(self.run_dir, "pty")))


def _has_group(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


if __name__ == "__main__":
    vwtest.run_main()
