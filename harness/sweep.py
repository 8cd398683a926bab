"""A sweep is data: solvers × n × k × dtype × device × problem × seed (× task parameters).

`plan` expands a sweep into points, each either runnable or skipped with the reason a solver
cannot do it (missing framework, device, dtype, k too large for the method...). Skipped points
become ``skipped`` records, so a report shows what was not measured and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

from solvers import registry
from solvers.devices import device_kind, has_device
from solvers.errors import EigbenchError
from solvers.spec import SolverSpec
from solvers.validation import check_k

from .problems import applicable
from .problems import make as make_problem


@dataclass(frozen=True)
class Point:
    """One measurement's identity. Its `key` is stable across runs: `--resume` relies on it."""

    solver: str
    n: int
    k: int | None
    dtype: str
    device: str
    problem: str
    seed: int = 0
    start: str = "cold"
    """``cold``: every call from scratch; ``warm``: solve the next matrix of a drift (A + 1e-3·‖A‖·E)
    from the state a cold solve of A left (`harness.execute.WARM_DRIFT`)."""
    depth: int | None = None
    width: int | None = None

    @property
    def key(self) -> str:
        parts = [
            self.solver,
            f"n={self.n}",
            f"k={'full' if self.k is None else self.k}",
            self.dtype,
            self.device,
            self.problem,
            f"seed={self.seed}",
            self.start,
        ]
        if self.depth is not None:
            parts.append(f"depth={self.depth}")
        if self.width is not None:
            parts.append(f"width={self.width}")
        return "|".join(parts)

    def label(self) -> str:
        k = "full" if self.k is None else f"k={self.k}"
        warm = " warm" if self.start == "warm" else ""
        return f"{self.solver} n={self.n} {k} {self.dtype} {self.device} {self.problem}{warm}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Point:
        return cls(**data)


@dataclass(frozen=True)
class Settings:
    """How each point is measured (`harness.timing.measure` arguments) and how long it may take."""

    repeat: int = 5
    warmup: int = 1
    min_sample_seconds: float = 0.005
    max_seconds: float = 10.0
    """Sampling budget per point: sampling stops early once it would be exceeded."""
    timeout: float = 300.0
    """Wall-clock limit per point (setup, compile, timing and checks); the worker is then killed."""

    def measure_kwargs(self) -> dict[str, Any]:
        return {
            "repeat": self.repeat,
            "warmup": self.warmup,
            "min_sample_seconds": self.min_sample_seconds,
            "max_seconds": self.max_seconds,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_PROBLEMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "eig": ("random_symmetric",),
        "svd": ("random_symmetric",),
        "qr": ("random_symmetric",),
        "matmul": ("random_symmetric",),
    }
)


@dataclass(frozen=True)
class Sweep:
    """What to measure. ``solvers=None`` means every registered solver."""

    name: str
    ns: tuple[int, ...]
    ks: tuple[int, ...] = (10,)
    """Top-k counts for top-k and iterative solvers (and for dense ones when `dense_top_k`)."""
    dtypes: tuple[str, ...] = ("float32", "float64")
    devices: tuple[str, ...] = ("cpu",)
    problems: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_PROBLEMS)
    """Problems per kind (eig, svd, qr, matmul)."""
    seeds: tuple[int, ...] = (0,)
    solvers: tuple[str, ...] | None = None
    dense_full: bool = True
    """Measure full-spectrum solvers on the full spectrum (k = full)."""
    dense_top_k: bool = False
    """Also measure full-spectrum solvers asked for the top k (they slice their output)."""
    warm: bool = True
    """Also measure warm-started calls of solvers that keep state."""
    depths: tuple[int | None, ...] = (None,)
    widths: tuple[int | None, ...] = (None,)
    settings: Settings = field(default_factory=Settings)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.ns or any(n < 1 for n in self.ns):
            raise ValueError(f"sweep {self.name!r}: ns must be positive sizes, got {self.ns}")
        if any(k < 1 for k in self.ks):
            raise ValueError(f"sweep {self.name!r}: ks must be positive, got {self.ks}")
        object.__setattr__(self, "problems", MappingProxyType(dict(self.problems)))

    def with_(self, **changes: Any) -> Sweep:
        return replace(self, **changes)


@dataclass(frozen=True)
class Planned:
    point: Point
    skip: str | None = None
    """Why the point is not run, or None when it is."""


def _ks_for(s: SolverSpec, sweep: Sweep) -> list[int | None]:
    if s.kind in ("qr", "matmul"):
        return [None]
    ks: list[int | None] = []
    if sweep.dense_full and not s.needs_k:
        ks.append(None)
    if s.top_k or s.needs_k or sweep.dense_top_k:
        ks.extend(sweep.ks)
    return ks


def _shape(problem: str, n: int) -> tuple[int, int]:
    return (n + n // 2, n) if problem == "rectangular" else (n, n)


def skip_reason(
    s: SolverSpec,
    point: Point,
    device_present: Callable[[str, str], bool] = has_device,
) -> str | None:
    """Why `s` cannot run `point` here, or None."""
    missing = registry.unavailable_reason(s)
    if missing:
        return missing
    kind = device_kind(point.device)
    if kind not in s.devices:
        return f"{s.name} does not run on {kind} (it runs on {', '.join(s.devices)})"
    if kind != "cpu" and not device_present(s.framework, point.device):
        return f"no {point.device} device visible to {s.framework} on this machine"
    if point.dtype not in s.dtypes:
        return f"{s.name} does not support {point.dtype} (it supports {', '.join(s.dtypes)})"
    bad_problem = applicable(s.kind, point.problem)
    if bad_problem:
        return bad_problem
    declared = s.cannot.get(point.problem) or s.cannot.get(f"{point.problem}-{point.dtype}")
    declared = declared or s.cannot.get(point.dtype)
    if declared:
        return f"{s.name} declares it cannot do this: {declared}"
    m, n = _shape(point.problem, point.n)
    try:
        check_k(s, point.k, m, n)
    except EigbenchError as exc:
        return str(exc)
    return None


def plan(
    sweep: Sweep,
    specs: Iterable[SolverSpec] | None = None,
    device_present: Callable[[str, str], bool] = has_device,
) -> list[Planned]:
    """Every point of `sweep`, ordered so that points sharing a matrix run one after another."""
    if specs is None:
        names = sweep.solvers if sweep.solvers is not None else registry.names()
        specs = [registry.spec(name) for name in names]
    out: list[Planned] = []
    for s in specs:
        starts = ["cold", "warm"] if (s.warm_start and sweep.warm) else ["cold"]
        for problem in sweep.problems.get(s.kind, ()):
            for n in sweep.ns:
                for k in _ks_for(s, sweep):
                    for dtype in sweep.dtypes:
                        for device in sweep.devices:
                            for seed in sweep.seeds:
                                for start in starts:
                                    if start == "warm" and k is None:
                                        continue  # stateful solvers keep a top-k block
                                    for depth in sweep.depths:
                                        for width in sweep.widths:
                                            p = Point(
                                                s.name,
                                                n,
                                                k,
                                                dtype,
                                                device,
                                                problem,
                                                seed,
                                                start,
                                                depth,
                                                width,
                                            )
                                            out.append(Planned(p, skip_reason(s, p, device_present)))
    out.sort(key=lambda pl: _order(pl.point))
    return out


def _order(p: Point) -> tuple:
    return (p.n, p.problem, p.seed, p.dtype, p.device, p.solver, -1 if p.k is None else p.k, p.start)


def check_problems(sweep: Sweep) -> None:
    """Fail early, naming the problem, when a sweep names a problem that does not exist."""
    for kind, names in sweep.problems.items():
        for name in names:
            try:
                make_problem(name, 4)
            except ValueError as exc:
                raise ValueError(f"sweep {sweep.name!r}, kind {kind}: {exc}") from None


# -- presets ------------------------------------------------------------------------------------

#: Eigensolvers see two spectra: a Wigner matrix (top eigenvalues nearly tied: hard for every
#: iterative method) and λ_i = 1/i (separated top: where warm starts and the amortized method pay).
EIG_TWO_SPECTRA: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {**DEFAULT_PROBLEMS, "eig": ("random_symmetric", "decaying")}
)

QUICK = Sweep(
    name="quick",
    ns=(200, 500),
    ks=(10,),
    dtypes=("float64",),
    devices=("cpu",),
    problems=EIG_TWO_SPECTRA,
    settings=Settings(repeat=3, warmup=1, min_sample_seconds=0.002, max_seconds=1.0, timeout=60.0),
    description="every solver on the CPU at small sizes: a smoke run in a few minutes",
)
DEFAULT = Sweep(
    name="default",
    ns=(500, 1000, 2000, 4000),
    ks=(10, 50),
    dtypes=("float32", "float64"),
    devices=("cpu",),
    problems=EIG_TWO_SPECTRA,
    settings=Settings(repeat=5, warmup=1, min_sample_seconds=0.005, max_seconds=20.0, timeout=600.0),
    description="every solver on the CPU up to n = 4000",
)
GPU = Sweep(
    name="gpu",
    ns=(1000, 2000, 4000, 8000),
    ks=(10, 50),
    dtypes=("float32", "float64"),
    devices=("cuda",),
    problems=EIG_TWO_SPECTRA,
    settings=Settings(repeat=7, warmup=2, min_sample_seconds=0.01, max_seconds=30.0, timeout=900.0),
    description="GPU solvers (torch, JAX) on cuda up to n = 8000",
)
PAPER = Sweep(
    name="paper",
    ns=(1000, 2000, 5000, 10000),
    ks=(10, 50, 100),
    dtypes=("float32", "float64"),
    devices=("cuda",),
    problems=EIG_TWO_SPECTRA,
    settings=Settings(repeat=7, warmup=2, min_sample_seconds=0.01, max_seconds=60.0, timeout=1800.0),
    description="the paper's sizes (n up to 10000) on a GPU",
)
PRESETS: Mapping[str, Sweep] = MappingProxyType({s.name: s for s in (QUICK, DEFAULT, GPU, PAPER)})


def preset(name: str) -> Sweep:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
