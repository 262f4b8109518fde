#!/usr/bin/python3
# vwirectl against a vwired of another release or protocol: the clear message, exit code 4,
# and doctor's FAIL line.
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import vwtest

HERE = os.path.dirname(os.path.abspath(__file__))


class Mismatch(unittest.TestCase):
    def setUp(self):
        vwtest.need_binaries(self)
        self.tmp = tempfile.mkdtemp(prefix="vwire-version-test.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        out = subprocess.run([vwtest.VWIRECTL, "--version"], capture_output=True, text=True, check=True).stdout
        m = re.match(r"vwirectl (\S+) \(protocol (\d+)\)", out)
        self.assertTrue(m, out)
        self.version, self.protocol = m.group(1), int(m.group(2))

    def fake(self, version, protocol, refuse=False):
        sock = os.path.join(self.tmp, f"fake-{version}-{protocol}-{refuse}.sock")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_vwired.py"), sock, version, str(protocol)]
                             + (["refuse"] if refuse else []), stdout=subprocess.PIPE, text=True)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        self.assertEqual(p.stdout.readline().strip(), "ready")
        return sock

    def ctl(self, sock, *args):
        return subprocess.run([vwtest.VWIRECTL, "--socket", sock] + list(args), capture_output=True, text=True,
                              timeout=30)

    def expect_message(self, r, daemon_version, daemon_protocol):
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"vwirectl {self.version} (protocol {self.protocol}) and vwired {daemon_version} "
                      f"(protocol {daemon_protocol}) are out of step", r.stderr)
        self.assertIn("restart vwired or use the matching vwirectl", r.stderr)

    def test_other_release_same_protocol(self):
        sock = self.fake("9.9.9", self.protocol)
        for cmd in (["status"], ["list"], ["add", "loopback", "x", "mode=echo"]):
            self.expect_message(self.ctl(sock, *cmd), "9.9.9", self.protocol)

    def test_other_protocol(self):
        sock = self.fake("2.0.0", self.protocol + 1)
        self.expect_message(self.ctl(sock, "status"), "2.0.0", self.protocol + 1)

    def test_daemon_refuses_client(self):
        sock = self.fake("3.0.0", self.protocol + 2, refuse=True)
        self.expect_message(self.ctl(sock, "list"), "3.0.0", self.protocol + 2)

    def test_version_shows_both(self):
        sock = self.fake("9.9.9", self.protocol)
        r = self.ctl(sock, "version")
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"vwirectl {self.version} (protocol {self.protocol})", r.stdout)
        self.assertIn(f"vwired 9.9.9 (protocol {self.protocol}", r.stdout)

    def test_doctor(self):
        sock = self.fake("9.9.9", self.protocol)
        r = self.ctl(sock, "doctor")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, rf"(?m)^FAIL +vwirectl {re.escape(self.version)} \(protocol {self.protocol}\) "
                                   rf"and vwired 9\.9\.9 \(protocol {self.protocol}\) are out of step")
        self.assertIn("fix: restart vwired after an upgrade", r.stdout)


if __name__ == "__main__":
    vwtest.run_main()
