#!/usr/bin/env python3
"""What one rank holds and costs as the job grows (docs/scaling.md): emulated ranks of huge jobs, real weak scaling.

Sections (select with --sections):
  emulate   rank 0 of a P-rank job built and run alone (`hetspike run --emulate-ranks P`): Brunel with 10,000 neurons
            and in-degree 10,000 (CE 8,000, CI 2,000) per rank at P = 16 ... 131,072, and hpc_benchmark at scale P
            (11,250 neurons, in-degree 11,250, STDP). The other ranks fire at the rates a real 2-rank run of the same
            per-rank network gives (measured first). Per P: build seconds, seconds to draw or replay the routes, peak
            RSS after the build, bytes per synapse (everything: peak RSS growth / synapses), rows, routes, and the
            split of the memory (synapses, rows, routes, plastic state).
  weak      real runs under mpirun, 5,000 Brunel neurons and 6.25 M synapses per rank (in-degree 1,250), 1 to 32
            ranks on this machine's cores: RSS growth by the build per rank (median), its split, CPU seconds per rank
            (user + sys of the whole job / ranks).
  threads   the full microcircuit's build on one rank with 1 and 2 OpenMP threads.
  buildratio  each network's emulated rank built at its smallest and largest P alternately (Brunel 16 and
              131,072, hpc_benchmark 16 and 16,384; this machine drifts).
  rtf       1 s of simulated time on one emulated rank (the full microcircuit at P = 1,024, Brunel with 10,000
            neurons per rank at P = 131,072) next to a real 2-rank run (the full microcircuit; Brunel with 10,000
            neurons per rank).

Medians of --repeat runs. Writes OUT/scaling.json and prints one table per section.

    python3 apps/bench/scaling.py [--sections emulate,weak,threads,rtf] [--repeat 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "apps" / "models"
MIB = 2**20


def brunel_sets(ranks: int) -> list[str]:
    """Brunel with 10,000 neurons and in-degree 10,000 per rank."""
    return [f"order={2000 * ranks}", "CE=8000", "CI=2000"]


def hpc_sets(ranks: int) -> list[str]:
    """hpc_benchmark at scale = ranks: 11,250 neurons and in-degree 11,250 per rank."""
    return [f"scale={ranks}"]


NETWORKS = {
    "brunel": (MODELS / "brunel.toml", brunel_sets, [16, 1024, 16384, 131072]),
    "hpc": (MODELS / "hpc_benchmark.toml", hpc_sets, [16, 1024, 16384]),
}


def environment(threads: int | None = None) -> dict:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none")
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def hetspike(binary: str, model: Path, sets: list[str], t_sim: float, extra: list[str], ranks: int = 1,
             threads: int | None = None) -> tuple[dict, float, float]:
    """Runs one job; returns its report, wall seconds and the CPU seconds (user + sys) of all its processes."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [binary, "run", str(model), "--no-progress", "--out", tmp, "--t-sim", str(t_sim)] + extra
        for s in sets:
            cmd += ["--set", s]
        if ranks > 1:
            cmd = ["mpirun", "-n", str(ranks)] + cmd
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=environment(threads), stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return json.loads((Path(tmp) / "report.json").read_text()), wall, cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def rates_of(report: dict) -> list[str]:
    return [f"{p['name']}={p['rate_hz']:.3f}" for p in report["populations"]]


def rank_figures(report: dict) -> dict:
    r = report["per_rank"][0]
    return {
        "build_seconds": report["build_seconds"],
        "routing_seconds": report.get("emulation", {}).get("routing_seconds", 0.0),
        "peak_rss_after_build_mib": r["peak_rss_after_build"] / MIB,
        "rss_growth_mib": (r["peak_rss_after_build"] - r["rss_before_build"]) / MIB,
        "bytes_per_synapse": report["bytes_per_synapse"],
        "synapses": r["synapses"],
        "rows": r["rows"],
        "routes": r["routes"],
        "memory_mib": {k: v / MIB for k, v in r["memory"].items()},
        "real_time_factor": report["real_time_factor"],
        "bytes_sent_per_interval": r["bytes_sent_per_interval"],
        "bytes_received_per_interval": r["bytes_received_per_interval"],
    }


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = {k: median([r[key][k] for r in runs]) for k in value}
        else:
            out[key] = median([r[key] for r in runs])
    out["build_seconds_all"] = [r["build_seconds"] for r in runs]
    return out


def section_emulate(args) -> dict:
    results = {}
    for name in args.networks.split(","):
        model, sets_of, sizes = NETWORKS[name]
        real, _, _ = hetspike(args.bin, model, sets_of(2), args.t_rate, [], ranks=2)
        rates = rates_of(real)
        print(f"\n{name}: other ranks fire at the rates of a real 2-rank run: {', '.join(rates)}")
        print(f"{'P':>8} {'build s':>8} {'routes s':>9} {'peak MiB':>9} {'B/syn':>6} {'rows':>11} {'routes':>11} "
              f"{'synapses':>9} {'rows':>7} {'routes':>7} {'plastic':>7}  (MiB)")
        results[name] = {"rates": rates, "ranks": {}}
        for ranks in [int(p) for p in args.ranks.split(",")] if args.ranks else sizes:
            extra = ["--emulate-ranks", str(ranks), "--emulated-routes", "drawn"]
            for rate in rates:
                extra += ["--emulated-rate", rate]
            runs = [rank_figures(hetspike(args.bin, model, sets_of(ranks), args.t_emulate, extra)[0])
                    for _ in range(args.repeat)]
            s = summarise(runs)
            results[name]["ranks"][ranks] = s
            m = s["memory_mib"]
            print(f"{ranks:>8} {s['build_seconds']:>8.2f} {s['routing_seconds']:>9.2f} "
                  f"{s['peak_rss_after_build_mib']:>9.0f} {s['bytes_per_synapse']:>6.2f} {s['rows']:>11.0f} "
                  f"{s['routes']:>11.0f} {m['synapses']:>9.0f} {m['rows']:>7.0f} {m['routes']:>7.0f} "
                  f"{m['plastic_state']:>7.0f}", flush=True)
    return results


def section_weak(args) -> dict:
    """RSS growth by the build per rank: what the job's ranks hold, and beside it what MPI itself takes when it first
    exchanges with every other rank (its shared-memory queues, about 70 KiB per peer here), measured with a network
    of 2 neurons per rank: the growth less that is hetspike's."""
    results = {}
    print("\nweak scaling, Brunel 5,000 neurons and 6.25 M synapses per rank, 1 thread per rank")
    print(f"{'ranks':>6} {'growth MiB':>11} {'MPI MiB':>8} {'ours MiB':>9} {'synapses':>9} {'rows':>6} {'routes':>7} "
          f"{'CPU s/rank':>11} {'build s':>8}")
    model = MODELS / "brunel.toml"

    def growth(report: dict) -> float:
        return median([(r["peak_rss_after_build"] - r["rss_before_build"]) / MIB for r in report["per_rank"]])

    for ranks in [int(p) for p in args.weak_ranks.split(",")]:
        runs = []
        for _ in range(args.repeat):
            report, _, cpu = hetspike(args.bin, model, [f"order={1000 * ranks}", "epsilon=1000/(4*order)"], 10.0, [],
                                      ranks=ranks, threads=1)
            empty, _, _ = hetspike(args.bin, model, [f"order={ranks // 2 + 1}", "epsilon=0.5"], 1.0, [], ranks=ranks,
                                   threads=1)
            per = report["per_rank"]
            runs.append({
                "rss_growth_mib": growth(report),
                "mpi_growth_mib": growth(empty),
                "ours_growth_mib": growth(report) - growth(empty),
                "memory_mib": {k: median([r["memory"][k] / MIB for r in per]) for k in per[0]["memory"]},
                "cpu_seconds_per_rank": cpu / ranks,
                "build_seconds": report["build_seconds"],
            })
        s = summarise(runs)
        results[ranks] = s
        m = s["memory_mib"]
        print(f"{ranks:>6} {s['rss_growth_mib']:>11.2f} {s['mpi_growth_mib']:>8.2f} {s['ours_growth_mib']:>9.2f} "
              f"{m['synapses']:>9.2f} {m['rows']:>6.2f} {m['routes']:>7.2f} {s['cpu_seconds_per_rank']:>11.2f} "
              f"{s['build_seconds']:>8.2f}", flush=True)
    return results


def section_threads(args) -> dict:
    results = {}
    print("\nfull microcircuit, one rank: build seconds by OpenMP threads")
    for threads in (1, 2):
        runs = [hetspike(args.bin, MODELS / "microcircuit.toml", [], 0.1, [], threads=threads)[0]["build_seconds"]
                for _ in range(args.repeat)]
        results[threads] = {"build_seconds": median(runs), "all": runs}
        print(f"{threads} thread{'s' if threads > 1 else ' '}  {median(runs):7.2f} s  (runs: "
              f"{', '.join(f'{r:.2f}' for r in runs)})", flush=True)
    results["speedup"] = results[1]["build_seconds"] / results[2]["build_seconds"]
    print(f"speed-up  {results['speedup']:.2f}")
    return results


def section_buildratio(args) -> dict:
    """Each network's emulated rank 0 built at its smallest and largest P alternately (Brunel 16 and 131,072,
    hpc_benchmark 16 and 16,384), --pairs times: this machine's speed drifts by more than the difference between
    runs apart, so the ratio is taken pair by pair."""
    results = {}
    for name in args.networks.split(","):
        model, sets_of, ranks = NETWORKS[name]
        small_p, large_p = ranks[0], ranks[-1]
        extra = ["--emulated-routes", "drawn", "--emulated-rate", "*=9"]

        def build_seconds(p):
            return hetspike(args.bin, model, sets_of(p), 0.1, ["--emulate-ranks", str(p)] + extra)[0]["build_seconds"]

        pairs = []
        for _ in range(args.pairs):
            pairs.append((build_seconds(small_p), build_seconds(large_p)))
        ratios = [b / a for a, b in pairs]
        results[name] = {"small": small_p, "large": large_p, "pairs": pairs, "median_ratio": median(ratios),
                         "min_ratio": min(ratios), "max_ratio": max(ratios),
                         "median_small": median([a for a, _ in pairs]), "median_large": median([b for _, b in pairs])}
        print(f"\nbuild seconds, {name} rank 0: P = {small_p:,} {results[name]['median_small']:.2f} s, "
              f"P = {large_p:,} {results[name]['median_large']:.2f} s (medians of {args.pairs}); ratio per pair: "
              f"median {results[name]['median_ratio']:.2f}, {results[name]['min_ratio']:.2f} to "
              f"{results[name]['max_ratio']:.2f}", flush=True)
    return results


def section_rtf(args) -> dict:
    results = {}
    print("\n1 s of simulated time: one emulated rank against a real 2-rank run of the same per-rank network")
    cases = {
        "microcircuit P=1024": (MODELS / "microcircuit.toml", lambda r: [], 1024),
        "brunel P=131072": (MODELS / "brunel.toml", brunel_sets, 131072),
    }
    for name, (model, sets_of, ranks) in cases.items():
        real, _, _ = hetspike(args.bin, model, sets_of(2), 1000.0, [], ranks=2)
        extra = ["--emulate-ranks", str(ranks), "--emulated-routes", "drawn"]
        for rate in rates_of(real):
            extra += ["--emulated-rate", rate]
        emulated, _, _ = hetspike(args.bin, model, sets_of(ranks), 1000.0, extra)
        results[name] = {"real_2_ranks": rank_figures(real), "emulated": rank_figures(emulated)}
        print(f"{name:<22} real 2 ranks: RTF {real['real_time_factor']:7.2f}   emulated rank: RTF "
              f"{emulated['real_time_factor']:7.2f}, {emulated['per_rank'][0]['bytes_received_per_interval']:.3g} "
              f"bytes received per interval", flush=True)
    return results


def markdown_table(columns: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table's lines: its header, the rule under it and one line per row."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    return [line(columns), "|" + "---|" * len(columns)] + [line(cells) for cells in rows]


def markdown(results: dict) -> str:
    """The tables of docs/scaling.md from a scaling.json."""
    out = []
    for name, net in results.get("emulate", {}).items():
        out.append(f"\n{name} (other ranks at {', '.join(net['rates'])} Hz):\n")
        rows = []
        for ranks, s in net["ranks"].items():
            m = s["memory_mib"]
            rows.append([f"{int(ranks):,}", f"{s['build_seconds']:.2f}", f"{s['routing_seconds']:.2f}",
                         f"{s['peak_rss_after_build_mib']:.0f}", f"{s['bytes_per_synapse']:.2f}", f"{s['rows']:,.0f}",
                         f"{s['routes']:,.0f}",
                         f"{m['synapses']:.0f} / {m['rows']:.0f} / {m['routes']:.0f} / {m['plastic_state']:.0f}",
                         f"{s['bytes_sent_per_interval']:.3g} / {s['bytes_received_per_interval']:.3g}"])
        out += markdown_table(["ranks P", "build [s]", "routes drawn [s]", "peak RSS [MiB]", "bytes/synapse", "rows",
                               "routes", "synapses / rows / routes / plastic [MiB]",
                               "sent / received per interval [bytes]"], rows)
    if "weak" in results:
        out.append("")
        rows = []
        for ranks, s in results["weak"].items():
            m = s["memory_mib"]
            rows.append([str(ranks), f"{s['rss_growth_mib']:.2f}", f"{s['mpi_growth_mib']:.2f}",
                         f"{s['ours_growth_mib']:.2f}", f"{m['synapses']:.2f} / {m['rows']:.2f} / {m['routes']:.2f}",
                         f"{s['cpu_seconds_per_rank']:.2f}"])
        out += markdown_table(["ranks", "RSS growth [MiB]", "of it MPI's", "hetspike's",
                               "synapses / rows / routes [MiB]", "CPU s per rank"], rows)
    if "threads" in results:
        t = results["threads"]
        out.append(f"\nFull microcircuit, one rank: build {t['1']['build_seconds']:.1f} s on 1 thread, "
                   f"{t['2']['build_seconds']:.1f} s on 2: {t['speedup']:.2f} times faster.")
    if "buildratio" in results:
        ratios = results["buildratio"]
        if "pairs" in ratios:  # saved before hpc_benchmark was paired too: Brunel's alone
            ratios = {"brunel": {**ratios, "small": 16, "large": 131072, "median_small": ratios["median_16"],
                                 "median_large": ratios["median_131072"]}}
        for name, r in ratios.items():
            out.append(f"\nBuild seconds of {name}'s rank 0, P = {r['small']:,} and P = {r['large']:,} built "
                       f"alternately {len(r['pairs'])} times: {r['median_small']:.2f} s and "
                       f"{r['median_large']:.2f} s (medians); "
                       f"the ratio per pair {r['median_ratio']:.2f} (median), {r['min_ratio']:.2f} to "
                       f"{r['max_ratio']:.2f}.")
    if "rtf" in results:
        out.append("")
        out += markdown_table(["1 s of", "real 2-rank run: RTF", "emulated rank: RTF",
                               "emulated rank: bytes received per interval"],
                              [[name, f"{r['real_2_ranks']['real_time_factor']:.2f}",
                                f"{r['emulated']['real_time_factor']:.2f}",
                                f"{r['emulated']['bytes_received_per_interval']:.3g}"]
                               for name, r in results["rtf"].items()])
    return "\n".join(out) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=str(ROOT / "build" / "apps" / "hetspike"))
    p.add_argument("--sections", default="emulate,buildratio,weak,threads,rtf")
    p.add_argument("--networks", default="brunel,hpc", help="emulate: brunel, hpc")
    p.add_argument("--ranks", default="", help="emulate: job sizes (default: per network)")
    p.add_argument("--weak-ranks", default="1,2,4,8,16,32")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pairs", type=int, default=9, help="buildratio: alternating pairs of builds")
    p.add_argument("--t-emulate", type=float, default=1.0, help="emulate: simulated ms")
    p.add_argument("--t-rate", type=float, default=300.0, help="emulate: ms of the real run that measures rates")
    p.add_argument("--out", default=str(ROOT / "out" / "scaling"))
    p.add_argument("--markdown", metavar="JSON", nargs="+",
                   help="print the tables of docs/scaling.md from saved scaling.json files and stop")
    args = p.parse_args()
    if args.markdown:
        merged = {}
        for path in args.markdown:
            merged.update(json.loads(Path(path).read_text()))
        print(markdown(merged))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sections = {"emulate": section_emulate, "weak": section_weak, "threads": section_threads, "rtf": section_rtf,
                "buildratio": section_buildratio}
    results = {}
    for name in args.sections.split(","):
        results[name] = sections[name](args)
        (out / "scaling.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {out / 'scaling.json'}")


if __name__ == "__main__":
    main()
