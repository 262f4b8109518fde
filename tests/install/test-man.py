#!/usr/bin/python3
# The manual pages: `mandoc -Tlint -Wwarning` says nothing about any of them, and they keep up
# with the code: every config key of every key table, every vwirectl command and option, every
# vwired option.
import glob
import os
import re
import shutil
import subprocess
import unittest

import vwtest

SRC = os.environ.get("VWIRE_SOURCE_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MAN = os.path.join(SRC, "man")
PAGES = ["vwired.8", "vwirectl.1", "vwire.conf.5"]


def read(*parts):
    with open(os.path.join(SRC, *parts)) as f:
        return f.read()


def config_keys():
    """{(file, key)} from every `{ "key", vw_parse_...` key table entry."""
    keys = set()
    for path in glob.glob(os.path.join(SRC, "devices", "**", "*.c"), recursive=True) + \
            glob.glob(os.path.join(SRC, "daemon", "**", "*.c"), recursive=True):
        with open(path) as f:
            for m in re.finditer(r'\{\s*"([a-z][a-z0-9-]*)",\s*(?:vw_)?parse_\w+,\s*offsetof', f.read()):
                keys.add((os.path.basename(path), m.group(1)))
    return keys


class Man(unittest.TestCase):
    def test_mandoc_lint(self):
        mandoc = shutil.which("mandoc")
        if not mandoc:
            self.skipTest("mandoc is not installed")
        for page in PAGES:
            r = subprocess.run([mandoc, "-Tlint", "-Wwarning", os.path.join(MAN, page)], capture_output=True,
                               text=True)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), f"{page} is not lint-clean")

    def test_every_config_key_documented(self):
        page = read("man", "vwire.conf.5")
        documented = set(re.findall(r"(?m)^\.It Cm ([a-z][a-z0-9-]*)", page))
        missing = sorted(f"{k} ({f})" for f, k in config_keys() if k not in documented)
        self.assertEqual(missing, [], "config keys missing from vwire.conf(5)")

    def test_every_section_kind_documented(self):
        page = read("man", "vwire.conf.5")
        kinds = re.search(r"vw_section_kinds\[\] = \{([^}]*)\}", read("common", "conffile.c")).group(1)
        for kind in re.findall(r'"(\w+)"', kinds):
            self.assertTrue(re.search(rf"\[{kind}\b", page), f"[{kind}] is not described")

    def test_every_command_and_option_documented(self):
        page = read("man", "vwirectl.1")
        src = read("cli", "vwirectl.c")
        verbs = re.findall(r'^\s*\{ "([a-z]+)", \d+, (?:\d+|ANY_ARGS)', src, re.M)
        self.assertIn("doctor", verbs)
        for verb in verbs:
            self.assertTrue(re.search(rf"(?m)^\.It Cm {verb}\b", page), f"command {verb} missing from vwirectl(1)")
        for opt in re.findall(r'^\s*\{ "([a-z-]+)", (?:no|required)_argument', src, re.M):
            self.assertTrue(re.search(rf"(?m)^\.It .*Fl \\-{opt}\b", page), f"--{opt} missing from vwirectl(1)")

    def test_every_daemon_option_documented(self):
        page = read("man", "vwired.8")
        for opt in re.findall(r'^\s*\{ "([a-z-]+)", (?:no|required)_argument', read("daemon", "main.c"), re.M):
            self.assertTrue(re.search(rf"(?m)^\.It .*Fl \\-{opt}\b", page), f"--{opt} missing from vwired(8)")

    def test_config_examples_are_valid(self):
        vwired = os.environ.get("VWIRE_TEST_VWIRED")
        if not vwired:
            self.skipTest("VWIRE_TEST_VWIRED is not set")
        page = read("man", "vwire.conf.5")
        examples = page[page.index(".Sh EXAMPLES"):page.index(".Sh SEE ALSO")]
        blocks = re.findall(r"\.Bd -literal -offset indent\n(.*?)\.Ed", examples, re.S)
        self.assertGreaterEqual(len(blocks), 3)
        text = "\n".join(b.replace("\\e", "\\") for b in blocks)
        conf = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"vwire-man-examples-{os.getpid()}.conf")
        with open(conf, "w") as f:
            f.write(text)
        try:
            r = subprocess.run([vwired, "--check", "--config", conf, "--runtime-dir", "/nonexistent/vw"],
                               capture_output=True, text=True)
        finally:
            os.unlink(conf)
        self.assertEqual(r.returncode, 0, r.stderr + "\n" + text)

    def test_installed(self):
        self.assertIn("install_man", read("man", "meson.build"))
        for page in PAGES:
            self.assertIn(f"'{page}'", read("man", "meson.build"))


if __name__ == "__main__":
    vwtest.run_main()
