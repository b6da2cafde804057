#!/usr/bin/env python3
"""COBA (apps/models/coba.toml) with hetspike and with NEST, alternating run by run on the same machine.

hetspike runs under `mpiexec -n RANKS` and reports its build and simulation times (report.json); NEST 3.10 runs
apps/validation/coba_nest.py, the same network, in 1 process with THREADS threads (PyPI's wheel has no MPI) and
reports the wall time of Create/Connect/Prepare (build) and of Run (simulate). Both simulate 1 s with every
neuron recorded. Prints each run and the medians:

    python3 apps/bench/coba_compare.py [--repeat 3] [--ranks 2] [--threads 2] [--seed 1]
                                       [--nest-venv ~/.cache/hetspike/nest-venv] [--hetspike build/apps/hetspike]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_hetspike(args, out: Path) -> dict:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [args.mpiexec, "-n", str(args.ranks), args.hetspike, "run", str(ROOT / "apps" / "models" / "coba.toml"),
           "--seed", str(args.seed), "--no-progress", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    report = json.loads((out / "report.json").read_text())
    return {"build_s": report["build_seconds"], "simulate_s": report["simulate_seconds"]}


def run_nest(args) -> dict:
    cmd = [str(Path(args.nest_venv) / "bin" / "python"), str(ROOT / "apps" / "validation" / "coba_nest.py"),
           "--seeds", str(args.seed), "--threads", str(args.threads), "--timing"]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"build ([0-9.]+) s  simulate ([0-9.]+) s", text)
    return {"build_s": float(m.group(1)), "simulate_s": float(m.group(2))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nest-venv", default=str(Path.home() / ".cache" / "hetspike" / "nest-venv"))
    ap.add_argument("--hetspike", default=str(ROOT / "build" / "apps" / "hetspike"))
    ap.add_argument("--mpiexec", default=os.environ.get("MPIEXEC", "mpiexec"))
    args = ap.parse_args()
    runs = {"hetspike": [], "nest": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            runs["hetspike"].append(run_hetspike(args, Path(tmp) / f"run{i}"))
            runs["nest"].append(run_nest(args))
            print(f"run {i + 1}: hetspike build {runs['hetspike'][-1]['build_s']:.3f} s, simulate "
                  f"{runs['hetspike'][-1]['simulate_s']:.2f} s; NEST build {runs['nest'][-1]['build_s']:.3f} s, "
                  f"simulate {runs['nest'][-1]['simulate_s']:.2f} s", flush=True)
    med = {tool: {k: statistics.median(r[k] for r in rs) for k in ("build_s", "simulate_s")}
           for tool, rs in runs.items()}
    print(f"medians of {args.repeat}: hetspike ({args.ranks} ranks) build {med['hetspike']['build_s']:.3f} s, "
          f"simulate {med['hetspike']['simulate_s']:.2f} s; NEST (1 process x {args.threads} threads) build "
          f"{med['nest']['build_s']:.3f} s, simulate {med['nest']['simulate_s']:.2f} s; NEST / hetspike: build "
          f"{med['nest']['build_s'] / med['hetspike']['build_s']:.1f}x, simulate "
          f"{med['nest']['simulate_s'] / med['hetspike']['simulate_s']:.1f}x")


if __name__ == "__main__":
    main()
