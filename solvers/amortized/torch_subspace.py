"""Warm-started subspace iteration with Rayleigh–Ritz in torch: the amortized method's classical rival.

One iteration: Q = qr(Y), AQ = A·Q, eigh of the small QᵀAQ, rotate (U = QS, AU = AQ·S), Y = AU − σU.
The shift σ (a Gershgorin lower bound of A) makes the iteration find the top eigenvalues in
algebraic order, not in magnitude. A block of k + oversample columns speeds convergence from
λ_{k+1}/λ_k to λ_{b+1}/λ_k; the state passed between calls is the whole block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .config import initial_w

Tensor = torch.Tensor


@dataclass
class SubspaceOutput:
    values: Tensor
    """The top k Ritz values, descending."""
    vectors: Tensor
    block: Tensor
    """All b Ritz vectors (descending), the state for the next call."""
    steps: int
    converged: bool


def start_block(n: int, b: int, like: Tensor, seed: int = 0, x0: Any = None) -> Tensor:
    """x0 (n×k, k ≤ b) padded with seeded random columns, or a seeded random block."""
    block = torch.as_tensor(initial_w(n, b, seed), dtype=like.dtype, device=like.device)
    if x0 is not None:
        x = torch.as_tensor(np.asarray(x0), dtype=like.dtype, device=like.device)
        if x.ndim != 2 or x.shape[0] != n or x.shape[1] > b:
            raise ValueError(f"x0 must have shape ({n}, ≤{b}), got {tuple(x.shape)}")
        block[:, : x.shape[1]] = x
    return block


def subspace_iteration(
    a: Tensor,
    k: int,
    block: Tensor,
    *,
    tol: float,
    maxiter: int,
    check_every: int = 1,
) -> SubspaceOutput:
    """Iterate from `block` until every top-k residual ‖Au_i − θ_iu_i‖ ≤ tol·max|θ|, or maxiter.

    Always does at least one Rayleigh–Ritz step, so a converged warm start costs one iteration.
    """
    a = a.detach()
    diag = torch.diagonal(a)
    shift = (diag - (a.abs().sum(1) - diag.abs())).min()
    y = block
    converged = False
    steps = 0
    with torch.no_grad():
        while True:
            q = torch.linalg.qr(y, mode="reduced").Q
            aq = a @ q
            theta, s = torch.linalg.eigh(q.T @ aq)
            theta, s = theta.flip(0), s.flip(1)
            u, au = q @ s, aq @ s
            steps += 1
            if steps % check_every == 0 or steps >= maxiter:
                res = (au[:, :k] - u[:, :k] * theta[:k]).norm(dim=0).max()
                if bool(res <= tol * torch.clamp(theta.abs().max(), min=1e-300)):
                    converged = True
                    break
            if steps >= maxiter:
                break
            y = au - shift * u
    return SubspaceOutput(theta[:k], u[:, :k], u, steps, converged)
