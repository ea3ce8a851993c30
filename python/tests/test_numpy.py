"""Trajectories are NumPy arrays (time × actor, float64); events a list of dicts."""

import numpy as np

import escalation as esc


def test_shapes_and_dtypes(islamabad, dyad):
    for s, actors in ((islamabad, 6), (dyad, 2)):
        run = esc.simulate(s, dt=0.5)
        t, x, rung = run["t"], run["x"], run["rung"]
        assert isinstance(t, np.ndarray) and t.dtype == np.float64 and t.ndim == 1
        assert x.dtype == np.float64 and x.shape == (t.shape[0], actors)
        assert rung.dtype == np.int64 and rung.shape == x.shape
        assert len(run["actors"]) == actors == len(s.actors)
        assert np.all(np.diff(t) > 0) and t[0] == 0.0
        assert x.flags.c_contiguous and x.flags.writeable
        assert isinstance(run["events"], list)
        assert all(isinstance(e, dict) and "t" in e and "kind" in e for e in run["events"])


def test_samples_follow_dt(dyad):
    run = esc.simulate(dyad, dt=0.25)
    assert run["t"].shape == (int(dyad.horizon / 0.25) + 1,)
    np.testing.assert_allclose(run["t"][:5], [0, 0.25, 0.5, 0.75, 1.0])


def test_plain_python_types(islamabad):
    mc = esc.montecarlo(islamabad, 200)
    assert type(mc["runs"]) is int and type(mc["outcomes"]["collapsed"]) is float
    assert abs(sum(mc["outcomes"].values()) - 1) < 1e-12
    a = esc.analyze(islamabad)
    assert isinstance(a["eigenvalues"], list) and isinstance(a["verdict"], str)
