"""pytest-benchmark suite setup: make `benchmarks` importable from the repository root.

This folder has no ``__init__.py`` on purpose: asv imports every package under benchmarks/
recursively, and pytest (or pytest-benchmark) may be absent from an asv-built environment.
Without it pytest imports these files by their own names, so the root goes on sys.path here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
