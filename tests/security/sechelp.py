# SPDX-License-Identifier: MIT
"""Harness of the 'security' suite (issue 8, /docs/SECURITY.md): throwaway users, a root vwired
(and one run by a member), vwirectl and raw Varlink clients with a chosen user's credentials.

Run as root only (CI does): the suite creates the users
  vwsec-member   in group vwire (the group is created when missing, and removed again)
  vwsec-member2  in group vwire too: "another member", for the non-root vwired
  vwsec-outsider not in vwire; its 0700 home is the "victim" of path attacks
with home directories under a private /tmp/vwsec.* directory, and removes all of it at the end,
also when a test fails or the run is interrupted (SIGTERM from meson's timeout included).

Every vwired here is started with --runtime-dir and --control-socket in that directory. A root
vwired reads its drop-ins only from <sysconfdir>/vwire/vwire.conf.d (with --config FILE it reads
no drop-ins at all), so the instances that need a drop-in directory (--persist, the config
reader) run in a private mount namespace (unshare -m) in which a temporary directory is
bind-mounted over <sysconfdir>/vwire: the host's configuration is never read or written.
"""
import atexit
import errno
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

VWIRED = os.environ.get("VWIRE_TEST_VWIRED", "")
VWIRECTL = os.environ.get("VWIRE_TEST_VWIRECTL", "")
SYSCONFDIR = os.environ.get("VWIRE_SYSCONFDIR", "/etc")

GROUP = "vwire"
MEMBER = "vwsec-member"
MEMBER2 = "vwsec-member2"
OUTSIDER = "vwsec-outsider"
ALL_USERS = (MEMBER, MEMBER2, OUTSIDER)
GROUP_MARKER = "/run/vwsec-created-group-vwire"  # survives a SIGKILLed run: the next run removes the group
LOCK_FILE = "/run/vwsec.lock"  # held for a whole run: the users are machine-wide

PERM = "io.vwire.PermissionDenied"
INVAL = "io.vwire.InvalidArgument"


def log(msg):
    print(msg, flush=True)


def require_root():
    """Exit 77 (meson: skipped) when not root, saying loudly why."""
    if os.geteuid() != 0:
        bar = "!" * 78
        print(f"{bar}\nSKIPPED: the 'security' suite must run as root. It creates throwaway users "
              f"({', '.join(ALL_USERS)}) and group '{GROUP}' with useradd/groupadd, runs vwired as root and "
              f"attacks it as those users. Run: sudo meson test -C BUILD --suite security "
              f"(CI runs it as root).\n{bar}", flush=True)
        raise SystemExit(77)
    for what, path in (("VWIRE_TEST_VWIRED", VWIRED), ("VWIRE_TEST_VWIRECTL", VWIRECTL)):
        if not os.access(path, os.X_OK):
            print(f"FAIL: {what}={path!r} is not an executable: run through 'meson test --suite security'",
                  flush=True)
            raise SystemExit(1)
    for tool in ("useradd", "userdel", "groupadd", "groupdel", "setpriv", "unshare"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is missing (util-linux / passwd)", flush=True)
            raise SystemExit(1)


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
    return r


class User:
    def __init__(self, name):
        pw = pwd.getpwnam(name)
        self.name = name
        self.uid = pw.pw_uid
        self.gid = pw.pw_gid
        self.home = pw.pw_dir
        self.groups = os.getgrouplist(name, pw.pw_gid)

    def __repr__(self):
        return f"{self.name}(uid {self.uid})"


# ---- running things as a user ----

def user_env(user, extra=None):
    e = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    if user is not None:
        e.update(HOME=user.home, USER=user.name, LOGNAME=user.name)
    else:
        e.update(HOME="/root", USER="root", LOGNAME="root")
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            e[k] = os.environ[k]
    e.update(extra or {})
    return e


def as_user_cmd(user, argv):
    """argv run with user's uid, gid and supplementary groups (None: root, unchanged)."""
    if user is None:
        return list(argv)
    return ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--"] + list(argv)


def in_child_as(user, fn):
    """Run fn() in a forked child that has user's uid/gid/groups. fn returns (json-able data, [fds]).
    Returns (data, fds) here; an OSError in the child is raised here again (same errno).
    Peer credentials of a socket are those of connect(), so a socket connected in the child
    stays the user's connection when it is used here."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # child
        try:
            parent.close()
            fds = []
            try:
                os.setgroups(user.groups)
                os.setresgid(user.gid, user.gid, user.gid)
                os.setresuid(user.uid, user.uid, user.uid)
                data, fds = fn()
                msg = {"ok": data}
            except OSError as e:
                msg = {"errno": e.errno, "error": str(e)}
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                msg = {"error": repr(e)}
            socket.send_fds(child, [json.dumps(msg).encode()], fds)
        finally:
            os._exit(0)
    child.close()
    try:
        raw, fds, _, _ = socket.recv_fds(parent, 1 << 16, 253)
    finally:
        parent.close()
        os.waitpid(pid, 0)
    if not raw:
        raise RuntimeError(f"child as {user} died without an answer")
    msg = json.loads(raw)
    if "errno" in msg:
        raise OSError(msg["errno"], f"as {user.name}: {msg['error']}")
    if "error" in msg:
        raise RuntimeError(f"as {user.name}: {msg['error']}")
    return msg["ok"], fds


def connect_as(user, path, timeout=10):
    """A unix stream socket connected to path with user's credentials (None: root)."""
    if user is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
        return s

    def fn():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        return None, [s.detach()]

    _, fds = in_child_as(user, fn)
    s = socket.socket(fileno=fds[0])
    s.settimeout(timeout)
    return s


def open_as(user, path, flags, mode=0o644):
    """os.open(path, flags) with user's rights; returns the fd (here). Raises OSError."""
    def fn():
        return None, [os.open(path, flags, mode)]

    _, fds = in_child_as(user, fn)
    return fds[0]


def listen_unix_as(user, path):
    """A listening unix socket bound at path by user (so the socket file is theirs)."""
    def fn():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(8)
        return None, [s.detach()]

    _, fds = in_child_as(user, fn)
    return socket.socket(fileno=fds[0])


def dead_socket(path, user=None):
    """A socket file at path that nobody listens on any more (a crashed service's)."""
    if user is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.close()
    else:
        listen_unix_as(user, path).close()
    return os.lstat(path)


def write_as(user, path, data, mode=0o644):
    """Create path with data, as user (so it is theirs)."""
    def fn():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.write(fd, data)
        os.close(fd)
        return None, []

    in_child_as(user, fn)


def as_user_do(user, fn):
    """Run fn() (returning json-able data) with user's rights; returns its data."""
    data, _ = in_child_as(user, lambda: (fn(), []))
    return data


# ---- raw Varlink ----

class Closed(Exception):
    pass


class Varlink:
    """NUL-terminated JSON over a unix stream socket (see tests/integration/varlink_raw.py)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, msg, fds=()):
        data = (msg if isinstance(msg, (bytes, bytearray)) else json.dumps(msg).encode()) + b"\0"
        if fds:
            n = socket.send_fds(self.sock, [data], list(fds))
            if n < len(data):
                self.sock.sendall(data[n:])
        else:
            self.sock.sendall(data)

    def recv(self, timeout=10):
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply within {timeout}s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("vwired closed the connection")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, parameters=None, fds=(), timeout=10, **extra):
        msg = {"method": method}
        if parameters is not None:
            msg["parameters"] = parameters
        msg.update(extra)
        self.send(msg, fds)
        return self.recv(timeout)

    def close(self):
        self.sock.close()


def reply_error(reply):
    """(error name, message) of a reply; (None, None) for a success."""
    if "error" not in reply:
        return None, None
    p = reply.get("parameters") or {}
    return reply["error"], p.get("message") or json.dumps(p)


# ---- the world: users, group, directories ----

class World:
    def __init__(self):
        self.base = None
        self.users = {}
        self.created_group = False
        self.created_mountpoint = None
        self.daemons = []
        self.procs = []
        self.cleaned = False

    def setup(self):
        self.pid = os.getpid()
        self._lock()
        atexit.register(self.cleanup)
        signal.signal(signal.SIGTERM, _sigterm)
        signal.signal(signal.SIGHUP, _sigterm)
        signal.signal(signal.SIGINT, _sigterm)
        for name in ALL_USERS:  # leftovers of an interrupted run (these names are the suite's own)
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            log(f"sechelp: removing stale user {name} from an earlier run")
            run(["userdel", "--force", "--remove", name], check=False)
        try:
            grp.getgrnam(GROUP)
            if os.path.exists(GROUP_MARKER):
                self.created_group = True  # an earlier run made it and died before removing it
        except KeyError:
            run(["groupadd", GROUP])
            self.created_group = True
            with open(GROUP_MARKER, "w") as f:
                f.write("made by tests/security/sechelp.py\n")
            log(f"sechelp: created group {GROUP} (removed at the end)")
        self.base = tempfile.mkdtemp(prefix="vwsec.", dir="/tmp")
        os.chmod(self.base, 0o755)
        os.mkdir(os.path.join(self.base, "home"), 0o755)
        for name, groups in ((MEMBER, [GROUP]), (MEMBER2, [GROUP]), (OUTSIDER, [])):
            home = os.path.join(self.base, "home", name)
            cmd = ["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/sh", "--user-group"]
            if groups:
                cmd += ["--groups", ",".join(groups)]
            run(cmd + [name])
            os.chmod(home, 0o700)
            self.users[name] = User(name)
        self.vwire_gid = grp.getgrnam(GROUP).gr_gid
        log(f"sechelp: users {', '.join(repr(u) for u in self.users.values())}; group {GROUP} = "
            f"{self.vwire_gid}; files in {self.base}")
        return self

    def _lock(self, timeout=180):
        """The users and group vwire are machine-wide: one run of the suite at a time (two builds,
        two engineers). A second run waits for the first."""
        import fcntl
        self.lock_fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + timeout
        said = False
        while True:
            try:
                fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not said:
                    try:
                        holder = os.pread(self.lock_fd, 64, 0).decode().strip()
                    except OSError:
                        holder = "?"
                    log(f"sechelp: another run of the security suite (pid {holder}) holds {LOCK_FILE}; waiting")
                    said = True
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{LOCK_FILE} still held after {timeout}s")
                time.sleep(0.5)
        os.ftruncate(self.lock_fd, 0)
        os.pwrite(self.lock_fd, f"{os.getpid()}\n".encode(), 0)

    @property
    def member(self):
        return self.users[MEMBER]

    @property
    def member2(self):
        return self.users[MEMBER2]

    @property
    def outsider(self):
        return self.users[OUTSIDER]

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    def mkdir(self, name, mode=0o755, owner=None, group=None):
        p = self.path(name)
        os.makedirs(p, exist_ok=True)
        os.chown(p, owner.uid if owner else 0, group if group is not None else (owner.gid if owner else 0))
        os.chmod(p, mode)
        return p

    def confdir_mountpoint(self):
        """<sysconfdir>/vwire, created (and later removed) when missing, to bind-mount over."""
        mp = os.path.join(SYSCONFDIR, "vwire")
        if not os.path.isdir(mp):
            os.makedirs(mp, 0o755)
            self.created_mountpoint = mp
            log(f"sechelp: created empty {mp} as a mount point (removed at the end)")
        return mp

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        for d in self.daemons:
            d.stop(quiet=True)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for name in ALL_USERS:
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            r = run(["userdel", "--force", "--remove", name], check=False)
            if r.returncode not in (0, 12):  # 12: could not remove the home (already gone)
                log(f"sechelp: userdel {name}: {r.stderr.strip()}")
        if self.created_group:
            r = run(["groupdel", GROUP], check=False)
            if r.returncode != 0:
                log(f"sechelp: groupdel {GROUP}: {r.stderr.strip()}")
            try:
                os.unlink(GROUP_MARKER)
            except FileNotFoundError:
                pass
        if self.created_mountpoint:
            try:
                os.rmdir(self.created_mountpoint)
            except OSError as e:
                log(f"sechelp: cannot remove {self.created_mountpoint}: {e}")
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
        log("sechelp: users, group and files removed")


def _sigterm(signum, frame):
    # unittest would catch a SystemExit raised inside a test and go on: clean up and leave now.
    if os.getpid() == getattr(WORLD, "pid", None):
        log(f"sechelp: signal {signum}: stopping, removing the users and files")
        try:
            WORLD.cleanup()
        finally:
            os._exit(128 + signum)
    os._exit(128 + signum)  # a forked helper child


WORLD = World()


# ---- vwired ----

class CtlResult:
    def __init__(self, cmd, proc, daemon):
        self.cmd = cmd
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.daemon = daemon
        self.objs = []
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.objs.append(json.loads(line))
                except ValueError:
                    pass
        errs = [o for o in self.objs if "error" in o]
        self.error = errs[0]["error"] if errs else None
        p = (errs[0].get("parameters") or {}) if errs else {}
        self.message = p.get("message") or (json.dumps(p) if p else "") or self.stderr.strip()

    @property
    def reply(self):
        return self.objs[-1] if self.objs else {}

    def describe(self):
        shown = " ".join(repr(a) if (" " in a or "\n" in a) else a for a in self.cmd)
        return (f"$ {shown}\n"
                f"  exit {self.rc}\n  stdout: {self.stdout.strip()}\n  stderr: {self.stderr.strip()}\n"
                f"  vwired log (tail):\n{self.daemon.log_tail() if self.daemon else ''}")


class Daemon:
    """One vwired. user=None: root, with --config FILE (no drop-ins) or, dropins=True, with its
    config directory <sysconfdir>/vwire bind-mounted from here in a private mount namespace.
    user=User: run by that user (its own XDG_RUNTIME_DIR), --config FILE."""

    def __init__(self, name, config="", user=None, dropins=False):
        self.name = name
        self.user = user
        self.dropins = dropins
        self.top = tempfile.mkdtemp(prefix=name + ".", dir=WORLD.base)
        os.chmod(self.top, 0o755)
        if user is None:
            self.runtime = os.path.join(self.top, "run")
            os.mkdir(self.runtime, 0o755)
        else:
            xdg = os.path.join(self.top, "xdg")
            os.mkdir(xdg, 0o700)
            os.chown(xdg, user.uid, user.gid)
            self.xdg = xdg
            self.runtime = os.path.join(xdg, "vwire")
        self.sock = os.path.join(self.runtime, "control.sock")
        self.confdir = os.path.join(self.top, "etc")
        os.mkdir(self.confdir, 0o755)
        self.config = os.path.join(self.confdir, "vwire.conf")
        self.dropin = os.path.join(self.confdir, "vwire.conf.d")
        if dropins:
            os.mkdir(self.dropin, 0o755)
        self.write_config(config)
        self.log = os.path.join(self.top, "vwired.log")
        self.proc = None
        WORLD.daemons.append(self)

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)
        os.chmod(self.config, 0o644)
        if self.user is not None:
            os.chown(self.config, self.user.uid, self.user.gid)

    def args(self, check=False):
        if self.dropins:  # the default config files: <sysconfdir>/vwire, i.e. self.confdir
            a = []
        else:
            a = ["--config", self.config]
        if check:
            return a + ["--check"]
        return a + ["--runtime-dir", self.runtime, "--control-socket", self.sock]

    def command(self, check=False):
        argv = [VWIRED] + self.args(check)
        if self.dropins:
            mp = WORLD.confdir_mountpoint()
            return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"', "sh", self.confdir, mp] + argv
        return as_user_cmd(self.user, argv)

    def env(self):
        extra = {}
        if self.user is not None:
            extra["XDG_RUNTIME_DIR"] = self.xdg
        return user_env(self.user, extra)

    def start(self, wait=True):
        with open(self.log, "ab") as logf:
            self.proc = subprocess.Popen(self.command(), env=self.env(), stdout=logf, stderr=logf,
                                         stdin=subprocess.DEVNULL)
        if wait:
            self.wait_ready()
        return self

    @property
    def pid(self):
        return self.proc.pid

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"vwired ({self.name}) exited with {self.proc.returncode}:\n{self.log_tail(60)}")
            try:
                v = Varlink(connect_as(None, self.sock, timeout=2))
                r = v.call("io.vwire.Status", timeout=2)
                v.close()
                if "error" not in r:
                    return
                last = r
            except (OSError, Closed, TimeoutError, ValueError) as e:
                last = e
            time.sleep(0.05)
        raise AssertionError(f"vwired ({self.name}) did not answer Status within {timeout}s ({last}):\n"
                             f"{self.log_tail(60)}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, quiet=False):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                if not quiet:
                    log(f"vwired ({self.name}) ignored signal {sig} for 10s: killed")
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def stop_clean(self):
        """SIGTERM; vwired must exit 0 without a sanitizer report (tools/test runs an ASan build)."""
        rc = self.stop()
        bad = [l for l in self.read_log().splitlines()
               if "Sanitizer" in l or "runtime error:" in l or "LeakSanitizer" in l]
        if rc not in (0, None) or bad:
            raise AssertionError(f"vwired ({self.name}) exited {rc} after SIGTERM"
                                 + (f"; sanitizer report: {bad[:3]}" if bad else "") + f"\n{self.log_tail(60)}")

    def check(self, timeout=10):
        """vwired --check on this instance's config (and drop-ins); (rc, output, seconds); rc None: hung."""
        t0 = time.monotonic()
        try:
            r = subprocess.run(self.command(check=True), env=self.env(), capture_output=True, text=True,
                               timeout=timeout, stdin=subprocess.DEVNULL)
            return r.returncode, r.stdout + r.stderr, time.monotonic() - t0
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"") + (e.stderr or b"")
            return None, out.decode(errors="replace") if isinstance(out, bytes) else out, time.monotonic() - t0

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=25):
        lines = self.read_log().splitlines()
        return "\n".join("    | " + l for l in lines[-n:])

    # clients
    def ctl(self, user, *args, timeout=20, input=None, socket_path=None):
        """vwirectl --json ARGS as user (None: root)."""
        argv = [VWIRECTL, "--socket", socket_path or self.sock, "--json"] + list(args)
        cmd = as_user_cmd(user, argv)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=user_env(user),
                               input=input, cwd="/")
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"{' '.join(cmd)} did not finish within {timeout}s:\n{self.log_tail()}") from e
        return CtlResult(cmd, p, self)

    def varlink(self, user, timeout=10):
        return Varlink(connect_as(user, self.sock, timeout))

    def call(self, user, method, parameters=None, fds=(), **extra):
        v = self.varlink(user)
        try:
            return v.call(method, parameters, fds=fds, **extra)
        finally:
            v.close()

    def listing(self):
        r = self.call(None, "io.vwire.List")
        p = r.get("parameters", {})
        return {e["name"] for e in p.get("endpoints", [])}, {x["name"] for x in p.get("routes", [])}

    def names(self):
        eps, routes = self.listing()
        return eps | routes

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))


class SecTest(unittest.TestCase):
    """Assertions that print what was asked, what came back and the daemon's log."""

    maxDiff = None

    def shortDescription(self):  # the test's name in the output, not its docstring
        return None

    def assertRefused(self, res, error=PERM, words=("rule",), what=""):
        """A vwirectl result (CtlResult) or a raw reply (dict) that must be the error `error`
        (a name or a tuple of names) whose message contains every one of `words` (case-insensitive)."""
        errors = error if isinstance(error, tuple) else (error,)
        if isinstance(res, CtlResult):
            name, msg, desc, ok = res.error, res.message, res.describe(), res.rc == 0
        else:
            name, msg = reply_error(res)
            desc, ok = f"  reply: {json.dumps(res)[:2000]}", name is None
        head = f"{what}: " if what else ""
        if msg and len(msg) > 800:
            msg = msg[:800] + f"... ({len(msg)} characters)"
        if len(desc) > 3000:
            desc = desc[:3000] + " ..."
        if ok:
            self.fail(f"{head}ATTACK SUCCEEDED: expected {' or '.join(errors)} naming {list(words)}, but the "
                      f"request was accepted\n{desc}")
        if name not in errors:
            self.fail(f"{head}refused, but with {name!r} instead of {' or '.join(errors)}: {msg!r}\n{desc}")
        low = (msg or "").lower()
        missing = [w for w in words if w.lower() not in low]
        if missing:
            self.fail(f"{head}refused with {name}, but the message does not name {missing}: {msg!r}\n{desc}")

    def assertOk(self, res, what=""):
        head = f"{what}: " if what else ""
        if isinstance(res, CtlResult):
            if res.rc != 0:
                self.fail(f"{head}the legitimate request failed (exit {res.rc}): {res.message}\n{res.describe()}")
        elif "error" in res:
            self.fail(f"{head}the legitimate request failed: {json.dumps(res)[:2000]}")
        return res

    def assertNotExists(self, path, what=""):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        self.fail(f"{what}: {path!r} exists (mode {stat.filemode(st.st_mode)}, uid {st.st_uid}) although the "
                  f"request was refused")


class _Result(unittest.TextTestResult):
    """Remembers one outcome per test (a failing subtest fails its test) for the summary."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.outcomes = {}

    def _name(self, test):
        return test.id().replace("__main__.", "")

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcomes.setdefault(self._name(test), "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcomes[self._name(test)] = "FAIL"

    def addError(self, test, err):
        super().addError(test, err)
        self.outcomes[self._name(test)] = "ERROR"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.outcomes[self._name(test)] = f"skipped: {reason}"

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            bad = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            if self.outcomes.get(self._name(test)) != "ERROR":
                self.outcomes[self._name(test)] = bad


def run_main():
    import warnings
    warnings.simplefilter("ignore", ResourceWarning)
    require_root()
    try:
        WORLD.setup()
    except Exception as e:  # noqa: BLE001
        print(f"FAIL: cannot set up the test users: {e}", flush=True)
        WORLD.cleanup()
        raise SystemExit(1)
    ok = False
    try:
        runner = unittest.TextTestRunner(verbosity=2, resultclass=_Result, stream=sys.stdout)
        prog = unittest.main(exit=False, testRunner=runner, warnings=False)
        r = prog.result
        ok = r.wasSuccessful()
        print("\n==== summary ====", flush=True)
        for name, outcome in sorted(r.outcomes.items()):
            print(f"  {outcome.split(':')[0]:7} {name}" + (outcome[7:] if outcome.startswith("skipped") else ""),
                  flush=True)
        n_bad = sum(1 for o in r.outcomes.values() if o in ("FAIL", "ERROR"))
        print(f"  {len(r.outcomes) - n_bad - len(r.skipped)} passed, {n_bad} failed, {len(r.skipped)} skipped "
              f"(skipped cases are not passes)", flush=True)
    finally:
        WORLD.cleanup()
    raise SystemExit(0 if ok else 1)


def wait_for(pred, timeout=5, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            return v
        time.sleep(interval)


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def errno_name(e):
    return errno.errorcode.get(e, str(e))
