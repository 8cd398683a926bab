"""Registry adapters for JAX's amortized eigensolver and its classical rival (subspace iteration).

Both are stateful: ``call(prepared, state)`` warm-starts from the state a previous call returned
(`Result.state`). The whole solve is one AOT-compiled executable (a ``lax.while_loop`` inside),
so the timed call is a single dispatch plus ``block_until_ready``.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from ..base import Prepared, Result, Solver
from ..errors import InvalidInputError
from ..jax_support import aot_compile, put, x64_scope
from . import jax_impl
from .config import AmortizedConfig
from .jax_subspace import SubspaceResult, start_block, subspace_solve_jit

#: lr per optimiser when the caller gives none (measured on the conformance problems, n=48).
DEFAULT_LR = {"adam": 1e-2, "adamax": 2e-2, "yogi": 1e-2, "sgd": 1e-1, "lbfgs": 1.0}
#: Relative change of the values over check_every steps that counts as converged.
DEFAULT_TOL = {"float32": 1e-7, "float64": 1e-13}
#: Subspace iteration's residual tolerance, relative to ‖A‖.
SUBSPACE_TOL = {"float32": 1e-5, "float64": 1e-11}


def _positive_int(options: dict[str, Any], name: str) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidInputError(f"option {name} must be a positive integer, got {value!r}")
    return int(value)


def _max_steps(options: dict[str, Any], default: int) -> int:
    """`max_steps` and the common `maxiter` mean the same; both given must agree."""
    max_steps, maxiter = _positive_int(options, "max_steps"), _positive_int(options, "maxiter")
    if max_steps is not None and maxiter is not None and max_steps != maxiter:
        raise InvalidInputError(f"max_steps={max_steps} and maxiter={maxiter} disagree: give one")
    return max_steps or maxiter or default


def _check_x0(x0: Any, n: int, k: int, name: str) -> np.ndarray | None:
    if x0 is None:
        return None
    arr = np.asarray(x0, dtype=np.float64)
    if arr.shape != (n, k):
        raise InvalidInputError(f"{name}: x0 has shape {arr.shape}, expected ({n}, {k})")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{name}: x0 contains NaN or Inf")
    return arr


class _JaxIterative(Solver):
    """Shared phases: operand on the device, AOT compile, call inside the dtype's x64 scope."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return put(array, device)

    def _state(self, prepared: Prepared, state: Any) -> Any:
        """The starting state on the device: the caller's `state` checked, or the cold start."""
        raise NotImplementedError

    def _args(self, prepared: Prepared, state: Any) -> tuple[Any, ...]:
        return (self._state(prepared, state), prepared.operand, *prepared.extra["scalars"])

    def _fn(self, prepared: Prepared) -> Any:
        raise NotImplementedError

    def compile(self, prepared: Prepared, state: Any = None) -> float:
        with x64_scope(prepared.dtype):
            args = self._args(prepared, state)
        executable, seconds = aot_compile(self._fn(prepared), *args, dtype=prepared.dtype)
        prepared.extra["executable"] = executable
        return seconds

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        if "executable" not in prepared.extra:
            self.compile(prepared, state)
        with x64_scope(prepared.dtype):
            out = prepared.extra["executable"](*self._args(prepared, state))
            return jax.block_until_ready(out)


class JaxAmortized(_JaxIterative):
    """W (n×k) trained by an optax optimiser on an eigen loss until the values settle."""

    def check_options(self) -> None:
        o = self.options
        optimizer = o["optimizer"]
        lr = DEFAULT_LR.get(optimizer, 1e-2) if o["lr"] is None else o["lr"]
        self.max_steps = _max_steps(o, 2000)
        self.check_every = _positive_int(o, "check_every") or 10
        try:
            self.config = AmortizedConfig(
                loss=o["loss"],
                optimizer=optimizer,
                lr=lr,
                momentum=o["momentum"],
                power=o["power"],
                max_steps=self.max_steps,
                check_every=self.check_every,
                seed=int(o["seed"]),
            )
        except ValueError as exc:
            raise InvalidInputError(f"{self.spec.name}: {exc}") from None
        if o["tol"] is not None and not o["tol"] >= 0:
            raise InvalidInputError(f"option tol must be >= 0, got {o['tol']!r}")

    def setup(self, prepared: Prepared) -> None:
        n, k = prepared.shape[0], prepared.top_k
        x0 = _check_x0(self.options["x0"], n, k, self.spec.name)
        tol = self.options["tol"]
        tol = DEFAULT_TOL[prepared.dtype] if tol is None else tol
        with x64_scope(prepared.dtype), jax.default_device(prepared.operand.device):
            prepared.extra["init"] = jax_impl.init(n, k, self.config, w0=x0, dtype=prepared.dtype)
            prepared.extra["scalars"] = (
                np.int32(self.max_steps),
                np.dtype(prepared.dtype).type(tol),
                np.int32(self.check_every),
            )

    def _state(self, prepared: Prepared, state: Any) -> jax_impl.AmortizedState:
        """The previous call's state, or a W to start from (fresh optimiser state)."""
        if state is None:
            return prepared.extra["init"]
        if isinstance(state, jax_impl.AmortizedState):
            if jax_impl._Static(state.config) != jax_impl._Static(self.config):
                raise InvalidInputError(
                    f"{self.spec.name}: the state was made with a different configuration "
                    f"({state.config.loss}/{state.config.optimizer}); start without a state"
                )
            return state
        w = _check_x0(np.asarray(state), prepared.shape[0], prepared.top_k, self.spec.name)
        with jax.default_device(prepared.operand.device):
            return jax_impl.init(prepared.shape[0], prepared.top_k, self.config, w0=w, dtype=prepared.dtype)

    def _fn(self, prepared: Prepared) -> Any:
        return jax_impl.solve_with_status

    def to_result(self, raw: jax_impl.Solved, prepared: Prepared) -> Result:
        dtype = prepared.dtype
        return Result(
            "eig",
            values=np.asarray(raw.values, dtype=dtype),
            vectors=np.asarray(raw.vectors, dtype=dtype),
            state=raw.state,
            steps=int(raw.steps),
            converged=bool(raw.converged),
            info={"total_steps": int(raw.state.count)},
        )


class JaxSubspace(_JaxIterative):
    """Subspace iteration + Rayleigh–Ritz on an oversampled block, warm-started from the last one."""

    def check_options(self) -> None:
        self.maxiter = _max_steps(self.options, 1000)
        oversample = self.options["oversample"]
        if isinstance(oversample, bool) or not isinstance(oversample, (int, np.integer)) or oversample < 0:
            raise InvalidInputError(f"option oversample must be an integer >= 0, got {oversample!r}")
        tol = self.options["tol"]
        if tol is not None and not tol >= 0:
            raise InvalidInputError(f"option tol must be >= 0, got {tol!r}")

    def setup(self, prepared: Prepared) -> None:
        n, k = prepared.shape[0], prepared.top_k
        p = min(n, k + int(self.options["oversample"]))
        tol = self.options["tol"]
        tol = SUBSPACE_TOL[prepared.dtype] if tol is None else tol
        prepared.extra["block"] = p
        block = start_block(n, p, self.options["x0"], int(self.options["seed"]))
        prepared.extra["init"] = put(block.astype(prepared.dtype), prepared.device)
        prepared.extra["scalars"] = (np.int32(self.maxiter), np.dtype(prepared.dtype).type(tol))

    def _state(self, prepared: Prepared, state: Any) -> Any:
        if state is None:
            return prepared.extra["init"]
        n, p = prepared.shape[0], prepared.extra["block"]
        if isinstance(state, jax.Array) and state.shape == (n, p) and state.dtype == prepared.dtype:
            return state
        block = start_block(n, p, np.asarray(state), int(self.options["seed"]))
        return put(block.astype(prepared.dtype), prepared.device)

    def _fn(self, prepared: Prepared) -> Any:
        k = prepared.k
        return jax.jit(lambda u0, a, maxiter, tol: subspace_solve_jit(u0, a, k, maxiter, tol))

    def to_result(self, raw: SubspaceResult, prepared: Prepared) -> Result:
        dtype = prepared.dtype
        return Result(
            "eig",
            values=np.asarray(raw.values, dtype=dtype),
            vectors=np.asarray(raw.vectors, dtype=dtype),
            state=raw.block,
            steps=int(raw.steps),
            converged=bool(raw.converged),
        )
