"""The amortized-method study: what one step costs against one eigh, and when warm starts pay.

Run ``python -m harness.studies.amortized --out DIR``. It writes JSON lines (one per
measurement, flushed as they complete) to DIR/step_vs_eigh.jsonl and DIR/tracking.jsonl and
prints both tables. Part 1 times one amortized step and one eigh of the same float32 matrix
(torch; JAX through `solvers.amortized.jax_impl` when it imports). Part 2 tracks a drifting
sequence A_{t+1} = A_t + ε·E_t and asks every method for the top-k eigenvalues of each matrix
within a relative error of 1e-3, timing only the solver calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

import solvers
from solvers.accuracy import value_relative_error

SCHEMA = 1
TARGET = 1e-3


# -- inputs ------------------------------------------------------------------------------------
START = {"decaying": solvers.problems.decaying, "wishart": solvers.problems.random_psd}


def drifting(problem: str, n: int, count: int, eps: float, seed: int = 0) -> Iterator[np.ndarray]:
    """A_0, A_1, … with A_{t+1} = A_t + ε‖A_0‖₂·E_t, E_t a Wigner matrix scaled to ‖E_t‖₂ ≈ 1."""
    a = START[problem](n, seed)
    scale = eps * float(np.linalg.norm(a, 2))
    rng = np.random.default_rng(seed + 1)
    for _ in range(count):
        yield a
        g = rng.standard_normal((n, n))
        a = a + scale * (g + g.T) / (2.0 * np.sqrt(2.0 * n))


# -- part 1: one step against one eigh ----------------------------------------------------------
def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_step_and_eigh(n: int, ks: list[int], device: str = "cpu", steps: int = 20) -> list[dict[str, Any]]:
    """Seconds of one amortized step (from a solve of `steps` steps, minus a 1-step solve) and one eigh."""
    import torch

    from solvers.amortized import AmortizedConfig
    from solvers.amortized import torch_impl as ti

    a = torch.as_tensor(solvers.problems.random_psd(n, 0), dtype=torch.float32, device=device)
    sync = (lambda: torch.cuda.synchronize()) if device == "cuda" else (lambda: None)
    torch.linalg.eigh(a)
    sync()
    eigh = _median_seconds(lambda: (torch.linalg.eigh(a), sync()), 1 if n >= 4000 else 3)
    rows = []
    for k in ks:
        cfg = AmortizedConfig(tol=0.0)
        ti.solve(a, k, cfg.with_(max_steps=3))
        one = _median_seconds(lambda: (ti.solve(a, k, cfg.with_(max_steps=1)), sync()), 3)  # noqa: B023
        many = _median_seconds(lambda: (ti.solve(a, k, cfg.with_(max_steps=steps + 1)), sync()), 3)  # noqa: B023
        step = max(many - one, 1e-12) / steps
        rows.append(_step_row("torch", device, n, k, step, eigh))
    return rows


def jax_step_and_eigh(n: int, ks: list[int], device: str = "cpu") -> list[dict[str, Any]]:
    """The same with `jax_impl.step` (jitted, compiled before timing) and jnp.linalg.eigh."""
    import jax
    import jax.numpy as jnp

    from solvers.amortized import AmortizedConfig, jax_impl

    dev = jax.devices("gpu" if device == "cuda" else "cpu")[0]
    a = jax.device_put(jnp.asarray(solvers.problems.random_psd(n, 0), dtype=jnp.float32), dev)
    eigh_fn = jax.jit(jnp.linalg.eigh)
    jax.block_until_ready(eigh_fn(a))
    eigh = _median_seconds(lambda: jax.block_until_ready(eigh_fn(a)), 1 if n >= 4000 else 3)
    rows = []
    for k in ks:
        state = jax_impl.init(n, k, AmortizedConfig(), dtype=jnp.float32)
        state = jax.block_until_ready(jax_impl.step(state, a))

        def run(state=state):
            for _ in range(10):
                state = jax_impl.step(state, a)
            jax.block_until_ready(state)

        step = _median_seconds(run, 3) / 10
        rows.append(_step_row("jax", device, n, k, step, eigh))
    return rows


def _step_row(framework: str, device: str, n: int, k: int, step: float, eigh: float) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "study": "step_vs_eigh",
        "framework": framework,
        "device": device,
        "dtype": "float32",
        "n": n,
        "k": k,
        "step_s": step,
        "eigh_s": eigh,
        "ratio": eigh / step,
    }


# -- part 2: tracking a drifting sequence ---------------------------------------------------------
METHODS: dict[str, tuple[str, dict[str, Any], bool]] = {
    # label: (registry name, options, pass the state on)
    "eigh every matrix": ("torch.eigh", {}, False),
    "LOBPCG cold": ("torch.lobpcg", {"maxiter": 500}, False),
    "LOBPCG warm": ("torch.lobpcg", {"maxiter": 500}, True),
    "subspace warm": ("torch.subspace", {"tol": 1e-3, "max_steps": 2000}, True),
    "amortized adam warm": (
        "torch.amortized",
        {"optimizer": "adam", "lr": 1e-2, "tol": 1e-5, "max_steps": 8000},
        True,
    ),
    # The registry default: SGD with momentum, lr = 0.5·n/(Gershgorin bound on ‖A‖).
    "amortized sgd warm": ("torch.amortized", {"tol": 1e-6, "max_steps": 8000}, True),
    # optax's L-BFGS (jax.amortized's default), compiled once outside the timing.
    "jax amortized lbfgs warm": ("jax.amortized", {"tol": 1e-5, "max_steps": 8000}, True),
}


def track(
    problem: str, label: str, n: int, k: int, count: int, eps: float, references: list[np.ndarray]
) -> dict[str, Any]:
    """Solve every matrix of the sequence with one method; accuracy checked outside the timing."""
    name, options, warm = METHODS[label]
    kind_options = dict(options)
    solver = solvers.load(name, **kind_options)
    state = None
    seconds, steps, errors = 0.0, [], []
    for a, ref in zip(drifting(problem, n, count, eps), references):
        prepared = solver.prepare(a.astype(np.float32), None if name == "torch.eigh" else k)
        solver.compile(prepared, state if warm else None)  # JAX: AOT compile, kept out of the time
        start = time.perf_counter()
        raw = solver.call(prepared, state if warm else None)
        seconds += time.perf_counter() - start
        result = solver.to_result(raw, prepared)
        state = result.state
        steps.append(result.steps if result.steps is not None else 1)
        assert result.values is not None
        errors.append(value_relative_error(result.values[:k], ref))
    return {
        "schema": SCHEMA,
        "study": "tracking",
        "problem": problem,
        "method": label,
        "solver": name,
        "options": kind_options,
        "n": n,
        "k": k,
        "matrices": count,
        "eps": eps,
        "total_s": seconds,
        "mean_steps": float(np.mean(steps)),
        "first_steps": int(steps[0]),
        "max_rel_error": float(max(errors)),
        "all_met": bool(max(errors) <= TARGET),
    }


# -- output ------------------------------------------------------------------------------------
def _emit(path: Path, row: dict[str, Any]) -> None:
    with path.open("a") as fh:
        fh.write(json.dumps(row) + "\n")
        fh.flush()


def print_step_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'framework':9s} {'n':>5s} {'k':>3s} {'step ms':>9s} {'eigh ms':>9s} {'eigh/step':>9s}")
    for r in rows:
        print(
            f"{r['framework']:9s} {r['n']:5d} {r['k']:3d} {r['step_s'] * 1e3:9.2f} "
            f"{r['eigh_s'] * 1e3:9.0f} {r['ratio']:9.0f}"
        )


def print_tracking_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'problem':9s} {'method':22s} {'total s':>8s} {'steps/matrix':>12s} {'first':>6s} {'max rel err':>11s} all≤1e-3"
    )
    for r in rows:
        print(
            f"{r['problem']:9s} {r['method']:22s} {r['total_s']:8.2f} {r['mean_steps']:12.1f} "
            f"{r['first_steps']:6d} {r['max_rel_error']:11.2e} {r['all_met']}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--ks", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--matrices", type=int, default=50)
    parser.add_argument("--eps", type=float, default=1e-3)
    parser.add_argument("--track-n", type=int, default=1000)
    parser.add_argument("--track-k", type=int, default=10)
    parser.add_argument("--problems", nargs="+", default=["decaying", "wishart"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--skip-steps", action="store_true")
    parser.add_argument("--skip-tracking", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from solvers.devices import has_device

    if not args.skip_steps:
        steps_path = args.out / "step_vs_eigh.jsonl"
        rows = []
        devices = ["cpu"] + (["cuda"] if has_device("torch", "cuda") else [])
        for device in devices:
            for n in args.sizes:
                for row in torch_step_and_eigh(n, args.ks, device):
                    _emit(steps_path, row)
                    rows.append(row)
                try:
                    jax_rows = jax_step_and_eigh(n, args.ks, device)
                except ImportError as exc:
                    print(f"JAX not measured: {exc}")
                    jax_rows = []
                for row in jax_rows:
                    _emit(steps_path, row)
                    rows.append(row)
        print_step_table(rows)
    if not args.skip_tracking:
        track_path = args.out / "tracking.jsonl"
        rows = []
        for problem in args.problems:
            refs = [
                np.linalg.eigvalsh(a.astype(np.float32).astype(np.float64))[::-1][: args.track_k]
                for a in drifting(problem, args.track_n, args.matrices, args.eps)
            ]
            for label in args.methods:
                row = track(problem, label, args.track_n, args.track_k, args.matrices, args.eps, refs)
                _emit(track_path, row)
                rows.append(row)
                print_tracking_table([row])
        print_tracking_table(rows)


if __name__ == "__main__":
    main()
