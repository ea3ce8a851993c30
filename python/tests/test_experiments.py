"""compare, sensitivity and discover return what the command line prints with --json."""

import pytest

import escalation as esc
from conftest import SCENARIOS

ISLAMABAD = SCENARIOS / "islamabad.toml"


def test_compare_equals_cli(cli_json, islamabad):
    py = esc.compare(islamabad, 60, set={"hotline.attribution": 0.7}, seed=3)
    cli = cli_json("compare", ISLAMABAD, "--set", "hotline.attribution=0.7", "--runs", 60, "--seed", 3, "--quiet")
    assert py == cli
    assert py["difference"]["held"]["interval"][0] <= py["difference"]["held"]["estimate"]


def test_identical_arms_have_no_discordant_pairs(islamabad):
    r = esc.compare(islamabad, 40, set={"incidents.rate": 0.03})
    assert all(v == [0, 0] for v in r["discordant"].values())
    assert r["cost_difference"]["estimate"] == 0.0


def test_sensitivity_equals_cli(cli_json, islamabad):
    params = {"coupling.Iran.US": (0.25, 0.45), "phase.ceasefire.gain": (0.6, 0.9)}
    py = esc.sensitivity(islamabad, params, "critical_gain,p_exploded", method="morris", samples=4, runs=5, resamples=50)
    cli = cli_json(
        "sensitivity", ISLAMABAD,
        "--param", "coupling.Iran.US=0.25:0.45", "--param", "phase.ceasefire.gain=0.6:0.9",
        "--method", "morris", "--samples", 4, "--runs", 5, "--resamples", 50,
        "--output", "critical_gain,p_exploded", "--quiet",
    )
    assert py == cli
    assert py["indices"]["critical_gain"]["coupling.Iran.US"]["mu_star"] > 0


def test_discover_equals_cli(cli_json, islamabad):
    params = ["actor.Iran.restraint=0.25:0.6", "spoilers.attribution=0.3:0.9"]
    py = esc.discover(islamabad, params, "exploded", cases=200)
    cli = cli_json(
        "discover", ISLAMABAD, "--param", params[0], "--param", params[1],
        "--target", "exploded", "--cases", 200, "--quiet",
    )
    assert py == cli
    assert py["coverage"] >= 0.8


def test_bad_arguments_raise_invalid_input(islamabad):
    with pytest.raises(esc.InvalidInput, match="power of two"):
        esc.sensitivity(islamabad, {"gain": (0.5, 1.0)}, "critical_gain", samples=6)
    with pytest.raises(esc.InvalidInput, match="set"):
        esc.compare(islamabad, 10)
    with pytest.raises(esc.InvalidInput, match="unknown outcome"):
        esc.discover(islamabad, {"gain": (0.5, 1.0)}, "peace", cases=50)
