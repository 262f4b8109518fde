#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-scale.py: vwired with many PTY ports: start-up time, memory, shutdown.

Writes a config with --ports [serial] backend=pty ports and --routes duplex routes, each joining
two ports (p0<->p1, p2<->p3, ...), starts vwired on a temporary runtime dir and measures:

  start     from exec to `vwirectl status` answering, and to the last port's symlink existing
  memory    VmRSS and VmHWM of vwired (and its open fds) after start, then after pushing
            --push-bytes each way through --active of the routed pairs (checked byte for byte)
  stop      from SIGTERM to exit, and whether every symlink (and the pid file) is gone

--runs repeats the whole thing; the table shows every run and the median.
vwired raises its RLIMIT_NOFILE soft limit to the hard limit; each pty port holds two fds, so
the hard limit must exceed 2 x ports (plus a few dozen). This script checks and says so.
Benchmarks are run by hand; never in CI. Standard library only (Debian's /usr/bin/python3).
"""

import argparse
import json
import os
import platform
import random
import resource
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tty

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FD_SLACK = 64  # fds vwired needs besides its ports: epoll, signalfd, control socket, clients, ...


class BenchError(Exception):
    pass


def read_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "VmSize", "Threads"):
                    out[k] = int(v.split()[0])  # kB (Threads: a count)
    except OSError:
        pass
    try:
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return out


def cpu_busy_sample(seconds=1.0):
    """Share of all CPUs busy over `seconds` (from /proc/stat) while this script sleeps: other load."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v[:8]), v[3] + (v[4] if len(v) > 4 else 0)
    try:
        t0, i0 = snap()
        time.sleep(seconds)
        t1, i1 = snap()
        return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))
    except (OSError, ValueError, IndexError):
        return None


def cpu_ns(pid):
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def fs_type(path):
    """Type of the file system holding path, from /proc/mounts (longest matching mount point)."""
    path = os.path.realpath(path)
    best, typ = "", "?"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, typ = mnt, parts[2]
    except OSError:
        pass
    return typ


def default_dir():
    """Where vwired would keep its runtime dir in real use is a tmpfs (/run, $XDG_RUNTIME_DIR): prefer one."""
    for d in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if d and os.path.isdir(d) and os.access(d, os.W_OK) and fs_type(d) == "tmpfs":
            return d
    return tempfile.gettempdir()


def write_config(path, ports, routes):
    with open(path, "w") as f:
        f.write(f"# written by bench/bench-scale.py: {ports} pty ports, {routes} duplex routes\n")
        for i in range(ports):
            f.write(f"\n[serial p{i}]\nbackend = pty\npath = %t/p{i}\n")
        for k in range(routes):
            f.write(f"\n[route r{k}]\nfrom = p{2 * k}\nto = p{2 * k + 1}\nduplex = yes\n")


def check_limits(ports, active):
    """Warnings about limits that would make the run fail or measure the wrong thing."""
    notes = []
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * ports + FD_SLACK
    if hard != resource.RLIM_INFINITY and hard < need:
        notes.append(f"RLIMIT_NOFILE hard limit is {hard}, but {ports} pty ports need about {need} fds in vwired "
                     f"(2 per port + ~{FD_SLACK}); vwired raises its soft limit only up to the hard limit, so it will "
                     f"fail to start some ports. Raise it (e.g. `ulimit -Hn {need}` as root, or LimitNOFILE= in the "
                     f"unit) or use --ports {max(2, (hard - FD_SLACK) // 2)}.")
    if soft != resource.RLIM_INFINITY and soft < 4 * active + 32:
        notes.append(f"this script's own soft RLIMIT_NOFILE ({soft}) is low for --active {active}")
    try:
        with open("/proc/sys/kernel/pty/max") as f:
            pmax = int(f.read())
        with open("/proc/sys/kernel/pty/nr") as f:
            pnr = int(f.read())
        if pnr + ports > pmax:
            notes.append(f"kernel.pty.max is {pmax} with {pnr} ptys in use: not enough for {ports} more "
                         f"(sysctl -w kernel.pty.max=...)")
    except (OSError, ValueError):
        pass
    return soft, hard, need, notes


def push_data(run, pairs, nbytes, seed):
    """Send nbytes each way through every pair (both ends at once); verify. Returns seconds."""
    fds = {}
    try:
        for k in pairs:
            a = os.open(os.path.join(run, f"p{2 * k}"), os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            fds[a] = None
            b = os.open(os.path.join(run, f"p{2 * k + 1}"), os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            fds[b] = None
            for fd in (a, b):
                tty.setraw(fd)
                os.set_blocking(fd, False)
            da = random.Random(seed * 100003 + 2 * k).randbytes(nbytes)
            db = random.Random(seed * 100003 + 2 * k + 1).randbytes(nbytes)
            # fd -> [data to send, sent, data expected, bytearray received]
            fds[a] = [da, 0, db, bytearray()]
            fds[b] = [db, 0, da, bytearray()]
        p = select.poll()
        for fd in fds:
            p.register(fd, select.POLLIN | select.POLLOUT)
        t0 = time.perf_counter()
        pending = len(fds)
        while pending:
            evs = p.poll(10000)
            if not evs:
                short = {fd: len(st[3]) for fd, st in fds.items() if len(st[3]) < nbytes}
                raise BenchError(f"data stalled: {len(short)} ends short of {nbytes} bytes")
            for fd, ev in evs:
                st = fds[fd]
                if ev & select.POLLOUT and st[1] < nbytes:
                    try:
                        st[1] += os.write(fd, st[0][st[1]:st[1] + 16384])
                    except BlockingIOError:
                        pass
                    if st[1] >= nbytes:
                        p.modify(fd, select.POLLIN)
                if ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                    try:
                        st[3] += os.read(fd, 65536)
                    except BlockingIOError:
                        pass
                    if len(st[3]) > nbytes:
                        raise BenchError(f"{len(st[3]) - nbytes} bytes too many")
                if len(st[3]) == nbytes and st[1] >= nbytes:
                    p.unregister(fd)
                    pending -= 1
        secs = time.perf_counter() - t0
        for fd, st in fds.items():
            if bytes(st[3]) != st[2]:
                raise BenchError("data differ on a routed pair")
        return secs
    finally:
        for fd in fds:
            os.close(fd)


def one_run(args, tmp, idx):
    d = os.path.join(tmp, f"run{idx}")
    run = os.path.join(d, "run")
    os.makedirs(run, mode=0o700)
    conf = os.path.join(d, "vwire.conf")
    write_config(conf, args.ports, args.routes)
    sock = os.path.join(run, "control.sock")
    links = [os.path.join(run, f"p{i}") for i in range(args.ports)]
    log = open(os.path.join(d, "vwired.log"), "w+")
    cmd = [args.vwired, "--config", conf, "--runtime-dir", run, "--log-level", "warning"]
    res = {}

    # One `vwirectl status` at a time, started once the socket exists: vwired listens before it
    # creates the ports but answers only from its event loop, so the reply marks "ready". (A
    # tight loop of vwirectl processes would steal CPU from vwired on a small machine.)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    ctl = None
    try:
        last_at = status_at = None
        deadline = t0 + args.timeout
        while time.perf_counter() < deadline and proc.poll() is None:
            now = time.perf_counter()
            if last_at is None and os.path.lexists(links[-1]):
                last_at = now
            if status_at is None:
                if ctl is None and os.path.exists(sock):
                    ctl = subprocess.Popen([args.vwirectl, "--socket", sock, "status"], stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                elif ctl is not None and ctl.poll() is not None:
                    if ctl.returncode == 0:
                        status_at = now
                    ctl = None
            if last_at is not None and status_at is not None:
                break
            time.sleep(0.0005)
        if proc.poll() is not None:
            log.seek(0)
            raise BenchError(f"vwired exited with {proc.returncode} during start-up:\n{log.read()[-3000:]}")
        if last_at is None or status_at is None:
            raise BenchError(f"vwired not ready after {args.timeout}s "
                             f"(last symlink: {'yes' if last_at else 'no'}, status: {'yes' if status_at else 'no'})")
        missing = [p for p in links if not os.path.lexists(p)]
        if missing:
            raise BenchError(f"{len(missing)} of {args.ports} symlinks missing after start, e.g. {missing[0]}")
        res["start_status_ms"] = (status_at - t0) * 1000
        res["start_symlink_ms"] = (last_at - t0) * 1000
        res["start_cpu_ms"] = (cpu_ns(proc.pid) or 0) / 1e6
        time.sleep(0.2)  # let it settle (the status calls have been answered)
        res["after_start"] = read_status(proc.pid)

        if args.active:
            res["push_s"] = push_data(run, range(args.active), args.push_bytes, idx + 1)
            time.sleep(0.2)
            res["after_push"] = read_status(proc.pid)

        cpu_before = cpu_ns(proc.pid)
        t1 = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        # wait4() rather than proc.wait(): its rusage gives vwired's CPU time over its whole life
        while True:
            wpid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if wpid == proc.pid:
                break
            if time.perf_counter() - t1 > args.timeout:
                raise BenchError(f"vwired did not exit within {args.timeout}s of SIGTERM")
            time.sleep(0.0005)
        res["stop_ms"] = (time.perf_counter() - t1) * 1000
        proc.returncode = os.waitstatus_to_exitcode(status)
        if cpu_before is not None:
            res["stop_cpu_ms"] = (ru.ru_utime + ru.ru_stime) * 1000 - cpu_before / 1e6
        res["exit_code"] = proc.returncode
        left = [p for p in links if os.path.lexists(p)]
        res["symlinks_left"] = len(left)
        res["runtime_dir_left"] = sorted(os.listdir(run))
        if proc.returncode != 0:
            log.seek(0)
            raise BenchError(f"vwired exited with {proc.returncode} on SIGTERM:\n{log.read()[-3000:]}")
        log.seek(0)
        res["log_lines"] = sum(1 for _ in log)
        return res
    finally:
        if ctl is not None and ctl.poll() is None:
            ctl.kill()
            ctl.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vwired", default=os.path.join(REPO, "build/daemon/vwired"))
    ap.add_argument("--vwirectl", default=os.path.join(REPO, "build/cli/vwirectl"))
    ap.add_argument("--ports", type=int, default=1000, help="pty ports (default: %(default)s)")
    ap.add_argument("--routes", type=int, default=None, help="duplex routes joining ports pairwise (default: ports/2)")
    ap.add_argument("--active", type=int, default=50, help="routed pairs to push data through (default: %(default)s)")
    ap.add_argument("--push-bytes", type=int, default=64 * 1024,
                    help="bytes sent each way through each active pair (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=3, help="repeat the whole measurement (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for start and stop")
    ap.add_argument("--dir", default=None,
                    help="parent of the temporary config and runtime dir (default: $XDG_RUNTIME_DIR or /dev/shm "
                         "when tmpfs, like /run in real use; else the system temp dir)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON as well")
    args = ap.parse_args()
    if args.dir is None:
        args.dir = default_dir()
    if args.routes is None:
        args.routes = args.ports // 2
    if args.ports < 1 or args.routes < 0 or 2 * args.routes > args.ports:
        ap.error("need ports >= 1 and 0 <= routes <= ports/2")
    if not 0 <= args.active <= args.routes:
        ap.error("--active must be between 0 and --routes")
    for b in (args.vwired, args.vwirectl):
        if not os.access(b, os.X_OK):
            ap.error(f"{b} is missing (ninja -C build)")

    cmdline = shlex.join([sys.executable] + sys.argv)
    soft, hard, need, notes = check_limits(args.ports, args.active)
    print(f"command: {cmdline}")
    print(f"machine: nproc {os.cpu_count()}, kernel {platform.release()}, python {platform.python_version()}")
    busy = cpu_busy_sample()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"background: {busy:.0f}% of all CPUs busy before starting (should be ~0), load average {load}"
          + ("  WARNING: other load skews the wall-clock times; the CPU times hold" if busy and busy > 10 else ""))
    print(f"runtime dir under: {args.dir} ({fs_type(args.dir)})")
    print(f"plan: {args.ports} pty ports, {args.routes} duplex routes, {args.active} active pairs x "
          f"{args.push_bytes} bytes each way, {args.runs} run(s)")
    hard_s = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    print(f"RLIMIT_NOFILE: soft {soft}, hard {hard_s}; vwired needs about {need} "
          f"({'OK' if hard == resource.RLIM_INFINITY or hard >= need else 'TOO LOW'})")
    for n in notes:
        print(f"WARNING: {n}")
    sys.stdout.flush()

    tmp = tempfile.mkdtemp(prefix="vwire-scale-", dir=args.dir)
    runs = []
    try:
        for i in range(args.runs):
            r = one_run(args, tmp, i)
            runs.append(r)
            print(f"  run {i + 1}: ready {r['start_status_ms']:.0f} ms, RSS {r['after_start'].get('VmRSS', 0) / 1024:.1f}"
                  f" MiB, stop {r['stop_ms']:.0f} ms, {r['symlinks_left']} symlinks left", flush=True)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        if any("TOO LOW" in n or "hard limit" in n for n in notes):
            print("(see the RLIMIT_NOFILE warning above)", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def show(fmt, v):
        return "-" if v is None else fmt.format(v)

    def med(get):
        vals = [get(r) for r in runs]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    rows = [
        ("start: exec -> `vwirectl status` answers", "ms", lambda r: r["start_status_ms"], "{:.0f}"),
        ("start: exec -> last symlink exists", "ms", lambda r: r["start_symlink_ms"], "{:.0f}"),
        ("start: vwired CPU time until ready", "ms", lambda r: r["start_cpu_ms"], "{:.0f}"),
        ("after start: VmRSS", "MiB", lambda r: r["after_start"].get("VmRSS", 0) / 1024, "{:.1f}"),
        ("after start: VmHWM", "MiB", lambda r: r["after_start"].get("VmHWM", 0) / 1024, "{:.1f}"),
        ("after start: VmSize", "MiB", lambda r: r["after_start"].get("VmSize", 0) / 1024, "{:.1f}"),
        ("after start: open fds", "", lambda r: r["after_start"].get("fds"), "{:.0f}"),
    ]
    if args.active:
        rows += [
            (f"push {args.active} pairs x {args.push_bytes // 1024} KiB each way", "ms",
             lambda r: r["push_s"] * 1000, "{:.0f}"),
            ("after push: VmRSS", "MiB", lambda r: r["after_push"].get("VmRSS", 0) / 1024, "{:.1f}"),
            ("after push: VmHWM", "MiB", lambda r: r["after_push"].get("VmHWM", 0) / 1024, "{:.1f}"),
        ]
    rows += [
        ("stop: SIGTERM -> exit", "ms", lambda r: r["stop_ms"], "{:.0f}"),
        ("stop: vwired CPU time", "ms", lambda r: r.get("stop_cpu_ms"), "{:.0f}"),
        ("stop: symlinks left behind", "", lambda r: r["symlinks_left"], "{:.0f}"),
        ("stop: exit code", "", lambda r: r["exit_code"], "{:.0f}"),
    ]
    print()
    w = max(len(r[0]) for r in rows) + 6
    head = f"{'':{w}s}" + "".join(f"{'run ' + str(i + 1):>9s}" for i in range(len(runs))) + f"{'median':>9s}"
    print(head)
    print("-" * len(head))
    for label, unit, get, fmt in rows:
        lab = f"{label} ({unit})" if unit else label
        vals = "".join(f"{show(fmt, get(r)):>9s}" for r in runs)
        print(f"{lab:{w}s}{vals}{show(fmt, med(get)):>9s}")
    left = sorted({x for r in runs for x in r["runtime_dir_left"]})
    print(f"\nruntime dir after stop holds: {', '.join(left) if left else 'nothing'}")
    ok = all(r["symlinks_left"] == 0 and r["exit_code"] == 0 for r in runs)
    print(f"verdict: {'all symlinks removed, clean exit' if ok else 'LEFT-OVERS or unclean exit'} in every run")

    if args.json:
        print(json.dumps({"command": cmdline, "rlimit_nofile": [soft, hard], "params": vars(args), "runs": runs},
                         indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
