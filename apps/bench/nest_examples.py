#!/usr/bin/env python3
"""Runs one of NEST's own examples of a benchmark network, as NEST ships it, and writes its figures as JSON.

Run by apps/bench/bench.py with the Python that has NEST (the venv it makes, or a NEST built with MPI, under
mpirun): not meant to be called by hand. The examples are NEST's files, read from the NEST installation (or from a
NEST source tree); this script only sets what a benchmark must set alike for both tools before they run (network
size, simulated times, threads, seed) and leaves out their plots and files:

- brunel: pynest/examples/brunel_delta_nest.py (`order`, `simtime`), run as a script.
- hpc: pynest/examples/hpc_benchmark.py (`params`), its build_network() and the two Simulate calls of its
  run_simulation().
- microcircuit: the PD14 microcircuit package (PyPI `microcircuit`, INM-6's microcircuit-PD14-model, formerly
  NEST's pynest/examples/Potjans_2014), as its examples/run_microcircuit.py drives it.

Each rank writes OUT.rankR.json: build and simulation wall times as the examples measure them, NEST's kernel
timers (`time_*`), the peak resident set size, the number of connections and the recorded rates.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import sys
import tempfile
import time
import types
from pathlib import Path


def example_path(name: str, source_tree: str | None) -> Path:
    """NEST's example `name`: in the source tree when given, else in the installed package (the wheel ships them)."""
    import nest

    candidates = [Path(source_tree) / "pynest" / "examples" / name] if source_tree else []
    candidates += [Path(nest.__file__).parent / "doc" / "examples" / "pynest" / name]
    prefix = Path(nest.__file__).parents[4] if len(Path(nest.__file__).parents) > 4 else None
    if prefix:  # a NEST installed with CMake keeps its examples under PREFIX/share/doc/nest/examples
        candidates += [prefix / "share" / "doc" / "nest" / "examples" / "pynest" / name]
    for c in candidates:
        if c.is_file():
            return c
    sys.exit(f"nest_examples.py: NEST's example {name} not found; looked in: {', '.join(map(str, candidates))}")


class ExampleSettings(ast.NodeTransformer):
    """Sets module-level variables to given values where the example assigns them, adds statements after the first
    `nest.ResetKernel()`, and drops calls that only plot or
    send the recorded spikes to files (recorders keep them in memory)."""

    def __init__(self, values: dict[str, object], after_reset: list[str], drop_calls: set[str]):
        self.values, self.after_reset, self.drop_calls = values, after_reset, drop_calls
        self.set: set[str] = set()
        self.reset_seen = False

    def visit_Assign(self, node: ast.Assign):
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if len(names) == 1 and names[0] in self.values:
            self.set.add(names[0])
            node.value = ast.Constant(self.values[names[0]])
        return node

    def visit_Expr(self, node: ast.Expr):
        call = node.value
        if isinstance(call, ast.Call):
            name = ast.unparse(call.func)
            if name in self.drop_calls:
                return None
            if name == "nest.ResetKernel" and not self.reset_seen:
                self.reset_seen = True
                return [node] + [ast.parse(s).body[0] for s in self.after_reset]
        return node


def run_example_script(path: Path, values: dict[str, object], after_reset: list[str]) -> dict:
    tree = ast.parse(path.read_text(), str(path))
    dropped = {"plt.show", "nest.raster_plot.from_device", "espikes.set", "ispikes.set"}
    settings = ExampleSettings(values, after_reset, dropped)
    tree = ast.fix_missing_locations(settings.visit(tree))
    missing = set(values) - settings.set
    if missing or not settings.reset_seen:
        what = sorted(missing) or "nest.ResetKernel()"
        sys.exit(f"nest_examples.py: {path} no longer has {what}: this NEST's example differs from the one bench.py "
                 "knows")
    namespace: dict[str, object] = {"__name__": "__nest_example__", "__file__": str(path)}
    exec(compile(tree, str(path), "exec"), namespace)
    return namespace


def kernel_timers() -> dict[str, float]:
    import nest

    out = {}
    for key, value in nest.kernel_status.items():
        if key.startswith("time_") and not key.endswith("_cpu"):
            out[key] = float(sum(value) if hasattr(value, "__len__") else value)
    return out


def brunel(args) -> dict:
    ns = run_example_script(example_path("brunel_delta_nest.py", args.nest_src),
                            {"order": args.scale_int, "simtime": args.t_sim},
                            [f"nest.local_num_threads = {args.threads}", f"nest.rng_seed = {args.seed}",
                             "nest.print_time = False"])
    return {"build_seconds": ns["build_time"], "simulate_seconds": ns["sim_time"], "t_presim": 0.0,
            "t_sim": args.t_sim, "neurons": ns["N_neurons"], "synapses": ns["num_synapses"],
            "rate_hz": (ns["rate_ex"] * 4 + ns["rate_in"]) / 5}


def hpc(args) -> dict:
    import nest

    path = example_path("hpc_benchmark.py", args.nest_src)
    module = types.ModuleType("hpc_benchmark")
    module.__file__ = str(path)
    source = path.read_text()
    # The network's sizes are computed from `params` when the module loads: the settings go in right after it.
    tree = ast.parse(source, str(path))
    at = next((i for i, n in enumerate(tree.body) if isinstance(n, ast.Assign)
               and [ast.unparse(t) for t in n.targets] == ["params"]), None)
    if at is None:
        sys.exit(f"nest_examples.py: {path} no longer assigns `params`: unknown version of NEST's hpc_benchmark")
    work = tempfile.mkdtemp(prefix="nest-hpc-")
    overrides = {"scale": args.scale, "num_threads": args.threads, "simtime": args.t_sim,
                 "presimtime": args.t_presim, "path_name": work, "log_file": os.path.join(work, "log")}
    tree.body.insert(at + 1, ast.parse(f"params.update({overrides!r})").body[0])
    exec(compile(ast.fix_missing_locations(tree), str(path), "exec"), module.__dict__)
    module.brunel_params["filestem"] = work
    # run_simulation() without its prints: the same calls, timed the same way.
    with module.Logger(os.path.join(work, "log")) as logger:
        nest.ResetKernel()
        nest.rng_seed = args.seed
        start = time.time()
        recorder = module.build_network(logger)
        built = time.time()
        nest.Simulate(module.params["presimtime"])
        nest.Simulate(module.params["simtime"])
        done = time.time()
    return {"build_seconds": built - start, "simulate_seconds": done - built, "t_presim": args.t_presim,
            "t_sim": args.t_sim, "neurons": module.brunel_params["NE"] + module.brunel_params["NI"],
            "synapses": nest.num_connections, "rate_hz": module.compute_rate(recorder) if recorder else None}


def microcircuit(args) -> dict:
    import nest
    from microcircuit import network
    from microcircuit.network_params import default_net_dict as net_dict
    from microcircuit.sim_params import default_sim_dict as sim_dict
    from microcircuit.stimulus_params import default_stim_dict as stim_dict

    net_dict.update(N_scaling=args.scale, K_scaling=args.scale, poisson_input=True)
    sim_dict.update(t_presim=args.t_presim, t_sim=args.t_sim, local_num_threads=args.threads, rng_seed=args.seed,
                    data_path=tempfile.mkdtemp(prefix="nest-microcircuit-") + "/", print_time=False,
                    store_metadata=False)
    start = time.time()
    net = network.Network(sim_dict, net_dict, stim_dict)
    net.create()
    net.connect()
    built = time.time()
    net.simulate(sim_dict["t_presim"])
    net.simulate(sim_dict["t_sim"])
    done = time.time()
    return {"build_seconds": built - start, "simulate_seconds": done - built, "t_presim": args.t_presim,
            "t_sim": args.t_sim, "neurons": int(sum(net_dict["full_num_neurons"]) * args.scale),
            "synapses": nest.num_connections, "rate_hz": None}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("example", choices=["brunel", "hpc", "microcircuit"])
    p.add_argument("--scale", type=float, required=True, help="brunel: order; hpc: scale; microcircuit: N and K")
    p.add_argument("--t-presim", type=float, default=0.0)
    p.add_argument("--t-sim", type=float, required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--nest-src", default=None, help="a NEST source tree whose pynest/examples to run")
    p.add_argument("--out", required=True, help="writes OUT.rankR.json")
    args = p.parse_args()
    args.scale_int = int(args.scale)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    figures = {"brunel": brunel, "hpc": hpc, "microcircuit": microcircuit}[args.example](args)
    timers = kernel_timers()
    info = nest.kernel_status
    figures.update(
        timers=timers, peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        rank=nest.Rank(), processes=nest.NumProcesses(), threads=info["local_num_threads"],
        nest_version=nest.__version__, nest_mpi=bool(nest.build_info["have_mpi"]))
    Path(f"{args.out}.rank{nest.Rank()}.json").write_text(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
