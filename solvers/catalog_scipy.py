"""Built-in scipy solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .spec import SolverSpec

SCIPY_SPECS: tuple[SolverSpec, ...] = ()
