"""JAX adapters: jitted, ahead-of-time compiled, synced with ``block_until_ready`` in the call.

``setup`` builds the jitted function for the operand, ``compile`` lowers and compiles it once
(its seconds are reported apart from run time), and ``call`` runs the compiled executable.
float64 work happens inside `jax_support.x64_scope`; the executables then need no context to
run, so the user's global ``jax_enable_x64`` is never changed and the timed call pays nothing
for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental.sparse.linalg import lobpcg_standard

from .base import Prepared, Result, Solver, top_k_descending
from .errors import InvalidInputError
from .jax_support import aot_compile, put

#: ``A @ A`` and LOBPCG's products at full precision: on GPUs JAX's default float32 matmul
#: may use TF32 (about 1e-3 relative error), which would not be the same computation as numpy.
HIGHEST = jax.lax.Precision.HIGHEST


class _JaxSolver(Solver):
    """Shared phases; a subclass says which function to jit and what its arguments are."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return put(array, device)

    def function(self, prepared: Prepared) -> Callable[..., Any]:
        """The pure function of the call's arguments that gets jitted."""
        raise NotImplementedError

    def arguments(self, prepared: Prepared, state: Any = None) -> tuple[Any, ...]:
        """The executable's arguments, already on the device."""
        return (prepared.operand,)

    def __init__(self, spec: Any, **options: Any) -> None:
        super().__init__(spec, **options)
        self._jitted: dict[tuple[Any, ...], Any] = {}

    def setup(self, prepared: Prepared) -> None:
        """Reuse one jitted function per (shape, dtype, k, device), so JAX's cache can hit."""
        key = (prepared.shape, prepared.dtype, prepared.k, prepared.device)
        if key not in self._jitted:
            self._jitted[key] = jax.jit(self.function(prepared))
        prepared.extra["jitted"] = self._jitted[key]

    def compile(self, prepared: Prepared, state: Any = None) -> float:
        """AOT-compile for this operand; return the seconds (small when this instance already
        compiled the same shape, dtype and k: JAX then returns its cached executable)."""
        executable, seconds = aot_compile(
            prepared.extra["jitted"], *self.arguments(prepared, state), dtype=prepared.dtype
        )
        prepared.extra["compiled"] = executable
        prepared.extra["compile_seconds"] = seconds
        return seconds

    def executable(self, prepared: Prepared, state: Any = None) -> Any:
        """The compiled executable, compiling first when `compile` was not called."""
        if "compiled" not in prepared.extra:
            self.compile(prepared, state)
        return prepared.extra["compiled"]

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        run = self.executable(prepared, state)
        return jax.block_until_ready(run(*self.arguments(prepared, state)))


class JaxEigh(_JaxSolver):
    def function(self, prepared: Prepared) -> Callable[..., Any]:
        # The input was checked (or symmetrised) on the host: no second symmetrisation here.
        return lambda a: jnp.linalg.eigh(a, symmetrize_input=False)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = top_k_descending(np.asarray(raw[0]), np.asarray(raw[1]), prepared.k)
        return Result("eig", values=values, vectors=vectors)


class JaxSvd(_JaxSolver):
    def function(self, prepared: Prepared) -> Callable[..., Any]:
        return lambda a: jnp.linalg.svd(a, full_matrices=False)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        u, s, vt = (np.asarray(x) for x in raw)
        k = prepared.k or s.shape[0]
        return Result("svd", u=u[:, :k], s=s[:k], vt=vt[:k])


class JaxQr(_JaxSolver):
    def function(self, prepared: Prepared) -> Callable[..., Any]:
        return lambda a: jnp.linalg.qr(a, mode="reduced")

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("qr", q=np.asarray(raw[0]), r=np.asarray(raw[1]))


class JaxMatmul(_JaxSolver):
    def function(self, prepared: Prepared) -> Callable[..., Any]:
        return lambda a: jnp.matmul(a, a, precision=HIGHEST)

    def bind(self, prepared: Prepared, state: Any = None) -> Callable[[], Any]:
        """The yardstick's timing loop: the executable and its sync, nothing else."""
        run = self.executable(prepared)
        a = prepared.operand
        return lambda: run(a).block_until_ready()

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("matmul", product=np.asarray(raw))


#: Defaults per dtype: a relative residual that dtype reaches reliably, and an iteration cap.
LOBPCG_TOL = {"float32": 1e-4, "float64": 1e-8}
LOBPCG_MAXITER = 500


class JaxLobpcg(_JaxSolver):
    """Top-k eigenpairs by ``jax.experimental.sparse.linalg.lobpcg_standard``; warm-startable.

    One executable per operand takes the starting block as an argument: a seeded random block
    when cold, ``x0`` when given, the previous call's vectors (the state) when warm.

    ``tol`` is a relative residual: the result is *converged* when every returned pair has
    ‖Av − λv‖ ≤ tol · s, s = max(‖A‖_F/√n, max|λ|) (a cheap lower bound on ‖A‖₂).

    JAX's own test, r < tol'·10n·(λ + ‖Av‖), has two flaws: with its default tol' = eps it is
    rarely met (it runs to ``maxiter`` with exact values), and it can never hold for negative
    top values (Laplacians). So LOBPCG runs on A + σI with σ = 2‖A‖_F/√n (same vectors; every
    top value positive, since ‖A‖_F/√n ≥ |λ_top| when λ_top < 0) and tol' = tol/(60n): then
    λ+σ ≤ 3s, so its early exit implies our test, up to rounding. Convergence is always
    judged from the residuals of the returned pairs against the unshifted A.
    """

    def check_options(self) -> None:
        tol, maxiter, seed = self.options["tol"], self.options["maxiter"], self.options["seed"]
        if tol is not None and not (isinstance(tol, (int, float)) and 0 < float(tol) < 1):
            raise InvalidInputError(f"{self.spec.name}: tol must be a number in (0, 1), got {tol!r}")
        if maxiter is not None and (
            isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)) or maxiter < 1
        ):
            raise InvalidInputError(f"{self.spec.name}: maxiter must be a positive integer, got {maxiter!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise InvalidInputError(f"{self.spec.name}: seed must be an integer, got {seed!r}")

    def tol(self, dtype: str) -> float:
        tol = self.options["tol"]
        return LOBPCG_TOL[dtype] if tol is None else float(tol)

    def setup(self, prepared: Prepared) -> None:
        prepared.extra["x0"] = self._start_block(prepared)
        super().setup(prepared)

    def _start_block(self, prepared: Prepared) -> Any:
        n, k = prepared.shape[0], prepared.k
        assert k is not None  # needs_k: validation guarantees it
        x0 = self.options["x0"]
        if x0 is None:
            block = np.random.default_rng(self.options["seed"]).standard_normal((n, k))
        else:
            block = self._host_block(x0, prepared, "x0")
        return put(np.asarray(block, dtype=prepared.dtype), prepared.device)

    def _host_block(self, block: Any, prepared: Prepared, what: str) -> np.ndarray:
        """A copy of the caller's block, checked for shape and finiteness."""
        n, k = prepared.shape[0], prepared.k
        arr = np.array(block, dtype=prepared.dtype, copy=True)
        if arr.shape != (n, k):
            raise InvalidInputError(f"{self.spec.name}: {what} must have shape ({n}, {k}), got {arr.shape}")
        if not np.isfinite(arr).all():
            raise InvalidInputError(f"{self.spec.name}: {what} contains NaN or Inf")
        return arr

    def arguments(self, prepared: Prepared, state: Any = None) -> tuple[Any, ...]:
        if state is None:
            return (prepared.operand, prepared.extra["x0"])
        n, k = prepared.shape[0], prepared.k
        ok = (
            isinstance(state, jax.Array)
            and state.shape == (n, k)
            and state.dtype == np.dtype(prepared.dtype)
            and state.devices() == prepared.operand.devices()
        )
        if not ok:  # a host array or another device: copy it (this is then part of the call)
            state = put(self._host_block(state, prepared, "state"), prepared.device)
        return (prepared.operand, state)

    def function(self, prepared: Prepared) -> Callable[..., Any]:
        n = prepared.shape[0]
        maxiter = int(self.options["maxiter"] or LOBPCG_MAXITER)
        jax_tol = self.tol(prepared.dtype) / (60 * n)

        def lobpcg(a: Any, x: Any) -> tuple[Any, ...]:
            rms = jnp.linalg.norm(a) / np.sqrt(n)  # ≤ ‖A‖₂, and ≥ |λ_top| when λ_top < 0
            shift = 2 * rms
            theta, u, steps = lobpcg_standard(
                lambda v: jnp.matmul(a, v, precision=HIGHEST) + shift * v, x, m=maxiter, tol=jax_tol
            )
            theta = theta - shift
            residuals = jnp.linalg.norm(jnp.matmul(a, u, precision=HIGHEST) - u * theta, axis=0)
            scale = jnp.maximum(rms, jnp.max(jnp.abs(theta)))
            return theta, u, steps, residuals, scale

        return lobpcg

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        theta, u, steps, residuals, scale = raw
        values, vectors = np.asarray(theta), np.asarray(u)
        order = np.argsort(-values, kind="stable")  # lobpcg returns them descending; make sure
        worst = float(np.max(np.asarray(residuals)))
        tol = self.tol(prepared.dtype)
        return Result(
            "eig",
            values=np.ascontiguousarray(values[order]),
            vectors=np.ascontiguousarray(vectors[:, order]),
            state=u,
            steps=int(steps),
            converged=bool(worst <= tol * float(scale)),
            info={"residual_max": worst, "tol": tol, "residual_scale": float(scale)},
        )


__all__ = ["JaxEigh", "JaxLobpcg", "JaxMatmul", "JaxQr", "JaxSvd"]
