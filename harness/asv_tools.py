"""asv helpers: a timer that syncs the GPU, a machine name that carries the GPU model, and the
offline ``asv run --python=same`` wrapper.

    python -m harness.asv_tools name                 # the machine name results are filed under
    python -m harness.asv_tools machine              # register it with asv (non-interactive)
    python -m harness.asv_tools check                # asv check --python=same
    python -m harness.asv_tools run [--quick] [--bench REGEX] [--sizes 200,1000] [-- ASV ARGS]

asv's machine.json has no GPU field, so the GPU model goes into the machine name: results from
an H200 and an A100 in the same host pool are kept apart. ``run`` uses the installed
environment (``--python=same``), saves results under the current commit (asv saves nothing
with an existing environment unless ``--set-commit-hash`` is given) and never touches the
network (``--no-pull``).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

#: Environment every benchmark process gets (JAX must not grab 75% of the GPU up front).
BENCH_ENV = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
ROOT = Path(__file__).resolve().parents[1]


def sync_devices() -> None:
    """Wait for torch's queued CUDA work, if torch is imported and has touched the GPU.

    Imports nothing. JAX has no global barrier: its adapters block on their outputs instead.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def synced_timer() -> float:
    """asv's ``timer``: drain the GPU queue, then read ``perf_counter``.

    `Solver.call` already syncs before it returns, so the samples are right without this; the
    extra sync keeps work queued by setup (transfers, compiles) out of the first sample.
    """
    sync_devices()
    return time.perf_counter()


def gpu_models() -> list[str]:
    """GPU model names from nvidia-smi (no framework import); empty on a machine without one."""
    from harness.environment import nvidia_gpus

    return [gpu["name"] for gpu in nvidia_gpus()]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


def machine_name(host: str | None = None, gpus: Sequence[str] | None = None) -> str:
    """``host`` alone on a CPU machine; ``host-<count>x<GPU model>`` when it has GPUs."""
    host = _slug(host if host is not None else socket.gethostname()) or "localhost"
    gpus = gpu_models() if gpus is None else list(gpus)
    if not gpus:
        return host
    models = sorted(set(gpus))
    label = "+".join(f"{gpus.count(m)}x{_slug(m)}" if gpus.count(m) > 1 else _slug(m) for m in models)
    return f"{host}-{label}"


def asv(*args: str) -> list[str]:
    """An asv command line run by this interpreter (the environment's own asv)."""
    return [sys.executable, "-m", "asv", *args]


def machine_command(name: str, config: str = "asv.conf.json") -> list[str]:
    """Register `name` with asv without prompting (asv fills in OS, CPU, RAM itself)."""
    return asv("machine", "--yes", "--machine", name, "--config", config)


def commit_hash(root: Path = ROOT) -> str:
    """HEAD's hash: asv files results from an existing environment under a commit it is told."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(
            f"cannot read the git commit in {root} (asv needs one to save results): {exc}"
        ) from exc
    return out.stdout.strip()


def run_command(
    name: str,
    commit: str,
    *,
    quick: bool = False,
    bench: Sequence[str] = (),
    extra: Sequence[str] = (),
    config: str = "asv.conf.json",
) -> list[str]:
    """``asv run`` in the installed environment, results saved under `commit`, offline."""
    cmd = asv(
        "run",
        "--config",
        config,
        "--python=same",
        "--set-commit-hash",
        commit,
        "--machine",
        name,
        "--launch-method",
        "spawn",
        "--no-pull",
        "--show-stderr",
    )
    if quick:
        cmd.append("--quick")
    for regex in bench:
        cmd += ["--bench", regex]
    return cmd + list(extra)


def check_command(config: str = "asv.conf.json") -> list[str]:
    return asv("check", "--config", config, "--python=same")


def bench_env(sizes: str | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for benchmark processes: ours on top of the caller's."""
    env = dict(os.environ if base is None else base)
    for key, value in BENCH_ENV.items():
        env.setdefault(key, value)
    if sizes:
        env["EIGBENCH_ASV_SIZES"] = sizes
    return env


def _run(cmd: list[str], env: dict[str, str], dry_run: bool) -> int:
    print("+ " + " ".join(cmd), flush=True)
    if dry_run:
        return 0
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.asv_tools", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="asv.conf.json", help="asv config (relative to the repo root)")
    parser.add_argument("--dry-run", action="store_true", help="print the asv commands, run nothing")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("name", help="print the machine name (host + GPU model)")
    sub.add_parser("machine", help="register this machine with asv, GPU model in its name")
    sub.add_parser("check", help="asv check --python=same: the suite imports and its parameters are valid")
    run = sub.add_parser("run", help="asv run in this environment, offline, results saved under HEAD")
    run.add_argument("--quick", action="store_true", help="each benchmark once (a smoke run)")
    run.add_argument("--bench", "-b", action="append", default=[], help="asv's benchmark regex (repeatable)")
    run.add_argument("--sizes", help="matrix sizes, e.g. 200,1000 (sets EIGBENCH_ASV_SIZES)")
    run.add_argument("--machine", help="machine name (default: `name`)")
    run.add_argument("extra", nargs=argparse.REMAINDER, help="after --: more asv run arguments")
    args = parser.parse_args(argv)

    if args.command == "name":
        print(machine_name())
        return 0
    env = bench_env(getattr(args, "sizes", None))
    if args.command == "check":
        return _run(check_command(args.config), env, args.dry_run)
    name = getattr(args, "machine", None) or machine_name()
    status = _run(machine_command(name, args.config), env, args.dry_run)
    if status or args.command == "machine":
        return status
    extra = [a for a in args.extra if a != "--"]
    cmd = run_command(
        name, commit_hash(), quick=args.quick, bench=args.bench, extra=extra, config=args.config
    )
    return _run(cmd, env, args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
