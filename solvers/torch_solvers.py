"""torch adapters: torch.linalg dense solvers, the matmul yardstick and torch.lobpcg.

The operand is a tensor on the device. On CUDA, ``call`` synchronises the device before it
returns (kernels are asynchronous: without the sync the timer would see only the launch);
on the CPU it does not, so the CPU path adds nothing measurable. Operands never require
grad, so no autograd graph is recorded; ``torch.no_grad`` guards the decompositions anyway.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .base import Prepared, Result, Solver, top_k_descending
from .scipy_solvers import check_iterative_options, check_state_shape, descending, start_block


def _sync_for(device: str) -> Callable[[], None] | None:
    """The sync a timed call must end with on `device` (None on the CPU)."""
    if not device.startswith("cuda"):
        return None
    dev = torch.device(device)
    return lambda: torch.cuda.synchronize(dev)


def _numpy(tensor: torch.Tensor, dtype: str) -> np.ndarray:
    """A fresh NumPy copy in `dtype` (never a view of a tensor the solver may reuse)."""
    return np.array(tensor.detach().cpu().numpy(), dtype=dtype, copy=True)


class _TorchSolver(Solver):
    """Puts the checked copy on the device and keeps the device's sync in ``extra``."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return torch.from_numpy(array).to(torch.device(device))

    def setup(self, prepared: Prepared) -> None:
        prepared.extra["sync"] = _sync_for(prepared.device)

    @abstractmethod
    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        """The work itself, on the device; `call` adds no_grad and the sync around it."""

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        with torch.no_grad():
            raw = self.compute(prepared.operand, prepared, state)
        sync = prepared.extra["sync"]
        if sync is not None:
            sync()
        return raw


class TorchEigh(_TorchSolver):
    """torch.linalg.eigh (ascending); top k sliced in `to_result`."""

    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        return torch.linalg.eigh(a)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = raw
        values, vectors = top_k_descending(
            _numpy(values, prepared.dtype), _numpy(vectors, prepared.dtype), prepared.k
        )
        return Result("eig", values=values, vectors=vectors)


class TorchSvd(_TorchSolver):
    """torch.linalg.svd(full_matrices=False); top k sliced."""

    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        return torch.linalg.svd(a, full_matrices=False)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        u, s, vt = raw
        k = prepared.k or s.shape[0]
        dtype = prepared.dtype
        return Result("svd", u=_numpy(u[:, :k], dtype), s=_numpy(s[:k], dtype), vt=_numpy(vt[:k], dtype))


class TorchQr(_TorchSolver):
    """torch.linalg.qr, reduced."""

    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        return torch.linalg.qr(a, mode="reduced")

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("qr", q=_numpy(raw[0], prepared.dtype), r=_numpy(raw[1], prepared.dtype))


class TorchMatmul(_TorchSolver):
    """A @ A: the yardstick every other time is compared with."""

    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        return a @ a

    def bind(self, prepared: Prepared, state: Any = None) -> Callable[[], Any]:
        """A closure with nothing but the product (and the sync on CUDA) for the timing loop."""
        a = prepared.operand
        sync = prepared.extra["sync"]
        if sync is None:
            return lambda: a @ a

        def product_synced() -> torch.Tensor:
            p = a @ a
            sync()
            return p

        return product_synced

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("matmul", product=_numpy(raw, prepared.dtype))


class TorchLobpcg(_TorchSolver):
    """torch.lobpcg, largest=True; warm-started from the previous call's vectors.

    torch's LOBPCG writes into its starting block, so each call hands it a clone (n·k,
    negligible) and the prepared block, or the caller's state, survives. The iteration
    count and convergence are read from the worker through torch's tracker hook.
    """

    def check_options(self) -> None:
        check_iterative_options(self.spec.name, self.options)

    def setup(self, prepared: Prepared) -> None:
        super().setup(prepared)
        n, k = prepared.shape[1], int(prepared.k or 0)
        block = start_block(self.spec.name, self.options, n, k, prepared.dtype)
        prepared.extra["x0"] = torch.from_numpy(block).to(prepared.operand.device)

    def start(self, prepared: Prepared, state: Any) -> torch.Tensor:
        if state is None:
            return prepared.extra["x0"]
        check_state_shape(self.spec.name, state, prepared.shape[1], int(prepared.k or 0))
        if not isinstance(state, torch.Tensor):  # a NumPy block from the caller
            state = torch.from_numpy(np.asarray(state, dtype=prepared.dtype))
        return state.to(device=prepared.operand.device, dtype=prepared.operand.dtype)

    def compute(self, a: torch.Tensor, prepared: Prepared, state: Any) -> Any:
        x = self.start(prepared, state).clone()
        workers: list[Any] = []

        def track(worker: Any) -> None:
            if not workers:
                workers.append(worker)

        values, vectors = torch.lobpcg(
            a,
            X=x,
            niter=self.options["maxiter"],
            tol=self.options["tol"],
            largest=True,
            tracker=track,  # type: ignore[arg-type]  # torch annotates it as None only
        )
        ivars = workers[0].ivars if workers else {}
        return values, vectors, ivars.get("istep"), ivars.get("converged_count")

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors, steps, converged_count = raw
        state = vectors
        values, vectors = descending(
            _numpy(values, prepared.dtype), _numpy(vectors, prepared.dtype), prepared.dtype
        )
        k = int(prepared.k or 0)
        converged = None if converged_count is None else int(converged_count) >= k
        info = {"converged_count": converged_count}
        return Result(
            "eig",
            values=values,
            vectors=vectors,
            state=state,
            steps=None if steps is None else int(steps),
            converged=converged,
            info=info,
        )
