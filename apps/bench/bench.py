#!/usr/bin/env python3
"""hetspike's standard benchmark: the reference networks, each run N times, medians and spread of what matters.

Cases (select with --cases): brunel2500 (Brunel order 2500), brunel10000 (order 10000: 50k neurons, 2.5e8
synapses), microcircuit (Potjans & Diesmann at full scale, Poisson drive), hpc1 and hpc2 (NEST's hpc_benchmark at
scale 1 and 2, with STDP). For each: network build time, simulation time per biological second (real-time
factor), synaptic events per second per core, neuron updates per second, time per phase (input, update, deliver,
communicate, output) summed over ranks, on the slowest rank and per rank, bytes sent, peak RSS (total and per rank) and
bytes per synapse. Writes OUT/bench.json and OUT/bench.csv and prints a table.

Each case simulates its model file's own times unless --t-sim is given: Brunel 1 s, the microcircuit 0.5 s warm-up
+ 1 s, hpc_benchmark 50 ms + 250 ms as NEST's example. NEST meant hpc_benchmark for scale > 10; at scale 1 and 2 the
inputs of a neuron come from few neurons, STDP drives the E->E weights up and after about half a second the network
fires synchronously (above 100 Hz), which is what the example's short times avoid.

    python3 apps/bench/bench.py [--cases brunel2500,brunel10000] [--ranks 2] [--repeat 5] [--t-sim MS] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "apps" / "models"
CASES = {
    "brunel2500": (MODELS / "brunel.toml", ["order=2500"]),
    "brunel10000": (MODELS / "brunel.toml", ["order=10000"]),
    "microcircuit": (MODELS / "microcircuit.toml", []),
    "hpc1": (MODELS / "hpc_benchmark.toml", ["scale=1"]),
    "hpc2": (MODELS / "hpc_benchmark.toml", ["scale=2"]),
}
PHASES = ["input", "update", "deliver", "communicate", "output"]


def run_case(binary: str, ranks: int, model: Path, sets: list[str], t_sim: float | None,
             out: Path) -> tuple[dict, float]:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    cmd = ["mpirun", "-n", str(ranks), binary, "run", str(model), "--no-progress", "--out", str(out)]
    if t_sim is not None:
        cmd += ["--t-sim", str(t_sim)]
    for s in sets:
        cmd += ["--set", s]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return json.loads((out / "report.json").read_text()), time.perf_counter() - start


def figures(r: dict, wall: float) -> dict:
    ranks = r["per_rank"]
    steps = (r["t_sim"] + r["t_presim"]) / r["dt"]
    f = {
        "wall_seconds": wall,
        "build_seconds": r["build_seconds"],
        "simulate_seconds": r["simulate_seconds"],
        "real_time_factor": r["real_time_factor"],
        "synaptic_events_per_second_per_core": r["synaptic_events_per_second"] / len(ranks),
        "neuron_updates_per_second": r["neurons"] * steps / r["simulate_seconds"] if r["simulate_seconds"] else 0,
        "bytes_sent": sum(x["bytes_sent"] for x in ranks),
        "peak_rss_total_bytes": sum(x["peak_rss"] for x in ranks),
        "peak_rss_max_rank_bytes": max(x["peak_rss"] for x in ranks),
        "bytes_per_synapse": r["bytes_per_synapse"],
        "busy_imbalance": r.get("busy_imbalance", 1.0),
        # over the neurons each population's rate is of (its recorded ones where `first` limits recording)
        "rate_hz_mean": sum(p["rate_hz"] * p["counted"] for p in r["populations"])
        / sum(p["counted"] for p in r["populations"]),
    }
    for phase in PHASES:
        values = [x["timers"].get(phase, 0.0) for x in ranks]
        f[f"{phase}_seconds_sum"] = sum(values)
        f[f"{phase}_seconds_max"] = max(values)
        for rank, value in enumerate(values):
            f[f"{phase}_seconds_rank{rank}"] = value
    return f


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs]
        out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=str(ROOT / "build" / "apps" / "hetspike"))
    p.add_argument("--cases", default="brunel2500,brunel10000,microcircuit,hpc1,hpc2")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--t-sim", type=float, default=None, help="simulated ms after the warm-up (default: the model's)")
    p.add_argument("--out", default=str(ROOT / "out" / "bench"))
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.cases.split(","):
        model, sets = CASES[name]
        runs = []
        for i in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                report, wall = run_case(args.bin, args.ranks, model, sets, args.t_sim, Path(tmp))
            runs.append(figures(report, wall))
        results[name] = {"model": str(model), "set": sets, "ranks": args.ranks, "repeat": args.repeat,
                         "t_presim": report["t_presim"], "t_sim": report["t_sim"], "neurons": report["neurons"],
                         "synapses": report["synapses"],
                         "figures": summarise(runs)}
        m = {k: v["median"] for k, v in results[name]["figures"].items()}
        print(f"{name:<13} build {m['build_seconds']:7.2f} s  sim {m['simulate_seconds']:8.2f} s  "
              f"RTF {m['real_time_factor']:7.2f}  events/s/core {m['synaptic_events_per_second_per_core']:9.3g}  "
              f"RSS {m['peak_rss_total_bytes'] / 2**30:6.2f} GiB  B/syn {m['bytes_per_synapse']:5.2f}  "
              f"rate {m['rate_hz_mean']:6.2f} Hz", flush=True)
        (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    with open(out / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        keys = list(next(iter(results.values()))["figures"])
        w.writerow(["case", "neurons", "synapses", "ranks", "repeat"] + [f"{k}_{s}" for k in keys for s in
                                                                         ("median", "min", "max")])
        for name, r in results.items():
            w.writerow([name, r["neurons"], r["synapses"], r["ranks"], r["repeat"]] +
                       [r["figures"][k][s] for k in keys for s in ("median", "min", "max")])
    print(f"wrote {out / 'bench.json'} and {out / 'bench.csv'}")


if __name__ == "__main__":
    main()
