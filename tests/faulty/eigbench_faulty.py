"""Solvers that fail in each way the harness must survive: raise, NaN, hang, die, lie, crawl.

Installed by tests through `tests.plugin_util.install_plugin` (entry point `eigbench.solvers`),
so the worker process finds them exactly as it would a pip-installed third-party package.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import numpy as np

from solvers.base import Prepared, Result, Solver, top_k_descending
from solvers.spec import SolverSpec


class _Eigh(Solver):
    """A correct numpy eigh; subclasses break `call`."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return array

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return np.linalg.eigh(prepared.operand)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = top_k_descending(raw[0], raw[1], prepared.k)
        return Result("eig", values=values, vectors=vectors)


class Raises(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        raise RuntimeError("deliberate failure inside the solver")


class ReturnsNan(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        values, vectors = np.linalg.eigh(prepared.operand)
        values = values.copy()
        values[0] = np.nan
        return values, vectors


class Hangs(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        time.sleep(3600)
        return super().call(prepared, state)


class ExitsProcess(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        os._exit(3)


class KillsProcess(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(60)


class Inaccurate(_Eigh):
    def call(self, prepared: Prepared, state: Any = None) -> Any:
        values, vectors = np.linalg.eigh(prepared.operand)
        return values * 1.5, vectors


class Slow(_Eigh):
    """Correct, but each call takes 0.15 s: long enough to interrupt a sweep mid-way."""

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        time.sleep(0.15)
        return super().call(prepared, state)


def _spec(method: str, attr: str) -> SolverSpec:
    return SolverSpec(
        name=f"faulty.{method}",
        framework="faulty",
        kind="eig",
        implementation=f"eigbench_faulty:{attr}",
        dtypes=("float64",),
        description=f"test solver that {method}",
    )


SPECS = [
    _spec("raises", "Raises"),
    _spec("nan", "ReturnsNan"),
    _spec("hangs", "Hangs"),
    _spec("exits", "ExitsProcess"),
    _spec("sigkill", "KillsProcess"),
    _spec("inaccurate", "Inaccurate"),
    _spec("slow", "Slow"),
]
