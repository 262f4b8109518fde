#!/usr/bin/python3
# The systemd integration files: `systemd-analyze verify` on the units (with ExecStart= and
# ExecReload= pointing at the built binaries), the exposure score below 2.0, sysusers.d and
# tmpfiles.d applied to a scratch root, and a syntax check of the udev rules.
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import vwtest

E = os.environ
ANALYZE = shutil.which("systemd-analyze")


class Units(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if "VWIRE_BUILD_ROOT" not in E:
            raise unittest.SkipTest("run with 'meson test --suite install'")
        cls.tmp = tempfile.mkdtemp(prefix="vwire-units.")
        cls.units = {}
        # The built units name the installed binaries: point them at the built ones.
        for name in ("vwired.service", "vwired.socket"):
            with open(os.path.join(E["VWIRE_BUILD_ROOT"], "systemd", name)) as f:
                text = f.read()
            text = text.replace(os.path.join(E["VWIRE_SBINDIR"], "vwired"), E["VWIRE_TEST_VWIRED"])
            text = text.replace(os.path.join(E["VWIRE_BINDIR"], "vwirectl"), E["VWIRE_TEST_VWIRECTL"])
            cls.units[name] = os.path.join(cls.tmp, name)
            with open(cls.units[name], "w") as f:
                f.write(text)
        # man pages for Documentation=
        src = os.path.join(E["VWIRE_SOURCE_ROOT"], "man")
        for page in os.listdir(src):
            m = re.match(r".*\.(\d)$", page)
            if m:
                os.makedirs(os.path.join(cls.tmp, "man", "man" + m.group(1)), exist_ok=True)
                shutil.copy(os.path.join(src, page), os.path.join(cls.tmp, "man", "man" + m.group(1), page))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def analyze(self, *args):
        env = dict(E)
        env["MANPATH"] = os.path.join(self.tmp, "man")
        env["SYSTEMD_LOG_COLOR"] = "0"
        return subprocess.run([ANALYZE] + list(args), capture_output=True, text=True, env=env, timeout=120)

    def test_verify(self):
        if not ANALYZE:
            self.skipTest("systemd-analyze is not installed")
        man = [] if shutil.which("man") else ["--man=no"]
        r = self.analyze("verify", *man, self.units["vwired.service"], self.units["vwired.socket"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify warned")

    def test_security_exposure(self):
        if not ANALYZE:
            self.skipTest("systemd-analyze is not installed")
        r = self.analyze("security", "--offline=yes", "--no-pager", self.units["vwired.service"])
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
        self.assertTrue(m, r.stdout + r.stderr)
        print(f"exposure: {m.group(1)}")
        self.assertLess(float(m.group(1)), 2.0, r.stdout)

    def test_net_dropin(self):
        """systemd/vwired-net.conf, the drop-in for [net] (not active by default): it verifies with the
        unit, and the unit without it keeps no CAP_NET_ADMIN, no /dev/net/tun and no AF_NETLINK."""
        if not ANALYZE:
            self.skipTest("systemd-analyze is not installed")
        d = os.path.join(self.tmp, "vwired.service.d")
        os.makedirs(d, exist_ok=True)
        shutil.copy(os.path.join(E["VWIRE_BUILD_ROOT"], "systemd", "vwired-net.conf"), os.path.join(d, "net.conf"))
        try:
            man = [] if shutil.which("man") else ["--man=no"]
            r = self.analyze("verify", *man, self.units["vwired.service"])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify warned with the [net] drop-in")
            r = self.analyze("security", "--offline=yes", "--no-pager", self.units["vwired.service"])
            m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
            self.assertTrue(m, r.stdout + r.stderr)
            print(f"exposure with the [net] drop-in: {m.group(1)}")
        finally:
            shutil.rmtree(d)
        with open(self.units["vwired.service"]) as f:
            unit = f.read()
        for needle in ("CAP_NET_ADMIN", "/dev/net/tun", "AF_NETLINK"):
            self.assertNotIn(needle + " ", re.sub(r"(?m)^#.*$", "", unit) + " ", f"the default unit grants {needle}")

    def test_networkmanager_dropin_syntax(self):
        """90-vwire-unmanaged.conf: an INI NetworkManager reads, [keyfile] unmanaged-devices as a list
        of TYPE:VALUE specs separated by ';', matching vwire's default names and not others."""
        import configparser
        import fnmatch
        path = os.path.join(E["VWIRE_SOURCE_ROOT"], "systemd", "90-vwire-unmanaged.conf")
        cp = configparser.ConfigParser(interpolation=None, strict=True)
        with open(path) as f:
            cp.read_file(f)
        self.assertEqual(cp.sections(), ["keyfile"])
        specs = [x for x in cp["keyfile"]["unmanaged-devices"].split(";") if x]
        self.assertTrue(specs)
        globs = []
        for spec in specs:
            m = re.fullmatch(r"(interface-name|mac|type|driver)(:=|:~|:)([^;,\s]+)", spec)
            self.assertTrue(m, f"not a NetworkManager device spec: {spec!r}")
            if m.group(1) == "interface-name":
                globs.append(m.group(3))
        match = lambda name: any(fnmatch.fnmatchcase(name, g) for g in globs)
        self.assertTrue(match("vw-tun0") and match("vwta12"), "vwire's names are not unmanaged")
        self.assertFalse(match("eth0") or match("wlan0") or match("tun0"), "other adapters are unmanaged")

    def test_unit_settings(self):
        with open(self.units["vwired.service"]) as f:
            text = f.read()
        for line in ("Type=notify", "WatchdogSec=", "ExecReload=", "RuntimeDirectory=vwire", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "RestrictNamespaces=yes",
                     "LockPersonality=yes", "MemoryDenyWriteExecute=yes", "DevicePolicy=closed",
                     "DeviceAllow=/dev/cuse rw", "DeviceAllow=/dev/uinput rw", "DeviceAllow=/dev/ptmx rw",
                     "DeviceAllow=char-pts rw", "CapabilityBoundingSet=CAP_CHOWN\n",
                     "SystemCallFilter=@system-service",
                     # issue 8: the backstop limits and the secrets hidden from the root vwired
                     "MemoryMax=256M\n", "TasksMax=16\n", "StateDirectory=vwire\n", "StateDirectoryMode=0750\n"):
            self.assertIn(line, text)
        self.assertNotRegex(text, r"(?m)^(User|DynamicUser)=", "vwired runs as root (docs/SECURITY.md)")
        hidden = " ".join(re.findall(r"(?m)^InaccessiblePaths=(.*)$", text)).split()
        for path in ("/etc/shadow", "/etc/gshadow", "/etc/ssh", "/root"):
            self.assertIn("-" + path, hidden, "InaccessiblePaths= must hide it (optional: '-' prefix)")

    def test_sysusers(self):
        tool = shutil.which("systemd-sysusers")
        if not tool:
            self.skipTest("systemd-sysusers is not installed")
        root = os.path.join(self.tmp, "sysusers-root")
        os.makedirs(os.path.join(root, "etc"))
        r = subprocess.run([tool, "--root", root, os.path.join(E["VWIRE_SOURCE_ROOT"], "systemd", "sysusers.conf")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(root, "etc", "group")) as f:
            self.assertRegex(f.read(), r"(?m)^vwire:x:\d+:")

    def test_tmpfiles(self):
        tool = shutil.which("systemd-tmpfiles")
        if not tool:
            self.skipTest("systemd-tmpfiles is not installed")
        root = os.path.join(self.tmp, "tmpfiles-root")
        datadir = os.path.join(root, E["VWIRE_DATADIR"].lstrip("/"), "vwire")
        os.makedirs(datadir)
        shutil.copy(os.path.join(E["VWIRE_SOURCE_ROOT"], "conf", "vwire.conf"), datadir)
        conf = os.path.join(E["VWIRE_BUILD_ROOT"], "systemd", "vwire-tmpfiles.conf")
        etc = os.path.join(root, E["VWIRE_SYSCONFDIR"].lstrip("/"), "vwire")
        r = subprocess.run([tool, "--root", root, "--create", conf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isdir(os.path.join(etc, "vwire.conf.d")))
        with open(os.path.join(etc, "vwire.conf")) as f:
            self.assertIn("see vwire.conf(5)", f.read())
        # an edited file stays as it is
        with open(os.path.join(etc, "vwire.conf"), "w") as f:
            f.write("# mine\n")
        r = subprocess.run([tool, "--root", root, "--create", conf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(etc, "vwire.conf")) as f:
            self.assertEqual(f.read(), "# mine\n")

    def test_udev_rules_syntax(self):
        keys = r"(ACTION|KERNEL|SUBSYSTEM|DRIVER|ENV\{\w+\}|ATTR\{\w+\}|GROUP|OWNER|MODE|OPTIONS|IMPORT\{file\}|TAG|GOTO|LABEL)"
        token = re.compile(keys + r'(==|!=|\+=|:=|=)"([^"]*)"$')
        with open(os.path.join(E["VWIRE_BUILD_ROOT"], "systemd", "60-vwire.rules")) as f:
            lines = f.read().splitlines()
        labels, gotos = set(), set()
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            self.assertNotIn("@", line, f"line {n}: unsubstituted variable")
            for part in line.split(", "):
                m = token.match(part.strip())
                self.assertTrue(m, f"60-vwire.rules:{n}: cannot parse {part!r}")
                if m.group(1) == "LABEL":
                    labels.add(m.group(3))
                if m.group(1) == "GOTO":
                    gotos.add(m.group(3))
        self.assertEqual(gotos - labels, set(), "GOTO without LABEL")


if __name__ == "__main__":
    vwtest.run_main()
