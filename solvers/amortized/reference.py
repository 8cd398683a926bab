"""NumPy reference formulas of the eigen losses: the definition both frameworks must match.

For U with orthonormal columns and λ_i = u_iᵀAu_i (A symmetric):
  trace       L = −Σ λ_i                      ∂L/∂U = −2AU
  brockett    L = −Σ μ_i λ_i                  ∂L/∂U = −2AU·diag(μ)
  convex_pow  L = −Σ (λ_i − c)^p              ∂L/∂U = −2AU·diag(p(λ − c)^(p−1))
  convex_exp  L = −Σ exp(λ_i / s)             ∂L/∂U = −2AU·diag(exp(λ/s)/s)
c = `psd_shift(A)` makes A − cI positive semi-definite (uᵀ(A − cI)u = λ − c for unit u);
s = `exp_scale(A)` ≥ ‖A‖₂ keeps exp's argument in [−1, 1]. Both are computed once per matrix
(O(n²), no decomposition). The gradient always needs AU only, which is what makes one step
a single product with A.
"""

from __future__ import annotations

import numpy as np

from .config import AmortizedConfig


def gershgorin_bounds(a: np.ndarray) -> tuple[float, float]:
    """(lower, upper) bounds on A's eigenvalues from Gershgorin discs."""
    diag = np.diag(a)
    radius = np.abs(a).sum(axis=1) - np.abs(diag)
    return float((diag - radius).min()), float((diag + radius).max())


def psd_shift(a: np.ndarray) -> float:
    """c = min(0, Gershgorin lower bound): A − cI is PSD, and c = 0 when A already is."""
    return min(0.0, gershgorin_bounds(a)[0])


def exp_scale(a: np.ndarray) -> float:
    """s = max row sum of |A| ≥ ‖A‖₂ (at least tiny, so a zero matrix does not divide by 0)."""
    return max(float(np.abs(a).sum(axis=1).max()), np.finfo(float).tiny)


def readout(a: np.ndarray, u: np.ndarray) -> np.ndarray:
    """λ_i = u_iᵀAu_i."""
    return np.einsum("ij,ij->j", u, a @ u)


def loss(config: AmortizedConfig, a: np.ndarray, u: np.ndarray) -> float:
    """The eigen loss of `config` at U (orthonormal columns)."""
    lam = readout(a, u)
    k = u.shape[1]
    if config.loss == "trace":
        return float(-lam.sum())
    if config.loss == "brockett":
        return float(-(config.weights(k) * lam).sum())
    if config.loss == "convex_pow":
        return float(-(np.maximum(lam - psd_shift(a), 0.0) ** config.power).sum())
    return float(-np.exp(lam / exp_scale(a)).sum())


def loss_grad_u(config: AmortizedConfig, a: np.ndarray, u: np.ndarray) -> np.ndarray:
    """∂L/∂U (treating U as free, before the QR's chain rule)."""
    au = a @ u
    lam = np.einsum("ij,ij->j", u, au)
    k = u.shape[1]
    if config.loss == "trace":
        d = np.ones(k)
    elif config.loss == "brockett":
        d = config.weights(k)
    elif config.loss == "convex_pow":
        d = config.power * np.maximum(lam - psd_shift(a), 0.0) ** (config.power - 1)
    else:
        s = exp_scale(a)
        d = np.exp(lam / s) / s
    return -2.0 * au * d[None, :]
