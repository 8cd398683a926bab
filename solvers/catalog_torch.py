"""Built-in torch solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .spec import SolverSpec

TORCH_SPECS: tuple[SolverSpec, ...] = ()
