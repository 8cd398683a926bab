"""The amortized eigendecomposition method in torch: losses, the fast solve loop, nn.Modules.

Everything follows the shared contract of `config.py` and the NumPy formulas of `reference.py`,
so one configuration and seed give the same curves here and in `jax_impl.py`.

Performance: one step of `solve` costs one product A·U, one reduced QR of the n×k W and the
QR's backward (O(nk²)). The gradient with respect to U is the analytic −2·AU·diag(d) of
`reference.py`; autograd only runs through the QR. The same AU gives the readout λ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from .config import AmortizedConfig, initial_w

Tensor = torch.Tensor
DEFAULT_CONFIG = AmortizedConfig()


# -- the method's pieces -------------------------------------------------------------------
def orthonormal(w: Tensor) -> Tensor:
    """U = Q of the reduced QR of W with R's diagonal made positive (differentiable).

    LAPACK leaves the signs of Q's columns to the Householder reflections, so they can flip
    as W moves; the eigen losses do not care, but the SVD variant's u_iᵀXv_i does. Fixing
    diag(R) > 0 makes U a continuous function of W.
    """
    q, r = torch.linalg.qr(w, mode="reduced")
    sign = torch.sign(torch.diagonal(r)).detach()
    return q * torch.where(sign == 0, torch.ones_like(sign), sign)


def readout(a: Tensor, u: Tensor) -> Tensor:
    """λ_i = u_iᵀAu_i."""
    return (u * (a @ u)).sum(0)


def psd_shift(a: Tensor) -> Tensor:
    """c = min(0, Gershgorin lower bound) as a 0-d tensor (no host sync); see reference.py."""
    diag = torch.diagonal(a)
    radius = a.abs().sum(1) - diag.abs()
    return torch.clamp((diag - radius).min(), max=0.0)


def exp_scale(a: Tensor) -> Tensor:
    """s = max row sum of |A| (≥ ‖A‖₂), at least tiny; see reference.py."""
    return torch.clamp(a.abs().sum(1).max(), min=float(np.finfo(float).tiny))


@dataclass(frozen=True)
class LossTerms:
    """What a loss needs besides λ: Brockett weights, the PSD shift c and the exp scale s."""

    weights: Tensor
    shift: Tensor
    scale: Tensor

    @classmethod
    def of(cls, config: AmortizedConfig, a: Tensor, k: int) -> LossTerms:
        weights = torch.as_tensor(config.weights(k), dtype=a.dtype, device=a.device)
        zero = torch.zeros((), dtype=a.dtype, device=a.device)
        shift = psd_shift(a) if config.loss == "convex_pow" else zero
        scale = exp_scale(a) if config.loss == "convex_exp" else zero + 1
        return cls(weights, shift, scale)


def loss_from_values(config: AmortizedConfig, lam: Tensor, terms: LossTerms) -> Tensor:
    """The eigen loss as a function of the readout λ (U orthonormal)."""
    if config.loss == "trace":
        return -lam.sum()
    if config.loss == "brockett":
        return -(terms.weights * lam).sum()
    if config.loss == "convex_pow":
        return -(torch.clamp(lam - terms.shift, min=0.0) ** config.power).sum()
    return -torch.exp(lam / terms.scale).sum()


def value_weights(config: AmortizedConfig, lam: Tensor, terms: LossTerms) -> Tensor:
    """d with ∂L/∂λ_i = −d_i, so that ∂L/∂U = −2·AU·diag(d) (reference.loss_grad_u)."""
    if config.loss == "trace":
        return torch.ones_like(lam)
    if config.loss == "brockett":
        return terms.weights
    if config.loss == "convex_pow":
        return config.power * torch.clamp(lam - terms.shift, min=0.0) ** (config.power - 1)
    return torch.exp(lam / terms.scale) / terms.scale


def eigen_loss(config: AmortizedConfig, a: Tensor, u: Tensor, terms: LossTerms | None = None) -> Tensor:
    """L_eig at U by plain autograd-able formulas (the slow, obviously-correct path)."""
    terms = terms or LossTerms.of(config, a, u.shape[1])
    return loss_from_values(config, readout(a, u), terms)


# -- optimisers ----------------------------------------------------------------------------
def make_optimizer(config: AmortizedConfig, params: list[Tensor]) -> torch.optim.Optimizer:
    """The config's optimiser over `params`, with the meaning shared with optax."""
    name = config.optimizer
    if name == "adam":
        return torch.optim.Adam(params, lr=config.lr, betas=config.betas)
    if name == "adamax":
        return torch.optim.Adamax(params, lr=config.lr, betas=config.betas)
    if name == "yogi":
        from pytorch_optimizer import Yogi  # optax.yogi's defaults: eps=1e-3, accumulator 1e-6

        return Yogi(params, lr=config.lr, betas=config.betas)
    if name == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum)
    history = int(config.extra.get("history_size", 10))
    search = config.extra.get("line_search", "strong_wolfe")
    # Stopping is the solve loop's job (config.tol), so L-BFGS's own early exits are disabled.
    return torch.optim.LBFGS(
        params,
        lr=config.lr,
        max_iter=1,
        history_size=history,
        line_search_fn=search,
        tolerance_grad=0.0,
        tolerance_change=0.0,
    )


def clone_tree(obj: Any) -> Any:
    """Deep copy of an optimiser state dict's tensors, so that a passed-on state stays valid."""
    if isinstance(obj, Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return {key: clone_tree(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(clone_tree(value) for value in obj)
    return obj


# -- the fast solve loop -------------------------------------------------------------------
@dataclass(frozen=True)
class AmortizedState:
    """What persists between solves: W and the optimiser's state (tensors owned by this state)."""

    w: Tensor
    optimizer_state: dict[str, Any]


@dataclass
class SolveOutput:
    values: Tensor
    """λ_i = u_iᵀAu_i at the final U, in U's column order."""
    vectors: Tensor
    state: AmortizedState
    steps: int
    converged: bool
    losses: list[float] | None = None


def start_w(n: int, k: int, config: AmortizedConfig, like: Tensor, x0: Any = None) -> Tensor:
    """The seeded W (float64 draw cast to A's dtype), or x0 rescaled to columns of norm √n.

    Rescaling keeps a step's angular size the same as from the seeded start (whose columns
    have norm about √n), so lr means the same whether or not x0 is given.
    """
    if x0 is None:
        w = torch.as_tensor(initial_w(n, k, config.seed))
    else:
        w = torch.as_tensor(np.asarray(x0, dtype=np.float64))
        if tuple(w.shape) != (n, k):
            raise ValueError(f"x0 must have shape ({n}, {k}), got {tuple(w.shape)}")
        w = w * (math.sqrt(n) / torch.clamp(w.norm(dim=0, keepdim=True), min=1e-300))
    return w.to(dtype=like.dtype, device=like.device)


def _gradient_step(
    w: Tensor, a: Tensor, config: AmortizedConfig, terms: LossTerms
) -> tuple[Tensor, Tensor, Tensor]:
    """Set w.grad to ∂L/∂W with one product A·U; return (λ, loss, residual) at the current U.

    The residual max_i ‖Au_i − λ_iu_i‖ reuses A·U (O(nk)); the solve loop reads it only at
    its convergence checks, so that a stalled optimiser is never taken for a converged one.
    """
    with torch.enable_grad():
        u = orthonormal(w)
    with torch.no_grad():
        uu = u.detach()
        au = a @ uu
        lam = (uu * au).sum(0)
        d = value_weights(config, lam, terms)
        grad_u = au * (-2.0 * d)
        loss = loss_from_values(config, lam, terms)
        residual = (au - uu * lam).norm(dim=0).max()
    w.grad = None
    u.backward(grad_u)
    return lam, loss, residual


def solve(
    a: Tensor,
    k: int,
    config: AmortizedConfig = DEFAULT_CONFIG,
    state: AmortizedState | None = None,
    *,
    x0: Any = None,
    record: bool = False,
) -> SolveOutput:
    """Run the optimiser on W until λ stops changing (config.tol) or config.max_steps.

    The input `state` is not modified. With `record`, the loss of every step is kept (one host
    sync per step: for curves and tests, not for timing).
    """
    a = a.detach()
    n = a.shape[0]
    if state is None:
        w = start_w(n, k, config, a, x0).requires_grad_(True)
        optimizer = make_optimizer(config, [w])
    else:
        w = state.w.detach().clone().requires_grad_(True)
        optimizer = make_optimizer(config, [w])
        if state.optimizer_state:
            optimizer.load_state_dict(clone_tree(state.optimizer_state))
    terms = LossTerms.of(config, a, k)
    losses: list[float] | None = [] if record else None
    step = _lbfgs_step if config.optimizer == "lbfgs" else _first_order_step
    previous: Tensor | None = None
    converged = False
    steps = 0
    while steps < config.max_steps:
        lam, loss, residual = step(w, a, config, terms, optimizer)
        steps += 1
        if losses is not None:
            losses.append(float(loss))
        if steps % config.check_every == 0:
            if previous is not None and _settled(lam, previous, residual, config.tol):
                converged = True
                break
            previous = lam.clone()
    with torch.no_grad():
        u = orthonormal(w.detach())
        values = readout(a, u)
    new_state = AmortizedState(w.detach().clone(), clone_tree(optimizer.state_dict()))
    return SolveOutput(values, u, new_state, steps, converged, losses)


def _settled(lam: Tensor, previous: Tensor, residual: Tensor, tol: float) -> bool:
    """max|Δλ| / max|λ| < tol, and the residual small enough (√tol relative) to trust it.

    The relative change alone calls a stalled optimiser converged (torch's L-BFGS line search
    can stop moving W far from an eigenvector). One host sync per check.
    """
    scale = torch.clamp(lam.abs().max(), min=1e-300)
    change = (lam - previous).abs().max() / scale
    return bool((change < tol) & (residual / scale < math.sqrt(tol)))


def _first_order_step(w, a, config, terms, optimizer) -> tuple[Tensor, Tensor, Tensor]:
    lam, loss, residual = _gradient_step(w, a, config, terms)
    optimizer.step()
    return lam, loss, residual


def _lbfgs_step(w, a, config, terms, optimizer) -> tuple[Tensor, Tensor, Tensor]:
    """One L-BFGS iteration; its closure evaluates loss and gradient (one product each)."""
    first: list[tuple[Tensor, Tensor]] = []

    def closure() -> Tensor:
        lam, loss, residual = _gradient_step(w, a, config, terms)
        if not first:
            first.append((lam, residual))
        return loss

    loss = optimizer.step(closure)
    return first[0][0], loss, first[0][1]


def loss_curve(a: Any, k: int, config: AmortizedConfig, steps: int | None = None) -> np.ndarray:
    """Eigen loss before each of `steps` optimiser steps from the seeded start (cross-framework check)."""
    tensor = torch.as_tensor(np.asarray(a))
    run = config.with_(max_steps=steps or config.max_steps, tol=0.0)
    out = solve(tensor, k, run, record=True)
    return np.asarray(out.losses)


# -- modules for use inside training --------------------------------------------------------
def _straight_through(loss_value: Tensor, u: Tensor, u_sg: Tensor, grad_u: Tensor) -> Tensor:
    """A scalar equal to loss_value whose gradient with respect to u is grad_u."""
    return loss_value + ((u - u_sg) * grad_u).sum()


class AmortizedEigh(nn.Module):
    """Top-k eigenpairs of a symmetric A that changes a little between calls.

    forward(A) -> (values, vectors, eigen_loss). eigen_loss = L_eig(W; sg(A)) trains W only;
    values λ_i = sg(u_i)ᵀ A sg(u_i) carry ∂λ_i/∂A = u_iu_iᵀ to A; vectors are sg(U).
    One product with A serves both.
    """

    def __init__(
        self,
        n: int,
        k: int,
        config: AmortizedConfig = DEFAULT_CONFIG,
        *,
        dtype: torch.dtype | None = None,
        device: Any = None,
    ) -> None:
        super().__init__()
        if not 0 < k <= n:
            raise ValueError(f"AmortizedEigh needs 0 < k <= n, got n={n}, k={k}")
        self.n, self.k, self.config = n, k, config
        w = torch.as_tensor(initial_w(n, k, config.seed), dtype=dtype or torch.get_default_dtype())
        self.w = nn.Parameter(w.to(device) if device is not None else w)

    def forward(self, a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if tuple(a.shape) != (self.n, self.n):
            raise ValueError(f"AmortizedEigh expects a {self.n}×{self.n} matrix, got {tuple(a.shape)}")
        u = orthonormal(self.w)
        u_sg = u.detach()
        au = a @ u_sg
        values = (u_sg * au).sum(0)
        with torch.no_grad():
            terms = LossTerms.of(self.config, a.detach(), self.k)
            lam = values.detach()
            grad_u = au.detach() * (-2.0 * value_weights(self.config, lam, terms))
            loss_value = loss_from_values(self.config, lam, terms)
        return values, u_sg, _straight_through(loss_value, u, u_sg, grad_u)


def _svd_terms(config: AmortizedConfig, x: Tensor, k: int) -> LossTerms:
    """SVD variant: the convex forms act on |s_i| (no shift); exp's scale is X's max row sum of |X|."""
    weights = torch.as_tensor(config.weights(k), dtype=x.dtype, device=x.device)
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    scale = exp_scale(x) if config.loss == "convex_exp" else zero + 1
    return LossTerms(weights, zero, scale)


def _svd_phi(config: AmortizedConfig, s: Tensor, terms: LossTerms) -> tuple[Tensor, Tensor]:
    """(L, ∂L/∂s) for s_i = u_iᵀXv_i: L = −Σ μ_i s_i (brockett), −Σ s_i, or −Σ f(|s_i|)."""
    if config.loss in ("trace", "brockett"):
        return loss_from_values(config, s, terms), -value_weights(config, s, terms)
    mag = s.abs()
    return loss_from_values(config, mag, terms), -value_weights(config, mag, terms) * torch.sign(s)


def svd_loss(config: AmortizedConfig, x: Tensor, u: Tensor, v: Tensor) -> Tensor:
    """The SVD variant's loss by plain autograd-able formulas (the slow, obviously-correct path)."""
    s = (u * (x @ v)).sum(0)
    return _svd_phi(config, s, _svd_terms(config, x, u.shape[1]))[0]


class AmortizedSVD(nn.Module):
    """Top-k singular triplets of an m×n X: U = qr(W_u), V = qr(W_v).

    forward(X) -> (sigma, u, v, eigen_loss): σ_i = |u_iᵀXv_i| with the gradient sign_i·u_iv_iᵀ
    reaching X, so the nuclear-norm readout Σσ_i = tr(sg(U)ᵀ X sg(V)) (signs fixed) has the
    gradient UVᵀ once the signs are positive. The loss trains W_u and W_v only.
    """

    def __init__(
        self,
        m: int,
        n: int,
        k: int,
        config: AmortizedConfig = DEFAULT_CONFIG,
        *,
        dtype: torch.dtype | None = None,
        device: Any = None,
    ) -> None:
        super().__init__()
        if not 0 < k <= min(m, n):
            raise ValueError(f"AmortizedSVD needs 0 < k <= min(m, n), got m={m}, n={n}, k={k}")
        self.m, self.n, self.k, self.config = m, n, k, config
        dtype = dtype or torch.get_default_dtype()
        wu = torch.as_tensor(initial_w(m, k, config.seed), dtype=dtype)
        wv = torch.as_tensor(initial_w(n, k, config.seed + 1), dtype=dtype)
        self.w_u = nn.Parameter(wu.to(device) if device is not None else wu)
        self.w_v = nn.Parameter(wv.to(device) if device is not None else wv)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        if tuple(x.shape) != (self.m, self.n):
            raise ValueError(f"AmortizedSVD expects a {self.m}×{self.n} matrix, got {tuple(x.shape)}")
        u, v = orthonormal(self.w_u), orthonormal(self.w_v)
        u_sg, v_sg = u.detach(), v.detach()
        xv = x @ v_sg
        s = (u_sg * xv).sum(0)
        with torch.no_grad():
            xs = x.detach()
            terms = _svd_terms(self.config, xs, self.k)
            s_sg = s.detach()
            loss_value, ds = _svd_phi(self.config, s_sg, terms)
            grad_u = xv.detach() * ds
            grad_v = (xs.T @ u_sg) * ds
            sign = torch.where(s_sg < 0, -1.0, 1.0).to(s.dtype)
        sigma = sign * s
        loss = _straight_through(loss_value, u, u_sg, grad_u) + ((v - v_sg) * grad_v).sum()
        return sigma, u_sg, v_sg, loss
