"""Shared fixtures: the repository, the command-line binary, scenarios."""

import json
import os
import pathlib
import subprocess

import pytest

import escalation as esc

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "examples" / "scenarios"
DATA = ROOT / "examples" / "data" / "cow_nmc_1909_1913.csv"


def _binary() -> pathlib.Path:
    """The release binary (`ESCALATION_BIN`, or built with cargo once)."""
    env = os.environ.get("ESCALATION_BIN")
    if env:
        return pathlib.Path(env)
    path = ROOT / "target" / "release" / "escalation"
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "escalation"], cwd=ROOT, check=True
        )
    return path


@pytest.fixture(scope="session")
def cli():
    """Runs the command line: `cli(args, ok=True)` → (returncode, stdout, stderr)."""
    binary = _binary()

    def run(*args, ok=True):
        p = subprocess.run(
            [str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )
        if ok:
            assert p.returncode == 0, p.stderr
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    """The parsed `--json` output of a command."""

    def run(*args):
        return json.loads(cli(*args, "--json")[1])

    return run


@pytest.fixture(scope="session")
def islamabad():
    return esc.Scenario.load(SCENARIOS / "islamabad.toml")


@pytest.fixture(scope="session")
def dyad():
    return esc.Scenario.load(SCENARIOS / "dyad.toml")


@pytest.fixture(scope="session")
def richardson():
    return esc.Scenario.load(SCENARIOS / "richardson.toml")
