"""Install a throwaway third-party package that declares `eigbench.solvers` entry points.

The package is written to a directory with a ``*.dist-info/entry_points.txt``, exactly what
pip leaves behind, and that directory is put on sys.path (and returned, so that worker
subprocesses can get it through PYTHONPATH). importlib.metadata then finds the entry points
as it would for a pip-installed distribution.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path


def install_plugin(
    root: Path, module: str, source: str, attribute: str = "SPECS", dist: str | None = None
) -> Path:
    """Write `module` (with `source`) and a dist-info declaring ``module:attribute``; return the dir."""
    dist = dist or f"{module.replace('_', '-')}"
    site = root / f"site-{module}"
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[eigbench.solvers]\n{module} = {module}:{attribute}\n")
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    import solvers.registry

    solvers.registry.reload_entry_points()
    return site


def uninstall_plugin(site: Path, module: str) -> None:
    """Undo `install_plugin` for this process."""
    if str(site) in sys.path:
        sys.path.remove(str(site))
    sys.modules.pop(module, None)
    import solvers.registry

    solvers.registry.reload_entry_points()
