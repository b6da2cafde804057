#!/usr/bin/env python3
"""Traces of recorded state variables of a hetspike run (its state_<variable>.h5 SONATA reports), as a PNG file, for a
person to look at.

  apps/plot_state.py out/run                          # every state file of a run's output directory
  apps/plot_state.py out/run/state_V_m.h5 --population E --neurons 0 3 7 --t-ms 100 300 --out-prefix figures/run

Writes PREFIX_state.png: one panel per recorded (variable, population), stacked, with one trace per neuron: the
given --neurons (population-local ids), else the first --max-traces recorded ones. PREFIX defaults to the run
directory's "state". Reads with h5py, so float64 reports (precision = "float64", which libsonata refuses) work too.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


@dataclass
class Report:
    """One population's report of one variable: data[time, node] and the times of its rows."""

    variable: str
    population: str
    unit: str
    node_ids: np.ndarray
    times: np.ndarray
    data: np.ndarray


def read_state_file(path: Path) -> list[Report]:
    """Every population's report in a state file. Row k is at start + k * interval (mapping/time)."""
    variable = path.stem.removeprefix("state_")
    reports = []
    with h5py.File(path, "r") as f:
        for population, group in f["report"].items():
            start, _, interval = group["mapping/time"][...]
            data = group["data"][...]
            times = start + interval * np.arange(data.shape[0])
            unit = group["data"].attrs.get("units", "")
            reports.append(Report(variable, population, str(unit), group["mapping/node_ids"][...], times, data))
    return reports


def state_files(path: Path) -> list[Path]:
    files = sorted(path.glob("state_*.h5")) if path.is_dir() else [path]
    if not files:
        raise SystemExit(f"{path}: no state_*.h5 files (does the model have a [[recorders]] of type \"state\"?)")
    return files


def columns(report: Report, neurons: list[int] | None, max_traces: int) -> list[int]:
    """The data columns to draw: those of the chosen node ids (each must be recorded), else the first ones."""
    if neurons is None:
        return list(range(min(max_traces, len(report.node_ids))))
    where = {int(n): i for i, n in enumerate(report.node_ids)}
    missing = [n for n in neurons if n not in where]
    if missing:
        ids = report.node_ids
        raise SystemExit(f"{report.population}: neurons {missing} are not recorded in {report.variable} "
                         f"(recorded: {len(ids)} nodes, ids {ids.min()}..{ids.max()})")
    return [where[n] for n in neurons]


def plot(reports: list[Report], neurons: list[int] | None, max_traces: int, window: tuple[float, float] | None,
         out: Path) -> None:
    fig, axes = plt.subplots(len(reports), 1, figsize=(10, 2.6 * len(reports)), sharex=True, squeeze=False)
    for ax, report in zip(axes[:, 0], reports):
        keep = np.ones(report.times.shape, dtype=bool)
        if window:
            keep = (report.times >= window[0]) & (report.times <= window[1])
        for c in columns(report, neurons, max_traces):
            ax.plot(report.times[keep], report.data[keep, c], lw=0.8, label=f"{int(report.node_ids[c])}")
        ax.set_ylabel(f"{report.variable} [{report.unit}]" if report.unit else report.variable)
        ax.set_title(f"{report.population}: {report.variable}", fontsize=9, loc="left")
        if ax.get_legend_handles_labels()[0] and len(ax.get_legend_handles_labels()[0]) <= 10:
            ax.legend(title="neuron", fontsize=7, title_fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("time [ms]")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="a run's output directory or one state_<variable>.h5 file")
    parser.add_argument("--population", action="append", help="only these populations (repeatable)")
    parser.add_argument("--neurons", type=int, nargs="+", help="population-local ids to draw")
    parser.add_argument("--max-traces", type=int, default=5, help="without --neurons: the first this many (5)")
    parser.add_argument("--t-ms", type=float, nargs=2, metavar=("FROM", "TO"), help="time window to draw")
    parser.add_argument("--out-prefix", type=Path, help="PREFIX of PREFIX_state.png")
    args = parser.parse_args(argv[1:])
    reports = [r for f in state_files(args.path) for r in read_state_file(f)
               if not args.population or r.population in args.population]
    if not reports:
        raise SystemExit(f"{args.path}: no report of population(s) {', '.join(args.population or [])}")
    run_dir = args.path if args.path.is_dir() else args.path.parent
    prefix = args.out_prefix or run_dir / "state"
    out = Path(f"{prefix}_state.png")
    plot(reports, args.neurons, args.max_traces, tuple(args.t_ms) if args.t_ms else None, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
