#!/usr/bin/env python3
"""Checkpoint write and read figures next to what `dd` needs to write the same number of bytes.

For each model size: a run that writes one checkpoint at its end (the report's checkpoint timer is the write
time, fsync and rename included), then a run that resumes from it without simulating further (its checkpoint
timer is the read time, checksums verified); then `dd conv=fsync` of the checkpoint's size on the same disk.
Medians of --repeat runs.

    python3 apps/bench/checkpoint_bench.py [--bin build/apps/hetspike] [--ranks 2] [--orders 2500 20000] [--repeat 5]
    python3 apps/bench/checkpoint_bench.py --orders 200000 --set epsilon=0.001   # 1M neurons: a 160 MB checkpoint
    python3 apps/bench/checkpoint_bench.py --model apps/models/hpc_benchmark.toml --param scale --orders 1
                                           # plastic: 101M STDP weights, K+/K- traces, spike histories
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd: list[str]) -> None:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def checkpoint_seconds(report: Path, every_ms: float | None = None) -> float:
    """The slowest rank's checkpoint time; with `every_ms`, per checkpoint the run wrote (one each every_ms from
    step 0, so a model with a presimulation writes several)."""
    r = json.loads(report.read_text())
    seconds = max(rank["timers"]["checkpoint"] for rank in r["per_rank"])
    return seconds / max(1, int(r["end_step"] * r["dt"] / every_ms + 1e-9)) if every_ms else seconds


def dd_seconds(directory: Path, size: int) -> float:
    target = directory / "dd.bin"
    start = time.perf_counter()
    subprocess.run(["dd", "if=/dev/zero", f"of={target}", "bs=1M", f"count={max(1, size // 2**20)}", "conv=fsync"],
                   check=True, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


def measure(args, order: int, work: Path) -> dict:
    model = Path(args.model)
    mpi = ["mpirun", "-n", str(args.ranks), args.bin]
    writes, reads, dds, size = [], [], [], 0
    for i in range(args.repeat):
        out = work / f"o{order}-{i}"
        common = [str(model), "--set", f"{args.param}={order}", "--t-sim", "10", "--no-progress", "--out", str(out)]
        common += [a for s in args.set for a in ("--set", s)]
        run(mpi + ["run", *common, "--checkpoint-every", "10"])
        writes.append(checkpoint_seconds(out / "report.json", 10.0))
        checkpoint = next((out / "checkpoints").glob("checkpoint-*.h5"))
        size = checkpoint.stat().st_size
        run(mpi + ["run", *common, "--resume", str(checkpoint)])
        reads.append(checkpoint_seconds(out / "report.json"))
        dds.append(dd_seconds(work, size))
    w, r, d = statistics.median(writes), statistics.median(reads), statistics.median(dds)
    neurons = json.loads((out / "report.json").read_text())["neurons"]
    return {"order": order, "neurons": neurons, "bytes": size, "write_s": w, "read_s": r, "dd_s": d,
            "write_over_dd": w / d, "write_MBps": size / w / 1e6, "read_MBps": size / r / 1e6}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=str(ROOT / "build" / "apps" / "hetspike"))
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--model", default=str(ROOT / "apps" / "models" / "brunel.toml"))
    p.add_argument("--param", default="order", help="the model parameter that --orders sets")
    p.add_argument("--orders", type=int, nargs="+", default=[2500, 20000], help="values of --param")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--dir", help="the disk to measure: a temporary directory is made there (default: the system's)")
    p.add_argument("--set", action="append", default=[],
                   help="more model overrides, e.g. epsilon=0.002 for a large, sparse network")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(f"{args.param:>6} {'neurons':>8} {'MB':>8} {'write s':>8} {'read s':>8} {'dd s':>8} {'write/dd':>8}")
        for order in args.orders:
            m = measure(args, order, Path(tmp))
            print(f"{m['order']:>6} {m['neurons']:>8} {m['bytes'] / 1e6:>8.2f} {m['write_s']:>8.3f} {m['read_s']:>8.3f} "
                  f"{m['dd_s']:>8.3f} {m['write_over_dd']:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
