"""The Dask recipe on a 2-worker LocalCluster on 127.0.0.1: merged == unsharded, byte for byte."""

import json
import subprocess
import sys

import pytest

import escalation as esc
from conftest import ROOT, SCENARIOS

pytest.importorskip("dask.distributed")

RECIPE = ROOT / "python" / "examples" / "dask_montecarlo.py"


def test_dask_shards_merge_to_the_single_process_result(cli, tmp_path):
    runs, shards = 20_000, 6
    p = subprocess.run(
        [sys.executable, str(RECIPE), "--runs", str(runs), "--shards", str(shards), "--seed", "9",
         "--workers", "2", "--check", "--parts", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert p.returncode == 0, p.stderr
    assert "identical" in p.stderr
    merged = json.loads(p.stdout)
    single = esc.montecarlo(esc.Scenario.load(SCENARIOS / "islamabad.toml"), runs, seed=9)
    assert merged == single
    # Byte for byte through the command line: its merge of the Dask shards
    # prints exactly what the unsharded run prints.
    parts = sorted(tmp_path.glob("part*.json"))
    assert len(parts) == shards
    merged_text = cli("merge", *parts, "--json")[1]
    single_text = cli("montecarlo", SCENARIOS / "islamabad.toml", "--runs", runs, "--seed", 9, "--json", "--quiet")[1]
    assert merged_text == single_text
    assert json.loads(single_text) == merged
