"""One grid point made ready to measure: the matrix built, the solver loaded, the operand on its device.

Suites call `build` in their setup (untimed); an unsupported point raises NotImplementedError,
which asv reports as skipped and the pytest suite turns into a skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import solvers
from harness import metrics
from solvers import problems
from solvers.base import Prepared, Result, Solver
from solvers.spec import SolverSpec

from .grid import SEED, Point, k_for, problem, skip_reason


@dataclass
class Bench:
    """A loaded solver with its operand prepared on the device (nothing here is timed)."""

    point: Point
    spec: SolverSpec
    solver: Solver
    matrix: np.ndarray
    """The host matrix in the point's dtype: what accuracy is measured against."""
    prepared: Prepared
    problem: str

    @property
    def k(self) -> int | None:
        return self.prepared.k

    def compile(self) -> float:
        """The solver's one-off compile for this operand, in seconds (0 when it has none)."""
        return float(self.solver.compile(self.prepared))

    def bind(self) -> Callable[[], Any]:
        """The timed call: computes and syncs the device before returning (`Solver.call`)."""
        return self.solver.bind(self.prepared)

    def result(self, raw: Any) -> Result:
        return self.solver.to_result(raw, self.prepared)

    def accuracy(self, raw: Any) -> dict[str, float]:
        """Value error, residual and orthogonality of one raw output against float64 (untimed)."""
        evaluation = metrics.evaluate(
            self.spec, self.matrix, self.result(raw), metrics.reference_for(self.spec.kind, self.matrix)
        )
        if evaluation.nonfinite is not None:
            return {name: float("nan") for name in evaluation.bounds}
        return dict(evaluation.accuracy)

    def describe(self) -> dict[str, Any]:
        """What was measured, for pytest-benchmark's extra_info and reports."""
        return {
            "solver": self.spec.name,
            "framework": self.spec.framework,
            "kind": self.spec.kind,
            "n": self.point.n,
            "k": self.k,
            "dtype": self.point.dtype,
            "device": self.point.device,
            "problem": self.problem,
            "seed": SEED,
        }


def build(point: Point, env: Mapping[str, str] = os.environ) -> Bench:
    """Everything untimed before the first call; NotImplementedError names why a point cannot run."""
    reason = skip_reason(point, env)
    if reason is not None:
        raise NotImplementedError(reason)
    spec = solvers.spec(point.solver)
    name = problem(env)
    matrix = problems.make(name, point.n, seed=SEED).astype(point.dtype)
    solver = solvers.load(spec)
    prepared = solver.prepare(matrix, k_for(spec, env), device=point.device, dtype=point.dtype)
    return Bench(point, spec, solver, matrix, prepared, name)


def matmul_for(spec: SolverSpec, device: str) -> str:
    """The yardstick for `spec`: its own framework's matmul, else NumPy's for a host-only framework.

    scipy has no matmul of its own: its arrays are NumPy's, so NumPy's ``@`` is its yardstick.
    A framework on a GPU without a registered matmul has none (NotImplementedError).
    """
    own = f"{spec.framework}.matmul"
    registered = solvers.names(kind="matmul")
    if own in registered:
        return own
    if device == "cpu" and "numpy.matmul" in registered:
        return "numpy.matmul"
    raise NotImplementedError(f"no {own} registered to measure {spec.name} against on {device}")
