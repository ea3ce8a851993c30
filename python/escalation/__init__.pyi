"""Type stubs of the escalation package (see the module's docstrings)."""

import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str
SWEEP_PATHS: List[str]

class InvalidInput(ValueError):
    """The input is at fault: a scenario value, a file, data or an argument."""

class NumericalError(RuntimeError):
    """The input was valid but the computation failed (or an internal error)."""

class Scenario:
    """A compiled scenario (immutable; picklable)."""

    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Scenario: ...
    @staticmethod
    def from_toml(text: str) -> Scenario: ...
    @staticmethod
    def from_json(text: str) -> Scenario: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Scenario: ...
    @staticmethod
    def build(**kwargs: Any) -> Scenario: ...
    def with_values(self, values: Union[Mapping[str, float], Iterable[Tuple[str, float]]]) -> Scenario: ...
    def value(self, path: str) -> Optional[float]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_toml(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def actors(self) -> List[str]: ...
    @property
    def phases(self) -> List[str]: ...
    @property
    def horizon(self) -> float: ...
    @property
    def seed(self) -> int: ...
    @property
    def values(self) -> List[Tuple[str, float]]: ...
    @property
    def fingerprint(self) -> str: ...

Outcome = Literal["exploded", "collapsed", "extended", "expired", "none"]

class Run(TypedDict):
    t: npt.NDArray[np.float64]
    x: npt.NDArray[np.float64]
    rung: npt.NDArray[np.int64]
    actors: List[str]
    events: List[Dict[str, Any]]
    outcome: Outcome
    explosion_time: Optional[float]
    verification_passed: Optional[bool]

class Ensemble(TypedDict):
    runs: int
    seed: int
    outcomes: Dict[str, float]
    intervals: Dict[str, List[float]]
    counts: Dict[str, int]
    verification_passed: Optional[float]
    explosion_time: Optional[Dict[str, float]]

class SweepCounts(TypedDict):
    points: int
    stable: int
    marginal: int
    explosive: int

Shard = Union[str, Tuple[int, int]]
Axis = Union[str, Tuple[str, float, float, int]]
Params = Union[Axis, Sequence[Axis], Mapping[str, Tuple[float, float, int]]]

def simulate(scenario: Scenario, *, seed: Optional[int] = ..., dt: float = ...) -> Run: ...
def analyze(scenario: Scenario) -> Dict[str, Any]: ...
def montecarlo(scenario: Scenario, runs: int, *, seed: Optional[int] = ..., threads: Optional[int] = ...) -> Ensemble: ...
def montecarlo_shard(
    scenario: Scenario, runs: int, shard: Shard, *, seed: Optional[int] = ..., threads: Optional[int] = ...
) -> Dict[str, Any]: ...
def sweep(
    scenario: Scenario,
    params: Params,
    *,
    summary: bool = ...,
    runs: int = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
) -> Union[List[Dict[str, Any]], SweepCounts]: ...
def sweep_shard(
    scenario: Scenario,
    params: Params,
    shard: Shard,
    *,
    summary: bool = ...,
    runs: int = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
) -> Dict[str, Any]: ...
def fit(
    data: Union[str, os.PathLike[str]],
    *,
    groups: Optional[Iterable[str]] = ...,
    model: Literal["pooled", "richardson"] = ...,
    bootstrap: Optional[int] = ...,
    seed: int = ...,
    level: float = ...,
    resample: Literal["residuals", "intervals"] = ...,
    refine: bool = ...,
) -> Dict[str, Any]: ...
def merge(parts: Iterable[Union[Dict[str, Any], str]]) -> Union[Ensemble, SweepCounts, List[Dict[str, Any]]]: ...

Ranges = Union[Sequence[str], Mapping[str, Tuple[float, float]]]

def compare(
    scenario: Scenario,
    runs: int,
    *,
    set: Optional[Mapping[str, float]] = ...,
    against: Optional[Mapping[str, float]] = ...,
    treatment: Optional[Scenario] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
) -> Dict[str, Any]: ...
def sensitivity(
    scenario: Scenario,
    params: Ranges,
    outputs: Union[str, Sequence[str]],
    *,
    method: str = ...,
    samples: int = ...,
    runs: int = ...,
    levels: int = ...,
    resamples: int = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
) -> Dict[str, Any]: ...
def discover(
    scenario: Scenario,
    params: Ranges,
    target: Union[str, Sequence[str]],
    *,
    cases: int = ...,
    seed: Optional[int] = ...,
    alpha: float = ...,
    min_coverage: float = ...,
    threads: Optional[int] = ...,
) -> Dict[str, Any]: ...
