"""The shared checks every solver must pass, whoever wrote it.

`cases(spec)` lists what is checked; `run_case` checks one case and raises ConformanceError
naming the failed check; `check_solver` runs them all. The test suite parametrises over every
registered solver (entry-point ones included) with no per-solver test code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import accuracy, problems
from .errors import ConformanceError
from .registry import load
from .registry import spec as spec_of
from .spec import SolverSpec

#: Problem size for the suite: small enough to run every solver quickly, large enough that
#: every iterative method's size limit (JAX lobpcg: n > 5k) holds for the top-k cases.
N = 48
TOP_K = 4

EIG_PROBLEMS = ("random_symmetric", "random_psd", "laplacian", "clustered")
SVD_PROBLEMS = ("random_symmetric", "random_psd", "laplacian", "clustered", "rectangular")
QR_PROBLEMS = ("random_symmetric", "rectangular")
MATMUL_PROBLEMS = ("random_symmetric",)
PROBLEMS_BY_KIND = {"eig": EIG_PROBLEMS, "svd": SVD_PROBLEMS, "qr": QR_PROBLEMS, "matmul": MATMUL_PROBLEMS}


@dataclass(frozen=True)
class Case:
    problem: str
    dtype: str
    k: int | None
    warm: bool = False
    """Call twice, passing the first call's state to the second (stateful solvers)."""

    @property
    def id(self) -> str:
        k = "full" if self.k is None else f"k{self.k}"
        return f"{self.problem}-{self.dtype}-{k}" + ("-warm" if self.warm else "")


def cases(s: SolverSpec) -> list[Case]:
    """Every case the suite runs for `s` (skips are decided by `skip_reason`)."""
    ks: list[int | None]
    if s.kind in ("qr", "matmul"):
        ks = [None]
    elif s.needs_k:
        ks = [TOP_K]
    else:
        ks = [None, TOP_K]
    out = [Case(p, d, k) for p in PROBLEMS_BY_KIND[s.kind] for d in s.dtypes for k in ks]
    if s.warm_start:
        out += [Case(p, d, TOP_K, warm=True) for p in PROBLEMS_BY_KIND[s.kind][:1] for d in s.dtypes]
    return out


def skip_reason(s: SolverSpec, case: Case) -> str | None:
    """The reason the solver declared for not doing this case, or None."""
    return (
        s.cannot.get(case.problem) or s.cannot.get(f"{case.problem}-{case.dtype}") or s.cannot.get(case.dtype)
    )


def _fail(s: SolverSpec, case: Case, check: str, detail: str) -> ConformanceError:
    return ConformanceError(f"{s.name} [{case.id}] failed check '{check}': {detail}")


def _expect(cond: bool, s: SolverSpec, case: Case, check: str, detail: str) -> None:
    if not cond:
        raise _fail(s, case, check, detail)


def _check_array(
    result: Any, name: str, shape: tuple[int, ...], dtype: str, s: SolverSpec, case: Case
) -> np.ndarray:
    """The named output, checked for type, shape, dtype and finiteness."""
    arr = getattr(result, name)
    _expect(isinstance(arr, np.ndarray), s, case, "types", f"{name} is {type(arr).__name__}, not ndarray")
    _expect(arr.shape == shape, s, case, "shapes", f"{name} has shape {arr.shape}, expected {shape}")
    _expect(arr.dtype == np.dtype(dtype), s, case, "dtype", f"{name} is {arr.dtype}, expected {dtype}")
    _expect(bool(np.isfinite(arr).all()), s, case, "finite", f"{name} has NaN or Inf")
    return arr


def run_case(s: SolverSpec | str, case: Case, device: str = "cpu", **options: Any) -> dict[str, float]:
    """Run one case; return its metrics, or raise ConformanceError naming the failed check."""
    s = spec_of(s) if isinstance(s, str) else s
    a = problems.make(case.problem, N, seed=7).astype(case.dtype)
    before = a.copy()
    solver = load(s, **options)
    prepared = solver.prepare(a, case.k, device=device, dtype=case.dtype)
    solver.compile(prepared)
    raw = solver.call(prepared)
    result = solver.to_result(raw, prepared)
    if case.warm:
        raw = solver.call(prepared, result.state)
        result = solver.to_result(raw, prepared)
    _expect(np.array_equal(a, before), s, case, "input untouched", "the caller's array was modified")
    ref = accuracy.Reference.of(a, symmetric=s.kind == "eig")
    m, n = a.shape
    k = case.k if case.k is not None else min(m, n)
    d = case.dtype
    # Structure first (shapes, dtype, finite, order); the bounds are then judged by the same
    # `accuracy.evaluate` that marks sweep points inaccurate.
    if s.kind == "eig":
        vals = _check_array(result, "values", (k,), d, s, case).astype(np.float64)
        _check_array(result, "vectors", (n, k), d, s, case)
        _expect(bool(np.all(np.diff(vals) <= 0)), s, case, "descending", f"values not descending: {vals[:6]}")
    elif s.kind == "svd":
        _check_array(result, "u", (m, k), d, s, case)
        sv = _check_array(result, "s", (k,), d, s, case).astype(np.float64)
        _check_array(result, "vt", (k, n), d, s, case)
        _expect(bool(np.all(np.diff(sv) <= 0) and sv.min() >= 0), s, case, "descending", f"s: {sv[:6]}")
    elif s.kind == "qr":
        p = min(m, n)
        _check_array(result, "q", (m, p), d, s, case)
        r = _check_array(result, "r", (p, n), d, s, case)
        below = float(np.abs(np.tril(r.astype(np.float64), -1)).max(initial=0.0))
        limit = 10 * float(np.finfo(d).eps) * ref.norm2
        _expect(below <= limit, s, case, "upper triangular", f"max |R below diagonal| = {below:.3g}")
    else:
        _check_array(result, "product", (n, n), d, s, case)
    evaluation = accuracy.evaluate(s, a, result, ref)
    if evaluation.failed_metric is not None:
        raise _fail(s, case, evaluation.failed_metric, str(evaluation.exceeded))
    return evaluation.accuracy


def check_solver(name_or_spec: str | SolverSpec, device: str = "cpu", **options: Any) -> dict[str, str]:
    """Run every case; raise ConformanceError on the first failure, else return case -> outcome."""
    s = spec_of(name_or_spec) if isinstance(name_or_spec, str) else name_or_spec
    outcomes: dict[str, str] = {}
    for case in cases(s):
        reason = skip_reason(s, case)
        if reason:
            outcomes[case.id] = f"skipped: {reason}"
            continue
        run_case(s, case, device, **options)
        outcomes[case.id] = "passed"
    return outcomes
