"""The Python package's overhead against the Rust library and the CLI.

1. A 10⁵-run Monte Carlo ensemble of the Islamabad scenario (same seed,
   same threads): `escalation.montecarlo` called from Python against the
   whole `escalation montecarlo --runs 100000 --json --quiet` process.
2. One `simulate` of the dyad: `escalation.simulate` (NumPy arrays, events
   as dicts) against the Rust call alone, timed inside Rust
   (`_rust_simulate_seconds`), in the same process.

    python python/benchmarks/bench.py [--reps 5] [--threads 2] [--runs 100000]

Medians of --reps repetitions, the two sides alternating; the load
average is printed with each row. Needs the release binary
(`cargo build --release`) and the package (`pip install ./python`).
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

import escalation as esc

ROOT = pathlib.Path(__file__).resolve().parents[2]
ISLAMABAD = ROOT / "examples" / "scenarios" / "islamabad.toml"
DYAD = ROOT / "examples" / "scenarios" / "dyad.toml"


def load():
    return "load %.2f %.2f %.2f" % os.getloadavg()


def montecarlo(args):
    binary = os.environ.get("ESCALATION_BIN", str(ROOT / "target" / "release" / "escalation"))
    s = esc.Scenario.load(ISLAMABAD)
    cli_t, py_t = [], []
    py_result = cli_out = None
    for _ in range(args.reps):
        start = time.perf_counter()
        p = subprocess.run(
            [binary, "montecarlo", str(ISLAMABAD), "--runs", str(args.runs), "--threads", str(args.threads),
             "--json", "--quiet"],
            capture_output=True, text=True, check=True,
        )
        cli_t.append(time.perf_counter() - start)
        cli_out = p.stdout
        start = time.perf_counter()
        py_result = esc.montecarlo(s, args.runs, threads=args.threads)
        py_t.append(time.perf_counter() - start)
    import json

    assert json.loads(cli_out) == py_result, "the two sides disagree"
    c, p = statistics.median(cli_t), statistics.median(py_t)
    print(f"montecarlo {args.runs} runs, {args.threads} thread(s): CLI process {c:.3f} s "
          f"(min {min(cli_t):.3f}), Python call {p:.3f} s (min {min(py_t):.3f}), ratio {p / c:.3f}  [{load()}]")


def simulate(args):
    s = esc.Scenario.load(DYAD)
    n = args.calls
    rust, py = [], []
    for _ in range(args.reps):
        rust.append(esc._escalation._rust_simulate_seconds(s, n))
        start = time.perf_counter()
        for _ in range(n):
            esc.simulate(s)
        py.append((time.perf_counter() - start) / n)
    r, p = statistics.median(rust), statistics.median(py)
    print(f"simulate dyad ({n} calls x {args.reps}): Rust {r * 1e6:.1f} µs, Python {p * 1e6:.1f} µs, "
          f"overhead {(p - r) * 1e6:.1f} µs per call  [{load()}]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--only", choices=["montecarlo", "simulate"])
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]}, escalation {esc.__version__}")
    if args.only in (None, "simulate"):
        simulate(args)
    if args.only in (None, "montecarlo"):
        montecarlo(args)


if __name__ == "__main__":
    main()
