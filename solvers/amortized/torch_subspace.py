"""Warm-started subspace iteration with Rayleigh–Ritz in torch: the amortized method's classical rival.

One iteration: Q = qr(Y), AQ = A·Q, eigh of the small QᵀAQ, rotate (U = QS, AU = AQ·S), Y = AU − σU.
The shift σ, a lower estimate of λ_min from a short Lanczos run, makes the iteration find the
top eigenvalues in algebraic order, not in magnitude, at the rate (λ_{b+1} − σ)/(λ_k − σ).
(A Gershgorin bound also works but sits far below λ_min for dense matrices: on λ_i = 1/i,
n = 500, it took 1345 iterations where the Lanczos shift takes a few dozen.) A block of k + oversample columns speeds convergence from
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
    shift = lowest_eigenvalue_bound(a)
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


#: Lanczos steps for the shift: about one block iteration's worth of products with A.
LANCZOS_STEPS = 20


def lowest_eigenvalue_bound(a: Tensor, steps: int = LANCZOS_STEPS, seed: int = 0) -> Tensor:
    """σ ≤ λ_min(A) (nearly): the smallest Lanczos Ritz value minus its residual bound |β·s_m|.

    Full reorthogonalisation keeps the few steps exact; a seeded start keeps runs repeatable.
    """
    n = a.shape[0]
    m = min(steps, n)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    q = torch.randn(n, generator=gen, dtype=torch.float64).to(dtype=a.dtype, device=a.device)
    basis = torch.zeros(n, m, dtype=a.dtype, device=a.device)
    alpha = torch.zeros(m, dtype=a.dtype, device=a.device)
    beta = torch.zeros(m, dtype=a.dtype, device=a.device)
    q = q / q.norm()
    with torch.no_grad():
        for j in range(m):
            basis[:, j] = q
            w = a @ q
            alpha[j] = q @ w
            w = w - basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
            w = w - basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
            beta[j] = w.norm()
            q = w / torch.clamp(beta[j], min=torch.finfo(a.dtype).tiny)
        t = torch.diag(alpha) + torch.diag(beta[:-1], 1) + torch.diag(beta[:-1], -1)
        theta, s = torch.linalg.eigh(t)
    return theta[0] - (beta[-1] * s[-1, 0]).abs()
