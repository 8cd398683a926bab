"""Name -> SolverSpec, built from the catalog, entry points and `register` calls.

Nothing here imports a framework until a solver is loaded (or a GPU is asked about), so
listing solvers is cheap and a missing framework is an *unavailable* solver, not an error.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import threading
import warnings
from collections.abc import Iterable
from typing import Any

from .base import Result, Solver
from .devices import device_kind, has_device, normalize_device
from .errors import FrameworkNotInstalledError, UnknownSolverError
from .spec import SolverSpec

ENTRY_POINT_GROUP = "eigbench.solvers"

_lock = threading.RLock()
_specs: dict[str, SolverSpec] = {}
_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        from .catalog import builtin_specs

        for s in builtin_specs():
            _specs[s.name] = s
        for s in _entry_point_specs():
            if s.name in _specs:
                warnings.warn(f"entry point solver {s.name!r} shadows a built-in; ignored", stacklevel=2)
                continue
            _specs[s.name] = s
        _loaded = True


def _entry_point_specs() -> Iterable[SolverSpec]:
    """Specs declared by installed packages; a broken one warns instead of breaking the registry."""
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:
            warnings.warn(f"cannot load eigbench solver entry point {ep.value!r}: {exc}", stacklevel=3)
            continue
        items = (
            [obj] if isinstance(obj, SolverSpec) else list(obj) if isinstance(obj, (list, tuple)) else None
        )
        if not items or not all(isinstance(s, SolverSpec) for s in items):
            warnings.warn(f"entry point {ep.value!r} is not a SolverSpec (or a list of them)", stacklevel=3)
            continue
        yield from items


def reload_entry_points() -> None:
    """Forget everything and re-read catalog and entry points (tests install packages live)."""
    global _loaded
    with _lock:
        registered = {n: s for n, s in _specs.items() if getattr(s, "_registered", False)}
        _specs.clear()
        _loaded = False
        importlib.invalidate_caches()
        _ensure_loaded()
        _specs.update(registered)


def register(spec: SolverSpec, replace: bool = False) -> SolverSpec:
    """Add a solver at run time; it then appears everywhere a built-in does."""
    if not isinstance(spec, SolverSpec):
        raise TypeError(f"register() takes a SolverSpec, got {type(spec).__name__}")
    _ensure_loaded()
    with _lock:
        if spec.name in _specs and not replace:
            raise ValueError(f"solver {spec.name!r} is already registered (pass replace=True)")
        object.__setattr__(spec, "_registered", True)
        _specs[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    _ensure_loaded()
    with _lock:
        _specs.pop(name, None)


def spec(name: str) -> SolverSpec:
    """The spec of `name`; an unknown name raises with the closest registered names."""
    _ensure_loaded()
    try:
        return _specs[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(_specs), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(_specs))}"
        raise UnknownSolverError(f"unknown solver {name!r}{hint}") from None


def all_specs() -> list[SolverSpec]:
    _ensure_loaded()
    return [_specs[n] for n in sorted(_specs)]


def names(kind: str | None = None, framework: str | None = None) -> list[str]:
    """Every registered solver name, optionally filtered by kind and framework."""
    return [s.name for s in all_specs() if _matches(s, kind, framework)]


def _matches(s: SolverSpec, kind: str | None, framework: str | None) -> bool:
    return (kind is None or s.kind == kind) and (framework is None or s.framework == framework)


def missing_requirements(s: SolverSpec) -> list[str]:
    return [m for m in s.requires if importlib.util.find_spec(m.split(".")[0]) is None]


def unavailable_reason(name_or_spec: str | SolverSpec, device: str | None = None) -> str | None:
    """Why a solver cannot run here (on `device`), or None when it can."""
    s = spec(name_or_spec) if isinstance(name_or_spec, str) else name_or_spec
    missing = missing_requirements(s)
    if missing:
        hint = s.install_hint or f"pip install {' '.join(missing)}"
        return f"{', '.join(missing)} not installed ({hint})"
    if device is not None:
        device = normalize_device(device)
        if device_kind(device) not in s.devices:
            return f"{s.name} does not run on {device_kind(device)}"
        if not has_device(s.framework, device):
            return f"no {device} device visible to {s.framework} on this machine"
    return None


def available(
    kind: str | None = None,
    framework: str | None = None,
    device: str | None = None,
    top_k: bool | None = None,
) -> list[SolverSpec]:
    """Specs of solvers that can run on this machine (on `device`, when given)."""
    return [
        s
        for s in all_specs()
        if _matches(s, kind, framework)
        and (top_k is None or s.top_k == top_k)
        and unavailable_reason(s, device) is None
    ]


def load(name: str | SolverSpec, **options: Any) -> Solver:
    """Build the solver; a missing framework raises with the install hint."""
    s = spec(name) if isinstance(name, str) else name
    missing = missing_requirements(s)
    if missing:
        hint = s.install_hint or f"pip install {' '.join(missing)}"
        raise FrameworkNotInstalledError(
            f"solver {s.name} needs {', '.join(missing)}, which is not installed: {hint}"
        )
    module_name, _, attr = s.implementation.partition(":")
    module = importlib.import_module(module_name)
    factory = getattr(module, attr)
    return factory(s, **options)


def solve(
    name: str,
    a: Any,
    k: int | None = None,
    *,
    device: str = "cpu",
    dtype: Any = None,
    state: Any = None,
    **options: Any,
) -> Result:
    """Load, prepare, call and convert in one go: the convenient (untimed) path."""
    return load(name, **options).solve(a, k, device=device, dtype=dtype, state=state)
