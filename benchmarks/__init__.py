"""asv and pytest-benchmark suites over the solver registry.

Every suite takes its parameters from `benchmarks.grid` (the registry crossed with sizes,
dtypes and devices), so a solver registered anywhere appears here with no benchmark code.
"""

from __future__ import annotations

import os

# JAX grabs 75% of GPU memory on first use unless told not to; benchmarks of several
# frameworks in one process (and peakmem numbers) need it to allocate on demand. Set here as
# well as in asv.conf.json because `asv run --python=same` does not apply the config's matrix.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
