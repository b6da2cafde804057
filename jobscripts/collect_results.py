#!/usr/bin/env python3
"""Merge the run reports of a hetspike scaling study into one CSV and draw its plots.

    jobscripts/collect_results.py STUDY_DIR            # a study made by scaling_study.py (reads study.json)
    jobscripts/collect_results.py DIR --kind strong    # any directory tree of hetspike report.json files

Writes, into STUDY_DIR/results (or --out):
    results.csv               one row per run: ranks, repetition, model, spike_hash, status and error, every
                              count, time and figure of the report (per-phase timers as max and mean over ranks,
                              peak memory per rank, bytes and messages sent), speedup and parallel efficiency
    time_per_phase.png        build/input/update/deliver/communicate/output/checkpoint time (slowest rank) vs ranks
    parallel_efficiency.png   parallel efficiency and speedup of the simulation phase vs ranks
    real_time_factor.png      wall-clock seconds per simulated second vs ranks
    memory_per_rank.png       peak resident memory per rank (max and mean over ranks) vs ranks
    communication.png         bytes sent per rank (max and mean) and in total vs ranks
    summary.json              counts of ok and failed points, whether the spike hashes agree

A point of the study without a usable report is not skipped: its row has status "failed" and the reason, taken
from the point's log (hetspike's error line, Slurm's cancellation line) or from its absence. In a strong-scaling
study every run simulates the same network with the same seed, so every spike_hash must be the same (hetspike's
reproducibility contract); a difference is reported.

Exit status: 0 every point ok; 1 a point failed or the spike hashes differ; 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
from pathlib import Path

PHASES = ["build", "input", "update", "deliver", "communicate", "output", "checkpoint"]
# Lines that say why a run failed, best first.
ERROR_PATTERNS = [
    re.compile(r"hetspike(: rank \d+)?: (error|fatal)\b.*"),
    re.compile(r"[\w.-]+\.(sbatch|py): error: .*"),
    re.compile(r".*\*\*\* (JOB|STEP) .* CANCELLED .*"),
    re.compile(r"(srun|slurmstepd|sbatch)(-[\w.-]+)?: error: .*"),
    re.compile(r".*\b(error|Error|ERROR|Killed|Aborted|Segmentation fault)\b.*"),
]


class CollectError(Exception):
    pass


def failure_reason(log: Path, exit_code: int | None) -> str:
    """Why a point has no usable report, in one line."""
    if not log.exists():
        return f"no report and no log ({log.name}): the run never started (cancelled, or still pending)"
    lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    for pattern in ERROR_PATTERNS:
        for line in lines:
            m = pattern.search(line)
            if m:
                return m.group(0)[:500]
    tail = lines[-1][:300] if lines else "the log is empty"
    if exit_code is None:
        return f"the job ended without an exit status (killed or timed out?); last log line: {tail}"
    return f"exit status {exit_code}; last log line: {tail}"


def read_exit_code(run_dir: Path) -> int | None:
    try:
        return int((run_dir / "exit_code").read_text().strip())
    except (OSError, ValueError):
        return None


def row_from_report(report: dict) -> dict:
    per_rank = report.get("per_rank", [])

    def over_ranks(get) -> list[float]:
        return [float(get(r)) for r in per_rank if get(r) is not None]

    row = {
        "neurons": report.get("neurons"), "synapses": report.get("synapses"), "spikes": report.get("spikes"),
        "spike_hash": report.get("spike_hash"), "seed": report.get("seed"), "t_sim_ms": report.get("t_sim"),
        "build_seconds": report.get("build_seconds"), "simulate_seconds": report.get("simulate_seconds"),
        "real_time_factor": report.get("real_time_factor"), "synaptic_events": report.get("synaptic_events"),
        "synaptic_events_per_second": report.get("synaptic_events_per_second"),
        "bytes_per_synapse": report.get("bytes_per_synapse"),
        "resumed_from_step": report.get("resumed_from_step"), "stopped": report.get("stopped"),
        "model_hash": report.get("model_hash"), "hetspike_version": report.get("hetspike_version"),
        "backends": ";".join(sorted({str(r.get("backend")) for r in per_rank if r.get("backend")})),
    }
    for phase in PHASES:
        values = over_ranks(lambda r, p=phase: r.get("timers", {}).get(p))
        row[f"{phase}_max_s"] = max(values) if values else None
        row[f"{phase}_mean_s"] = statistics.fmean(values) if values else None
    for key, label in (("peak_rss", "peak_rss"), ("bytes_sent", "bytes_sent"), ("messages_sent", "messages_sent")):
        values = over_ranks(lambda r, k=key: r.get(k))
        row[f"{label}_max"] = max(values) if values else None
        row[f"{label}_mean"] = statistics.fmean(values) if values else None
        if label != "peak_rss":
            row[f"{label}_total"] = sum(values) if values else None
    for pop in report.get("populations", []):
        row[f"rate_hz_{pop['name']}"] = pop.get("rate_hz")
        row[f"cv_isi_{pop['name']}"] = pop.get("cv_isi")
    return row


def load_report(path: Path) -> dict | str:
    """The report, or why it cannot be used."""
    try:
        report = json.loads(path.read_text())
    except OSError as e:
        return f"{path.name}: {e.strerror}"
    except json.JSONDecodeError as e:
        return f"{path}: not valid JSON ({e.msg} at line {e.lineno})"
    if report.get("stopped"):
        return "the run stopped at a checkpoint (SIGTERM/SIGUSR1) before its end: resume it to complete the point"
    return report


def rows_from_study(root: Path, study: dict) -> list[dict]:
    rows = []
    for p in study["points"]:
        run_dir = root / p["dir"]
        exit_code = read_exit_code(run_dir)
        row = {"study": study["name"], "kind": study["kind"], "model": study["model"], "point": p["index"],
               "ranks": p["ranks"], "nodes": p["nodes"], "threads": study.get("threads", 1),
               "repetition": p["repetition"], "status": "failed", "exit_code": exit_code, "error": "",
               "run_dir": str(run_dir)}
        report = load_report(run_dir / "report.json") if (run_dir / "report.json").exists() else None
        if isinstance(report, dict) and exit_code in (0, None):
            row.update(status="ok", exit_code=0 if exit_code is None else exit_code)
            row.update(row_from_report(report))
        elif isinstance(report, str):
            row["error"] = report
        else:
            row["error"] = failure_reason(root / "logs" / f"point-{p['index']}.log", exit_code)
        rows.append(row)
    return rows


def rows_from_tree(root: Path) -> list[dict]:
    rows = []
    for i, path in enumerate(sorted(root.rglob("report.json"))):
        report = load_report(path)
        row = {"study": root.name, "kind": "", "model": "", "point": i, "ranks": None, "nodes": None,
               "threads": None, "repetition": None, "status": "failed", "exit_code": read_exit_code(path.parent),
               "error": "", "run_dir": str(path.parent)}
        if isinstance(report, str):
            row["error"] = report
        else:
            row.update(status="ok", model=report.get("model_file", ""), ranks=report.get("ranks"))
            row.update(row_from_report(report))
        rows.append(row)
    for ranks in {r["ranks"] for r in rows}:  # repetitions: numbered per rank count, in path order
        for n, r in enumerate([r for r in rows if r["ranks"] == ranks], start=1):
            r["repetition"] = n
    return rows


def add_efficiency(rows: list[dict], kind: str) -> None:
    """Speedup and parallel efficiency of the simulation phase, against the mean of the smallest size.
    strong: speedup = T(base)/T, efficiency = speedup x base/ranks; weak: efficiency = T(base)/T, speedup =
    efficiency x ranks/base (scaled speedup)."""
    ok = [r for r in rows if r["status"] == "ok" and r.get("simulate_seconds")]
    for r in rows:
        r.setdefault("speedup", None)
        r.setdefault("parallel_efficiency", None)
    if not ok:
        return
    base = min(r["ranks"] for r in ok)
    t_base = statistics.fmean(r["simulate_seconds"] for r in ok if r["ranks"] == base)
    for r in ok:
        ratio = t_base / r["simulate_seconds"]
        if kind == "weak":
            r["parallel_efficiency"], r["speedup"] = ratio, ratio * r["ranks"] / base
        else:
            r["speedup"], r["parallel_efficiency"] = ratio, ratio * base / r["ranks"]


def write_csv(rows: list[dict], path: Path) -> None:
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    # The columns a reader looks for first, then the rest in the order they appeared.
    first = ["study", "kind", "model", "point", "ranks", "nodes", "threads", "repetition", "status", "error",
             "exit_code", "spike_hash", "neurons", "synapses", "spikes", "simulate_seconds", "build_seconds",
             "real_time_factor", "speedup", "parallel_efficiency"]
    fields = [f for f in first if f in fields] + [f for f in fields if f not in first]
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    tmp.replace(path)


def by_ranks(rows: list[dict], key: str) -> tuple[list[int], list[float], list[float], list[float]]:
    """Per rank count: mean, min and max of a column over the repetitions (ok rows with a value only)."""
    xs, mean, lo, hi = [], [], [], []
    for ranks in sorted({r["ranks"] for r in rows}):
        values = [float(r[key]) for r in rows if r["ranks"] == ranks and r.get(key) not in (None, "")]
        if values:
            xs.append(ranks)
            mean.append(statistics.fmean(values))
            lo.append(min(values))
            hi.append(max(values))
    return xs, mean, lo, hi


def plot(rows: list[dict], out: Path, title: str, kind: str) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullLocator

    ok = [r for r in rows if r["status"] == "ok"]
    failed = sorted({r["ranks"] for r in rows if r["status"] != "ok" and r["ranks"] is not None})
    note = f" — failed at ranks {', '.join(map(str, failed))}" if failed else ""
    written = []

    def figure(name: str, ylabel: str, series: list[tuple[str, str, float]], logy: bool = True,
               ideal: list[tuple[list[int], list[float]]] | None = None) -> None:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        drawn = False
        for label, key, scale in series:
            xs, mean, lo, hi = by_ranks(ok, key)
            if not xs or (logy and max(mean) <= 0):
                continue
            m = [v * scale for v in mean]
            err = [[(v - a) * scale for v, a in zip(mean, lo)], [(b - v) * scale for v, b in zip(mean, hi)]]
            ax.errorbar(xs, m, yerr=err, marker="o", capsize=3, label=label)
            drawn = True
        for xs, ys in ideal or []:
            ax.plot(xs, ys, "k--", linewidth=1, label="ideal")
        if not drawn:
            ax.text(0.5, 0.5, "no successful run", ha="center", va="center", transform=ax.transAxes)
        ax.set_xscale("log", base=2)
        ticks = sorted({r["ranks"] for r in ok})
        if ticks:
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.xaxis.set_minor_locator(NullLocator())
        if logy and drawn:
            ax.set_yscale("log")
        elif drawn:
            ax.set_ylim(bottom=0)
        ax.set_xlabel("MPI ranks")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: {name.replace('_', ' ')}{note}", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        if drawn:
            ax.legend(fontsize=8)
        path = out / f"{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)

    phases = [(p, f"{p}_max_s", 1.0) for p in PHASES] + [("simulate (total)", "simulate_seconds", 1.0)]
    figure("time_per_phase", "seconds (slowest rank; mean over repetitions)", phases)
    ranks = sorted({r["ranks"] for r in ok})
    ideal = [(ranks, [1.0] * len(ranks))] if ranks else []
    figure("parallel_efficiency", f"{kind} scaling efficiency of the simulation phase",
           [("parallel efficiency", "parallel_efficiency", 1.0)], logy=False, ideal=ideal)
    figure("speedup", "speedup of the simulation phase", [("speedup", "speedup", 1.0)],
           ideal=[(ranks, [r / ranks[0] for r in ranks])] if ranks else [])
    figure("real_time_factor", "wall-clock s per simulated s", [("real-time factor", "real_time_factor", 1.0)])
    mib = 1.0 / (1 << 20)
    figure("memory_per_rank", "peak resident memory per rank [MiB]",
           [("max over ranks", "peak_rss_max", mib), ("mean over ranks", "peak_rss_mean", mib)])
    figure("communication", "bytes sent [MiB]", [("per rank, max", "bytes_sent_max", mib),
                                                 ("per rank, mean", "bytes_sent_mean", mib),
                                                 ("total", "bytes_sent_total", mib)])
    return written


def print_table(rows: list[dict]) -> None:
    print(f"{'point':>5} {'ranks':>5} {'rep':>3}  {'status':<6} {'simulate s':>10} {'efficiency':>10}  hash / error")
    for r in rows:
        sim = f"{r['simulate_seconds']:.3f}" if r.get("simulate_seconds") is not None else "-"
        eff = f"{r['parallel_efficiency']:.2f}" if r.get("parallel_efficiency") is not None else "-"
        tail = r.get("spike_hash") if r["status"] == "ok" else r["error"]
        ranks, rep = (str(r[k]) if r[k] is not None else "?" for k in ("ranks", "repetition"))
        print(f"{r['point']:>5} {ranks:>5} {rep:>3}  {r['status']:<6} {sim:>10} {eff:>10}  {tail}")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="collect_results.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("study", type=Path, help="study directory (with study.json), or any tree of report.json files")
    p.add_argument("--out", type=Path, help="where results.csv and the plots go (default STUDY/results)")
    p.add_argument("--kind", choices=["strong", "weak"], help="scaling kind (default: study.json's, else strong)")
    p.add_argument("--no-plots", action="store_true", help="write the CSV only")
    a = p.parse_args(argv)
    root = a.study.resolve()
    if not root.is_dir():
        raise CollectError(f"'{a.study}' is not a directory")
    study_file = root / "study.json"
    if study_file.exists():
        study = json.loads(study_file.read_text())
        rows, kind, title = rows_from_study(root, study), a.kind or study["kind"], study["name"]
    else:
        rows, kind, title = rows_from_tree(root), a.kind or "strong", root.name
        if not rows:
            raise CollectError(f"{root} holds neither study.json nor any report.json")
        for r in rows:
            r["kind"] = kind
    add_efficiency(rows, kind)
    out = (a.out or root / "results").resolve()
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "results.csv"
    write_csv(rows, csv_path)
    plots = [] if a.no_plots else plot(rows, out, title, kind)

    failed = [r for r in rows if r["status"] != "ok"]
    hashes = {r["spike_hash"] for r in rows if r["status"] == "ok"}
    consistent = kind != "strong" or len(hashes) <= 1
    print_table(rows)
    print(f"{len(rows) - len(failed)} of {len(rows)} points ok; wrote {csv_path}"
          + (f" and {len(plots)} plots" if plots else ""))
    for r in failed:
        where = f"{r['ranks']} ranks, repetition {r['repetition']}" if r["ranks"] is not None else r["run_dir"]
        print(f"collect_results.py: point {r['point']} ({where}) failed: {r['error']}", file=sys.stderr)
    if not consistent:
        print(f"collect_results.py: error: strong scaling, yet the runs' spike hashes differ: {sorted(hashes)}",
              file=sys.stderr)
    summary = {"points": len(rows), "ok": len(rows) - len(failed), "failed": len(failed),
               "hashes_consistent": consistent, "spike_hashes": sorted(hashes), "csv": str(csv_path),
               "plots": [str(x) for x in plots]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if not failed and consistent else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except CollectError as e:
        print(f"collect_results.py: error: {e}", file=sys.stderr)
        sys.exit(2)
