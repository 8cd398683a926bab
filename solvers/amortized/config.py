"""What the amortized method is configured by, shared by the torch and JAX implementations.

Both frameworks read the same names with the same meaning, so a configuration (and a seed)
gives the same curves in either. NumPy reference formulas live in `reference.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

#: Eigen losses (minimised). See METHOD.md.
#: trace: -tr(UᵀAU) (subspace only); brockett: -tr(M UᵀAU);
#: convex_pow: -Σ f(u_iᵀ(A − cI)u_i), f = x^p (c shifts A to PSD, see `shift`);
#: convex_exp: -Σ exp(u_iᵀAu_i / s), s a scale of ‖A‖.
LOSSES: tuple[str, ...] = ("trace", "brockett", "convex_pow", "convex_exp")
OPTIMIZERS: tuple[str, ...] = ("adam", "adamax", "yogi", "sgd", "lbfgs")


@dataclass(frozen=True)
class AmortizedConfig:
    """Hyper-parameters of the amortized eigensolver; checked when built."""

    loss: str = "brockett"
    optimizer: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.9
    """SGD momentum (ignored by the others)."""
    betas: tuple[float, float] = (0.9, 0.999)
    """Adam/Adamax/Yogi betas."""
    power: float = 1.5
    """p of convex_pow's f(x) = x^p (> 1)."""
    max_steps: int = 2000
    """Bound on optimiser steps in one solve call."""
    tol: float = 1e-6
    """Stop when max_i |λ_i(t) − λ_i(t − check_every)| / max(|λ|) falls below tol."""
    check_every: int = 10
    """Steps between convergence checks (each check syncs the host with the device)."""
    seed: int = 0
    brockett: tuple[float, ...] | None = None
    """M's diagonal; None means `brockett_weights(k)`."""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if not self.power > 1:
            raise ValueError(f"power must be > 1 for a strictly convex f = x^p, got {self.power}")
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")
        if not self.tol >= 0:
            raise ValueError(f"tol must be >= 0, got {self.tol}")
        if self.check_every < 1:
            raise ValueError(f"check_every must be >= 1, got {self.check_every}")
        if self.brockett is not None:
            m = np.asarray(self.brockett, dtype=float)
            if m.ndim != 1 or np.any(m <= 0) or np.any(np.diff(m) >= 0):
                raise ValueError("brockett must be strictly descending positive weights μ1 > … > μk > 0")

    def with_(self, **changes: Any) -> AmortizedConfig:
        return replace(self, **changes)

    def weights(self, k: int) -> np.ndarray:
        """M's diagonal for k columns."""
        if self.brockett is None:
            return brockett_weights(k)
        if len(self.brockett) != k:
            raise ValueError(f"brockett has {len(self.brockett)} weights but k={k}")
        return np.asarray(self.brockett, dtype=np.float64)


def brockett_weights(k: int) -> np.ndarray:
    """μ_i = (k − i + 1)/k: linearly descending from 1 to 1/k (i = 1..k)."""
    return np.arange(k, 0, -1, dtype=np.float64) / k


def initial_w(n: int, k: int, seed: int = 0) -> np.ndarray:
    """The seeded float64 starting W (n×k) both frameworks use, so their curves agree."""
    return np.random.default_rng(seed).standard_normal((n, k))
