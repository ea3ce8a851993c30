"""Every function returns what the command line prints with --json for the same seed."""

import json

import numpy as np
import pytest

import escalation as esc
from conftest import DATA, SCENARIOS


def equal_run(py, cli):
    """A Python run against the CLI's JSON of the same run."""
    assert np.array_equal(py["t"], np.array(cli["t"]))
    assert list(cli["x"]) == py["actors"]
    for i, name in enumerate(py["actors"]):
        assert np.array_equal(py["x"][:, i], np.array(cli["x"][name])), name
        assert np.array_equal(py["rung"][:, i], np.array(cli["rung"][name])), name
    for key in ("events", "outcome", "explosion_time", "verification_passed"):
        assert py[key] == cli[key], key


@pytest.mark.parametrize(
    "scenario, args",
    [
        ("islamabad.toml", dict(seed=7)),
        ("islamabad.toml", dict(seed=12345, dt=0.25)),
        ("dyad.toml", dict()),
        ("tactical_pause.toml", dict(dt=0.5)),
        ("spoilers.toml", dict(seed=3)),
    ],
)
def test_simulate_equals_cli(cli_json, scenario, args):
    s = esc.Scenario.load(SCENARIOS / scenario)
    flags = []
    for k, v in args.items():
        flags += [f"--{k}", v]
    equal_run(esc.simulate(s, **args), cli_json("simulate", SCENARIOS / scenario, *flags))


@pytest.mark.parametrize("scenario", ["islamabad.toml", "dyad.toml", "triad.toml", "bistable.toml"])
def test_analyze_equals_cli(cli_json, scenario):
    s = esc.Scenario.load(SCENARIOS / scenario)
    assert esc.analyze(s) == cli_json("analyze", SCENARIOS / scenario)


def test_montecarlo_equals_cli(cli_json, islamabad):
    py = esc.montecarlo(islamabad, 3000, seed=11)
    assert py == cli_json("montecarlo", SCENARIOS / "islamabad.toml", "--runs", 3000, "--seed", 11, "--quiet")
    # The thread count does not change the numbers.
    assert esc.montecarlo(islamabad, 3000, seed=11, threads=1) == py


def test_linear_sweep_equals_cli(cli_json, richardson):
    py = esc.sweep(richardson, ["coupling.X.Y=0:1:7", ("coupling.Y.X", 0.0, 1.0, 5)])
    assert py == cli_json(
        "sweep", SCENARIOS / "richardson.toml", "--param", "coupling.X.Y=0:1:7",
        "--param", "coupling.Y.X=0:1:5", "--quiet",
    )
    counts = esc.sweep(richardson, {"coupling.X.Y": (0, 1, 70), "gain": (0, 2, 30)}, summary=True)
    assert counts == cli_json(
        "sweep", SCENARIOS / "richardson.toml", "--param", "coupling.X.Y=0:1:70",
        "--param", "gain=0:2:30", "--summary", "--quiet",
    )
    assert counts["points"] == 2100


def test_sampled_and_phase_sweeps_equal_cli(cli_json, islamabad):
    py = esc.sweep(islamabad, "phase.ceasefire.gain=0:1:4")
    assert py == cli_json("sweep", SCENARIOS / "islamabad.toml", "--param", "phase.ceasefire.gain=0:1:4", "--quiet")
    assert all("spectral_radius" in p for p in py)


def test_montecarlo_sweep_equals_cli(cli_json, islamabad):
    py = esc.sweep(islamabad, ("spoilers.attribution", 0, 1, 3), runs=150, seed=5)
    assert py == cli_json(
        "sweep", SCENARIOS / "islamabad.toml", "--param", "spoilers.attribution=0:1:3",
        "--runs", 150, "--seed", 5, "--quiet",
    )
    assert [p["values"] for p in py] == [[0.0], [0.5], [1.0]]


def test_with_values_equals_a_sweep_point(islamabad):
    point = esc.sweep(islamabad, "spoilers.attribution=0:1:3", runs=100)[1]
    moved = islamabad.with_values({"spoilers.attribution": 0.5})
    mc = esc.montecarlo(moved, 100)
    assert {k: v for k, v in point.items() if k != "values"} == mc


@pytest.mark.parametrize(
    "args",
    [
        dict(),
        dict(bootstrap=200, seed=4, resample="intervals"),
        dict(groups=["Entente=France+Russia", "Central=Germany+Austria-Hungary"], model="richardson", resample="intervals", bootstrap=100),
        dict(refine=False, level=0.9),
    ],
)
def test_fit_equals_cli(cli_json, args):
    flags = []
    for k, v in args.items():
        if k == "groups":
            for g in v:
                flags += ["--group", g]
        elif k == "refine":
            flags += [] if v else ["--no-refine"]
        else:
            flags += [f"--{k}", v]
    py = esc.fit(DATA, **args)
    assert py == cli_json("fit", DATA, *flags, "--quiet")
    assert esc.fit(DATA.read_text(), **args) == py


def test_shards_merge_like_the_cli(cli, cli_json, islamabad, tmp_path):
    whole = esc.montecarlo(islamabad, 900, seed=2)
    parts = [esc.montecarlo_shard(islamabad, 900, (k, 3), seed=2) for k in (1, 2, 3)]
    assert esc.merge(parts) == whole
    # The parts are the files `--shard K/N --out` writes: the CLI merges them.
    files = []
    for k, p in enumerate(parts, 1):
        f = tmp_path / f"part{k}.json"
        f.write_text(json.dumps(p))
        files.append(f)
    merged_text = cli("merge", *files, "--json")[1]
    single_text = cli("montecarlo", SCENARIOS / "islamabad.toml", "--runs", 900, "--seed", 2, "--json", "--quiet")[1]
    assert merged_text == single_text
    assert json.loads(single_text) == whole
    # And the CLI's parts merge in Python.
    cli_parts = []
    for k in (1, 2):
        f = tmp_path / f"cli{k}.json"
        cli("montecarlo", SCENARIOS / "islamabad.toml", "--runs", 900, "--seed", 2, "--shard", f"{k}/2", "--out", f, "--quiet")
        cli_parts.append(f.read_text())
    assert esc.merge(cli_parts) == whole


def test_sweep_shards_merge(cli, richardson, islamabad, tmp_path):
    grid = ["coupling.X.Y=0:1:9", "coupling.Y.X=0:1:4"]
    whole = esc.sweep(richardson, grid)
    parts = [esc.sweep_shard(richardson, grid, f"{k}/4") for k in (1, 2, 3, 4)]
    assert esc.merge(parts) == whole
    counts = esc.sweep(richardson, grid, summary=True)
    assert esc.merge([esc.sweep_shard(richardson, grid, (k, 2), summary=True) for k in (1, 2)]) == counts
    mc = esc.sweep(islamabad, "spoilers.rate=0:0.2:3", runs=60)
    assert esc.merge([esc.sweep_shard(islamabad, "spoilers.rate=0:0.2:3", (k, 2), runs=60) for k in (1, 2)]) == mc
