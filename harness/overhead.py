"""How much the harness adds to a call: `measure(solver.bind(...))` vs a bare perf_counter loop.

``python -m harness.overhead`` times numpy's and torch's matmul adapters at n = 64 and 1024
both ways in the same process, alternating rounds so machine noise hits both alike, and prints
the difference per call (µs) and relative (%). Targets: < 5 µs per call at n = 64, < 2 % at
n = 1024.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from solvers import registry, unavailable_reason
from solvers.problems import random_symmetric

from .timing import measure

SOLVERS = ("numpy.matmul", "torch.matmul")
SIZES = (64, 1024)


def bare_loop(op: Callable[[], Any], loops: int, repeat: int) -> list[float]:
    """Per-call seconds of `repeat` samples of `loops` calls, timed by hand."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            op()
        times.append((time.perf_counter() - start) / loops)
    return times


def _bare_op(name: str, operand: Any) -> Callable[[], Any]:
    """The operation as a user would write it, on the same operand the adapter got."""
    if name.startswith("torch."):
        import torch

        return lambda: torch.matmul(operand, operand)
    return lambda: operand @ operand


def compare(
    name: str, n: int, rounds: int = 5, repeat: int = 7, min_sample: float = 0.02
) -> dict[str, float]:
    """Median and min per-call seconds, bare and through the harness, over alternating rounds."""
    solver = registry.load(name)
    prepared = solver.prepare(random_symmetric(n, seed=0), None, device="cpu", dtype="float64")
    fn = solver.bind(prepared)
    op = _bare_op(name, prepared.operand)
    harness_medians, bare_medians, harness_mins, bare_mins = [], [], [], []
    for _ in range(rounds):
        t = measure(fn, repeat=repeat, warmup=2, min_sample_seconds=min_sample, max_seconds=60.0)
        bare = bare_loop(op, t.loops, repeat)
        harness_medians.append(t.median)
        harness_mins.append(t.min)
        bare_medians.append(statistics.median(bare))
        bare_mins.append(min(bare))
    h, b = statistics.median(harness_medians), statistics.median(bare_medians)
    hmin, bmin = min(harness_mins), min(bare_mins)
    return {
        "bare_median": b,
        "harness_median": h,
        "overhead_us": (h - b) * 1e6,
        "overhead_pct": (h - b) / b * 100,
        "bare_min": bmin,
        "harness_min": hmin,
        "overhead_min_us": (hmin - bmin) * 1e6,
        "overhead_min_pct": (hmin - bmin) / bmin * 100,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.overhead", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args(argv)
    header = (
        f"{'solver':<14}{'n':>6}{'bare median':>14}{'harness med':>14}{'Δ µs/call':>11}{'Δ %':>8}"
        f"{'bare min':>12}{'harness min':>13}{'Δmin µs':>9}{'Δmin %':>8}"
    )
    print(header)
    for name in args.solvers.split(","):
        reason = unavailable_reason(name)
        if reason:
            print(f"{name:<14} skipped: {reason}")
            continue
        for n in (int(s) for s in args.sizes.split(",")):
            r = compare(name, n, rounds=args.rounds)
            print(
                f"{name:<14}{n:>6}{r['bare_median'] * 1e6:>12.1f}µs{r['harness_median'] * 1e6:>12.1f}µs"
                f"{r['overhead_us']:>11.2f}{r['overhead_pct']:>7.2f}%"
                f"{r['bare_min'] * 1e6:>10.1f}µs{r['harness_min'] * 1e6:>11.1f}µs"
                f"{r['overhead_min_us']:>9.2f}{r['overhead_min_pct']:>7.2f}%",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
