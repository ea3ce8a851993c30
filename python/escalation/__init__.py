"""Escalation and de-escalation between rival actors as a feedback loop.

The Python face of the Rust crate ``escalation``: Richardson dynamics,
discrete controllers, ceasefire scenarios, stability analysis, Monte Carlo
ensembles, sweeps and fits. It wraps the library itself (no subprocess):
every function returns the structure the command line prints with
``--json``, as plain dicts and lists, except that a trajectory's samples
are NumPy arrays (time x actor).

    >>> import escalation as esc
    >>> s = esc.Scenario.load("examples/scenarios/islamabad.toml")
    >>> run = esc.simulate(s)
    >>> run["x"].shape                       # (samples, actors)
    >>> esc.montecarlo(s, runs=10_000)["outcomes"]["collapsed"]

Errors are :class:`InvalidInput` (a ``ValueError``: the scenario, a file,
data or an argument is wrong) or :class:`NumericalError` (a
``RuntimeError``: the input was valid but the computation failed), with the
message the command line prints after ``error:``. Messages use the
library's argument names (``runs``, ``seed``, ``threads``, ``dt``, ``param
PATH`` for a sweep axis), where the command line shows its flags
(``--runs``, ``--param PATH``).

The library releases the GIL while it works; :func:`montecarlo` and
:func:`sweep` stop within a fraction of a second on Ctrl-C
(``KeyboardInterrupt``).
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _escalation as _native
from ._escalation import InvalidInput, NumericalError, Scenario

__version__: str = _native.__version__

__all__ = [
    "InvalidInput",
    "NumericalError",
    "Scenario",
    "analyze",
    "compare",
    "discover",
    "fit",
    "merge",
    "montecarlo",
    "montecarlo_shard",
    "sensitivity",
    "simulate",
    "sweep",
    "sweep_shard",
    "SWEEP_PATHS",
]

#: The parameter paths :meth:`Scenario.with_values` and :func:`sweep` accept.
SWEEP_PATHS: List[str] = list(_native.sweep_paths())

_F8 = np.dtype("<f8")
_I8 = np.dtype("<i8")

Shard = Union[str, Tuple[int, int]]
Axis = Union[str, Tuple[str, float, float, int]]


def simulate(scenario: Scenario, *, seed: Optional[int] = None, dt: float = 0.1) -> Dict[str, Any]:
    """Simulates one run (``escalation simulate SCENARIO --json``).

    Args:
        scenario: the scenario.
        seed: seed of the random stream (default: the scenario's ``seed``).
        dt: sample interval, days: samples at every multiple of ``dt`` and
            at the end.

    Returns:
        A dict with the CLI's keys: ``t`` (float64 array of the sample
        times, days, shape ``(T,)``), ``x`` (float64 array of intensities,
        shape ``(T, actors)``: column ``i`` is actor ``actors[i]``, where
        the CLI prints a series per actor), ``rung`` (int64 array, the same
        shape), ``actors`` (names, the column order), ``events`` (list of
        dicts: ``t``, ``kind`` and the event's details), ``outcome``
        (``"exploded"``, ``"collapsed"``, ``"extended"``, ``"expired"`` or
        ``"none"``), ``explosion_time`` (days, or ``None``) and
        ``verification_passed`` (``None`` without verification windows).
    """
    t, x, rung, n, actors, events, outcome, explosion, verified = _native.simulate_raw(
        scenario, seed, dt
    )
    times = np.frombuffer(t, dtype=_F8).astype(np.float64, copy=False)
    samples = times.shape[0]
    return {
        "t": times,
        "x": np.frombuffer(x, dtype=_F8).astype(np.float64, copy=False).reshape(samples, n),
        "rung": np.frombuffer(rung, dtype=_I8).astype(np.int64, copy=False).reshape(samples, n),
        "actors": actors,
        "events": events,
        "outcome": outcome,
        "explosion_time": explosion,
        "verification_passed": verified,
    }


def analyze(scenario: Scenario) -> Dict[str, Any]:
    """Linear stability analysis at the baseline gain (``escalation analyze --json``).

    Returns:
        The CLI's dict: equilibrium, ``negative_peace``, eigenvalues
        (``[re, im]`` pairs, 1/day), ``verdict``, ``spectral_abscissa``,
        ``doubling_time``, ``critical_gain``, ``gain_margin``, the actors
        driving the leading mode, the sampled-data loop (``sampled``), and
        notes.
    """
    return _native.analyze_json(scenario)


def _shard(shard: Shard) -> Tuple[int, int]:
    """``"K/N"`` or ``(K, N)``, 1-based as on the command line, to 0-based."""
    text = shard if isinstance(shard, str) else "/".join(str(v) for v in shard)
    try:
        if isinstance(shard, str):
            k_s, n_s = shard.split("/")
            k, n = int(k_s), int(n_s)
        else:
            k, n = (int(v) for v in shard)
    except (ValueError, TypeError):
        raise InvalidInput(f"invalid input: `shard` = {text}: expected K/N, e.g. 3/10") from None
    if n < 1 or k < 1 or k > n:
        raise InvalidInput(f"invalid input: `shard` = {text}: need 1 ≤ K ≤ N")
    return (k - 1, n)


def montecarlo(
    scenario: Scenario,
    runs: int,
    *,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """A seeded ensemble of ``runs`` runs (``escalation montecarlo --runs N --json``).

    Run ``r`` draws from random stream ``r`` of the seed, so the result does
    not depend on ``threads`` (default: all cores).

    Returns:
        The CLI's dict: ``runs``, ``seed``, ``outcomes`` (outcome ->
        fraction), ``intervals`` (outcome -> Wilson 95% ``[lo, hi]``),
        ``counts``, ``verification_passed`` and ``explosion_time``
        (quantiles ``p05`` ... ``p95``, days, or ``None``).
    """
    return _native.montecarlo_json(scenario, runs, seed, threads, None)


def montecarlo_shard(
    scenario: Scenario,
    runs: int,
    shard: Shard,
    *,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Shard ``K/N`` of an ensemble: runs ``r`` with ``r % N == K - 1``.

    Returns:
        The partial result ``escalation montecarlo --shard K/N --out FILE``
        writes (JSON-serializable; ``escalation merge`` reads it from a
        file). Combine all ``N`` with :func:`merge`: the result equals
        :func:`montecarlo` exactly.
    """
    return _native.montecarlo_json(scenario, runs, seed, threads, _shard(shard))


def _specs(params: Union[Axis, Sequence[Axis], Mapping[str, Tuple[float, float, int]]]) -> List[str]:
    """Grid axes as ``PATH=START:STOP:COUNT`` (floats written so they read back exactly)."""

    def one(path: str, start: float, stop: float, count: int) -> str:
        return f"{path}={float(start)!r}:{float(stop)!r}:{int(count)}"

    if isinstance(params, str):
        return [params]
    if isinstance(params, Mapping):
        return [one(p, *v) for p, v in params.items()]
    if isinstance(params, tuple) and len(params) == 4 and isinstance(params[0], str) and not isinstance(params[1], str):
        return [one(*params)]
    out = []
    for a in params:
        out.append(a if isinstance(a, str) else one(*a))
    return out


def sweep(
    scenario: Scenario,
    params: Union[Axis, Sequence[Axis], Mapping[str, Tuple[float, float, int]]],
    *,
    summary: bool = False,
    runs: int = 200,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Union[List[Dict[str, Any]], Dict[str, int]]:
    """A grid over one or two parameters (``escalation sweep --param ... --json``).

    Args:
        params: one or two axes, each ``"PATH=START:STOP:COUNT"`` or
            ``(PATH, START, STOP, COUNT)``, or a dict ``{PATH: (START, STOP,
            COUNT)}``: ``COUNT`` evenly spaced values, ends included. The
            paths are :data:`SWEEP_PATHS`.
        summary: only count the verdicts (a linear sweep).
        runs: runs per point of a Monte Carlo sweep (a spoiler parameter on
            an axis), all points with the same seed.

    Returns:
        A linear sweep: a list of dicts (``index``, ``values``,
        ``spectral_abscissa``, ``verdict``, and ``spectral_radius`` with a
        controller); with ``summary``: ``{"points", "stable", "marginal",
        "explosive"}``. A Monte Carlo sweep: a list with, per point, the
        :func:`montecarlo` dict and the point's ``values``.
    """
    return _native.sweep_json(scenario, _specs(params), summary, runs, seed, threads, None)


def sweep_shard(
    scenario: Scenario,
    params: Union[Axis, Sequence[Axis], Mapping[str, Tuple[float, float, int]]],
    shard: Shard,
    *,
    summary: bool = False,
    runs: int = 200,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Shard ``K/N`` of a sweep (grid points ``p`` with ``p % N == K - 1``).

    Returns:
        The partial result ``escalation sweep --shard K/N --out FILE``
        writes; combine all ``N`` with :func:`merge`.
    """
    return _native.sweep_json(
        scenario, _specs(params), summary, runs, seed, threads, _shard(shard)
    )


def fit(
    data: Union[str, "os.PathLike[str]"],
    *,
    groups: Optional[Iterable[str]] = None,
    model: str = "pooled",
    bootstrap: Optional[int] = None,
    seed: int = 0,
    level: float = 0.95,
    resample: str = "residuals",
    refine: bool = True,
) -> Dict[str, Any]:
    """Richardson's method on yearly series (``escalation fit DATA --json``).

    Args:
        data: a CSV file (a ``year`` column, then one column per series;
            ``#`` lines are comments), or the CSV text itself (a string
            with a line break).
        groups: ``"NAME=COL+COL"`` per group (default: every column).
        model: ``"pooled"`` (the sum of the groups) or ``"richardson"``
            (one equation per group).
        bootstrap: resamples for the intervals (default 1000, fewer for
            long series, with a note); 0 for none.
        seed, level, resample: the bootstrap's seed, coverage and what it
            resamples (``"residuals"`` or ``"intervals"``).
        refine: the trajectory-matching refinement.

    Returns:
        The CLI's dict, with ``notes``.
    """
    text = isinstance(data, str) and "\n" in data
    path = data if text else os.fspath(data)
    return _native.fit_json(
        path,
        text,
        None if groups is None else list(groups),
        model,
        bootstrap,
        seed,
        level,
        resample,
        refine,
    )


# compare / sensitivity / discover: added here, each returning its command's
# --json, when the library has them (see the note in python/src/lib.rs).


def merge(parts: Iterable[Union[Dict[str, Any], str]]) -> Union[Dict[str, Any], List[Dict[str, Any]]]:
    """Combines the shards of one piece of work exactly (``escalation merge --json``).

    Args:
        parts: partial results of :func:`montecarlo_shard` or
            :func:`sweep_shard` (dicts), or their JSON text (the files the
            command line writes with ``--shard K/N --out``).

    Returns:
        What the unsharded :func:`montecarlo` or :func:`sweep` returns.

    Raises:
        InvalidInput: a shard missing or given twice (saying which), parts
            of different work, or numbers that do not add up.
    """
    import json

    loaded = [json.loads(p) if isinstance(p, (str, bytes)) else p for p in parts]
    return _native.merge_json(loaded)


Ranges = Union[Sequence[str], Mapping[str, Tuple[float, float]]]


def _ranges(params: Ranges) -> List[str]:
    """``{"PATH": (LO, HI)}`` or ``["PATH=LO:HI", ...]`` as ``PATH=LO:HI`` specs."""
    if isinstance(params, Mapping):
        return [f"{path}={float(lo)!r}:{float(hi)!r}" for path, (lo, hi) in params.items()]
    if isinstance(params, str):
        return [params]
    return [str(p) for p in params]


def _names(values: Union[str, Sequence[str]]) -> List[str]:
    if isinstance(values, str):
        return [v.strip() for v in values.split(",")]
    return [str(v) for v in values]


def compare(
    scenario: Scenario,
    runs: int,
    *,
    set: Optional[Mapping[str, float]] = None,
    against: Optional[Mapping[str, float]] = None,
    treatment: Optional[Scenario] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Two arms on common random numbers (``escalation compare --json``).

    The treatment is ``scenario`` with ``set`` applied (or the scenario
    ``treatment``), the control ``scenario`` with ``against`` applied. Run
    ``r`` of both arms draws from the same streams.

    Returns:
        The CLI's dict: ``runs``, ``seed``, ``arms`` (``name``,
        ``outcomes``, ``intervals``, ``counts``, ``mean_cost``), and per
        outcome ``difference`` (``estimate``, ``interval``), ``discordant``
        (``[b, c]``), ``p_value`` (exact McNemar), ``variance_ratio``;
        ``cost_difference``.
    """
    control = scenario.with_values(dict(against)) if against else scenario
    if treatment is not None:
        if set:
            raise InvalidInput("invalid input: `set`: give `set` or `treatment`, not both")
        treated = treatment
    elif set:
        treated = scenario.with_values(dict(set))
    else:
        raise InvalidInput("invalid input: `set`: give the treatment with `set` or `treatment`")
    return _native.compare_json(control, treated, runs, seed, threads, None)


def sensitivity(
    scenario: Scenario,
    params: Ranges,
    outputs: Union[str, Sequence[str]],
    *,
    method: str = "sobol",
    samples: int = 512,
    runs: int = 100,
    levels: int = 4,
    resamples: int = 1000,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Sobol' or Morris indices over parameter ranges (``escalation sensitivity --json``).

    ``params``: ``{"PATH": (LO, HI)}`` or ``["PATH=LO:HI", ...]``;
    ``outputs``: names such as ``"critical_gain"``, ``"p_collapsed"``,
    ``"mean_cost"``. Run outputs use ``runs`` runs per sample on common
    random numbers.

    Returns:
        The CLI's dict: ``method``, ``samples``, ``rows``, ``params``,
        ``indices`` (output -> path -> ``first``, ``first_interval``,
        ``total``, ``total_interval`` or ``mu_star``, ``sigma``, ...),
        ``constant``.
    """
    return _native.sensitivity_json(
        scenario, _ranges(params), _names(outputs), method, samples, runs, levels, resamples, seed, threads
    )


def discover(
    scenario: Scenario,
    params: Ranges,
    target: Union[str, Sequence[str]],
    *,
    cases: int = 1000,
    seed: Optional[int] = None,
    alpha: float = 0.05,
    min_coverage: float = 0.8,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """PRIM scenario discovery (``escalation discover --json``).

    ``cases`` Latin-hypercube cases over ``params`` (one run each), of
    interest when the outcome is in ``target`` (e.g. ``"collapsed,exploded"``).

    Returns:
        The CLI's dict: ``trajectory``, ``box``, ``chosen``, ``coverage``,
        ``density``, ``mass``, ``cases``, ``of_interest``, ``ranges``.
    """
    return _native.discover_json(
        scenario, _ranges(params), _names(target), cases, seed, alpha, min_coverage, threads
    )
