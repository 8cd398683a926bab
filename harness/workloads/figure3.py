"""Figure 3 of the amortized-eigendecomposition paper, as plain data.

(a) `convergence`: the max relative error of the top-k eigenvalues per optimiser step, for the
    Brockett and convex (x^p) losses under each optimiser, in JAX and/or torch.
(b) `fine_tuning`: a series of similar matrices A_{t+1} = A_t + ε·‖A_t‖₂·E_t/‖E_t‖₂; the steps
    each solver needs to reach tolerance at every new matrix, cold versus warm-started.

Frameworks are imported only when asked for; "torch" uses `solvers.amortized.torch_impl`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers import problems
from solvers.amortized import OPTIMIZERS, AmortizedConfig

FRAMEWORKS = ("jax", "torch")
#: Learning rates per optimiser for the curves (the paper does not give its own).
DEFAULT_LR = {"adam": 1e-2, "adamax": 1e-2, "yogi": 1e-2, "sgd": 1e-2, "lbfgs": 1.0}


def relative_errors(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """max_i |λ_i(t) − λ_i| / |λ_i| per row of `values` (steps × k, descending)."""
    ref = reference[: values.shape[1]]
    return (np.abs(values - ref) / np.maximum(np.abs(ref), np.finfo(float).tiny)).max(axis=1)


def _check_framework(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")


# -- (a) convergence curves -----------------------------------------------------------------------
def value_curve(
    a: np.ndarray, k: int, config: AmortizedConfig, steps: int, framework: str = "jax"
) -> np.ndarray:
    """Top-k values (descending) at the W before each of `steps` steps, shape (steps, k)."""
    _check_framework(framework)
    if framework == "jax":
        return _jax_value_curve(a, k, config, steps)
    return _torch_value_curve(a, k, config, steps)


def _jax_value_curve(a: np.ndarray, k: int, config: AmortizedConfig, steps: int) -> np.ndarray:
    import jax.numpy as jnp

    from solvers.amortized import jax_impl
    from solvers.jax_support import x64_scope

    with x64_scope(a.dtype.name):
        state = jax_impl.init(a.shape[0], k, config, dtype=a.dtype.name)
        _, values = jax_impl.trajectory(state, jnp.asarray(a), steps)
        return np.asarray(values, dtype=np.float64)


def _torch_value_curve(a: np.ndarray, k: int, config: AmortizedConfig, steps: int) -> np.ndarray:
    import torch

    from solvers.amortized import torch_impl

    at = torch.as_tensor(a)
    model = torch_impl.AmortizedEigh(a.shape[0], k, config, dtype=at.dtype)
    optimizer = torch_impl.make_optimizer(config, [model.w])
    out = np.empty((steps, k))
    for t in range(steps):
        values = _torch_step(model, optimizer, at, config.optimizer == "lbfgs")
        out[t] = np.sort(values.numpy().astype(np.float64))[::-1]
    return out


def _torch_step(model: Any, optimizer: Any, a: Any, lbfgs: bool) -> Any:
    """One optimiser step of the torch module; the values at the W before it."""
    seen: list[Any] = []

    def closure() -> Any:
        optimizer.zero_grad()
        values, _, loss = model(a)
        loss.backward()
        if not seen:
            seen.append(values.detach())
        return loss

    if lbfgs:
        optimizer.step(closure)
    else:
        closure()
        optimizer.step()
    return seen[0]


def convergence(
    n: int = 1000,
    k: int = 50,
    steps: int = 3000,
    *,
    losses: tuple[str, ...] = ("brockett", "convex_pow"),
    optimizers: tuple[str, ...] = OPTIMIZERS,
    frameworks: tuple[str, ...] = ("jax",),
    problem: str = "random_psd",
    dtype: str = "float32",
    seed: int = 0,
    lr: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Figure 3(a): {"reference": top-k λ, "curves": {framework: {loss: {optimizer: errors}}}}.

    The matrix is PSD by default (random_psd), which the convex x^1.5 loss needs without a shift.
    """
    a = problems.make(problem, n, seed=seed).astype(dtype)
    reference = np.linalg.eigvalsh(a.astype(np.float64))[::-1][:k]
    rates = {**DEFAULT_LR, **(lr or {})}
    curves: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for framework in frameworks:
        _check_framework(framework)
        for loss in losses:
            for optimizer in optimizers:
                config = AmortizedConfig(loss=loss, optimizer=optimizer, lr=rates[optimizer], seed=seed)
                values = value_curve(a, k, config, steps, framework)
                curves.setdefault(framework, {}).setdefault(loss, {})[optimizer] = relative_errors(
                    values, reference
                )
    return {"n": n, "k": k, "steps": steps, "problem": problem, "dtype": dtype, "seed": seed,
            "reference": reference, "curves": curves}  # fmt: skip


# -- (b) fine-tuning on a series of similar matrices ----------------------------------------------
def similar_series(
    n: int, count: int, eps: float, seed: int = 0, problem: str = "random_psd"
) -> list[np.ndarray]:
    """A_0 = problems.make(problem), A_{t+1} = A_t + ε‖A_t‖₂·E_t/‖E_t‖₂ with E_t symmetric Gaussian."""
    rng = np.random.default_rng(seed + 1)
    series = [problems.make(problem, n, seed=seed)]
    for _ in range(count - 1):
        g = rng.standard_normal((n, n))
        e = (g + g.T) / 2
        a = series[-1]
        series.append(a + eps * np.linalg.norm(a, 2) * e / np.linalg.norm(e, 2))
    return series


def fine_tuning(
    n: int = 1000,
    k: int = 50,
    count: int = 10,
    eps: float = 1e-3,
    *,
    framework: str = "jax",
    method: str = "amortized",
    config: AmortizedConfig | None = None,
    tol: float = 1e-6,
    max_steps: int = 20000,
    dtype: str = "float32",
    seed: int = 0,
) -> dict[str, Any]:
    """Figure 3(b): steps to tolerance at each new matrix, cold start versus warm start.

    method "amortized" (the config's loss and optimiser; values' relative change < tol) or
    "subspace" (JAX only: residual < tol·‖A‖). Returns per-matrix arrays of steps, converged
    flags and max relative eigenvalue errors for "cold" and "warm".
    """
    _check_framework(framework)
    if method not in ("amortized", "subspace"):
        raise ValueError(f"unknown method {method!r}; choose 'amortized' or 'subspace'")
    if method == "subspace" and framework != "jax":
        raise ValueError("fine_tuning(method='subspace') is implemented for framework='jax'")
    config = (config or AmortizedConfig(optimizer="adam", lr=1e-2)).with_(
        max_steps=max_steps, tol=tol, seed=seed
    )
    series = [a.astype(dtype) for a in similar_series(n, count, eps, seed)]
    run = {
        ("jax", "amortized"): _jax_amortized_runner,
        ("torch", "amortized"): _torch_amortized_runner,
        ("jax", "subspace"): _jax_subspace_runner,
    }[(framework, method)](k, config, dtype)
    out: dict[str, Any] = {"n": n, "k": k, "eps": eps, "tol": tol, "framework": framework, "method": method}
    for mode in ("cold", "warm"):
        steps, converged, errors = [], [], []
        state = None
        for a in series:
            state_in: Any = state if mode == "warm" else None
            state, n_steps, ok, values = run(a, state_in)
            reference = np.linalg.eigvalsh(a.astype(np.float64))[::-1][:k]
            steps.append(n_steps)
            converged.append(ok)
            errors.append(float(relative_errors(np.sort(values)[::-1][None, :], reference)[0]))
        out[mode] = {"steps": np.array(steps), "converged": np.array(converged), "errors": np.array(errors)}
    return out


def _jax_amortized_runner(k: int, config: AmortizedConfig, dtype: str):
    import jax.numpy as jnp

    from solvers.amortized import jax_impl
    from solvers.jax_support import x64_scope

    def run(a: np.ndarray, state: Any):
        with x64_scope(dtype):
            if state is None:
                state = jax_impl.init(a.shape[0], k, config, dtype=dtype)
            out = jax_impl.solve_with_status(
                state, jnp.asarray(a), config.max_steps, config.tol, config.check_every
            )
            return out.state, int(out.steps), bool(out.converged), np.asarray(out.values, np.float64)

    return run


def _torch_amortized_runner(k: int, config: AmortizedConfig, dtype: str):
    import torch

    from solvers.amortized import torch_impl

    def run(a: np.ndarray, state: Any):
        out = torch_impl.solve(torch.as_tensor(a), k, config, state)
        return out.state, int(out.steps), bool(out.converged), out.values.detach().numpy().astype(np.float64)

    return run


def _jax_subspace_runner(k: int, config: AmortizedConfig, dtype: str):
    import jax.numpy as jnp

    from solvers.amortized.jax_subspace import start_block, subspace_solve_jit
    from solvers.jax_support import x64_scope

    def run(a: np.ndarray, block: Any):
        n = a.shape[0]
        with x64_scope(dtype):
            if block is None:
                block = jnp.asarray(start_block(n, min(n, k + 8), seed=config.seed), dtype=dtype)
            out = subspace_solve_jit(block, jnp.asarray(a), k, config.max_steps, config.tol)
            return out.block, int(out.steps), bool(out.converged), np.asarray(out.values, np.float64)

    return run
