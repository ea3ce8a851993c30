"""Every error type, with the command line's message; no panic reaches Python."""

import pytest

import escalation as esc
from conftest import DATA, SCENARIOS


def cli_message(cli, *args):
    """The CLI's message for a failing command, without `error: `."""
    code, _, err = cli(*args, ok=False)
    assert code in (1, 2), err
    text = err.strip()
    assert text.startswith("error: "), text
    return code, text[len("error: "):]


def test_exception_types():
    assert issubclass(esc.InvalidInput, ValueError)
    assert issubclass(esc.NumericalError, RuntimeError)
    assert esc.InvalidInput.__module__ == "escalation"


def test_unreadable_file_is_invalid_input(cli):
    code, msg = cli_message(cli, "analyze", "no/such/file.toml")
    assert code == 2
    with pytest.raises(esc.InvalidInput) as e:
        esc.Scenario.load("no/such/file.toml")
    assert str(e.value) == msg


BAD = """
horizon = 30.0
[[actor]]
name = "A"
restraint = -0.5
[[actor]]
name = "B"
restraint = 0.4
"""


def test_invalid_value_has_the_cli_message(cli, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(BAD)
    code, msg = cli_message(cli, "analyze", f)
    assert code == 2
    with pytest.raises(esc.InvalidInput) as e:
        esc.Scenario.load(f)
    assert str(e.value) == msg
    assert "`actor[0].restraint` = -0.5: must be positive" in msg
    with pytest.raises(esc.InvalidInput, match=r"line 5, column 1: `actor\[0\].restraint` = -0.5"):
        esc.Scenario.from_toml(BAD)


def test_parse_errors(cli, tmp_path):
    f = tmp_path / "broken.toml"
    f.write_text("horizon = = 3\n")
    code, msg = cli_message(cli, "analyze", f)
    with pytest.raises(esc.InvalidInput) as e:
        esc.Scenario.load(f)
    assert str(e.value) == msg and code == 2
    with pytest.raises(esc.InvalidInput, match="cannot parse"):
        esc.Scenario.from_json('{"horizon": "x"}')
    with pytest.raises(esc.InvalidInput, match=r"`actor\[1\]\.restraint`"):
        esc.Scenario.from_dict(
            {"horizon": 10, "actor": [{"name": "A", "restraint": 0.5}, {"name": "B", "restraint": "much"}]}
        )
    with pytest.raises(esc.InvalidInput, match="unknown field"):
        esc.Scenario.build(horizon=10, actors=[{"name": "A", "restraint": 0.5}], colour="red")


def test_argument_errors_use_the_library_names(cli, islamabad):
    i = str(SCENARIOS / "islamabad.toml")
    cases = [
        (lambda: esc.montecarlo(islamabad, 0), ("montecarlo", i, "--runs", 0)),
        (lambda: esc.simulate(islamabad, dt=0), ("simulate", i, "--dt", 0)),
        (lambda: esc.montecarlo(islamabad, 10, threads=0), ("montecarlo", i, "--runs", 10, "--threads", 0)),
        (lambda: esc.sweep(islamabad, "bogus=0:1:3"), ("sweep", i, "--param", "bogus=0:1:3")),
        (lambda: esc.sweep(islamabad, "gain=0:1:0"), ("sweep", i, "--param", "gain=0:1:0")),
        (lambda: esc.sweep(islamabad, "spoilers.attribution=0:2:3"), ("sweep", i, "--param", "spoilers.attribution=0:2:3")),
    ]
    for call, args in cases:
        code, msg = cli_message(cli, *args)
        assert code == 2
        with pytest.raises(esc.InvalidInput) as e:
            call()
        # The same words; the CLI names its flags (`--runs`), Python its keywords (`runs`).
        assert str(e.value) == msg.replace("`--", "`"), (str(e.value), msg)


def test_other_invalid_inputs(islamabad, richardson):
    with pytest.raises(esc.InvalidInput, match="unknown phase"):
        islamabad.with_values({"phase.nope.gain": 0.2})
    with pytest.raises(esc.InvalidInput, match="must not be negative"):
        islamabad.with_values({"gain": -1})
    with pytest.raises(esc.InvalidInput, match="shard"):
        esc.montecarlo_shard(islamabad, 10, "3/2")
    with pytest.raises(esc.InvalidInput, match="Monte Carlo sweep"):
        esc.sweep(islamabad, "spoilers.rate=0:1:2", summary=True)
    with pytest.raises(esc.InvalidInput, match="model"):
        esc.fit(DATA, model="quadratic")
    with pytest.raises(esc.InvalidInput, match="bootstrap"):
        esc.fit(DATA, model="richardson", bootstrap=300_000_000)
    with pytest.raises(esc.InvalidInput, match="missing shards: 2/2"):
        esc.merge([esc.montecarlo_shard(islamabad, 10, (1, 2))])
    with pytest.raises(esc.InvalidInput, match="not a partial result"):
        esc.merge([{"kind": "nothing"}])
    with pytest.raises(esc.InvalidInput):
        esc.merge([esc.montecarlo_shard(islamabad, 10, (1, 2)), esc.sweep_shard(richardson, "gain=0:1:3", (2, 2))])


def test_numerical_error_has_the_cli_message(cli, richardson):
    # A spectral abscissa beyond the range of floating-point numbers.
    # (Couplings of ±1e308 alone are answered exactly at any magnitude;
    # a gain of 1e300 times a coupling of 1e308 is not.)
    code, msg = cli_message(cli, "sweep", SCENARIOS / "richardson.toml", "--param", "gain=1e300:1e300:1", "--param", "coupling.X.Y=1e308:1e308:1", "--quiet")
    assert code == 1
    with pytest.raises(esc.NumericalError) as e:
        esc.sweep(richardson, ["gain=1e300:1e300:1", "coupling.X.Y=1e308:1e308:1"])
    assert str(e.value) == msg
    assert not isinstance(e.value, ValueError)


@pytest.mark.parametrize("long", [False, True])
def test_no_panic_reaches_python(long):
    with pytest.raises(esc.NumericalError, match="internal error: a test panic"):
        esc._escalation._panic_for_test(long)
    # The interpreter and the library still work.
    assert esc.simulate(esc.Scenario.load(SCENARIOS / "dyad.toml"))["outcome"]
