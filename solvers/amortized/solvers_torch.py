"""Registry adapters: torch.amortized (the method) and torch.subspace (warm subspace iteration).

Both are stateful: ``call(prepared, state)`` returns a raw output whose state `to_result` exposes
as ``Result.state``; passing it to the next call warm-starts from it. The passed state is never
modified, so a timing loop that repeats one call with one state repeats the same work.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Prepared, Result, Solver
from ..errors import InvalidInputError
from .config import LOSSES, OPTIMIZERS, AmortizedConfig
from .torch_impl import AmortizedState, SolveOutput, solve
from .torch_subspace import SubspaceOutput, start_block, subspace_iteration

#: Tolerances used when the caller gives none (relative change of λ; relative residual).
AMORTIZED_TOL = {"float32": 1e-7, "float64": 1e-9}
SUBSPACE_TOL = {"float32": 1e-5, "float64": 1e-11}


#: Learning rates used when the caller gives none, chosen by measurement (n ≤ 1000, k ≤ 10):
#: Adam's constant rate wobbles at a 1e-5 floor that a tight tol never sees, so the default
#: optimiser is SGD with momentum, whose rate must scale as n/‖A‖ (W's columns have norm √n).
FIXED_LR = {"adam": 1e-2, "adamax": 1e-2, "yogi": 1e-2, "lbfgs": 1.0}
SGD_LR_SCALE = 0.5


def default_lr(optimizer: str, a: torch.Tensor) -> float:
    """The rate for `optimizer` on `a`: fixed, or for SGD 0.5·n / (Gershgorin bound ≥ ‖A‖₂).

    The bound is one O(n²) pass inside the timed call, under one product's cost.
    """
    if optimizer != "sgd":
        return FIXED_LR[optimizer]
    bound = float(a.abs().sum(dim=1).max())
    return SGD_LR_SCALE * a.shape[0] / max(bound, 1e-300)


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


class _TorchStateful(Solver):
    """Shared device handling: the operand is a torch tensor on the eigbench device."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return torch.from_numpy(array).to(device)

    def _maxiter(self, default_key: str) -> int:
        maxiter = self.options.get("maxiter")
        return int(self.options[default_key] if maxiter is None else maxiter)

    def _tol(self, dtype: str, defaults: dict[str, float]) -> float:
        tol = self.options.get("tol")
        return defaults[dtype] if tol is None else float(tol)

    def check_options(self) -> None:
        for key in ("maxiter", "max_steps", "check_every"):
            value = self.options.get(key)
            if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
                raise InvalidInputError(
                    f"{self.spec.name}: option {key} must be a positive integer, got {value!r}"
                )
        tol = self.options.get("tol")
        if tol is not None and not float(tol) >= 0:
            raise InvalidInputError(f"{self.spec.name}: option tol must be >= 0, got {tol!r}")


class TorchAmortized(_TorchStateful):
    """The amortized method: W and the optimiser's state persist between calls."""

    def check_options(self) -> None:
        super().check_options()
        if self.options["loss"] not in LOSSES:
            raise InvalidInputError(
                f"{self.spec.name}: loss must be one of {LOSSES}, got {self.options['loss']!r}"
            )
        if self.options["optimizer"] not in OPTIMIZERS:
            raise InvalidInputError(
                f"{self.spec.name}: optimizer must be one of {OPTIMIZERS}, got {self.options['optimizer']!r}"
            )

    def config(self, dtype: str) -> AmortizedConfig:
        """The configuration; with ``lr=None`` the rate is a placeholder that `call` resolves."""
        o = self.options
        return AmortizedConfig(
            loss=o["loss"],
            optimizer=o["optimizer"],
            lr=1.0 if o["lr"] is None else float(o["lr"]),
            momentum=float(o["momentum"]),
            power=float(o["power"]),
            max_steps=self._maxiter("max_steps"),
            tol=self._tol(dtype, AMORTIZED_TOL),
            check_every=int(o["check_every"]),
            seed=int(o["seed"]),
        )

    def setup(self, prepared: Prepared) -> None:
        prepared.extra["config"] = self.config(prepared.dtype)

    def call(self, prepared: Prepared, state: Any = None) -> SolveOutput:
        if state is not None and not isinstance(state, AmortizedState):
            raise InvalidInputError(f"{self.spec.name}: state must come from a previous call's Result.state")
        config = prepared.extra["config"]
        if self.options["lr"] is None:
            config = config.with_(lr=default_lr(config.optimizer, prepared.operand))
        out = solve(prepared.operand, prepared.top_k, config, state, x0=self.options["x0"])
        _sync(prepared.device)
        return out

    def to_result(self, raw: SolveOutput, prepared: Prepared) -> Result:
        values = raw.values.detach().cpu().numpy()
        order = np.argsort(values, kind="stable")[::-1]
        vectors = raw.vectors.detach().cpu().numpy()[:, order]
        return Result(
            "eig",
            values=np.ascontiguousarray(values[order]),
            vectors=np.ascontiguousarray(vectors),
            state=raw.state,
            steps=raw.steps,
            converged=raw.converged,
        )


class TorchSubspace(_TorchStateful):
    """Subspace iteration with Rayleigh–Ritz; the state is the Ritz block of the last call."""

    def call(self, prepared: Prepared, state: Any = None) -> SubspaceOutput:
        a, k = prepared.operand, prepared.top_k
        n = a.shape[0]
        b = min(n, k + int(self.options["oversample"]))
        if state is None:
            block = start_block(n, b, a, int(self.options["seed"]), self.options["x0"])
        elif isinstance(state, torch.Tensor) and tuple(state.shape) == (n, b):
            block = state
        else:
            raise InvalidInputError(
                f"{self.spec.name}: state must be the ({n}, {b}) block of a previous call"
            )
        out = subspace_iteration(
            a,
            k,
            block,
            tol=self._tol(prepared.dtype, SUBSPACE_TOL),
            maxiter=self._maxiter("max_steps"),
            check_every=int(self.options["check_every"]),
        )
        _sync(prepared.device)
        return out

    def to_result(self, raw: SubspaceOutput, prepared: Prepared) -> Result:
        return Result(
            "eig",
            values=np.ascontiguousarray(raw.values.cpu().numpy()),
            vectors=np.ascontiguousarray(raw.vectors.cpu().numpy()),
            state=raw.block,
            steps=raw.steps,
            converged=raw.converged,
        )
