"""numpy.linalg adapters: full LAPACK solvers; a top-k request slices the full output."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Prepared, Result, Solver, top_k_descending


class _NumpySolver(Solver):
    """NumPy runs on the host: no transfer, no sync; the operand is the checked copy."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return array


class NumpyEigh(_NumpySolver):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return np.linalg.eigh(prepared.operand)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = top_k_descending(raw[0], raw[1], prepared.k)
        return Result("eig", values=values, vectors=vectors)


class NumpySvd(_NumpySolver):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return np.linalg.svd(prepared.operand, full_matrices=False)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        u, s, vt = raw
        k = prepared.k or s.shape[0]
        return Result("svd", u=u[:, :k], s=s[:k], vt=vt[:k])


class NumpyQr(_NumpySolver):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return np.linalg.qr(prepared.operand, mode="reduced")

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("qr", q=raw[0], r=raw[1])


class NumpyMatmul(_NumpySolver):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        a = prepared.operand
        return a @ a

    def bind(self, prepared: Prepared, state: Any = None):
        a = prepared.operand
        return lambda: a @ a

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("matmul", product=raw)
