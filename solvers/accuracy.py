"""Accuracy metrics against a float64 reference, computed outside any timed region.

Shared by the conformance suite and the harness, so a "pass" means the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .base import Result
    from .spec import SolverSpec


@dataclass(frozen=True)
class Reference:
    """The float64 truth for one matrix: full spectrum (descending) and singular values."""

    values: np.ndarray
    singular_values: np.ndarray
    norm2: float

    @classmethod
    def of(cls, a: np.ndarray, symmetric: bool = True) -> Reference:
        """One O(n³) float64 decomposition: eigvalsh for a symmetric A (|λ| are its singular
        values), else the singular values alone."""
        a64 = np.asarray(a, dtype=np.float64)
        if symmetric and a64.shape[0] == a64.shape[1]:
            values = np.ascontiguousarray(np.linalg.eigvalsh(a64)[::-1])
            s = np.sort(np.abs(values))[::-1]
            return cls(values=values, singular_values=s, norm2=float(s[0]))
        s = np.linalg.svd(a64, compute_uv=False)
        return cls(values=s, singular_values=s, norm2=float(s[0]))


def value_error(values: np.ndarray, reference: np.ndarray, norm2: float) -> float:
    """max |λ_i − λ_ref,i| / ‖A‖₂ over the leading values (normwise relative error)."""
    k = len(values)
    diff = np.abs(np.asarray(values, np.float64) - reference[:k])
    return float(diff.max() / max(norm2, np.finfo(float).tiny)) if k else 0.0


def value_relative_error(values: np.ndarray, reference: np.ndarray) -> float:
    """max |λ_i − λ_ref,i| / |λ_ref,i|: the per-value error that tracking tolerances speak of."""
    k = len(values)
    ref = reference[:k]
    scale = np.maximum(np.abs(ref), np.finfo(float).tiny)
    return float((np.abs(np.asarray(values, np.float64) - ref) / scale).max()) if k else 0.0


def eig_residual(a: np.ndarray, values: np.ndarray, vectors: np.ndarray) -> float:
    """‖AV − VΛ‖_F / (‖A‖_F · n)."""
    a64 = np.asarray(a, np.float64)
    v = np.asarray(vectors, np.float64)
    r = a64 @ v - v * np.asarray(values, np.float64)[None, :]
    return float(np.linalg.norm(r) / (np.linalg.norm(a64) * a64.shape[0]))


def svd_residual(a: np.ndarray, u: np.ndarray, s: np.ndarray, vt: np.ndarray) -> float:
    """‖AV − UΣ‖_F / (‖A‖_F · n) over the returned triplets (exact for top-k too)."""
    a64 = np.asarray(a, np.float64)
    r = a64 @ np.asarray(vt, np.float64).T - np.asarray(u, np.float64) * np.asarray(s, np.float64)[None, :]
    return float(np.linalg.norm(r) / (np.linalg.norm(a64) * max(a64.shape)))


def qr_residual(a: np.ndarray, q: np.ndarray, r: np.ndarray) -> float:
    """‖QR − A‖_F / (‖A‖_F · n)."""
    a64 = np.asarray(a, np.float64)
    diff = np.asarray(q, np.float64) @ np.asarray(r, np.float64) - a64
    return float(np.linalg.norm(diff) / (np.linalg.norm(a64) * max(a64.shape)))


def orthogonality(v: np.ndarray) -> float:
    """‖VᵀV − I‖_F."""
    v64 = np.asarray(v, np.float64)
    return float(np.linalg.norm(v64.T @ v64 - np.eye(v64.shape[1])))


def matmul_error(a: np.ndarray, product: np.ndarray) -> float:
    """‖P − A·A‖_F / ‖A‖_F²."""
    a64 = np.asarray(a, np.float64)
    return float(np.linalg.norm(np.asarray(product, np.float64) - a64 @ a64) / np.linalg.norm(a64) ** 2)


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one result, the bounds they were held to, and what went wrong (if anything)."""

    accuracy: dict[str, float]
    bounds: dict[str, float]
    nonfinite: str | None
    """Which output had NaN or Inf, else None."""
    exceeded: str | None
    """Which metric broke the declared bound (and by how much), else None."""
    failed_metric: str | None = None
    """The name of that metric, else None."""


def reference_for(kind: str, a: np.ndarray) -> Reference | None:
    """The float64 truth a kind needs: eigenvalues (eig), singular values (svd), none otherwise."""
    if kind in ("eig", "svd"):
        return Reference.of(a, symmetric=kind == "eig")
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
    for name, value in metrics.items():
        bound = bounds.get(name)
        if bound is not None and not value <= bound:
            return Evaluation(
                metrics, bounds, None, f"{name} {value:.3g} exceeds the declared {bound:.3g}", name
            )
    return Evaluation(metrics, bounds, nonfinite=None, exceeded=None)
