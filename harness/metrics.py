"""Accuracy of one result against a float64 reference, judged against the solver's promise.

The formulas and the judgement live in `solvers.accuracy` (the conformance suite uses them
too), so "inaccurate" in a sweep means the same as a failed bound in the conformance suite.
Everything here runs outside timed regions.
"""

from __future__ import annotations

from solvers.accuracy import (
    Evaluation,
    Reference,
    eig_residual,
    evaluate,
    matmul_error,
    orthogonality,
    qr_residual,
    reference_for,
    svd_residual,
    value_error,
    value_relative_error,
)

__all__ = [
    "Evaluation",
    "Reference",
    "eig_residual",
    "evaluate",
    "matmul_error",
    "orthogonality",
    "qr_residual",
    "reference_for",
    "svd_residual",
    "value_error",
    "value_relative_error",
]
