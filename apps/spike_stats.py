"""Reading hetspike runs and computing per-population spike statistics with Elephant (used by validate.py and
plot_spikes.py).

A run is an output directory: spikes.h5 (SONATA, timestamps in ms since the start of the run, node ids
local to the population) and report.json (population sizes, t_presim, t_sim, seed, performance figures).
The model file's [parameters] are evaluated here too, with the same arithmetic as hetspike's expressions,
so that a recorder's `first` (how many neurons of a population were recorded) is known.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

# ------------------------------------------------------------------------------------ model expressions

_FUNCTIONS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "floor": math.floor, "ceil": math.ceil,
              "round": lambda x: math.copysign(math.floor(abs(x) + 0.5), x),  # halves away from zero, as C's
              "abs": abs, "min": min, "max": max, "pow": math.pow}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: math.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def _evaluate(text: str, lookup) -> float:
    """Evaluates a model-file expression (numbers, parameter names, + - * / ^, the functions of
    docs/model-files.md). `^` is Python's `**`: right-associative and tighter than unary minus in both."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return lookup(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return float(_BINARY[type(node.op)](ev(node.left), ev(node.right)))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](ev(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            return float(_FUNCTIONS[node.func.id](*[ev(a) for a in node.args]))
        raise ValueError(f"cannot evaluate {ast.dump(node)} in {text!r}")

    return ev(ast.parse(text.replace("^", "**"), mode="eval"))


def model_parameters(model: dict, sets: list[str] = ()) -> dict[str, float]:
    """The model's [parameters], resolved, with `--set NAME=VALUE` items applied."""
    raw = dict(model.get("parameters", {}))
    for item in sets:
        name, _, value = item.partition("=")
        raw[name.strip()] = value.strip()
    values: dict[str, float] = {}

    def lookup(name: str, stack: tuple[str, ...] = ()) -> float:
        if name in values:
            return values[name]
        if name not in raw or name in stack:
            raise ValueError(f"parameter {name!r} is unknown or circular")
        v = raw[name]
        values[name] = float(v) if not isinstance(v, str) else _evaluate(v, lambda n: lookup(n, stack + (name,)))
        return values[name]

    for name in raw:
        lookup(name)
    return values


def model_value(value, params: dict[str, float]) -> float:
    return float(value) if not isinstance(value, str) else _evaluate(value, params.__getitem__)


def recorded_counts(model_path: Path, sets: list[str], sizes: dict[str, int]) -> dict[str, int]:
    """Neurons recorded per population: the recorder's `first`, or the whole population."""
    with open(model_path, "rb") as f:
        model = tomllib.load(f)
    params = model_parameters(model, sets)
    counts: dict[str, int] = {}
    for rec in model.get("recorders", []):
        names = rec["populations"] if isinstance(rec["populations"], list) else [rec["populations"]]
        for name in names:
            n = sizes[name]
            counts[name] = min(n, round(model_value(rec["first"], params))) if "first" in rec else n
    return counts


# ---------------------------------------------------------------------------------------------- runs


@dataclass
class Run:
    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (node ids, times in ms), window only
    sizes: dict[str, int]  # recorded neurons per population
    window: tuple[float, float]  # ms, both ends included (as NEST's Potjans_2014 helpers)
    report: dict


def read_spike_file(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    with h5py.File(path, "r") as f:
        return {name: (g["node_ids"][...].astype(np.int64), g["timestamps"][...]) for name, g in f["spikes"].items()}


def load_run(run_dir: Path, discard_ms: float = 0.0, sets: list[str] | None = None) -> Run:
    """Reads one output directory. The window is the recorded time (t_presim is never in the file) less a
    further `discard_ms` at its start. `sets` are the --set items of the run; validate.py stores them in
    run_args.json, which wins when present."""
    report = json.loads((run_dir / "report.json").read_text())
    args_file = run_dir / "run_args.json"
    if args_file.is_file():
        sets = json.loads(args_file.read_text()).get("set", [])
    sizes = {p["name"]: int(p["size"]) for p in report["populations"]}
    model_file = Path(report.get("model_file", ""))
    if model_file.is_file():
        sizes.update(recorded_counts(model_file, sets or [], sizes))
    t0 = float(report.get("t_presim", 0.0)) + discard_ms
    t1 = float(report.get("t_presim", 0.0)) + float(report["t_sim"])
    if not t0 < t1:
        raise ValueError(f"{run_dir}: --discard {discard_ms} ms leaves no time of the {report['t_sim']} ms recorded")
    spikes = {}
    for name, (ids, times) in read_spike_file(run_dir / "spikes.h5").items():
        keep = (times >= t0) & (times <= t1)
        spikes[name] = (ids[keep], times[keep])
    return Run(spikes, sizes, (t0, t1), report)


# ------------------------------------------------------------------------------------------ statistics

RATE_BINS = np.arange(0.0, 100.5, 0.5)  # Hz, for the stored distributions
CV_BINS = np.arange(0.0, 3.05, 0.05)


def per_neuron_trains(ids: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Neuron ids that spiked, and each one's sorted spike times (ms)."""
    order = np.lexsort((times, ids))
    ids, times = ids[order], times[order]
    neurons, starts = np.unique(ids, return_index=True)
    return neurons, np.split(times, starts[1:]) if len(neurons) else []


def population_stats(ids: np.ndarray, times: np.ndarray, n: int, window: tuple[float, float], bin_ms: float = 2.0,
                     corr_sample: int = 200, seed: int = 0) -> dict:
    """Statistics of one population in one run: per-neuron rates (silent neurons at 0 Hz), ISI CVs of neurons
    with at least 2 intervals, and the mean pairwise spike-count correlation of a sample of active neurons."""
    from elephant.statistics import cv, isi, mean_firing_rate

    t0, t1 = window
    neurons, trains = per_neuron_trains(ids, times)
    if len(neurons) and neurons[-1] >= n:
        raise ValueError(f"node id {neurons[-1]} is not below the {n} recorded neurons")
    rates = np.zeros(n)
    cvs = []
    for neuron, train in zip(neurons, trains):
        rates[neuron] = mean_firing_rate(train * 1e-3, t_start=t0 * 1e-3, t_stop=t1 * 1e-3)  # Hz
        if len(train) >= 3:
            cvs.append(cv(isi(train)))
    cvs = np.asarray(cvs)
    return {
        "neurons": n,
        "rate_mean": float(rates.mean()) if n else 0.0,
        "rate_sd": float(rates.std()) if n else 0.0,
        "rate_quantiles": [float(q) for q in np.quantile(rates, [0.1, 0.5, 0.9])] if n else [0.0] * 3,
        "silent_fraction": float(np.mean(rates == 0)) if n else 1.0,
        "rate_hist": np.histogram(rates, RATE_BINS)[0].tolist(),
        "cv_mean": float(cvs.mean()) if len(cvs) else None,
        "cv_quantiles": [float(q) for q in np.quantile(cvs, [0.1, 0.5, 0.9])] if len(cvs) else None,
        "cv_neurons": int(len(cvs)),
        "cv_hist": np.histogram(cvs, CV_BINS)[0].tolist(),
        "corr_mean": spike_count_correlation(trains, window, bin_ms, corr_sample, seed),
    }


def spike_count_correlation(trains: list[np.ndarray], window: tuple[float, float], bin_ms: float, sample: int,
                            seed: int) -> float | None:
    """Mean Pearson correlation over all pairs of `sample` neurons drawn at random among those that spiked
    (a silent neuron's correlation is undefined), spike counts in `bin_ms` bins."""
    import neo
    import quantities as pq
    from elephant.conversion import BinnedSpikeTrain
    from elephant.spike_train_correlation import correlation_coefficient

    if len(trains) < 2:
        return None
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(trains), size=min(sample, len(trains)), replace=False))
    t0, t1 = window
    sts = [neo.SpikeTrain(trains[i], units="ms", t_start=t0, t_stop=t1) for i in chosen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a spike at exactly t_stop is outside the last half-open bin
        binned = BinnedSpikeTrain(sts, bin_size=bin_ms * pq.ms, t_start=t0 * pq.ms, t_stop=t1 * pq.ms)
    with np.errstate(invalid="ignore", divide="ignore"):
        cc = correlation_coefficient(binned)
    upper = cc[np.triu_indices(len(sts), k=1)]
    upper = upper[np.isfinite(upper)]
    return float(upper.mean()) if len(upper) else None


def summarize_seeds(per_seed: list[dict[str, dict]]) -> dict[str, dict]:
    """Per population: seed averages of the means and quantiles, the spread of the mean rate over seeds, and
    histograms of per-neuron rates and CVs pooled over seeds."""
    out = {}
    for name in per_seed[0]:
        runs = [s[name] for s in per_seed if name in s]
        rate_hist = np.sum([r["rate_hist"] for r in runs], axis=0)
        cv_hist = np.sum([r["cv_hist"] for r in runs], axis=0)
        cvs = [r["cv_mean"] for r in runs if r["cv_mean"] is not None]
        corrs = [r["corr_mean"] for r in runs if r["corr_mean"] is not None]
        rates = [r["rate_mean"] for r in runs]
        out[name] = {
            "seeds": len(runs),
            "neurons": runs[0]["neurons"],
            "rate_mean": float(np.mean(rates)),
            "rate_sd_seeds": float(np.std(rates, ddof=1)) if len(rates) > 1 else 0.0,
            "rate_per_seed": rates,
            "rate_sd": float(np.mean([r["rate_sd"] for r in runs])),
            "rate_quantiles": np.mean([r["rate_quantiles"] for r in runs], axis=0).tolist(),
            "silent_fraction": float(np.mean([r["silent_fraction"] for r in runs])),
            "cv_mean": float(np.mean(cvs)) if cvs else None,
            "cv_per_seed": [r["cv_mean"] for r in runs],
            "cv_quantiles": np.mean([r["cv_quantiles"] for r in runs if r["cv_quantiles"]], axis=0).tolist()
            if cvs else None,
            "cv_neurons": float(np.mean([r["cv_neurons"] for r in runs])),
            "corr_mean": float(np.mean(corrs)) if corrs else None,
            "corr_per_seed": [r["corr_mean"] for r in runs],
            "rate_hist": {"bins_hz": RATE_BINS.tolist(), "counts": rate_hist.tolist()},
            "cv_hist": {"bins": CV_BINS.tolist(), "counts": cv_hist.tolist()},
        }
    return out
