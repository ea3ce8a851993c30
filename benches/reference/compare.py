"""Runs the benchmark workloads in Rust and in the Python references and
prints the table of docs/performance.md (medians of several repetitions).

    cargo build --release
    python3 -m pip install -r benches/reference/requirements.txt
    python3 benches/reference/compare.py [--reps 5] [--only 1,2,3,4] [--memory]

Whole-process times are wall-clock times of the command, started from this
script; in-process times are what the programs report about their own
computation. Both sides run on one core: `--threads 1` / `RAYON_NUM_THREADS=1`
for Rust, `OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1` for NumPy.
The machine's load average is printed with every row: on a busy machine
wall-clock times are slower and noisier.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "escalation"
REF = ROOT / "benches" / "reference"
ISLAMABAD = ROOT / "examples" / "scenarios" / "islamabad.toml"
RICHARDSON = ROOT / "benches" / "scenarios" / "richardson.toml"
ONE_CORE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
}


def load():
    return os.getloadavg()[0]


def idle_fraction(seconds=1.0):
    """Share of CPU time spent idle over `seconds`, from /proc/stat."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i1, t1 = snap()
    time.sleep(seconds)
    i2, t2 = snap()
    return (i2 - i1) / max(1, t2 - t1)


def run(cmd, env=None, capture=True):
    e = dict(os.environ, **ONE_CORE)
    if env:
        e.update(env)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=e, capture_output=capture, text=True, cwd=ROOT)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{p.stderr}")
    return secs, p.stdout, p.stderr


def median_wall(cmd, reps, env=None):
    times = [run(cmd, env)[0] for _ in range(reps)]
    return statistics.median(times), times


def median_reported(cmd, reps, key="seconds", env=None, stream="stdout"):
    vals, last = [], None
    for _ in range(reps):
        _, out, err = run(cmd, env)
        text = out if stream == "stdout" else err
        last = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
        vals.append(last)
    return vals, last


rows = []


def row(workload, rust, python, ratio, goal, note=""):
    rows.append((workload, rust, python, ratio, goal, f"{note} (load {load():.1f})".strip()))
    print(f"| {workload} | {rust} | {python} | {ratio} | {goal} | {rows[-1][5]} |", flush=True)


def sweep_cmd(count):
    spec = f"0:1:{count}"
    return [BIN, "sweep", RICHARDSON, "--param", f"coupling.X.Y={spec}",
            "--param", f"coupling.Y.X={spec}", "--summary", "--threads", "1"]


def workload1(reps):
    py = [sys.executable, REF / "stability_map.py", RICHARDSON, "--k", "0:1:1000", "--l", "0:1:1000"]
    r, _ = median_wall(sweep_cmd(1000), reps)
    p, _ = median_wall(py, reps)
    row("1. stability map 1000×1000, whole process", f"{r * 1e3:.1f} ms", f"{p * 1e3:.0f} ms",
        f"{p / r:.0f}×", "≥ 30×")
    lin = []
    for c in (250, 500, 1000, 2000):
        t, _ = median_wall(sweep_cmd(c), reps)
        lin.append(f"{c * c:,} pts {t * 1e3:.1f} ms")
    row("1. linearity (sweep --summary)", "; ".join(lin), "", "", "linear")


def workload2(reps):
    # The bench prints one JSON line per part before criterion starts; a
    # filter that matches no benchmark makes criterion stop right after.
    cmd = ["cargo", "bench", "-q", "--bench", "critical_gain", "--", "no-benchmark-matches-this"]
    results = {}
    for _ in range(reps):
        _, _, err = run(cmd)
        for l in err.splitlines():
            if l.startswith("{"):
                d = json.loads(l)
                results.setdefault(d["workload"], []).append(d)
    for part, systems in (("perron", 10_000), ("sampled", 1_000)):
        rs = results[f"critical_gain/{part}"]
        r = statistics.median(d["seconds"] for d in rs)
        for algorithm, mode in (("crate", "loop"), ("crate", "batched"), ("eigvals", "loop"), ("eigvals", "batched")):
            ps = []
            # The sampled loops take 10–40 s each: once is enough.
            for _ in range(1 if part == "sampled" and mode == "loop" else reps):
                _, out, _ = run([sys.executable, REF / "critical_gain.py", "--part", part,
                                 "--mode", mode, "--algorithm", algorithm])
                ps.append(json.loads(out))
            p = statistics.median(d["seconds"] for d in ps)
            same = abs(ps[0]["checksum"] - rs[0]["checksum"]) <= 1e-9 * abs(ps[0]["checksum"])
            style = {"loop": "one system at a time", "batched": "batched across systems"}[mode]
            row(f"2. {part} critical gain, {systems:,} systems (NumPy, {algorithm} algorithm, {style})",
                f"{r:.4f} s", f"{p:.3f} s", f"{p / r:.0f}×", "≥ 20×",
                f"checksums {'agree' if same else 'DIFFER'}")


def workload3(reps, memory):
    runs = 10_000
    cmd = [BIN, "montecarlo", ISLAMABAD, "--runs", str(runs), "--threads", "1", "--quiet", "--json"]
    r, _ = median_wall(cmd, reps)
    py_runs = 200
    ps = []
    for _ in range(max(1, reps // 2)):
        _, out, _ = run([sys.executable, REF / "montecarlo.py", ISLAMABAD, "--runs", str(py_runs)])
        ps.append(json.loads(out))
    p = statistics.median(d["seconds_per_run"] for d in ps)
    row(f"3. Monte Carlo per run (Rust {runs:,} runs whole process; SciPy {py_runs} runs)",
        f"{r / runs * 1e6:.1f} µs", f"{p * 1e3:.1f} ms", f"{p / (r / runs):.0f}×", "≥ 100×")
    big = 40_000
    ratios, tries = [], 0
    # Two threads can only help when the second core is free: time a pair
    # only after both cores were idle for a second, and retry otherwise.
    while len(ratios) < reps and tries < 20 * reps:
        tries += 1
        if idle_fraction() < 0.9:
            time.sleep(5)
            continue
        t1, _, _ = run([BIN, "montecarlo", ISLAMABAD, "--runs", str(big), "--threads", "1", "--quiet"])
        t2, _, _ = run([BIN, "montecarlo", ISLAMABAD, "--runs", str(big), "--threads", "2", "--quiet"],
                       env={"RAYON_NUM_THREADS": "2"})
        ratios.append((t1 / t2, t1, t2))
    if ratios:
        ratios.sort()
        r, t1, t2 = ratios[len(ratios) // 2]
        row(f"3. Monte Carlo {big:,} runs, 1 vs 2 threads (idle machine)", f"{t1:.2f} s / {t2:.2f} s", "",
            f"{r:.2f}×", "≥ 1.7×", f"median of {len(ratios)} pairs, {os.cpu_count()} cores")
    else:
        row("3. Monte Carlo, 1 vs 2 threads", "not measured", "", "", "≥ 1.7×", "the machine was never idle")
    if memory:
        peaks = []
        for n in (10_000, 1_000_000):
            _, _, err = run(["/usr/bin/time", "-v", BIN, "montecarlo", ISLAMABAD, "--runs", str(n), "--quiet"],
                            env={"RAYON_NUM_THREADS": str(os.cpu_count())})
            kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
            peaks.append(f"{n:,} runs {kb / 1024:.1f} MiB")
        row("3. Monte Carlo peak memory", "; ".join(peaks), "", "", "flat")


def workload4(reps):
    with tempfile.TemporaryDirectory() as d:
        cmd = [BIN, "simulate", ISLAMABAD, "--out", d, "--force"]
        r, _ = median_wall(cmd, reps)
    row("4. simulate headline with plots, whole process", f"{r * 1e3:.0f} ms", "", "", "≪ 1 s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", default="1,2,3,4")
    ap.add_argument("--memory", action="store_true", help="also measure peak memory at 10k and 1M runs (slow)")
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    print("| workload | Rust | Python | ratio | goal | note |")
    print("|---|---|---|---|---|---|")
    only = set(args.only.split(","))
    if "1" in only:
        workload1(args.reps)
    if "2" in only:
        workload2(args.reps)
    if "3" in only:
        workload3(args.reps, args.memory)
    if "4" in only:
        workload4(args.reps)


if __name__ == "__main__":
    main()
