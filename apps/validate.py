#!/usr/bin/env python3
"""Validate a model's spiking activity against a reference table, over several seeds.

Runs the model once per seed under mpiexec (or reads output directories that exist), drops an optional
further warm-up (`--discard`; the model's t_presim is never in spikes.h5), and computes per population, with
Elephant: the mean rate and the distribution of per-neuron rates (silent neurons count as 0 Hz, as NEST's
Potjans_2014 example counts them), the distribution of ISI CVs over neurons with at least 2 intervals, and
the mean pairwise Pearson correlation of spike counts in 2 ms bins over a sample of 200 active neurons (the
measure and sample size of van Albada et al. 2018, Front. Neurosci. 12:291, who compared NEST and SpiNNaker
on this model). Seeds are averaged; the spread over seeds is shown.

The reference is a TOML table (apps/validation/*.toml): per-population reference values and the
tolerances. A population passes when its seed-averaged mean rate is within `rate_rel` of the reference and
its mean ISI CV lies in [cv_min, cv_max]; an optional `corr_abs` also bounds the distance of the mean
correlation from a reference value. The exit code is 0 only if every population passes.

  apps/validate.py apps/models/microcircuit.toml --ranks 2 --seeds 3 --t-sim 1000
  apps/validate.py apps/models/microcircuit.toml --set scale=0.1 --set k_scale=0.1 \\
      --reference apps/validation/microcircuit_nest3_scale0.1.toml
  apps/validate.py --runs out/validate/microcircuit/seed-1 out/validate/microcircuit/seed-2 --reference REF
  apps/validate.py --compare out/validate/microcircuit/validation.json apps/validation/microcircuit_nest3.toml

`--compare` prints any number of result files (validation.json, written by every validation) and reference
tables side by side, e.g. ours against NEST at the same scale.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import elephant  # noqa: F401
    import h5py  # noqa: F401
    import neo  # noqa: F401
except ImportError as e:
    sys.exit(f"validate.py needs {e.name}: pip install -r {ROOT / 'tests' / 'requirements.txt'} "
             f"(scripts/test.sh installs them into build/venv: run build/venv/bin/python {sys.argv[0]})")
sys.path.insert(0, str(ROOT / "apps"))
from spike_stats import load_run, model_parameters, population_stats, summarize_seeds  # noqa: E402

DEFAULT_REFERENCE = ROOT / "apps" / "validation" / "microcircuit_nest3.toml"


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("model", nargs="?", type=Path, help="model file to run (not needed with --runs/--compare)")
    ap.add_argument("--reference", type=Path, help=f"reference table (default {DEFAULT_REFERENCE.relative_to(ROOT)})")
    ap.add_argument("--ranks", type=int, default=2, help="MPI ranks per run (default 2)")
    ap.add_argument("--seeds", type=int, default=3, help="number of seeds, 1..N (default 3)")
    ap.add_argument("--seed-list", help="comma-separated seeds instead of 1..N")
    ap.add_argument("--t-sim", type=float, help="measured time per run, ms (default: the model's t_sim)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="passed to hetspike run")
    ap.add_argument("--discard", type=float, default=0.0, metavar="MS",
                    help="drop spikes in the first MS ms of the recorded window as well (default 0)")
    ap.add_argument("--out", type=Path, help="output root (default out/validate/MODEL_STEM)")
    ap.add_argument("--reuse", action="store_true", help="reuse a seed's finished run in the output root")
    ap.add_argument("--runs", nargs="+", type=Path, metavar="DIR", help="analyse these output directories")
    ap.add_argument("--compare", nargs="+", type=Path, metavar="FILE",
                    help="print validation.json files and reference tables side by side, then exit")
    ap.add_argument("--bin-ms", type=float, default=2.0, help="bin of the spike-count correlation (default 2)")
    ap.add_argument("--corr-sample", type=int, default=200, help="active neurons per population for correlations")
    ap.add_argument("--hetspike", default=os.environ.get("HETSPIKE_BIN"), help="hetspike binary")
    ap.add_argument("--mpiexec", default=os.environ.get("MPIEXEC", "mpiexec"))
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per run (default 3600)")
    args = ap.parse_args(argv)
    if not args.compare and not args.runs and args.model is None:
        ap.error("give a MODEL to run, --runs DIR... or --compare FILE...")
    return args


# ---------------------------------------------------------------------------------------------- running


def find_binary(given: str | None) -> str:
    if given:
        return given
    for candidate in (ROOT / "build" / "apps" / "hetspike",):
        if candidate.is_file():
            return str(candidate)
    return "hetspike"


def mpi_environment() -> dict[str, str]:
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Open MPI refuses root unless told
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def run_seed(args: argparse.Namespace, binary: str, seed: int, out_root: Path) -> Path:
    """Runs one seed into OUT/seed-S (log in OUT/seed-S.log); returns the directory."""
    out = out_root / f"seed-{seed}"
    run_args = {"model": str(args.model), "set": args.set, "t_sim": args.t_sim, "ranks": args.ranks}
    if args.reuse and (out / "report.json").is_file() and (out / "spikes.h5").is_file():
        stored = json.loads((out / "run_args.json").read_text()) if (out / "run_args.json").is_file() else {}
        if all(stored.get(k) == run_args[k] for k in ("model", "set", "t_sim")):
            print(f"seed {seed}: reusing {out}", flush=True)
            return out
        print(f"seed {seed}: {out} was made with other arguments; running again", flush=True)
    cmd = [args.mpiexec, "-n", str(args.ranks), binary, "run", str(args.model), "--seed", str(seed),
           "--out", str(out), "--no-progress"]
    if args.t_sim is not None:
        cmd += ["--t-sim", repr(args.t_sim)]
    for item in args.set:
        cmd += ["--set", item]
    out_root.mkdir(parents=True, exist_ok=True)
    log = out_root / f"seed-{seed}.log"
    print(f"seed {seed}: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=mpi_environment(), timeout=args.timeout)
    wall = time.monotonic() - start
    if r.returncode != 0:
        tail = log.read_text().splitlines()[-15:]
        sys.exit(f"seed {seed}: hetspike failed (exit {r.returncode}); {log}:\n" + "\n".join(tail))
    (out / "wall_seconds.txt").write_text(f"{wall:.3f}\n")
    (out / "run_args.json").write_text(json.dumps(run_args))
    return out


def run_figures(run_dir: Path, report: dict) -> dict:
    """The performance figures of one run's report.json (and its wall time when validate.py ran it)."""
    ranks = report.get("per_rank", [])
    wall = run_dir / "wall_seconds.txt"
    return {
        "seed": report.get("seed"),
        "wall_seconds": float(wall.read_text()) if wall.is_file() else None,
        "build_seconds": report.get("build_seconds"),
        "simulate_seconds": report.get("simulate_seconds"),
        "real_time_factor": report.get("real_time_factor"),
        "peak_rss_total": sum(r.get("peak_rss", 0) for r in ranks),
        "peak_rss_max_rank": max((r.get("peak_rss", 0) for r in ranks), default=0),
        "bytes_per_synapse": report.get("bytes_per_synapse"),
        "synapses": report.get("synapses"),
        "neurons": report.get("neurons"),
        "ranks": report.get("ranks"),
    }


def print_figures(figures: list[dict]) -> None:
    print("\nRun        wall [s]  build [s]  simulate [s]  RTF     peak RSS total  per rank max  per synapse")
    for f in figures:
        wall = f"{f['wall_seconds']:8.1f}" if f["wall_seconds"] is not None else "       -"
        per_syn = f["peak_rss_total"] / f["synapses"] if f.get("synapses") else float("nan")
        print(f"seed {f['seed']:<5} {wall}  {f['build_seconds']:9.2f}  {f['simulate_seconds']:12.2f}  "
              f"{f['real_time_factor']:6.2f}  {f['peak_rss_total'] / 2**30:10.2f} GiB  "
              f"{f['peak_rss_max_rank'] / 2**30:8.2f} GiB  {per_syn:6.2f} B "
              f"(store: {f['bytes_per_synapse']:.2f} B)")


# -------------------------------------------------------------------------------------------- reference


def load_reference(path: Path) -> dict:
    with open(path, "rb") as f:
        ref = tomllib.load(f)
    tol = ref.setdefault("tolerances", {})
    for key in ("rate_rel", "cv_min", "cv_max"):
        if key not in tol:
            sys.exit(f"{path}: tolerances.{key} is missing")
    if not ref.get("populations"):
        sys.exit(f"{path}: no [populations.NAME] tables")
    return ref


def effective_parameters(model: Path | None, sets: list[str]) -> dict[str, float]:
    """The model's [parameters], resolved, with --set applied; empty when the model is not known."""
    if model is None or not model.is_file():
        return {}
    with open(model, "rb") as f:
        return model_parameters(tomllib.load(f), sets)


def run_parameters(run_dir: Path, sets: list[str]) -> dict[str, float]:
    """The parameters an existing run was made with: its report's model file, and the --set items that
    validate.py stored with it (run_args.json) or else those given now."""
    report = json.loads((run_dir / "report.json").read_text())
    args_file = run_dir / "run_args.json"
    if args_file.is_file():
        sets = json.loads(args_file.read_text()).get("set", [])
    return effective_parameters(Path(report.get("model_file", "")), sets)


def check_reference_parameters(ref: dict, ref_path: Path, params: dict[str, float]) -> list[str]:
    """A reference holds for one configuration (e.g. scale): refuse a run of another."""
    problems = []
    for name, wanted in ref.get("model", {}).get("parameters", {}).items():
        have = params.get(name)
        if have is None:
            problems.append(f"{name}: the reference is for {name} = {wanted}; this run's value is unknown")
        elif not math.isclose(have, float(wanted), rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{name}: the reference is for {name} = {wanted}; this run has {name} = {have:g}")
    return [f"{ref_path}: {p}" for p in problems]


# ---------------------------------------------------------------------------------------------- table


def judge(summary: dict, ref: dict) -> tuple[list[dict], bool]:
    """Checks every population of the reference. A reference rate of 0 (a silent population) is met by a
    rate of at most `rate_abs` (default 0.01 Hz) and has no CV to check; `rate_max` bounds every rate."""
    tol = ref["tolerances"]
    rows, all_ok = [], True
    for name, r in ref["populations"].items():
        s = summary.get(name)
        row = {"population": name, "ref_rate": r.get("rate"), "stats": s, "checks": {}}
        if s is None:
            row["checks"]["present"] = False
        elif r.get("rate") == 0:
            row["checks"]["rate"] = s["rate_mean"] <= tol.get("rate_abs", 0.01)
        else:
            if r.get("rate") is not None:
                row["rate_rel"] = (s["rate_mean"] - r["rate"]) / r["rate"]
                row["checks"]["rate"] = abs(row["rate_rel"]) <= tol["rate_rel"]
            cv = s["cv_mean"]
            row["checks"]["cv"] = cv is not None and tol["cv_min"] <= cv <= tol["cv_max"]
            if "rate_max" in tol:
                row["checks"]["rate_max"] = s["rate_mean"] <= tol["rate_max"]
            if "corr_abs" in tol and r.get("corr") is not None:
                corr = s["corr_mean"]
                row["checks"]["corr"] = corr is not None and abs(corr - r["corr"]) <= tol["corr_abs"]
        row["ok"] = all(row["checks"].values())
        all_ok &= row["ok"]
        rows.append(row)
    return rows, all_ok


def fmt(x: float | None, spec: str) -> str:
    return format(x, spec) if x is not None and not (isinstance(x, float) and math.isnan(x)) else "-"


def print_table(rows: list[dict], ref: dict, ref_path: Path, n_seeds: int, window: tuple[float, float]) -> None:
    tol = ref["tolerances"]
    print(f"\nReference  {ref_path}: {ref.get('title', '')}")
    print(f"Criteria   mean rate within {tol['rate_rel']:.0%} of the reference; mean ISI CV in "
          f"[{tol['cv_min']}, {tol['cv_max']}]"
          + (f"; |corr - ref| <= {tol['corr_abs']}" if "corr_abs" in tol else "")
          + (f"; rate <= {tol['rate_max']} Hz" if "rate_max" in tol else "")
          + (f"; silent in the reference: rate <= {tol.get('rate_abs', 0.01)} Hz"
             if any(r.get("rate") == 0 for r in ref["populations"].values()) else ""))
    print(f"Window     {window[0]:.1f}-{window[1]:.1f} ms, {n_seeds} seed(s); "
          "rate = mean over seeds (± sd over seeds)")
    print("\nPopulation   rate [Hz]          ref    diff   rate p10/p50/p90 [Hz]  silent  CV ISI (n)        "
          "corr     result")
    for row in rows:
        s = row["stats"]
        if s is None:
            print(f"{row['population']:<12} no such population in the runs{'':>60}FAIL")
            continue
        rate = f"{s['rate_mean']:7.3f} ± {s['rate_sd_seeds']:.3f}"
        q = s["rate_quantiles"]
        verdict = "PASS" if row["ok"] else "FAIL (" + ", ".join(k for k, v in row["checks"].items() if not v) + ")"
        print(f"{row['population']:<12} {rate:<17}  {fmt(row['ref_rate'], '6.3f'):>6} "
              f"{fmt(100 * row['rate_rel'], '+6.1f') + '%' if 'rate_rel' in row else '-':>7}  "
              f"{q[0]:6.2f} {q[1]:6.2f} {q[2]:6.2f}      {100 * s['silent_fraction']:5.1f}%  "
              f"{fmt(s['cv_mean'], '5.3f'):>5} ({s['cv_neurons']:>6.0f})   {fmt(s['corr_mean'], '7.4f'):>7}  {verdict}")
    passed = sum(r["ok"] for r in rows)
    print(f"\n{passed} passed, {len(rows) - passed} failed")


# -------------------------------------------------------------------------------------------- compare


def load_any(path: Path) -> tuple[str, dict]:
    """A validation.json (ours) or a reference table, as {population: {rate, cv, corr}}."""
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        label = data.get("label") or str(path)
        return label, {n: {"rate": s["rate_mean"], "cv": s["cv_mean"], "corr": s["corr_mean"]}
                       for n, s in data["populations"].items()}
    ref = tomllib.loads(path.read_text())
    return ref.get("label", str(path)), {n: {k: v.get(k) for k in ("rate", "cv", "corr")}
                                         for n, v in ref.get("populations", {}).items()}


def compare(paths: list[Path]) -> int:
    sources = [load_any(p) for p in paths]
    names = list(dict.fromkeys(n for _, pops in sources for n in pops))
    for i, (label, _) in enumerate(sources):
        print(f"[{i + 1}] {label}  ({paths[i]})")
    for quantity, spec in (("rate", "8.3f"), ("cv", "8.3f"), ("corr", "8.4f")):
        header = f"\n{quantity:<12}" + "".join(f"{'[' + str(i + 1) + ']':>9}" for i in range(len(sources)))
        print(header + ("   [1]/[2]" if len(sources) >= 2 else ""))
        for n in names:
            vals = [pops.get(n, {}).get(quantity) for _, pops in sources]
            line = f"{n:<12}" + "".join(f" {fmt(v, spec):>8}" for v in vals)
            if len(vals) >= 2 and vals[0] is not None and vals[1]:
                line += f"   {vals[0] / vals[1]:7.3f}"
            print(line)
    return 0


# ----------------------------------------------------------------------------------------------- main


def results_directory(args: argparse.Namespace, run_dirs: list[Path]) -> Path:
    """Where validation.json goes: --out; else the output root of the runs made, or, with --runs, the one
    run's directory or the parent that all runs share; else the current directory."""
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        return args.out
    if len(run_dirs) == 1:
        return run_dirs[0]
    parents = {d.resolve().parent for d in run_dirs}
    return parents.pop() if len(parents) == 1 else Path.cwd()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.compare:
        return compare(args.compare)
    ref_path = args.reference or DEFAULT_REFERENCE
    ref = load_reference(ref_path)
    if args.runs:
        run_dirs = args.runs
        for d in run_dirs:
            if not (d / "report.json").is_file() or not (d / "spikes.h5").is_file():
                sys.exit(f"{d}: not a run's output directory (no report.json and spikes.h5)")
        problems = sorted({p for d in run_dirs
                           for p in check_reference_parameters(ref, ref_path, run_parameters(d, args.set))})
    else:
        problems = check_reference_parameters(ref, ref_path, effective_parameters(args.model, args.set))
    if problems:
        sys.exit("\n".join(problems))
    if not args.runs:
        seeds = [int(s) for s in args.seed_list.split(",")] if args.seed_list else list(range(1, args.seeds + 1))
        out_root = args.out = args.out or Path("out") / "validate" / args.model.stem
        binary = find_binary(args.hetspike)
        run_dirs = [run_seed(args, binary, s, out_root) for s in seeds]
    per_seed, figures, window = [], [], None
    for d in run_dirs:
        run = load_run(d, discard_ms=args.discard, sets=args.set)
        window = run.window
        figures.append(run_figures(d, run.report))
        per_seed.append({name: population_stats(ids, times, run.sizes[name], run.window, args.bin_ms,
                                                args.corr_sample, seed=run.report.get("seed", 0))
                         for name, (ids, times) in run.spikes.items()})
    summary = summarize_seeds(per_seed)
    print_figures(figures)
    rows, ok = judge(summary, ref)
    print_table(rows, ref, ref_path, len(run_dirs), window)
    result_root = results_directory(args, run_dirs)
    label = f"hetspike {args.model.name if args.model else 'runs'} {' '.join(args.set)}".strip()
    result = {"label": label, "reference": str(ref_path), "window_ms": window, "discard_ms": args.discard,
              "runs": [str(d) for d in run_dirs], "set": args.set, "figures": figures, "passed": ok,
              "populations": summary}
    (result_root / "validation.json").write_text(json.dumps(result, indent=1, default=float))
    print(f"Results    {result_root / 'validation.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
