# Helpers for the 'install' suite: run vwired as a user instance in a private runtime
# directory (so that it has a drop-in directory, as the system instance does), and vwirectl
# against it. Run as root, vwired drops to nobody through setpriv: root's vwired would read
# /etc/vwire and use /run/vwire.
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

VWIRED = os.environ.get("VWIRE_TEST_VWIRED", "")
VWIRECTL = os.environ.get("VWIRE_TEST_VWIRECTL", "")
NOBODY = 65534


def need_binaries(testcase):
    if not (os.access(VWIRED, os.X_OK) and os.access(VWIRECTL, os.X_OK)):
        testcase.skipTest("VWIRE_TEST_VWIRED / VWIRE_TEST_VWIRECTL not set: run with 'meson test --suite install'")


class Instance:
    """One vwired with its own XDG_RUNTIME_DIR: config in DIR/vwire/vwire.conf(.d), state in DIR/vwire."""

    def __init__(self, config="", extra_env=None, args=None):
        self.top = tempfile.mkdtemp(prefix="vwire-install-test.")
        os.chmod(self.top, 0o755)
        self.dir = os.path.join(self.top, "vwire")
        os.mkdir(self.dir)
        os.mkdir(os.path.join(self.dir, "vwire.conf.d"))
        self.as_nobody = os.geteuid() == 0
        self.write_config(config)
        if self.as_nobody:
            for root, dirs, files in os.walk(self.top):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), NOBODY, NOBODY)
            os.chown(self.top, NOBODY, NOBODY)
        self.sock = os.path.join(self.dir, "control.sock")
        self.extra_env = extra_env or {}
        self.args = args or []
        self.proc = None
        self.log = os.path.join(self.top, "vwired.log")

    @property
    def dropin(self):
        return os.path.join(self.dir, "vwire.conf.d")

    def write_config(self, text):
        path = os.path.join(self.dir, "vwire.conf")
        with open(path, "w") as f:
            f.write(text)
        if getattr(self, "as_nobody", False) and os.geteuid() == 0:
            os.chown(path, NOBODY, NOBODY)

    def env(self):
        e = dict(os.environ)
        e["XDG_RUNTIME_DIR"] = self.top
        e.pop("NOTIFY_SOCKET", None)
        e.pop("WATCHDOG_USEC", None)
        e.pop("WATCHDOG_PID", None)
        e.pop("JOURNAL_STREAM", None)
        e.pop("LISTEN_FDS", None)
        e.pop("LISTEN_PID", None)
        e.update(self.extra_env)
        return e

    def command(self):
        cmd = [VWIRED] + self.args
        if self.as_nobody:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + cmd
        return cmd

    def start(self, wait=True, shell_prefix=None):
        logf = open(self.log, "ab")
        cmd = self.command()
        if shell_prefix:
            # e.g. export WATCHDOG_PID=$$ before exec: vwired keeps the shell's pid
            cmd = ["/bin/sh", "-c", shell_prefix + ' exec "$@"', "sh"] + cmd
        self.proc = subprocess.Popen(cmd, env=self.env(), stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"vwired exited with {self.proc.returncode}:\n{self.read_log()}")
            r = self.ctl("status", check=False)
            if r.returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError(f"vwired did not answer within {timeout}s:\n{self.read_log()}")

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def ctl(self, *args, check=True, json_out=False, socket_path=None):
        cmd = [VWIRECTL, "--socket", socket_path or self.sock] + (["--json"] if json_out else []) + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\nstdout: {r.stdout}\nstderr: {r.stderr}\n"
                                 f"vwired log:\n{self.read_log()}")
        return r

    def ctl_json(self, *args, check=True):
        r = self.ctl(*args, check=check, json_out=True)
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        return r, (json.loads(lines[-1]) if lines else None)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.top, ignore_errors=True)


class InstanceTest(unittest.TestCase):
    def setUp(self):
        need_binaries(self)
        self.instances = []

    def tearDown(self):
        for i in self.instances:
            if self._outcome_failed():
                print(f"--- vwired log ({i.top}) ---\n{i.read_log()}")
            i.cleanup()

    def _outcome_failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        return bool(result and (result.failures or result.errors))

    def instance(self, config="", **kw):
        i = Instance(config, **kw)
        self.instances.append(i)
        return i


def run_main():
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    # meson: 77 = skipped; only when everything was skipped
    if r.testsRun and len(r.skipped) == r.testsRun and r.wasSuccessful():
        raise SystemExit(77)
    raise SystemExit(0 if r.wasSuccessful() else 1)


def datagram_listener(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o777)
    return s
