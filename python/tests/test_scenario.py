"""Building scenarios: files, text, dicts, keyword arguments, with_values, pickling."""

import pickle

import numpy as np

import escalation as esc
from conftest import SCENARIOS


def same_run(a, b):
    ra, rb = esc.simulate(a), esc.simulate(b)
    return np.array_equal(ra["x"], rb["x"]) and ra["events"] == rb["events"]


def test_every_way_to_build_gives_the_same_model(islamabad):
    text = (SCENARIOS / "islamabad.toml").read_text()
    d = islamabad.to_dict()
    built = esc.Scenario.build(**{("actors" if k == "actor" else k): v for k, v in d.items()})
    for other in (esc.Scenario.from_toml(text), esc.Scenario.from_dict(d), built, esc.Scenario.from_toml(islamabad.to_toml())):
        assert other.fingerprint == islamabad.fingerprint
        assert same_run(other, islamabad)


def test_build_from_keywords():
    s = esc.Scenario.build(
        name="two rivals",
        horizon=60,
        seed=7,
        actors=[
            {"name": "US", "restraint": 0.5, "grievance": 0.15, "initial": 2.5},
            {"name": "Iran", "restraint": 0.4, "grievance": 0.2, "initial": 2.5},
        ],
        coupling={"US": {"Iran": 0.3}, "Iran": {"US": 0.35}},
        controller={"period": 1.0, "lag": 1},
        phases=[{"name": "ceasefire", "start": 0, "end": 14, "gain": 0.3, "parties": ["US", "Iran"]}],
    )
    assert s.actors == ["US", "Iran"] and s.phases == ["ceasefire"] and s.horizon == 60.0
    assert esc.simulate(s)["outcome"] in {"exploded", "collapsed", "extended", "expired", "none"}


def test_with_values(islamabad):
    assert islamabad.value("phase.ceasefire.gain") is not None
    moved = islamabad.with_values({"phase.ceasefire.gain": 0.2, "spoilers.attribution": 0.9})
    assert moved.value("phase.ceasefire.gain") == 0.2
    assert moved.value("spoilers.attribution") == 0.9
    assert islamabad.value("spoilers.attribution") != 0.9  # the original is unchanged
    assert moved.values == [("phase.ceasefire.gain", 0.2), ("spoilers.attribution", 0.9)]
    assert moved.fingerprint != islamabad.fingerprint
    assert "phase.ceasefire.gain=0.2" in repr(moved)
    assert islamabad.with_values([("gain", 1.0)]).fingerprint == islamabad.fingerprint
    assert set(esc.SWEEP_PATHS) >= {"gain", "phase.NAME.gain", "spoilers.attribution"}


def test_pickle_keeps_the_values(islamabad):
    moved = islamabad.with_values({"phase.ceasefire.gain": 0.45})
    back = pickle.loads(pickle.dumps(moved))
    assert back.fingerprint == moved.fingerprint and back.values == moved.values
    assert esc.montecarlo(back, 300) == esc.montecarlo(moved, 300)
