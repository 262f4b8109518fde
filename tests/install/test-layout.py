#!/usr/bin/python3
# `meson install --destdir`: every file where it belongs, and an edited configuration kept
# when installing again.
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import vwtest

E = os.environ


def has_interp(path):
    """Whether the ELF file at path asks for a dynamic loader (a PT_INTERP program header)."""
    import struct
    with open(path, "rb") as f:
        head = f.read(64)
        assert head[:4] == b"\x7fELF" and head[4] == 2, f"{path}: not a 64-bit ELF file"
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(struct.unpack_from("<I", table, i * phentsize)[0] == 3 for i in range(phnum))


def under(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


class Layout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if "VWIRE_BUILD_ROOT" not in E:
            raise unittest.SkipTest("run with 'meson test --suite install'")
        cls.destdir = tempfile.mkdtemp(prefix="vwire-destdir.")
        cls.install()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, ignore_errors=True)

    @classmethod
    def install(cls):
        env = dict(E)
        env.pop("DESTDIR", None)
        r = subprocess.run(["meson", "install", "-C", E["VWIRE_BUILD_ROOT"], "--no-rebuild", "--quiet",
                            "--destdir", cls.destdir], capture_output=True, text=True, env=env, timeout=300)
        if r.returncode != 0:
            raise AssertionError(f"meson install failed:\n{r.stdout}\n{r.stderr}")

    def path(self, var, *parts):
        return under(self.destdir, os.path.join(E[var], *parts))

    def assertFile(self, path, executable=False):
        self.assertTrue(os.path.isfile(path), f"missing: {path}")
        if executable:
            self.assertTrue(os.stat(path).st_mode & stat.S_IXUSR, f"not executable: {path}")

    def test_binaries(self):
        self.assertFile(self.path("VWIRE_SBINDIR", "vwired"), executable=True)
        self.assertFile(self.path("VWIRE_BINDIR", "vwirectl"), executable=True)
        self.assertFalse(os.path.exists(self.path("VWIRE_BINDIR", "vwired")))
        # doctor and net run in the dynamic build (cli/exec-full.c), never on the PATH
        self.assertFile(self.path("VWIRE_LIBEXECDIR", "vwirectl-full"), executable=True)
        self.assertFalse(os.path.exists(self.path("VWIRE_BINDIR", "vwirectl-full")))

    def test_vwirectl_static(self):
        """Where the archives are there (and no sanitizer), vwirectl has no ELF interpreter."""
        if E.get("VWIRE_CLI_STATIC") != "1":
            self.skipTest("vwirectl is linked dynamically in this build (sanitizer or no static archives)")
        self.assertFalse(has_interp(self.path("VWIRE_BINDIR", "vwirectl")), "vwirectl is not static")
        self.assertTrue(has_interp(self.path("VWIRE_LIBEXECDIR", "vwirectl-full")))

    def test_handover_names_what_is_missing(self):
        """The staged vwirectl cannot find vwirectl-full (it is not installed at its place yet)."""
        if os.path.exists(os.path.join(E["VWIRE_LIBEXECDIR"], "vwirectl-full")):
            self.skipTest("a vwirectl-full is installed on this machine")
        r = subprocess.run([self.path("VWIRE_BINDIR", "vwirectl"), "net", "orphans"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("'net' needs " + os.path.join(E["VWIRE_LIBEXECDIR"], "vwirectl-full"), r.stderr)

    def test_systemd_and_udev(self):
        unit = self.path("VWIRE_UNITDIR", "vwired.service")
        self.assertFile(unit)
        self.assertFile(self.path("VWIRE_UNITDIR", "vwired.socket"))
        self.assertFile(self.path("VWIRE_SYSUSERSDIR", "vwire.conf"))
        self.assertFile(self.path("VWIRE_TMPFILESDIR", "vwire.conf"))
        self.assertFile(self.path("VWIRE_UDEVRULESDIR", "60-vwire.rules"))
        with open(unit) as f:
            text = f.read()
        self.assertIn(f"ExecStart={os.path.join(E['VWIRE_SBINDIR'], 'vwired')}\n", text)
        self.assertIn(f"ExecReload={os.path.join(E['VWIRE_BINDIR'], 'vwirectl')} reload\n", text)
        self.assertNotIn("@", text.replace("@system-service", "").replace("@resources", "")
                         .replace("@obsolete", "").replace("@mount", "").replace("@swap", "")
                         .replace("@reboot", "").replace("@raw-io", "").replace("@module", "")
                         .replace("@clock", "").replace("@cpu-emulation", "").replace("@debug", ""),
                         "unsubstituted @variable@ in the unit")
        with open(self.path("VWIRE_TMPFILESDIR", "vwire.conf")) as f:
            tmpfiles = f.read()
        self.assertIn(os.path.join(E["VWIRE_SYSCONFDIR"], "vwire", "vwire.conf.d"), tmpfiles)
        self.assertIn(os.path.join(E["VWIRE_DATADIR"], "vwire", "vwire.conf"), tmpfiles)

    def test_config_docs_man_completion(self):
        conf = self.path("VWIRE_SYSCONFDIR", "vwire", "vwire.conf")
        self.assertFile(conf)
        self.assertTrue(os.path.isdir(self.path("VWIRE_SYSCONFDIR", "vwire", "vwire.conf.d")))
        self.assertFile(self.path("VWIRE_DATADIR", "vwire", "vwire.conf"))
        self.assertFile(self.path("VWIRE_DATADIR", "doc", "vwire", "examples", "vwire.conf"))
        self.assertFile(self.path("VWIRE_DATADIR", "doc", "vwire", "examples", "demo.conf"))
        self.assertFile(self.path("VWIRE_MANDIR", "man8", "vwired.8"))
        self.assertFile(self.path("VWIRE_MANDIR", "man1", "vwirectl.1"))
        self.assertFile(self.path("VWIRE_MANDIR", "man5", "vwire.conf.5"))
        self.assertFile(self.path("VWIRE_BASHCOMPLETIONDIR", "vwirectl"))

    def test_alsa_plugin_and_snippet(self):
        if not E.get("VWIRE_ALSAPLUGINDIR"):
            raise unittest.SkipTest("built without the ALSA plugin (-Dalsa=disabled or no libasound2-dev)")
        self.assertFile(self.path("VWIRE_ALSAPLUGINDIR", "libasound_module_pcm_vwire.so"))
        snippet = self.path("VWIRE_ALSACONFDIR", "50-vwire.conf")
        self.assertFile(snippet)
        with open(snippet) as f:
            text = f.read()
        # vwire:NAME and vwire_raw:NAME only: installing never changes ALSA's default device
        self.assertIn("pcm.vwire {", text)
        self.assertNotIn("pcm.!default", text)
        self.assertNotIn("pcm.default", text)
        self.assertNotIn("ctl.", text)
        if E.get("VWIRE_ALSACONFLINKDIR"):
            # alsa-lib loads its conf.d, not DATADIR: the link is what makes vwire:NAME known
            link = self.path("VWIRE_ALSACONFLINKDIR", "50-vwire.conf")
            self.assertTrue(os.path.islink(link), f"missing: {link}")
            self.assertEqual(os.readlink(link), os.path.join(E["VWIRE_ALSACONFDIR"], "50-vwire.conf"))

    def test_edited_config_survives_reinstall(self):
        conf = self.path("VWIRE_SYSCONFDIR", "vwire", "vwire.conf")
        dropin = self.path("VWIRE_SYSCONFDIR", "vwire", "vwire.conf.d", "50-mine.conf")
        with open(conf, "a") as f:
            f.write("\n# edited by the administrator\n[loopback mine]\nmode = echo\n")
        with open(dropin, "w") as f:
            f.write("[loopback other]\nmode = sink\n")
        with open(conf) as f:
            edited = f.read()
        self.install()
        with open(conf) as f:
            self.assertEqual(f.read(), edited)
        self.assertTrue(os.path.exists(dropin))
        etc = os.path.dirname(conf)
        self.assertEqual(sorted(os.listdir(etc)), ["vwire.conf", "vwire.conf.d"], "stray temporary files")

    def test_installed_config_is_valid(self):
        vwired = self.path("VWIRE_SBINDIR", "vwired")
        conf = self.path("VWIRE_DATADIR", "vwire", "vwire.conf")
        r = subprocess.run([vwired, "--check", "--config", conf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    vwtest.run_main()
