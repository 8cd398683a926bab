"""Built-in jax solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .spec import SolverSpec

JAX_SPECS: tuple[SolverSpec, ...] = ()
