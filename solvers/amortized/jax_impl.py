"""The amortized eigendecomposition method in JAX, functional: state is passed in and handed back.

W (n×k) is trained by an optax optimiser on an eigen loss of U = qr(W) (see METHOD.md and
`reference.py`, whose formulas this module matches). One step costs one product A·U plus a
reduced QR of n×k: the gradient ∂L/∂U = −2·AU·diag(d) is analytic and only the QR is
differentiated (``jax.vjp`` of the QR map with that cotangent), and the same AU gives the
readout λ_i = u_iᵀAu_i.

- `init(n, k, config, w0=None)` -> `AmortizedState` (W, optax state, step count, config).
- `step(state, a)` -> state (jitted); `solve(state, a, max_steps, tol, check_every)` runs the
  steps inside one jitted ``lax.while_loop`` (no host sync per step).
- `trajectory(state, a, steps)` -> (state, values per step): the curves of Figure 3.
- `readout(w, a)` -> (values descending, vectors).
- Training-time API: `eigen_loss` (trains W only, A stop-gradient), `training_values`
  (∂λ_i/∂A = u_iu_iᵀ), `nuclear_norm` (gradient UVᵀ).
- SVD variant: `svd_init`, `svd_step`, `svd_solve`, `svd_readout`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .config import AmortizedConfig, initial_w

Array = Any


# -- configuration as static (hashable) jit data ---------------------------------------------------
class _Static:
    """Wraps an AmortizedConfig so jit can key compiled code on it (its ``extra`` is a dict)."""

    __slots__ = ("config", "key")

    def __init__(self, config: AmortizedConfig) -> None:
        self.config = config
        self.key = tuple(
            (f.name, repr(getattr(config, f.name)))
            for f in dataclasses.fields(config)
            if f.name not in ("max_steps", "tol", "check_every", "seed")
        )

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Static) and self.key == other.key


@jax.tree_util.register_pytree_node_class
class AmortizedState:
    """W (or (W_u, W_v) for the SVD variant), the optimiser state and the steps taken so far."""

    def __init__(self, params: Any, opt_state: Any, count: Array, config: AmortizedConfig) -> None:
        self.params = params
        self.opt_state = opt_state
        self.count = count
        self.config = config

    @property
    def w(self) -> Array:
        return self.params

    def tree_flatten(self) -> tuple[tuple[Any, ...], _Static]:
        return (self.params, self.opt_state, self.count), _Static(self.config)

    @classmethod
    def tree_unflatten(cls, static: _Static, children: tuple[Any, ...]) -> AmortizedState:
        params, opt_state, count = children
        return cls(params, opt_state, count, static.config)

    def __repr__(self) -> str:
        shape = jax.tree_util.tree_map(lambda x: x.shape, self.params)
        return f"AmortizedState(params={shape}, loss={self.config.loss}, optimizer={self.config.optimizer})"


class LossAux(NamedTuple):
    """Per-matrix constants of the convex losses: c (PSD shift) and s (exp scale)."""

    shift: Array
    scale: Array


# -- optimisers -------------------------------------------------------------------------------------
def make_optimizer(config: AmortizedConfig) -> optax.GradientTransformationExtraArgs:
    """The optax optimiser `config` names, with config.py's hyper-parameter meaning."""
    b1, b2 = config.betas
    if config.optimizer == "adam":
        return optax.adam(config.lr, b1=b1, b2=b2)
    if config.optimizer == "adamax":
        return optax.adamax(config.lr, b1=b1, b2=b2)
    if config.optimizer == "yogi":
        return optax.yogi(config.lr, b1=b1, b2=b2)
    if config.optimizer == "sgd":
        return optax.sgd(config.lr, momentum=config.momentum or None)
    if config.optimizer == "lbfgs":
        # lr scales the L-BFGS direction; the zoom line search (strong Wolfe) then picks the step.
        return optax.lbfgs(learning_rate=config.lr)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


# -- losses -----------------------------------------------------------------------------------------
def loss_aux(a: Array, config: AmortizedConfig) -> LossAux:
    """c = min(0, Gershgorin lower bound), s = max row sum of |A| (O(n²); only when needed)."""
    zero = jnp.zeros((), a.dtype)
    if config.loss == "convex_pow":
        diag = jnp.diag(a)
        radius = jnp.abs(a).sum(axis=1) - jnp.abs(diag)
        return LossAux(jnp.minimum(zero, (diag - radius).min()), zero + 1)
    if config.loss == "convex_exp":
        scale = jnp.maximum(jnp.abs(a).sum(axis=1).max(), jnp.finfo(a.dtype).tiny)
        return LossAux(zero, scale)
    return LossAux(zero, zero + 1)


def _phi(config: AmortizedConfig, lam: Array, aux: LossAux) -> tuple[Array, Array]:
    """(φ(λ), φ'(λ)) with L = −Σ φ(λ_i); φ' is the d of ∂L/∂U = −2·AU·diag(d)."""
    k = lam.shape[-1]
    if config.loss == "trace":
        return lam, jnp.ones_like(lam)
    if config.loss == "brockett":
        mu = jnp.asarray(config.weights(k), lam.dtype)
        return mu * lam, mu
    if config.loss == "convex_pow":
        x = jnp.maximum(lam - aux.shift, 0)
        p = config.power
        return x**p, p * x ** (p - 1)
    e = jnp.exp(lam / aux.scale)
    return e, e / aux.scale


def _orth(w: Array) -> Array:
    """U = Q of the reduced QR of W, signed so that diag(R) > 0.

    LAPACK's Householder QR flips a column of Q whenever a pivot crosses zero; the eigen losses
    do not care (sign-invariant), but the SVD variant's −tr(M UᵀXV) does, so Q is made the
    unique, continuous factor.
    """
    q, r = jnp.linalg.qr(w, mode="reduced")
    return q * jnp.where(jnp.diagonal(r) < 0, -1, 1).astype(q.dtype)


def _eig_value_and_grad(w: Array, a: Array, config: AmortizedConfig, aux: LossAux):
    """(L, ∂L/∂W, λ) for one W, at the cost of one A·U and one QR (with its vjp)."""
    u, qr_vjp = jax.vjp(_orth, w)
    au = a @ u
    lam = jnp.einsum("ij,ij->j", u, au)
    phi, d = _phi(config, lam, aux)
    (grad,) = qr_vjp(-2 * au * d)
    return -phi.sum(), grad, lam


def _eig_values(w: Array, a: Array) -> Array:
    u = _orth(w)
    return jnp.einsum("ij,ij->j", u, a @ u)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _eigen_loss(w: Array, a: Array, config: AmortizedConfig, aux: LossAux) -> Array:
    return _eig_value_and_grad(w, a, config, aux)[0]


def _eigen_loss_fwd(w, a, config, aux):
    value, grad, _ = _eig_value_and_grad(w, a, config, aux)
    return value, (grad, a, aux)


def _eigen_loss_bwd(config, res, ct):
    grad, a, aux = res
    # A (and the constants derived from it) are stop-gradient: the eigen loss trains W only.
    return ct * grad, jnp.zeros_like(a), jax.tree_util.tree_map(jnp.zeros_like, aux)


_eigen_loss.defvjp(_eigen_loss_fwd, _eigen_loss_bwd)


def eigen_loss(w: Array, a: Array, config: AmortizedConfig, aux: LossAux | None = None) -> Array:
    """The eigen loss of U = qr(W); differentiable in W (analytic gradient), A stop-gradient."""
    a = jax.lax.stop_gradient(a)
    aux = loss_aux(a, config) if aux is None else jax.lax.stop_gradient(aux)
    return _eigen_loss(w, a, config, aux)


# -- readout and training-time API ------------------------------------------------------------------
def readout(w: Array, a: Array) -> tuple[Array, Array]:
    """λ_i = u_iᵀAu_i with U = qr(W), sorted descending, and the matching columns of U."""
    u = _orth(w)
    lam = jnp.einsum("ij,ij->j", u, a @ u)
    order = jnp.argsort(-lam)
    return lam[order], u[:, order]


def training_values(w: Array, a: Array) -> tuple[Array, Array]:
    """(λ, sg(U)) with λ_i = sg(u_i)ᵀ A sg(u_i): ∂λ_i/∂A = u_iu_iᵀ, no gradient to W."""
    u = jax.lax.stop_gradient(_orth(w))
    return jnp.einsum("ij,ij->j", u, a @ u), u


def nuclear_norm(w_u: Array, w_v: Array, x: Array) -> Array:
    """Σ_i |u_iᵀXv_i| with sg(U), sg(V): its gradient in X is U·diag(sign)·Vᵀ (UVᵀ once aligned)."""
    u = jax.lax.stop_gradient(_orth(w_u))
    v = jax.lax.stop_gradient(_orth(w_v))
    return jnp.abs(jnp.einsum("ij,ij->j", u, x @ v)).sum()


# -- optimiser step, shared by the eig and SVD variants ---------------------------------------------
def _update(
    config: AmortizedConfig,
    params: Any,
    opt_state: Any,
    value_and_grad: Callable[[Any], tuple[Array, Any, Array]],
    values: Callable[[Any], Array],
) -> tuple[Any, Any, Array]:
    """One optimiser update; returns (params, opt_state, values at the pre-update params)."""
    opt = make_optimizer(config)
    if config.optimizer != "lbfgs":
        _, grad, lam = value_and_grad(params)
        updates, opt_state = opt.update(grad, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, lam

    @jax.custom_vjp
    def fn(p):
        return value_and_grad(p)[0]

    def fn_fwd(p):
        value, grad, _ = value_and_grad(p)
        return value, grad

    fn.defvjp(fn_fwd, lambda grad, ct: (jax.tree_util.tree_map(lambda g: ct * g, grad),))
    value, grad = optax.value_and_grad_from_state(fn)(params, state=opt_state)
    updates, opt_state = opt.update(grad, opt_state, params, value=value, grad=grad, value_fn=fn)
    return optax.apply_updates(params, updates), opt_state, values(params)


def _eig_step(state: AmortizedState, a: Array, aux: LossAux) -> tuple[AmortizedState, Array]:
    config = state.config
    w, opt_state, lam = _update(
        config,
        state.params,
        state.opt_state,
        lambda w: _eig_value_and_grad(w, a, config, aux),
        lambda w: _eig_values(w, a),
    )
    return AmortizedState(w, opt_state, state.count + 1, config), lam


def _run(
    step: Callable[[AmortizedState], tuple[AmortizedState, Array]],
    state: AmortizedState,
    k: int,
    dtype: Any,
    max_steps: Array,
    tol: Array,
    check_every: Array,
) -> tuple[AmortizedState, Array, Array]:
    """Steps until the values change by < tol (relative) over check_every steps, or max_steps."""

    def cond(carry):
        _, i, _, done = carry
        return (i < max_steps) & ~done

    def body(carry):
        state, i, ref, _ = carry
        state, lam = step(state)
        i = i + 1
        ref = jnp.where(i == 1, lam, ref)
        is_check = (i > 1) & ((i - 1) % check_every == 0)
        scale = jnp.maximum(jnp.abs(lam).max(), jnp.finfo(dtype).tiny)
        change = jnp.abs(lam - ref).max() / scale
        done = is_check & (change < tol)
        return state, i, jnp.where(is_check, lam, ref), done

    init = (state, jnp.zeros((), jnp.int32), jnp.zeros((k,), dtype), jnp.zeros((), bool))
    state, steps, _, done = jax.lax.while_loop(cond, body, init)
    return state, steps, done


# -- public eig API ---------------------------------------------------------------------------------
def init(n: int, k: int, config: AmortizedConfig, w0: Any = None, dtype: Any = None) -> AmortizedState:
    """Starting state: W = config.initial_w(n, k, seed), or w0; plus the optimiser's state.

    w0's columns are rescaled to norm √n (U is unchanged), like the seeded start's, so that a
    step's angular size, hence lr, means the same with or without w0 (as in torch_impl).
    """
    if w0 is None:
        w0 = initial_w(n, k, config.seed)
    else:
        w0 = np.asarray(w0, dtype=np.float64)
        if not np.isfinite(w0).all():
            raise ValueError("w0 contains NaN or Inf")
        if w0.ndim == 2:
            w0 = w0 * (np.sqrt(n) / np.maximum(np.linalg.norm(w0, axis=0, keepdims=True), 1e-300))
    w0 = jnp.asarray(w0, dtype=dtype) if dtype is not None else jnp.asarray(w0)
    if w0.shape != (n, k):
        raise ValueError(f"w0 has shape {w0.shape}, expected ({n}, {k})")
    if not n >= k >= 1:
        raise ValueError(f"need n >= k >= 1, got n={n}, k={k}")
    return AmortizedState(w0, make_optimizer(config).init(w0), jnp.zeros((), jnp.int32), config)


@jax.jit
def step(state: AmortizedState, a: Array) -> AmortizedState:
    """One optimiser step on W for the matrix `a`."""
    return _eig_step(state, a, loss_aux(a, state.config))[0]


@jax.jit
def step_with_values(state: AmortizedState, a: Array) -> tuple[AmortizedState, Array]:
    """One step, also returning λ_i = u_iᵀAu_i at the W before the step (unsorted)."""
    return _eig_step(state, a, loss_aux(a, state.config))


@functools.partial(jax.jit, static_argnames="steps")
def trajectory(state: AmortizedState, a: Array, steps: int) -> tuple[AmortizedState, Array]:
    """`steps` steps in one ``lax.scan``; values per step sorted descending, shape (steps, k)."""
    aux = loss_aux(a, state.config)

    def body(s, _):
        s, lam = _eig_step(s, a, aux)
        return s, -jnp.sort(-lam)

    return jax.lax.scan(body, state, None, length=steps)


def loss_curve(a: Any, k: int, config: AmortizedConfig, steps: int | None = None) -> np.ndarray:
    """Eigen loss before each of `steps` steps from the seeded start (cross-framework check)."""
    a = jnp.asarray(a)
    state = init(a.shape[0], k, config, dtype=a.dtype)
    return as_numpy(_loss_curve(state, a, int(steps or config.max_steps)))


@functools.partial(jax.jit, static_argnames="steps")
def _loss_curve(state: AmortizedState, a: Array, steps: int) -> Array:
    aux = loss_aux(a, state.config)

    def body(s, _):
        s, lam = _eig_step(s, a, aux)
        return s, -_phi(s.config, lam, aux)[0].sum()

    return jax.lax.scan(body, state, None, length=steps)[1]


class Solved(NamedTuple):
    state: AmortizedState
    steps: Array
    values: Array
    vectors: Array
    converged: Array


def _solve_impl(state: AmortizedState, a: Array, max_steps: Array, tol: Array, check_every: Array) -> Solved:
    aux = loss_aux(a, state.config)
    k = state.params.shape[1]
    state, steps, done = _run(lambda s: _eig_step(s, a, aux), state, k, a.dtype, max_steps, tol, check_every)
    values, vectors = readout(state.params, a)
    return Solved(state, steps, values, vectors, done)


solve_with_status = jax.jit(_solve_impl)
"""Like `solve`, returning a `Solved` with ``converged`` too (the jitted function adapters lower)."""


def solve(
    state: AmortizedState, a: Array, max_steps: int = 2000, tol: float = 1e-6, check_every: int = 10
) -> tuple[AmortizedState, Array, Array, Array]:
    """Run steps in a jitted while_loop until converged; (state, steps, values, vectors)."""
    out = solve_with_status(state, a, max_steps, tol, check_every)
    return out.state, out.steps, out.values, out.vectors


# -- SVD variant ------------------------------------------------------------------------------------
def _svd_phi(config: AmortizedConfig, s: Array, scale: Array) -> tuple[Array, Array]:
    """(φ(s), φ'(s)) with L = −Σ φ(s_i), s_i = u_iᵀXv_i; convex forms act on |s_i|."""
    k = s.shape[-1]
    if config.loss == "trace":
        return s, jnp.ones_like(s)
    if config.loss == "brockett":
        mu = jnp.asarray(config.weights(k), s.dtype)
        return mu * s, mu
    x = jnp.abs(s)
    if config.loss == "convex_pow":
        p = config.power
        return x**p, p * x ** (p - 1) * jnp.sign(s)
    e = jnp.exp(x / scale)
    return e, e / scale * jnp.sign(s)


def _svd_scale(x: Array, config: AmortizedConfig) -> Array:
    if config.loss != "convex_exp":
        return jnp.ones((), x.dtype)
    return jnp.maximum(jnp.abs(x).sum(axis=1).max(), jnp.finfo(x.dtype).tiny)


def _svd_value_and_grad(params, x, config, scale):
    w_u, w_v = params
    u, vjp_u = jax.vjp(_orth, w_u)
    v, vjp_v = jax.vjp(_orth, w_v)
    xv = x @ v
    s = jnp.einsum("ij,ij->j", u, xv)
    phi, d = _svd_phi(config, s, scale)
    (g_u,) = vjp_u(-xv * d)
    (g_v,) = vjp_v(-(x.T @ u) * d)
    return -phi.sum(), (g_u, g_v), s


def _svd_values(params, x):
    u, v = _orth(params[0]), _orth(params[1])
    return jnp.einsum("ij,ij->j", u, x @ v)


def _svd_step(state: AmortizedState, x: Array, scale: Array) -> tuple[AmortizedState, Array]:
    config = state.config
    params, opt_state, s = _update(
        config,
        state.params,
        state.opt_state,
        lambda p: _svd_value_and_grad(p, x, config, scale),
        lambda p: _svd_values(p, x),
    )
    return AmortizedState(params, opt_state, state.count + 1, config), jnp.abs(s)


def svd_init(
    m: int, n: int, k: int, config: AmortizedConfig, w0: Any = None, dtype: Any = None
) -> AmortizedState:
    """State for the top-k SVD of an m×n X: (W_u, W_v) from seeds `seed` and `seed + 1`."""
    if w0 is None:
        w0 = (initial_w(m, k, config.seed), initial_w(n, k, config.seed + 1))
    params = tuple(jnp.asarray(w, dtype=dtype) if dtype is not None else jnp.asarray(w) for w in w0)
    if params[0].shape != (m, k) or params[1].shape != (n, k):
        raise ValueError(f"w0 shapes {[p.shape for p in params]} do not match ({m}, {k}) and ({n}, {k})")
    return AmortizedState(params, make_optimizer(config).init(params), jnp.zeros((), jnp.int32), config)


@jax.jit
def svd_step(state: AmortizedState, x: Array) -> AmortizedState:
    return _svd_step(state, x, _svd_scale(x, state.config))[0]


def svd_readout(params: tuple[Array, Array], x: Array) -> tuple[Array, Array, Array]:
    """(U, σ, Vᵀ) with σ_i = |u_iᵀXv_i| descending; u_i's sign flipped so that σ_i ≥ 0."""
    u, v = _orth(params[0]), _orth(params[1])
    s = jnp.einsum("ij,ij->j", u, x @ v)
    order = jnp.argsort(-jnp.abs(s))
    sign = jnp.where(s[order] < 0, -1, 1).astype(u.dtype)
    return u[:, order] * sign, jnp.abs(s)[order], v[:, order].T


@jax.jit
def svd_solve_with_status(state: AmortizedState, x: Array, max_steps, tol, check_every):
    """The SVD variant's solve: (state, steps, (U, σ, Vᵀ), converged)."""
    scale = _svd_scale(x, state.config)
    k = state.params[0].shape[1]
    state, steps, done = _run(
        lambda s: _svd_step(s, x, scale), state, k, x.dtype, max_steps, tol, check_every
    )
    return state, steps, svd_readout(state.params, x), done


def svd_solve(
    state: AmortizedState, x: Array, max_steps: int = 2000, tol: float = 1e-6, check_every: int = 10
):
    """(state, steps, (U, σ, Vᵀ)) after steps in a jitted while_loop."""
    state, steps, usv, _ = svd_solve_with_status(state, x, max_steps, tol, check_every)
    return state, steps, usv


def as_numpy(x: Any) -> np.ndarray:
    return np.asarray(jax.device_get(x))
