"""Frozen description of a solver: what it computes, where it runs, what it promises.

A spec is plain data, cheap to import: the registry can list every solver (and the
conformance suite and benchmarks can parametrise over them) without importing torch or JAX.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Kind = Literal["eig", "svd", "qr", "matmul"]
KINDS: tuple[str, ...] = ("eig", "svd", "qr", "matmul")
DTYPES: tuple[str, ...] = ("float32", "float64")
DEVICES: tuple[str, ...] = ("cpu", "cuda")


@dataclass(frozen=True)
class Accuracy:
    """Bounds a solver promises for one dtype, checked by the conformance suite.

    values: max |λ - λ_ref| / ‖A‖₂ over the requested eigen/singular values.
    residual: ‖AV − VΛ‖_F / (‖A‖_F · n) (or ‖A − UΣVᵀ‖, ‖A − QR‖ for svd/qr).
    orthogonality: ‖VᵀV − I‖_F.
    """

    values: float
    residual: float
    orthogonality: float


DEFAULT_ACCURACY: Mapping[str, Accuracy] = MappingProxyType(
    {
        "float32": Accuracy(values=1e-4, residual=1e-5, orthogonality=1e-3),
        "float64": Accuracy(values=1e-10, residual=1e-12, orthogonality=1e-10),
    }
)


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class SolverSpec:
    """Everything the harness needs to know about a solver without importing it.

    ``implementation`` is ``"module:attribute"``; the attribute is a `solvers.base.Solver`
    subclass (or a callable returning one) built with the solver's options.
    """

    name: str
    framework: str
    kind: Kind
    implementation: str
    top_k: bool = False
    """Computes only the top k natively (False: a full solver that slices its output)."""
    differentiable: bool = False
    devices: tuple[str, ...] = ("cpu",)
    dtypes: tuple[str, ...] = DTYPES
    warm_start: bool = False
    """Keeps state between calls: ``call(prepared, state)`` returns a state to pass on."""
    iterative: bool = False
    accuracy: Mapping[str, Accuracy] = field(default_factory=lambda: DEFAULT_ACCURACY)
    requires: tuple[str, ...] = ()
    """Importable modules the solver needs; a missing one makes it unavailable."""
    install_hint: str = ""
    options: Mapping[str, object] = field(default_factory=dict)
    """Option names the solver accepts, with their defaults."""
    min_n_per_k: float = 0.0
    """The method needs n ≥ min_n_per_k · k (torch.lobpcg: n ≥ 3k)..."""
    min_n_strict: bool = False
    """...or n > min_n_per_k · k when True (JAX lobpcg_standard: n > 5k)."""
    needs_k: bool = False
    """The method cannot compute the full spectrum: k is required."""
    cannot: Mapping[str, str] = field(default_factory=dict)
    """Conformance problems this solver declares it cannot do, with the reason."""
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"solver {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if "." not in self.name:
            raise ValueError(f"solver name {self.name!r} must be 'framework.method'")
        if ":" not in self.implementation:
            raise ValueError(
                f"solver {self.name!r}: implementation must be 'module:attribute', "
                f"got {self.implementation!r}"
            )
        unknown = set(self.devices) - set(DEVICES)
        if unknown:
            raise ValueError(f"solver {self.name!r}: unknown devices {sorted(unknown)}")
        unknown = set(self.dtypes) - set(DTYPES)
        if unknown:
            raise ValueError(f"solver {self.name!r}: unknown dtypes {sorted(unknown)}")
        object.__setattr__(self, "accuracy", _frozen({**DEFAULT_ACCURACY, **self.accuracy}))
        object.__setattr__(self, "options", _frozen(self.options))
        object.__setattr__(self, "cannot", _frozen(self.cannot))

    @property
    def method(self) -> str:
        return self.name.split(".", 1)[1]

    def accuracy_for(self, dtype: str) -> Accuracy:
        return self.accuracy[dtype]
