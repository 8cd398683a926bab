"""A third-party eigensolver that eigbench knows only through the `eigbench.solvers` entry point.

It computes the top-k eigenpairs by Rayleigh–Ritz on a Krylov-free basis: a full eigh of A
done in float64 and cast back, so it is exact; what the tests check is that the registry,
the conformance suite and the harness pick it up with no edit to eigbench.
"""

from __future__ import annotations

import numpy as np

from solvers import Result, Solver, SolverSpec


class Float64Eigh(Solver):
    def to_device(self, array, device):
        return array

    def call(self, prepared, state=None):
        return np.linalg.eigh(prepared.operand.astype(np.float64))

    def to_result(self, raw, prepared):
        values, vectors = raw[0][::-1], raw[1][:, ::-1]
        k = prepared.k or values.shape[0]
        dtype = prepared.dtype
        return Result(
            "eig",
            values=np.ascontiguousarray(values[:k], dtype=dtype),
            vectors=np.ascontiguousarray(vectors[:, :k], dtype=dtype),
        )


SPECS = [
    SolverSpec(
        name="example.float64_eigh",
        framework="example",
        kind="eig",
        implementation="eigbench_example_plugin:Float64Eigh",
        description="third-party: eigh computed in float64 whatever the input dtype",
    )
]
