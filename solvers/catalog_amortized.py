"""Built-in amortized solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .spec import SolverSpec

AMORTIZED_SPECS: tuple[SolverSpec, ...] = ()
