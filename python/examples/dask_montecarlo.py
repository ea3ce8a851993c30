"""A large Monte Carlo ensemble as shards on a Dask cluster, merged exactly.

Each Dask task runs one shard K/N of the ensemble (runs r with r % N == K-1,
each drawing from its own random stream of the seed) and returns the
partial result that `escalation montecarlo --shard K/N --out FILE` writes;
the client merges them with the library's exact merge. Every aggregate is
a sum of integers, so the merged result equals the single-process run
exactly, whatever the number of shards, workers or machines.

    python python/examples/dask_montecarlo.py                  # a LocalCluster: 2 workers on 127.0.0.1
    python python/examples/dask_montecarlo.py --check          # … and compare with one process
    python python/examples/dask_montecarlo.py --scheduler tcp://10.0.0.5:8786 \\
        --runs 10000000 --shards 64 --threads 8                 # an existing cluster

The merged result (the dict `escalation montecarlo --json` prints) goes to
stdout as JSON; `--parts DIR` also writes each shard's partial result as
`DIR/partK.json`, which `escalation merge DIR/part*.json --json` reads.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import escalation as esc

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_shard(scenario: esc.Scenario, runs: int, k: int, n: int, seed, threads):
    """One task: shard k of n (1-based). Runs on a worker; the scenario
    travels pickled (its file's structure and any `with_values`)."""
    return esc.montecarlo_shard(scenario, runs, (k, n), seed=seed, threads=threads)


def sharded_montecarlo(client, scenario: esc.Scenario, runs: int, shards: int, seed=None, threads=None):
    """Submits the shards to `client`, gathers and merges them.

    Returns (merged result, partial results in shard order)."""
    futures = [
        client.submit(run_shard, scenario, runs, k, shards, seed, threads, pure=False)
        for k in range(1, shards + 1)
    ]
    parts = client.gather(futures)
    return esc.merge(parts), parts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default=str(ROOT / "examples" / "scenarios" / "islamabad.toml"))
    ap.add_argument("--runs", type=int, default=200_000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1, help="threads per shard (default 1: one per worker thread)")
    ap.add_argument("--scheduler", default=None, help="address of a running scheduler (default: a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    ap.add_argument("--parts", default=None, help="also write each partial result to DIR/partK.json")
    ap.add_argument("--check", action="store_true", help="also run unsharded in this process and compare")
    args = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    scenario = esc.Scenario.load(args.scenario)
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        )
        client = Client(cluster)
    try:
        start = time.perf_counter()
        merged, parts = sharded_montecarlo(client, scenario, args.runs, args.shards, args.seed, args.threads)
        took = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"{args.runs} runs in {args.shards} shards: {took:.2f} s", file=sys.stderr)
    if args.parts:
        out = pathlib.Path(args.parts)
        out.mkdir(parents=True, exist_ok=True)
        for k, p in enumerate(parts, 1):
            (out / f"part{k}.json").write_text(json.dumps(p))
    text = json.dumps(merged, indent=2, sort_keys=True)
    print(text)
    if args.check:
        single = esc.montecarlo(scenario, args.runs, seed=args.seed)
        same = json.dumps(single, indent=2, sort_keys=True) == text
        print("merged == single process: " + ("identical" if same else "DIFFERENT"), file=sys.stderr)
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
