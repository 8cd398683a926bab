"""eigbench solvers: every framework's eigensolvers behind one registry.

``import solvers`` imports neither torch nor JAX; a framework is imported when one of its
solvers is loaded.
"""

from __future__ import annotations

from . import conformance
from .base import Prepared, Result, Solver
from .errors import (
    ConformanceError,
    DeviceError,
    EigbenchError,
    FrameworkNotInstalledError,
    InvalidInputError,
    UnknownOptionError,
    UnknownSolverError,
    UnsupportedDtypeError,
)
from .registry import (
    ENTRY_POINT_GROUP,
    available,
    load,
    names,
    register,
    solve,
    spec,
    unavailable_reason,
    unregister,
)
from .spec import Accuracy, SolverSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "Accuracy",
    "ConformanceError",
    "DeviceError",
    "EigbenchError",
    "FrameworkNotInstalledError",
    "InvalidInputError",
    "Prepared",
    "Result",
    "Solver",
    "SolverSpec",
    "UnknownOptionError",
    "UnknownSolverError",
    "UnsupportedDtypeError",
    "available",
    "conformance",
    "load",
    "names",
    "register",
    "solve",
    "spec",
    "unavailable_reason",
    "unregister",
]
