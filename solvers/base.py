"""The one interface every solver implements, in the phases that timing keeps apart.

1. ``prepare`` checks the input and puts the operand on the device (not timed).
2. ``compile`` does one-off work such as JAX's AOT compile and returns its seconds (timed apart).
3. ``call`` is the work itself, *including the device sync* (this is what gets timed).
4. ``to_result`` converts the raw output to NumPy for checking (not timed).

A stateful solver (warm start) takes ``state`` in ``call`` and returns the next one inside its
raw output; ``to_result`` exposes it as ``Result.state`` to pass to the next call.
"""

from __future__ import annotations

import functools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .devices import device_kind, has_device, normalize_device
from .errors import DeviceError, InvalidInputError, UnknownOptionError
from .spec import SolverSpec
from .validation import check_input

#: Options every solver of a kind takes, with their defaults.
COMMON_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "eig": {"symmetrize": False, "symmetry_tol": None},
    "svd": {},
    "qr": {},
    "matmul": {},
}

#: Options every iterative solver takes: a starting block, a tolerance, an iteration limit.
ITERATIVE_OPTIONS: Mapping[str, Any] = {"x0": None, "tol": None, "maxiter": None, "seed": 0}


def accepted_options(spec: SolverSpec) -> dict[str, Any]:
    """Option names (with defaults) that `spec`'s solver takes."""
    options = dict(COMMON_OPTIONS.get(spec.kind, {}))
    if spec.iterative:
        options.update(ITERATIVE_OPTIONS)
    options.update(spec.options)
    return options


@dataclass
class Prepared:
    """An operand on its device, with what the call needs to know about it."""

    operand: Any
    shape: tuple[int, int]
    k: int | None
    device: str
    dtype: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def top_k(self) -> int:
        """k for solvers that need one; validation has already refused a missing k for them."""
        if self.k is None:
            raise InvalidInputError("this solver needs k (the number of top eigenpairs)")
        return self.k


@dataclass
class Result:
    """A solver's output as NumPy arrays, plus convergence information."""

    kind: str
    values: np.ndarray | None = None
    vectors: np.ndarray | None = None
    u: np.ndarray | None = None
    s: np.ndarray | None = None
    vt: np.ndarray | None = None
    q: np.ndarray | None = None
    r: np.ndarray | None = None
    product: np.ndarray | None = None
    state: Any = None
    steps: int | None = None
    converged: bool | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("values", "vectors", "u", "s", "vt", "q", "r", "product")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}


class Solver(ABC):
    """Base of every adapter. Subclasses implement `to_device`, `call` and `to_result`."""

    def __init__(self, spec: SolverSpec, **options: Any) -> None:
        accepted = accepted_options(spec)
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            takes = ", ".join(sorted(accepted)) or "no options"
            raise UnknownOptionError(
                f"solver {spec.name} does not take option(s) {', '.join(unknown)}; it takes: {takes}"
            )
        self.spec = spec
        self.options: dict[str, Any] = {**accepted, **options}
        self.check_options()

    def check_options(self) -> None:
        """Validate option values (override to add checks); raise naming the bad option."""

    # -- phase 1: not timed -------------------------------------------------------------
    def prepare(self, a: Any, k: int | None = None, *, device: str = "cpu", dtype: Any = None) -> Prepared:
        device = self.check_device(device)
        checked = check_input(
            self.spec,
            a,
            k,
            dtype,
            symmetrize=bool(self.options.get("symmetrize", False)),
            symmetry_tol=self.options.get("symmetry_tol"),
        )
        operand = self.to_device(checked.array, device)
        prepared = Prepared(operand, checked.array.shape, checked.k, device, checked.dtype)
        self.setup(prepared)
        return prepared

    def check_device(self, device: str) -> str:
        device = normalize_device(device)
        if device_kind(device) not in self.spec.devices:
            raise DeviceError(
                f"solver {self.spec.name} does not run on {device}; it runs on {', '.join(self.spec.devices)}"
            )
        if not has_device(self.spec.framework, device):
            raise DeviceError(f"device {device} is not present on this machine for {self.spec.framework}")
        return device

    @abstractmethod
    def to_device(self, array: np.ndarray, device: str) -> Any:
        """Put a checked NumPy copy on the device in the framework's own array type."""

    def setup(self, prepared: Prepared) -> None:
        """One-off, untimed work per operand (e.g. build a jitted function); stores in extra."""

    # -- phase 2: compile, timed apart -----------------------------------------------------
    def compile(self, prepared: Prepared, state: Any = None) -> float:
        """Do the one-off compile for this operand and return its seconds (0 when none)."""
        return 0.0

    # -- phase 3: timed ---------------------------------------------------------------------
    @abstractmethod
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        """Compute, then sync the device before returning. Return the raw framework output."""

    def bind(self, prepared: Prepared, state: Any = None) -> Callable[[], Any]:
        """A zero-argument callable for the timing loop (adapters may return a tighter one)."""
        return functools.partial(self.call, prepared, state)

    # -- phase 4: not timed ------------------------------------------------------------------
    @abstractmethod
    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        """Convert the raw output to NumPy, in the order and shape `Result` promises."""

    # -- convenience -------------------------------------------------------------------------
    def solve(
        self, a: Any, k: int | None = None, *, device: str = "cpu", dtype: Any = None, state: Any = None
    ) -> Result:
        prepared = self.prepare(a, k, device=device, dtype=dtype)
        start = time.perf_counter()
        raw = self.call(prepared, state)
        elapsed = time.perf_counter() - start
        result = self.to_result(raw, prepared)
        result.info.setdefault("seconds", elapsed)
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.name}>"


def top_k_descending(values: np.ndarray, vectors: np.ndarray | None, k: int | None):
    """Ascending full-spectrum output (LAPACK's order) -> the top k, descending."""
    order = slice(None, None, -1)
    values = values[order]
    vectors = None if vectors is None else vectors[:, order]
    if k is not None:
        values = values[:k]
        vectors = None if vectors is None else vectors[:, :k]
    return np.ascontiguousarray(values), (None if vectors is None else np.ascontiguousarray(vectors))
