#!/usr/bin/env python3
"""Raster plot and per-population rate plot of a hetspike run, as PNG files, for a person to look at.

  apps/plot_spikes.py out/mc                      # a run's output directory (spikes.h5 + report.json)
  apps/plot_spikes.py out/mc/spikes.h5 --raster-ms 200 --out-prefix figures/mc

Writes PREFIX_raster.png (spikes of every population, stacked in model order, the first at the top, a time
window of --raster-ms at the end of the run, at most --max-rows neurons drawn per population) and
PREFIX_rates.png (left: per-neuron rates per population as box plots, silent neurons included, mean marked;
right: each population's rate over time in --bin-ms bins). PREFIX defaults to the run directory's
"spikes". With report.json next to the spike file, population sizes (and the recorded window) come from it,
so silent neurons count; without it, a population's size is taken as its highest spiking node id + 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spike_stats import load_run, read_spike_file  # noqa: E402

EXC, INH, OTHER = "#3b6ba5", "#c0392b", "#555555"


def color(name: str) -> str:
    """Excitatory populations blue, inhibitory red (by the usual E/I suffix), others grey."""
    return EXC if name.endswith("E") else INH if name.endswith("I") else OTHER


def load(path: Path) -> tuple[dict, dict, tuple[float, float], list[str]]:
    """(spikes per population, neurons per population, window in ms, populations in model order)."""
    run_dir = path if path.is_dir() else path.parent
    spike_file = path / "spikes.h5" if path.is_dir() else path
    if (run_dir / "report.json").is_file() and spike_file.name == "spikes.h5":
        run = load_run(run_dir)
        order = [p["name"] for p in run.report["populations"] if p["name"] in run.spikes]
        return run.spikes, run.sizes, run.window, order
    spikes = read_spike_file(spike_file)
    sizes = {n: int(ids.max()) + 1 if len(ids) else 1 for n, (ids, _) in spikes.items()}
    times = [t for _, t in spikes.values() if len(t)]
    window = (min(t.min() for t in times), max(t.max() for t in times)) if times else (0.0, 1.0)
    print(f"{spike_file}: no report.json beside it; sizes from the highest spiking node ids", file=sys.stderr)
    return spikes, sizes, window, sorted(spikes)


def raster(ax, spikes: dict, sizes: dict, order: list[str], t0: float, t1: float, max_rows: int) -> None:
    """Populations stacked from the top in model order; every stride-th neuron of a population drawn."""
    top, ticks = 0, []
    for name in order:
        ids, times = spikes[name]
        n = sizes[name]
        stride = max(1, -(-n // max_rows))
        rows = -(-n // stride)
        keep = (times >= t0) & (times <= t1) & (ids % stride == 0)
        ax.scatter(times[keep], top + ids[keep] // stride, s=4, marker="o", linewidths=0, color=color(name),
                   rasterized=True)
        ticks.append((top + rows / 2, f"{name}" + (f"\n(1 in {stride})" if stride > 1 else "")))
        top += rows
        ax.axhline(top, color="#dddddd", lw=0.5)
    ax.set_ylim(top, 0)
    ax.set_xlim(t0, t1)
    ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks], fontsize=8)
    ax.set_xlabel("time [ms]")
    ax.set_title("Spike raster")


def rate_plots(fig, spikes: dict, sizes: dict, order: list[str], window: tuple[float, float], bin_ms: float) -> None:
    """Left: box plots of per-neuron rates. Right: one small panel per population with its rate over time."""
    t0, t1 = window
    grid = fig.add_gridspec(len(order), 2, width_ratios=[1, 1.6])
    ax_box = fig.add_subplot(grid[:, 0])
    per_neuron = []
    for name in order:
        ids, times = spikes[name]
        inside = (times >= t0) & (times <= t1)
        per_neuron.append(np.bincount(ids[inside], minlength=sizes[name]) / ((t1 - t0) * 1e-3))
    positions = np.arange(len(order), 0, -1)
    bp = ax_box.boxplot(per_neuron, positions=positions, orientation="horizontal", widths=0.6, showmeans=True,
                        sym="+", patch_artist=True, medianprops={"color": "black"},
                        meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
                        flierprops={"markersize": 3, "markeredgecolor": "#999999"})
    for patch, name in zip(bp["boxes"], order):
        patch.set_facecolor(color(name))
        patch.set_alpha(0.6)
    labels = [f"{name}\n{rates.mean():.2f} Hz" for name, rates in zip(order, per_neuron)]
    ax_box.set_yticks(positions, labels, fontsize=8)
    ax_box.set_xlabel("rate per neuron [spikes/s]")
    ax_box.set_title("Per-neuron rates (box: quartiles, diamond: mean)", fontsize=10)
    edges = np.arange(t0, t1 + bin_ms / 2, bin_ms)
    first = None
    for i, name in enumerate(order):
        ax = fig.add_subplot(grid[i, 1], sharex=first)
        first = first or ax
        _, times = spikes[name]
        counts, _ = np.histogram(times, edges)
        rate = counts / (sizes[name] * bin_ms * 1e-3)
        ax.fill_between(edges[:-1], rate, step="post", color=color(name), alpha=0.7, lw=0)
        ax.set_ylim(0, max(rate.max(), 1e-3) * 1.1)
        ax.set_xlim(t0, t1)
        ax.set_yticks([0, round(rate.max(), 1)], ["0", f"{rate.max():.1f}"], fontsize=7)
        ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelbottom=i == len(order) - 1)
        if i == 0:
            ax.set_title(f"Population rate [spikes/s] over time, {bin_ms:g} ms bins", fontsize=10)
    first.figure.axes[-1].set_xlabel("time [ms]")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path, help="a run's output directory or a SONATA spike file")
    ap.add_argument("--out-prefix", type=Path, help="output PREFIX (default: DIR/spikes)")
    ap.add_argument("--raster-ms", type=float, default=300.0, help="raster window at the end of the run, ms")
    ap.add_argument("--max-rows", type=int, default=400, help="neurons drawn per population in the raster")
    ap.add_argument("--bin-ms", type=float, default=5.0, help="bin of the population rate plot, ms")
    ap.add_argument("--dpi", type=int, default=150)
    args = ap.parse_args(argv)
    spikes, sizes, window, order = load(args.path)
    prefix = args.out_prefix or (args.path if args.path.is_dir() else args.path.parent) / "spikes"
    prefix.parent.mkdir(parents=True, exist_ok=True)

    fig, ax = plt.subplots(figsize=(9, 7), layout="constrained")
    raster(ax, spikes, sizes, order, max(window[0], window[1] - args.raster_ms), window[1], args.max_rows)
    fig.savefig(f"{prefix}_raster.png", dpi=args.dpi)
    plt.close(fig)

    fig = plt.figure(figsize=(12, max(5.0, 0.75 * len(order))), layout="constrained")
    rate_plots(fig, spikes, sizes, order, window, args.bin_ms)
    fig.savefig(f"{prefix}_rates.png", dpi=args.dpi)
    plt.close(fig)
    print(f"{prefix}_raster.png\n{prefix}_rates.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
