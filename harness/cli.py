"""The ``eigbench`` command: list solvers, run a sweep, check the machine.

Bad arguments exit with status 2 and a one-line message; an interrupted run (Ctrl-C, SIGTERM)
exits with 128 + the signal number after every finished point is on disk.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from solvers import registry
from solvers.devices import DeviceError, has_device, normalize_device
from solvers.errors import UnknownSolverError

from . import sweep as sweep_module
from .problems import KIND_PROBLEMS, applicable
from .records import read
from .runner import run
from .summary import print_summary

RECORDS_FILE = "records.jsonl"


class UsageError(Exception):
    """A bad argument: reported as one line, exit status 2."""


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _positive_ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in _csv(text))
    except ValueError:
        raise UsageError(f"{what} must be comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise UsageError(f"{what} must be positive integers, got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eigbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="registered solvers, their capabilities and availability here")

    r = sub.add_parser("run", help="run a sweep; records go to DIR/records.jsonl")
    r.add_argument("--preset", default="quick", help=f"one of {', '.join(sweep_module.PRESETS)}")
    r.add_argument("--solvers", help="comma-separated solver names (default: every solver)")
    r.add_argument("--device", help="cpu or cuda (default: the preset's)")
    r.add_argument("--timeout", type=float, help="seconds per point before the worker is killed")
    r.add_argument("--out", default="results", help="output directory (default: results)")
    r.add_argument("--resume", action="store_true", help="continue DIR/records.jsonl, skipping done points")
    r.add_argument("--force", action="store_true", help="discard an existing DIR/records.jsonl")
    r.add_argument("--ns", help="override the preset's sizes, e.g. 100,200")
    r.add_argument("--ks", help="override the preset's top-k counts, e.g. 5,10")
    r.add_argument("--dtypes", help="override the preset's dtypes, e.g. float64")
    r.add_argument("--problems", help="override the eigensolvers' matrices, e.g. random_symmetric,decaying")
    r.add_argument("--repeat", type=int, help="override the samples per point")
    r.add_argument("--no-progress", action="store_true", help="print one line per point instead of a bar")

    sub.add_parser("doctor", help="frameworks, versions, devices, BLAS and threads on this machine")
    return parser


# -- list ------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="eigbench solvers")
    for column in ("solver", "kind", "top_k", "warm_start", "devices", "dtypes", "available here"):
        table.add_column(column)
    for s in registry.all_specs():
        reason = registry.unavailable_reason(s)
        table.add_row(
            s.name,
            s.kind,
            "yes" if s.top_k else "no",
            "yes" if s.warm_start else "no",
            ",".join(s.devices),
            ",".join(s.dtypes),
            "yes" if reason is None else f"no: {reason}",
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
    return 0


# -- run -------------------------------------------------------------------------------------


def _sweep_from(args: argparse.Namespace) -> sweep_module.Sweep:
    try:
        chosen = sweep_module.preset(args.preset)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    changes: dict[str, Any] = {}
    if args.solvers:
        names = _csv(args.solvers)
        for name in names:
            try:
                registry.spec(name)
            except UnknownSolverError as exc:
                raise UsageError(str(exc)) from None
        changes["solvers"] = tuple(names)
    if args.device:
        try:
            device = normalize_device(args.device)
        except DeviceError as exc:
            raise UsageError(str(exc)) from None
        if device != "cpu" and not any(has_device(fw, device) for fw in ("torch", "jax")):
            raise UsageError(
                f"device {device} is not present on this machine (neither torch nor JAX sees it)"
            )
        changes["devices"] = (device,)
    if args.ns:
        changes["ns"] = _positive_ints(args.ns, "--ns")
    if args.ks:
        changes["ks"] = _positive_ints(args.ks, "--ks")
    if args.dtypes:
        dtypes = tuple(_csv(args.dtypes))
        bad = [d for d in dtypes if d not in ("float32", "float64")]
        if bad or not dtypes:
            raise UsageError(f"--dtypes takes float32 and/or float64, got {args.dtypes!r}")
        changes["dtypes"] = dtypes
    if args.problems:
        problems = tuple(_csv(args.problems))
        bad = [p for p in problems if applicable("eig", p)]
        if bad or not problems:
            known = ", ".join(KIND_PROBLEMS["eig"])
            raise UsageError(f"--problems takes eigenproblem names ({known}), got {args.problems!r}")
        changes["problems"] = {**chosen.problems, "eig": problems}
    settings = chosen.settings
    if args.timeout is not None:
        if not args.timeout > 0:
            raise UsageError(f"--timeout must be a positive number of seconds, got {args.timeout}")
        settings = replace(settings, timeout=args.timeout)
    if args.repeat is not None:
        if args.repeat < 1:
            raise UsageError(f"--repeat must be >= 1, got {args.repeat}")
        settings = replace(settings, repeat=args.repeat)
    return chosen.with_(settings=settings, **changes)


def _records_path(args: argparse.Namespace) -> Path:
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".eigbench-write-test"):
            pass
    except OSError as exc:
        raise UsageError(f"output directory {out} is not writable: {exc.strerror or exc}") from None
    path = out / RECORDS_FILE
    if path.exists() and path.stat().st_size > 0 and not (args.resume or args.force):
        raise UsageError(f"{path} exists: pass --resume to continue it or --force to start over")
    if path.exists() and args.force and not args.resume:
        path.unlink()
    return path


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


def cmd_run(args: argparse.Namespace) -> int:
    from .progress import make_progress

    chosen = _sweep_from(args)
    path = _records_path(args)
    planned = sweep_module.plan(chosen)
    progress = make_progress(plain=args.no_progress)
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with progress:
            result = run(planned, path, chosen.settings, resume=args.resume, progress=progress)
    except (_Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, _Interrupted) else signal.SIGINT
        done = len(read(path).measurements) if path.exists() else 0
        print(
            f"eigbench: interrupted by {signal.Signals(signum).name}; {done} finished points are in {path}; "
            f"continue with --resume",
            file=sys.stderr,
        )
        return 128 + int(signum)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    print_summary(result, path, preset=chosen.name)
    return 0


# -- doctor ----------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from .environment import capture

    env = capture(frameworks=("torch", "jax"))
    print(f"host        {env['hostname']}  ({env['platform']}, Python {env['python']})")
    print(f"cpu         {env['cpu']}  ({env['cpu_count']} logical cores)")
    print(f"git         {env['git']['commit']}{' (dirty)' if env['git']['dirty'] else ''}")
    print("libraries")
    for name, version in env["libraries"].items():
        print(f"  {name:<18} {version or 'not installed'}")
    print("frameworks")
    for name, info in env["frameworks"].items():
        print(f"  {name:<18} {info}")
    for fw in ("torch", "jax"):
        if fw not in env["frameworks"]:
            print(f"  {fw:<18} not installed")
    print("devices")
    for fw in ("torch", "jax"):
        print(f"  {fw:<18} cuda: {'yes' if has_device(fw, 'cuda') else 'no'}")
    for gpu in env["gpus"]:
        print(f"  gpu              {gpu['name']} (driver {gpu['driver']}, {gpu['memory']})")
    print("blas / openmp (threadpoolctl)")
    for lib in env["blas"]:
        print(
            f"  {lib['internal_api']:<10} {lib['version'] or '?':<8} threads={lib['num_threads']}  "
            f"{lib['filepath']}"
        )
    print("thread environment")
    for name, value in env["thread_env"].items():
        print(f"  {name:<20} {value if value is not None else '(unset)'}")
    return 0


COMMANDS = {"list": cmd_list, "run": cmd_run, "doctor": cmd_doctor}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"eigbench: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
