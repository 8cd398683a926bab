"""Accuracy of one result against a float64 reference, judged against the solver's promise.

The formulas are `solvers.accuracy`'s (re-exported here), so "inaccurate" in a sweep means the
same as a failed bound in the conformance suite. Everything here runs outside timed regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from solvers.accuracy import (
    Reference,
    eig_residual,
    matmul_error,
    orthogonality,
    qr_residual,
    svd_residual,
    value_error,
    value_relative_error,
)
from solvers.base import Result
from solvers.spec import SolverSpec

__all__ = [
    "Evaluation",
    "Reference",
    "eig_residual",
    "evaluate",
    "matmul_error",
    "orthogonality",
    "qr_residual",
    "reference_for",
    "svd_residual",
    "value_error",
    "value_relative_error",
]


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one result, the bounds they were held to, and what went wrong (if anything)."""

    accuracy: dict[str, float]
    bounds: dict[str, float]
    nonfinite: str | None
    """Which output had NaN or Inf, else None."""
    exceeded: str | None
    """Which metric broke the declared bound (and by how much), else None."""


def reference_for(kind: str, a: np.ndarray) -> Reference | None:
    """The float64 truth a kind needs: eigenvalues (eig), singular values (svd), none otherwise."""
    a64 = np.asarray(a, dtype=np.float64)
    if kind == "eig":
        values = np.ascontiguousarray(np.linalg.eigvalsh(a64)[::-1])
        s = np.sort(np.abs(values))[::-1]
        return Reference(values=values, singular_values=s, norm2=float(s[0]))
    if kind == "svd":
        s = np.linalg.svd(a64, compute_uv=False)
        return Reference(values=s, singular_values=s, norm2=float(s[0]))
    return None


def _need(result: Result, name: str) -> np.ndarray:
    arr = getattr(result, name)
    if arr is None:
        raise ValueError(f"a {result.kind} result must have {name!r}, but the solver returned none")
    return np.asarray(arr)


def _nonfinite(result: Result) -> str | None:
    for name, arr in result.arrays().items():
        arr = np.asarray(arr)
        if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
            return name
    return None


def evaluate(spec: SolverSpec, a: np.ndarray, result: Result, reference: Reference | None) -> Evaluation:
    """Value error (normwise and relative), residual and orthogonality, checked against spec."""
    acc_bound = spec.accuracy_for(np.dtype(a.dtype).name)
    bounds = {
        "value_error": acc_bound.values,
        "residual": acc_bound.residual,
        "orthogonality": acc_bound.orthogonality,
    }
    bad = _nonfinite(result)
    if bad is not None:
        return Evaluation({}, bounds, nonfinite=bad, exceeded=None)
    metrics: dict[str, Any] = {}
    if spec.kind == "eig" and reference is not None:
        vals = np.asarray(_need(result, "values"), np.float64)
        metrics["value_error"] = value_error(vals, reference.values, reference.norm2)
        metrics["value_rel_error"] = value_relative_error(vals, reference.values)
        if result.vectors is not None:  # eigvalsh-style solvers return values only
            metrics["residual"] = eig_residual(a, _need(result, "values"), _need(result, "vectors"))
            metrics["orthogonality"] = orthogonality(_need(result, "vectors"))
    elif spec.kind == "svd" and reference is not None:
        sv = np.asarray(_need(result, "s"), np.float64)
        metrics["value_error"] = value_error(sv, reference.singular_values, reference.norm2)
        metrics["value_rel_error"] = value_relative_error(sv, reference.singular_values)
        metrics["residual"] = svd_residual(a, _need(result, "u"), _need(result, "s"), _need(result, "vt"))
        metrics["orthogonality"] = max(
            orthogonality(_need(result, "u")), orthogonality(np.asarray(_need(result, "vt")).T)
        )
    elif spec.kind == "qr":
        metrics["residual"] = qr_residual(a, _need(result, "q"), _need(result, "r"))
        metrics["orthogonality"] = orthogonality(_need(result, "q"))
    elif spec.kind == "matmul":
        metrics["value_error"] = matmul_error(a, _need(result, "product"))
    exceeded = None
    for name, value in metrics.items():
        bound = bounds.get(name)
        if bound is not None and not value <= bound:
            exceeded = f"{name} {value:.3g} exceeds the declared {bound:.3g}"
            break
    return Evaluation(metrics, bounds, nonfinite=None, exceeded=exceeded)
