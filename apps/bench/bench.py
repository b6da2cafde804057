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

With `--compare nest`, each case also runs NEST's own example of the same network (brunel_delta_nest.py,
hpc_benchmark.py, the PD14 microcircuit package) on the same cores with the same seed, sizes and simulated times,
`--repeat` times (apps/bench/nest_examples.py, NEST found or installed by apps/bench/nest_setup.py; it prints which
configuration ran). bench.json and bench.csv then hold NEST's figures and the ratios NEST / hetspike, bench.png
the time per phase of both tools and bench.md the README's table:

    python3 apps/bench/bench.py --compare nest --cases brunel2500,microcircuit,hpc2 --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "apps" / "models"
CASES = {
    "brunel250": (MODELS / "brunel.toml", ["order=250"]),  # a quick check of the benchmark itself
    "brunel2500": (MODELS / "brunel.toml", ["order=2500"]),
    "brunel10000": (MODELS / "brunel.toml", ["order=10000"]),
    "microcircuit": (MODELS / "microcircuit.toml", []),
    "hpc1": (MODELS / "hpc_benchmark.toml", ["scale=1"]),
    "hpc2": (MODELS / "hpc_benchmark.toml", ["scale=2"]),
}
PHASES = ["input", "update", "deliver", "communicate", "output"]
# NEST's example of each case: (example, its size parameter)
NEST_CASES = {"brunel250": ("brunel", 250), "brunel2500": ("brunel", 2500), "brunel10000": ("brunel", 10000),
              "microcircuit": ("microcircuit", 1), "hpc1": ("hpc", 1), "hpc2": ("hpc", 2)}


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


def nest_figures(ranks: list[dict]) -> dict:
    """One NEST run's figures, named as hetspike's where they mean the same."""
    r0 = ranks[0]
    simulated = (r0["t_presim"] + r0["t_sim"]) * 1e-3
    build = max(r["build_seconds"] for r in ranks)
    simulate = max(r["simulate_seconds"] for r in ranks)
    f = {"build_seconds": build, "simulate_seconds": simulate, "real_time_factor": simulate / simulated,
         "peak_rss_total_bytes": sum(r["peak_rss_bytes"] for r in ranks),
         "peak_rss_max_rank_bytes": max(r["peak_rss_bytes"] for r in ranks),
         "synapses": sum(r["synapses"] for r in ranks) if r0["processes"] > 1 else r0["synapses"]}
    if r0["rate_hz"] is not None:  # the example's own rate estimate (over its recorded neurons)
        f["rate_hz_mean"] = r0["rate_hz"]
    for key in r0["timers"]:
        f[key] = max(r["timers"][key] for r in ranks)
    return f


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs]
        out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return out


def ratios(nest: dict, ours: dict) -> dict:
    """NEST's median over hetspike's, for what both measure: above 1 where hetspike is faster or smaller."""
    keys = ("build_seconds", "simulate_seconds", "real_time_factor", "peak_rss_total_bytes")
    return {k: nest[k]["median"] / ours[k]["median"] for k in keys if ours[k]["median"] > 0}


def write_comparison(results: dict, out: Path, nest) -> list[Path]:
    """bench.md (the README's table) here; bench.png with matplotlib, from NEST's Python when ours has none."""
    from bench_report import figures_table, markdown_table
    (out / "bench.md").write_text(markdown_table(results) + "\n" + figures_table(results))
    plotter = [sys.executable] if importlib.util.find_spec("matplotlib") else [nest.python]
    subprocess.run(plotter + [str(Path(__file__).with_name("bench_report.py")), str(out / "bench.json"),
                              str(out / "bench.png")], check=True, env=dict(os.environ, **nest.env, MPLBACKEND="Agg"))
    return [out / "bench.md", out / "bench.png"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=str(ROOT / "build" / "apps" / "hetspike"))
    p.add_argument("--cases", default="brunel2500,brunel10000,microcircuit,hpc1,hpc2")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--t-sim", type=float, default=None, help="simulated ms after the warm-up (default: the model's)")
    p.add_argument("--out", default=str(ROOT / "out" / "bench"))
    p.add_argument("--compare", choices=["nest"], help="also run NEST's examples of the same networks")
    p.add_argument("--nest-venv", default=str(Path.home() / ".cache" / "hetspike" / "nest-venv"),
                   help="where the PyPI NEST is installed (once) when neither --nest-prefix nor --nest-src is given")
    p.add_argument("--nest-prefix", help="a NEST installed with CMake (with MPI: its best configuration)")
    p.add_argument("--nest-src", help="a NEST source tree: built with MPI into OUT/nest-prefix, its examples run")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nest = None
    if args.compare:
        from nest_setup import find_nest
        nest = find_nest(args.nest_prefix, args.nest_src, args.nest_venv, out)
        print(f"bench.py: hetspike {args.ranks} ranks x 1 thread against {nest.describe(args.ranks)}", flush=True)
    results = {}
    for name in args.cases.split(","):
        model, sets = CASES[name]
        runs, nest_runs = [], []
        for i in range(args.repeat):  # the tools alternate, so that a slower spell of the machine hits both
            with tempfile.TemporaryDirectory() as tmp:
                report, wall = run_case(args.bin, args.ranks, model, sets, args.t_sim, Path(tmp))
                runs.append(figures(report, wall))
                if nest:
                    example, scale = NEST_CASES[name]
                    nest_runs.append(nest_figures(nest.run(
                        example, args.ranks, Path(tmp) / "nest", synapses=report["synapses"], scale=scale,
                        t_presim=report["t_presim"], t_sim=report["t_sim"], seed=report["seed"])))
        results[name] = {"model": str(model), "set": sets, "ranks": args.ranks, "repeat": args.repeat,
                         "t_presim": report["t_presim"], "t_sim": report["t_sim"], "neurons": report["neurons"],
                         "synapses": report["synapses"],
                         "figures": summarise(runs)}
        m = {k: v["median"] for k, v in results[name]["figures"].items()}
        print(f"{name:<13} build {m['build_seconds']:7.2f} s  sim {m['simulate_seconds']:8.2f} s  "
              f"RTF {m['real_time_factor']:7.2f}  events/s/core {m['synaptic_events_per_second_per_core']:9.3g}  "
              f"RSS {m['peak_rss_total_bytes'] / 2**30:6.2f} GiB  B/syn {m['bytes_per_synapse']:5.2f}  "
              f"rate {m['rate_hz_mean']:6.2f} Hz", flush=True)
        if nest:
            n = summarise(nest_runs)
            results[name]["nest"] = {"configuration": nest.describe(args.ranks, report["synapses"]),
                                     "example": NEST_CASES[name][0],
                                     "figures": n, "ratios": ratios(n, results[name]["figures"])}
            r = results[name]["nest"]["ratios"]
            print(f"{'  NEST':<13} build {n['build_seconds']['median']:7.2f} s  "
                  f"sim {n['simulate_seconds']['median']:8.2f} s  RTF {n['real_time_factor']['median']:7.2f}  "
                  f"RSS {n['peak_rss_total_bytes']['median'] / 2**30:6.2f} GiB  NEST/hetspike: build "
                  f"{r['build_seconds']:.1f}x sim {r['simulate_seconds']:.1f}x memory {r['peak_rss_total_bytes']:.1f}x",
                  flush=True)
        (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    with open(out / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        keys = list(next(iter(results.values()))["figures"])
        w.writerow(["case", "neurons", "synapses", "ranks", "repeat"] + [f"{k}_{s}" for k in keys for s in
                                                                         ("median", "min", "max")])
        for name, r in results.items():
            w.writerow([name, r["neurons"], r["synapses"], r["ranks"], r["repeat"]] +
                       [r["figures"][k][s] for k in keys for s in ("median", "min", "max")])
        if nest:
            w.writerow([])
            w.writerow(["case", "nest_configuration", "nest_build_seconds", "nest_simulate_seconds",
                        "nest_real_time_factor", "nest_peak_rss_total_bytes", "ratio_build", "ratio_simulate",
                        "ratio_peak_rss"])
            for name, r in results.items():
                n, q = r["nest"]["figures"], r["nest"]["ratios"]
                w.writerow([name, r["nest"]["configuration"]] +
                           [n[k]["median"] for k in ("build_seconds", "simulate_seconds", "real_time_factor",
                                                     "peak_rss_total_bytes")] +
                           [q[k] for k in ("build_seconds", "simulate_seconds", "peak_rss_total_bytes")])
    written = [out / "bench.json", out / "bench.csv"]
    if nest:
        written += write_comparison(results, out, nest)
    print("wrote " + ", ".join(map(str, written)))


if __name__ == "__main__":
    main()
