"""The table printed at the end of a run: counts by status, and each solver's median time."""

from __future__ import annotations

import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .progress import format_seconds
from .records import STATUSES


def solver_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per solver: counts by status and the median time at the largest n measured ok."""
    by_solver: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_solver[r["solver"]].append(r)
    rows = []
    for name in sorted(by_solver):
        recs = by_solver[name]
        counts = Counter(r["status"] for r in recs)
        ok = [r for r in recs if r["status"] == "ok" and r.get("median") is not None]
        n_max = max((r["n"] for r in ok), default=None)
        at_max = [r["median"] for r in ok if r["n"] == n_max]
        rows.append(
            {
                "solver": name,
                "points": len(recs),
                **{s: counts.get(s, 0) for s in STATUSES},
                "n": n_max,
                "median": statistics.median(at_max) if at_max else None,
            }
        )
    return rows


def print_summary(result: Any, path: Path, preset: str) -> None:
    from rich.console import Console
    from rich.table import Table

    records = result.records
    counts = Counter(r["status"] for r in records)
    table = Table(title=f"eigbench run --preset {preset}: {path}")
    for column in ("solver", "points", *STATUSES, "median (largest n ok)"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    for row in solver_rows(records):
        median = f"{format_seconds(row['median'])} (n={row['n']})" if row["median"] is not None else "-"
        table.add_row(row["solver"], str(row["points"]), *(str(row[s]) for s in STATUSES), median)
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(table)
    failed = counts["failed"] + counts["timeout"] + counts["inaccurate"]
    console.print(
        f"points: {len(records)}  ok: {counts['ok']}  skipped: {counts['skipped']}  "
        f"failed: {failed} (failed {counts['failed']}, timeout {counts['timeout']}, "
        f"inaccurate {counts['inaccurate']})"
        + (f"  already on disk: {result.already_done}" if result.already_done else "")
    )
