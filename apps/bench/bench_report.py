#!/usr/bin/env python3
"""What `bench.py --compare nest` shows of its bench.json: the README's tables (markdown: NEST against hetspike, and
hetspike's own figures) and bench.png, the time per phase of both tools, one panel per case (medians).

    python3 apps/bench/bench_report.py OUT/bench.json OUT/bench.png     # the plot (needs matplotlib)
    python3 apps/bench/bench_report.py OUT/bench.json                   # the tables, on standard output
"""

from __future__ import annotations

import json
import sys

HETSPIKE_PHASES = ["input", "update", "deliver", "communicate", "output"]
# NEST's kernel timers inside time_simulate where NEST was built with detailed timers (the wheel has none)
NEST_PHASES = ["time_update", "time_gather_spike_data", "time_deliver_spike_data", "time_communicate_spike_data"]


def median(figures: dict, key: str) -> float:
    return figures[key]["median"] if key in figures else 0.0


def markdown_table(results: dict) -> str:
    lines = ["| case | | hetspike | NEST | NEST / hetspike |", "|---|---|---|---|---|"]
    for name, r in results.items():
        if "nest" not in r:
            continue
        ours, theirs, ratio = r["figures"], r["nest"]["figures"], r["nest"]["ratios"]
        window = f"{r['t_presim'] / 1e3:g} + {r['t_sim'] / 1e3:g} s" if r["t_presim"] else f"{r['t_sim'] / 1e3:g} s"
        rows = [("build", "build_seconds", "{:.2f} s"), (f"simulate {window}", "simulate_seconds", "{:.2f} s"),
                ("real-time factor", "real_time_factor", "{:.2f}"),
                ("peak memory, all ranks", "peak_rss_total_bytes", "{:.2f} GB")]
        for label, key, fmt in rows:
            scale = 1e-9 if key.endswith("bytes") else 1.0
            lines.append(f"| {name} | {label} | {fmt.format(median(ours, key) * scale)} | "
                         f"{fmt.format(median(theirs, key) * scale)} | {ratio.get(key, 0):.1f}x |")
    configurations = sorted({r["nest"]["configuration"] for r in results.values() if "nest" in r})
    ranks = sorted({r["ranks"] for r in results.values()})
    repeats = sorted({r["repeat"] for r in results.values()})
    lines += ["", f"hetspike: {', '.join(map(str, ranks))} MPI ranks x 1 thread; {'; '.join(configurations)}; "
                  f"medians of {', '.join(map(str, repeats))} alternating runs (`apps/bench/bench.py --compare nest`)."]
    return "\n".join(lines) + "\n"


def figures_table(results: dict) -> str:
    """hetspike's own figures per case: medians, the range of the simulation time in brackets."""
    lines = ["| case | neurons | synapses | build [s] | simulate [s] | real-time factor | events/s/core | peak RSS | "
             "bytes/synapse |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        f = r["figures"]
        sim = f["simulate_seconds"]
        lines.append(f"| {name} | {r['neurons']:,} | {r['synapses']:.3g} | {median(f, 'build_seconds'):.2f} | "
                     f"{sim['median']:.2f} [{sim['min']:.2f}-{sim['max']:.2f}] | {median(f, 'real_time_factor'):.2f} | "
                     f"{median(f, 'synaptic_events_per_second_per_core'):.3g} | "
                     f"{median(f, 'peak_rss_total_bytes') / 2**30:.2f} GiB | {median(f, 'bytes_per_synapse'):.2f} |")
    return "\n".join(lines) + "\n"


def plot(results: dict, path: str) -> None:
    import matplotlib.pyplot as plt

    cases = [n for n, r in results.items() if "nest" in r]
    fig, axes = plt.subplots(1, len(cases), figsize=(4 * len(cases), 4.5), squeeze=False)
    colours = plt.get_cmap("tab10").colors
    for ax, name in zip(axes[0], cases):
        ours, theirs = results[name]["figures"], results[name]["nest"]["figures"]
        bars = {tool: [("build", median(f, "build_seconds"))] for tool, f in (("hetspike", ours), ("NEST", theirs))}
        phases = [(p, median(ours, f"{p}_seconds_max")) for p in HETSPIKE_PHASES]
        bars["hetspike"] += phases + [("other", max(0.0, median(ours, "simulate_seconds") - sum(v for _, v in phases)))]
        nest_phases = [(p.removeprefix("time_"), median(theirs, p)) for p in NEST_PHASES if p in theirs]
        rest = median(theirs, "simulate_seconds") - sum(v for _, v in nest_phases)
        bars["NEST"] += nest_phases + [("other" if nest_phases else "simulate (no detailed timers)", max(0.0, rest))]
        labels = list(dict.fromkeys(label for parts in bars.values() for label, _ in parts))
        for x, (tool, parts) in enumerate(bars.items()):
            bottom = 0.0
            for label, value in parts:
                ax.bar(x, value, bottom=bottom, color=colours[labels.index(label) % len(colours)],
                       label=label if x == 0 or label not in dict(bars["hetspike"]) else None)
                bottom += value
            ax.text(x, bottom, f"{bottom:.1f} s", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(bars)), list(bars))
        ax.set_title(f"{name}\nNEST / hetspike: {results[name]['nest']['ratios'].get('simulate_seconds', 0):.1f}x "
                     "(simulate)", fontsize=9)
        ax.set_ylabel("seconds (medians; phases on the slowest rank)")
        ax.legend(fontsize=7)
    fig.suptitle("Time per phase: hetspike vs NEST, same machine, same cores", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    results = json.loads(open(sys.argv[1]).read())
    if len(sys.argv) > 2:
        plot(results, sys.argv[2])
    else:
        sys.stdout.write(markdown_table(results) + "\n" + figures_table(results))


if __name__ == "__main__":
    main()
