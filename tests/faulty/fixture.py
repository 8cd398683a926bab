"""Install the faulty solvers for a test module (and its worker subprocesses)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tests.plugin_util import install_plugin, uninstall_plugin

SOURCE = Path(__file__).with_name("eigbench_faulty.py")
MODULE = "eigbench_faulty"


def installed(root: Path) -> Iterator[Path]:
    """Install; put the site on PYTHONPATH for `python -m harness.cli` subprocesses; undo after."""
    site = install_plugin(root, MODULE, SOURCE.read_text())
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), old]))
    try:
        yield site
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
        uninstall_plugin(site, MODULE)
