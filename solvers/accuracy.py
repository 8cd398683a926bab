"""Accuracy metrics against a float64 reference, computed outside any timed region.

Shared by the conformance suite and the harness, so a "pass" means the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reference:
    """The float64 truth for one matrix: full spectrum (descending) and singular values."""

    values: np.ndarray
    singular_values: np.ndarray
    norm2: float

    @classmethod
    def of(cls, a: np.ndarray, symmetric: bool = True) -> Reference:
        a64 = np.asarray(a, dtype=np.float64)
        s = np.linalg.svd(a64, compute_uv=False)
        values = np.linalg.eigvalsh(a64)[::-1] if symmetric and a64.shape[0] == a64.shape[1] else s
        return cls(values=np.ascontiguousarray(values), singular_values=s, norm2=float(s[0]))


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
