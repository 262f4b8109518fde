#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
bench-audio.py: a vwire [audio] cable against the kernel's snd-aloop (hw:Loopback), the anchor,
in one run on one machine, through the same ALSA program (bench/audio-latency.c, compiled here
with cc -lasound). snd-aloop needs the module, which this machine's container kernel lacks; the
project's VM has it (tests/vm/README.md):

    ninja -C build
    VWIRE_VM_EXTRA_MODULES=snd-aloop flock /tmp/vwire-vm.lock \\
        tests/vm/vm-run --timeout 1500 -- /usr/bin/python3 bench/bench-audio.py
    /usr/bin/python3 bench/bench-audio.py            # here: vwire only, and the converters

  latency     S16_LE stereo 48 kHz; the program plays one period at a time into a two-period
              buffer and records with the same period, in one poll() loop; every 100 ms the
              first frame of a period is an impulse. Latency: from just before the write of that
              period to the read that brings the impulse (CLOCK_MONOTONIC), each impulse matched
              to the last one sent before its read (so one an xrun lost shifts no other). p50, p99 and the
              jitter (p99 - p50) at period 256 and 1024, --latency-seconds each.
                vwire   vwire_raw:c1 both ends (the plugin, no plug), a cable of period 256;
                aloop   hw:Loopback,0,0 -> hw:Loopback,1,0.
  pacing      --pace-seconds of the same duplex stream at period 1024: the rate of the capture
              end, fitted by least squares to (time, frames read) over every read (one fit per
              stretch between xruns, which lose frames, averaged by duration), against 48000 Hz; and the CPU of vwired over that time (one writer and one reader: one
              cable), and of the program (the plugin's share) for both setups.
  convert     vwire only: a 48 kHz cable read at 44.1 kHz through ALSA's plug with each rate
              converter installed (alsa-lib's linear; speexrate, samplerate, lavrate from
              libasound2-plugins): THD+N of a 1 kHz and a 15 kHz tone from a [loopback] tone
              source (a least-squares fit of the tone, the rest is distortion and noise), and
              arecord's CPU for --convert-seconds, with 10 ms periods.

Goals (issue 12): latency <= 1 period + 1 ms at p50, pacing error < 0.05 %, < 1 % of one core
per cable. Prints a table and one JSON line (--json FILE also writes it).
"""

import argparse
import json
import math
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import wave

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATE = 48000
TICK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Vwired:
    def __init__(self, build, tmp, conf):
        self.dir = tmp
        self.run = os.path.join(tmp, "run")
        path = os.path.join(tmp, "vwire.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.env = dict(os.environ, VWIRE_RUNTIME_DIR=self.run,
                        ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:" +
                        os.path.join(build, "tests", "audio", "asound-test.conf"))
        self.log = open(os.path.join(tmp, "vwired.log"), "w")
        self.proc = subprocess.Popen([os.path.join(build, "daemon", "vwired"), "-c", path, "--runtime-dir", self.run,
                                      "-s", os.path.join(tmp, "control.sock")], stdout=self.log, stderr=self.log)
        for _ in range(100):
            if os.path.exists(os.path.join(self.run, "audio-c1.sock")):
                return
            time.sleep(0.05)
        raise BenchError("vwired did not make its cable")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def probe(exe, env, play, cap, period, seconds):
    r = subprocess.run([exe, play, cap, str(period), str(seconds)], env=env, capture_output=True, text=True,
                       timeout=seconds + 60)
    if r.returncode != 0:
        raise BenchError(f"audio-latency {play} {cap}: {r.stderr.strip()}")
    return json.loads(r.stdout)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def latency_row(d):
    lat = [v / 1000 for v in d["latency_us"]]
    p50, p99 = pct(lat, 50), pct(lat, 99)
    return {"period": d["period"], "period_ms": d["period"] / RATE * 1000, "impulses": d["impulses_seen"],
            "sent": d["impulses_sent"], "xruns": d["xruns"], "p50_ms": p50, "p99_ms": p99, "jitter_ms": p99 - p50,
            "stdev_ms": statistics.pstdev(lat) if lat else float("nan")}


def thd_n(path, freq):
    """THD+N of one tone in a WAV (left channel, 1 s from 0.5 s): least squares fit of the tone
    (a sin + b cos + c), the residual against it, in dB."""
    with wave.open(path) as w:
        rate, ch, n = w.getframerate(), w.getnchannels(), w.getnframes()
        data = w.readframes(n)
    samples = struct.unpack(f"<{n * ch}h", data)[0::ch]
    x = samples[rate // 2: rate // 2 + rate]
    if len(x) < rate // 2:
        raise BenchError(f"{path}: too short")
    w_ = 2 * math.pi * freq / rate
    s = [math.sin(w_ * i) for i in range(len(x))]
    c = [math.cos(w_ * i) for i in range(len(x))]
    # normal equations of [s c 1]
    m = [[sum(a * b for a, b in zip(u, v)) for v in (s, c)] for u in (s, c)]
    sx, cx = sum(a * b for a, b in zip(s, x)), sum(a * b for a, b in zip(c, x))
    mean = sum(x) / len(x)
    det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    a = (sx * m[1][1] - cx * m[0][1]) / det
    b = (cx * m[0][0] - sx * m[1][0]) / det
    resid = sum((xi - a * si - b * ci - mean) ** 2 for xi, si, ci in zip(x, s, c))
    sig = sum((a * si + b * ci) ** 2 for si, ci in zip(s, c))
    return 10 * math.log10(resid / sig) if resid > 0 else -200.0


def converters():
    found = ["linear"]
    libdir = "/usr/lib/x86_64-linux-gnu/alsa-lib"
    for name in ("speexrate_medium", "speexrate_best", "samplerate_medium", "samplerate_best", "lavrate_high"):
        base = name.split("_")[0]
        if os.path.exists(os.path.join(libdir, f"libasound_module_rate_{name}.so")) or \
                os.path.exists(os.path.join(libdir, f"libasound_module_rate_{base}.so")):
            found.append(name)
    return found


def bench_convert(build, tmp, seconds):
    rows = []
    for freq in (1000, 15000):
        d = os.path.join(tmp, f"conv{freq}")
        os.makedirs(d)
        v = Vwired(build, d, f"[audio c1]\nbuffer = 48000\n\n[loopback tone]\nmode = source\ntone = {freq}\n"
                             f"level = 0.5\n\n[route t]\nfrom = tone\nto = c1\n")
        try:
            conf = os.path.join(d, "conv.conf")
            with open(conf, "w") as f:
                for name in converters():
                    f.write(f'pcm.conv_{name} {{\n type plug\n slave.pcm {{ type vwire cable c1 }}\n'
                            f' rate_converter "{name}"\n}}\n')
            env = dict(v.env, ALSA_CONFIG_PATH=v.env["ALSA_CONFIG_PATH"] + ":" + conf)
            for name in converters():
                out = os.path.join(d, f"{name}.wav")
                t0 = time.monotonic()
                # periods of 10 ms (1470 frames here, 1600 at the cable): ALSA's rate plugin works in
                # whole periods, and with arecord's default 5512 (for 5512.5) its ratio is 90 ppm
                # off, which a 1 s fit would count as distortion of every converter alike
                p = subprocess.Popen(["arecord", "-q", "-D", f"conv_{name}", "-f", "S16_LE", "-c", "2", "-r", "44100",
                                      "--period-size=1470", "--buffer-size=14700", "-d", str(seconds), out], env=env)
                _, status, ru = os.wait4(p.pid, 0)
                if status != 0:
                    raise BenchError(f"arecord through {name} failed")
                wall = time.monotonic() - t0
                rows.append({"converter": name, "tone_hz": freq, "thd_n_db": thd_n(out, freq),
                             "cpu_pct": (ru.ru_utime + ru.ru_stime) / wall * 100})
        finally:
            v.stop()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--latency-seconds", type=float, default=10)
    ap.add_argument("--pace-seconds", type=float, default=60)
    ap.add_argument("--convert-seconds", type=int, default=3)
    ap.add_argument("--no-convert", action="store_true")
    ap.add_argument("--only-convert", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="vwire-bench-audio.")
    exe = os.path.join(tmp, "audio-latency")
    cc = subprocess.run(["cc", "-O2", "-o", exe, os.path.join(REPO, "bench", "audio-latency.c"), "-lasound"],
                        capture_output=True, text=True)
    if cc.returncode != 0:
        raise BenchError(f"cannot compile audio-latency.c: {cc.stderr}")
    aloop = os.path.exists("/proc/asound/Loopback")
    result = {"machine": os.uname().release, "cpus": os.cpu_count(), "aloop": aloop, "latency": [], "pacing": []}
    try:
        if args.only_convert:
            result["convert"] = bench_convert(args.build, tmp, args.convert_seconds)
            raise StopIteration
        os.makedirs(os.path.join(tmp, "vw"))
        v = Vwired(args.build, os.path.join(tmp, "vw"), "[audio c1]\nperiod = 256\nbuffer = 48000\n")
        setups = [("vwire", "vwire_raw:c1", "vwire_raw:c1")]
        if aloop:
            setups.append(("aloop", "hw:Loopback,0,0", "hw:Loopback,1,0"))
        try:
            for period in (256, 1024):
                for name, play, cap in setups:
                    row = latency_row(probe(exe, v.env, play, cap, period, args.latency_seconds))
                    row["setup"] = name
                    result["latency"].append(row)
            for name, play, cap in setups:
                c0 = cpu_seconds(v.proc.pid)
                d = probe(exe, v.env, play, cap, 1024, args.pace_seconds)
                daemon = (cpu_seconds(v.proc.pid) - c0) / (d["first_to_last_ns"] / 1e9) * 100
                result["pacing"].append({
                    "setup": name, "seconds": d["first_to_last_ns"] / 1e9, "rate_fit": d["rate_fit"],
                    "error_pct": (d["rate_fit"] - RATE) / RATE * 100, "xruns": d["xruns"],
                    "fit_seconds": d["fit_seconds"],
                    "program_cpu_pct": d["cpu_us"] / 1e6 / (d["first_to_last_ns"] / 1e9) * 100,
                    "vwired_cpu_pct": daemon if name == "vwire" else None})
        finally:
            v.stop()
        if not args.no_convert:
            result["convert"] = bench_convert(args.build, tmp, args.convert_seconds)
    except StopIteration:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"kernel {result['machine']}, {result['cpus']} CPUs, snd-aloop {'loaded' if aloop else 'absent'}")
    print("\nlatency (write of the impulse's period -> read that brings it), ms")
    print(f"{'setup':6} {'period':>6} {'p50':>7} {'p99':>7} {'jitter':>7} {'1 period':>8} {'xruns':>5} {'seen':>5}")
    for r in result["latency"]:
        print(f"{r['setup']:6} {r['period']:6} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f} {r['jitter_ms']:7.2f} "
              f"{r['period_ms']:8.2f} {r['xruns']:5} {r['impulses']:5}")
    for period in (256, 1024):
        by = {r["setup"]: r for r in result["latency"] if r["period"] == period}
        if "aloop" in by:
            print(f"  period {period}: vwire p50 / aloop p50 = {by['vwire']['p50_ms'] / by['aloop']['p50_ms']:.2f}")
    print("\npacing over the run, and CPU")
    for r in result["pacing"]:
        cpu = f", vwired {r['vwired_cpu_pct']:.2f} % of a core" if r["vwired_cpu_pct"] is not None else ""
        print(f"{r['setup']:6} {r['seconds']:.1f} s: {r['rate_fit']:.2f} Hz, error {r['error_pct']:+.4f} %, "
              f"xruns {r['xruns']} (fit over {r['fit_seconds']:.0f} s between them); "
              f"the program {r['program_cpu_pct']:.2f} %{cpu}")
    if "convert" in result:
        print("\n48 kHz cable read at 44.1 kHz through plug: THD+N (dB, lower is better), arecord CPU")
        for r in result["convert"]:
            print(f"  {r['converter']:18} {r['tone_hz']:6} Hz  {r['thd_n_db']:7.1f} dB  {r['cpu_pct']:5.2f} %")
    line = json.dumps(result)
    print("\n" + line)
    if args.json:
        with open(args.json, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"bench-audio: {e}", file=sys.stderr)
        sys.exit(1)
