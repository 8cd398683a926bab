"""The benchmark grid: registry names crossed with sizes, dtypes and devices, and why a point cannot run.

Both suites (asv and pytest-benchmark) read the grid from here, so a solver registered through
the catalog, an entry point or `solvers.register` is benchmarked with no code of its own.
Environment variables choose the grid (asv runs every combination, so the default is modest):

- ``EIGBENCH_ASV_SIZES``   comma-separated n (default ``200,1000``)
- ``EIGBENCH_ASV_DTYPES``  default ``float32,float64``
- ``EIGBENCH_ASV_DEVICES`` default ``cpu,cuda`` (cuda points skip on a machine without a GPU)
- ``EIGBENCH_ASV_SOLVERS`` comma-separated names or globs (``numpy.*``), ``!glob`` excludes
  (``!*.amortized``); default: every registered solver
- ``EIGBENCH_ASV_K``       k for top-k solvers (default 10); full solvers compute the whole spectrum
- ``EIGBENCH_ASV_PROBLEM`` the matrix (`solvers.problems`, default ``random_symmetric``)
- ``EIGBENCH_ASV_TIMEOUT`` seconds per benchmark process (default grows with the largest n)

Nothing here imports torch or JAX: listing the grid and most skip decisions read specs only;
only a cuda point on a machine with an NVIDIA driver asks the framework for its devices.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import solvers
from harness.problems import applicable
from solvers.devices import has_device
from solvers.errors import InvalidInputError
from solvers.problems import PROBLEMS
from solvers.spec import DEVICES, DTYPES, SolverSpec
from solvers.validation import check_k

ENV_SIZES = "EIGBENCH_ASV_SIZES"
ENV_DTYPES = "EIGBENCH_ASV_DTYPES"
ENV_DEVICES = "EIGBENCH_ASV_DEVICES"
ENV_SOLVERS = "EIGBENCH_ASV_SOLVERS"
ENV_K = "EIGBENCH_ASV_K"
ENV_PROBLEM = "EIGBENCH_ASV_PROBLEM"
ENV_TIMEOUT = "EIGBENCH_ASV_TIMEOUT"

DEFAULT_SIZES: tuple[int, ...] = (200, 1000)
DEFAULT_K = 10
DEFAULT_PROBLEM = "random_symmetric"
SEED = 0
#: asv's parameter names, in the order of `params()`.
PARAM_NAMES: list[str] = ["solver", "n", "dtype", "device"]


@dataclass(frozen=True)
class Point:
    """One combination of the grid: what a single benchmark process measures."""

    solver: str
    n: int
    dtype: str
    device: str

    @property
    def id(self) -> str:
        return f"{self.solver}-n{self.n}-{self.dtype}-{self.device}"


def _items(env: Mapping[str, str], var: str) -> list[str] | None:
    raw = env.get(var, "").strip()
    if not raw:
        return None
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{var}={raw!r} lists nothing; leave it unset for the default")
    return items


def sizes(env: Mapping[str, str] = os.environ) -> tuple[int, ...]:
    """Matrix sizes n, from EIGBENCH_ASV_SIZES or the default."""
    items = _items(env, ENV_SIZES)
    if items is None:
        return DEFAULT_SIZES
    try:
        values = tuple(int(item) for item in items)
    except ValueError:
        raise ValueError(f"{ENV_SIZES}={env[ENV_SIZES]!r}: sizes must be integers, e.g. '200,1000'") from None
    if any(v < 2 for v in values):
        raise ValueError(f"{ENV_SIZES}={env[ENV_SIZES]!r}: every size must be at least 2")
    return values


def _choice(env: Mapping[str, str], var: str, known: tuple[str, ...]) -> tuple[str, ...]:
    items = _items(env, var)
    if items is None:
        return known
    unknown = [item for item in items if item not in known]
    if unknown:
        raise ValueError(f"{var}: unknown value(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return tuple(items)


def dtypes(env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    return _choice(env, ENV_DTYPES, DTYPES)


def devices(env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    return _choice(env, ENV_DEVICES, DEVICES)


def solver_names(env: Mapping[str, str] = os.environ) -> list[str]:
    """Registered solver names, narrowed by EIGBENCH_ASV_SOLVERS (globs; ``!glob`` excludes)."""
    registered = solvers.names()
    patterns = _items(env, ENV_SOLVERS)
    if patterns is None:
        return registered
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [p[1:] for p in patterns if p.startswith("!")]
    chosen: list[str] = []
    for pattern in include or ["*"]:
        matched = fnmatch.filter(registered, pattern)
        if not matched:
            raise ValueError(
                f"{ENV_SOLVERS}: {pattern!r} matches no registered solver; known: {', '.join(registered)}"
            )
        chosen += [name for name in matched if name not in chosen]
    return [name for name in chosen if not any(fnmatch.fnmatch(name, p) for p in exclude)]


def top_k(env: Mapping[str, str] = os.environ) -> int:
    raw = env.get(ENV_K, "").strip()
    if not raw:
        return DEFAULT_K
    try:
        k = int(raw)
    except ValueError:
        raise ValueError(f"{ENV_K}={raw!r} must be a positive integer") from None
    if k < 1:
        raise ValueError(f"{ENV_K}={raw!r} must be a positive integer")
    return k


def problem(env: Mapping[str, str] = os.environ) -> str:
    name = env.get(ENV_PROBLEM, "").strip() or DEFAULT_PROBLEM
    if name not in PROBLEMS:
        raise ValueError(f"{ENV_PROBLEM}={name!r} is not a problem; known: {', '.join(PROBLEMS)}")
    return name


def timeout_seconds(env: Mapping[str, str] = os.environ) -> float:
    """Seconds one benchmark process may take: 10 min, growing as n³ beyond n = 2000.

    n = 4000 float64 svd takes about 20 s a call on 2 cores, and a process makes several calls
    plus a float64 reference, so asv's default of 60 s would kill large-n points.
    """
    raw = env.get(ENV_TIMEOUT, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{ENV_TIMEOUT}={raw!r} must be a number of seconds") from None
        if value <= 0:
            raise ValueError(f"{ENV_TIMEOUT}={raw!r} must be positive")
        return value
    largest = max(sizes(env))
    return max(600.0, 600.0 * (largest / 2000.0) ** 3)


def params(env: Mapping[str, str] = os.environ) -> list[list]:
    """asv's ``params``: [solver names, sizes, dtypes, devices] (the Cartesian product runs)."""
    return [solver_names(env), list(sizes(env)), list(dtypes(env)), list(devices(env))]


def points(env: Mapping[str, str] = os.environ) -> list[Point]:
    """Every point of the grid, in asv's order (pytest-benchmark parametrises over these)."""
    names, ns, dts, devs = params(env)
    return [Point(s, n, d, dev) for s in names for n in ns for d in dts for dev in devs]


def k_for(spec: SolverSpec, env: Mapping[str, str] = os.environ) -> int | None:
    """The k a solver is asked for: top-k methods get EIGBENCH_ASV_K, full solvers the whole spectrum.

    A full solver's top k is a slice of its full output, so timing it at k would repeat the
    full-spectrum point under another name.
    """
    if spec.kind in ("qr", "matmul"):
        return None
    return top_k(env) if (spec.top_k or spec.needs_k) else None


def cuda_driver_present(root: Path = Path("/proc/driver/nvidia")) -> bool:
    """Whether an NVIDIA driver is loaded: a cheap check before asking a framework (which imports it)."""
    return root.exists() or any(
        (Path(d) / "nvidia-smi").exists() for d in os.environ.get("PATH", "").split(os.pathsep) if d
    )


def skip_reason(point: Point, env: Mapping[str, str] = os.environ) -> str | None:
    """Why `point` cannot run here, or None. Cheap checks first; a framework is imported last."""
    try:
        spec = solvers.spec(point.solver)
    except solvers.UnknownSolverError as exc:
        return str(exc)
    missing = solvers.unavailable_reason(spec)
    if missing:
        return missing
    if point.device not in spec.devices:
        return f"{spec.name} does not run on {point.device}"
    if point.dtype not in spec.dtypes:
        return f"{spec.name} does not support {point.dtype}"
    name = problem(env)
    why = applicable(spec.kind, name)
    if why:
        return why
    declared = (
        spec.cannot.get(name) or spec.cannot.get(f"{name}-{point.dtype}") or spec.cannot.get(point.dtype)
    )
    if declared:
        return f"{spec.name} declares it cannot do {name} in {point.dtype}: {declared}"
    try:
        check_k(spec, k_for(spec, env), point.n, point.n)
    except InvalidInputError as exc:
        return str(exc)
    if point.device != "cpu":
        if not cuda_driver_present():
            return "no NVIDIA driver on this machine"
        if not has_device(spec.framework, point.device):
            return f"no {point.device} device visible to {spec.framework}"
    return None
