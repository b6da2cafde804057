#!/usr/bin/env python3
"""Generate and run a hetspike scaling study: one command, as a Slurm job array plus a dependent collector job,
or locally with mpirun.

    # strong scaling: the same network on 1, 2, 4 and 8 ranks, 3 repetitions each
    jobscripts/scaling_study.py apps/models/brunel.toml --kind strong --ranks 1,2,4,8 --repetitions 3

    # weak scaling: 2500 neurons per rank (Brunel's order = 500 per rank), on 1, 2, 4, 8 nodes of 32 ranks
    jobscripts/scaling_study.py apps/models/brunel.toml --kind weak --nodes 1,2,4,8 --tasks-per-node 32 \\
        --scale-param order --per-rank 500 --time 00:30:00 --partition compute

    # the same study without Slurm, one point after the other with mpirun
    jobscripts/scaling_study.py apps/models/brunel.toml --kind strong --ranks 1,2,4 --local

What it writes, in the study directory (default out/studies/<model>-<kind>-<date>):
    study.json          the plan: every point (ranks, nodes, repetition, hetspike arguments, output directory)
    run-points.sbatch   the array job script: array task i runs point i with srun
    collect.sbatch      the collector job script: runs collect_results.py on the study directory
    runs/<point>/       each point's spikes.h5, report.json and exit_code
    logs/               point-<i>.log per point, collect-<job id>.log
    results/            results.csv (one row per point, failed points included) and the PNG plots

Slurm: one job array holds every point; each array task is allocated the largest point's shape (the number of
tasks, or nodes x tasks per node, of the biggest point) and runs its own point with `srun -n RANKS`, since the
tasks of one array cannot differ in size. For studies over many nodes, --array-per-size submits one array per
size instead (over the repetitions), so that no task holds more than it uses. The collector job is submitted
at once with --dependency=afterany on every array, so it runs when they have all ended, failed or not, and
reports every failed point (a row with status "failed" and the error message) instead of skipping it.

Exit status: 0 submitted (with --wait or --local: every point succeeded), 1 a point or the collector failed,
2 bad input (model file, options, a model the binary rejects, a job sbatch refuses).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLLECTOR = HERE / "collect_results.py"


class StudyError(Exception):
    """Bad input: reported on one line, exit status 2."""


def positive_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' must list whole numbers >= 1")
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"'{text}' lists a value twice")
    return sorted(values)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="scaling_study.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog="See jobscripts/README.md for more.")
    p.add_argument("model", help="model file (TOML)")
    p.add_argument("--kind", choices=["strong", "weak"], required=True,
                   help="strong: the same network on every size; weak: the network grows with the ranks")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--ranks", type=positive_list, metavar="N,N,...", help="rank counts (Slurm tasks)")
    size.add_argument("--nodes", type=positive_list, metavar="N,N,...",
                      help="node counts (ranks = nodes x --tasks-per-node)")
    p.add_argument("--tasks-per-node", type=int, default=1, metavar="N", help="ranks per node with --nodes")
    p.add_argument("--threads", type=int, default=1, metavar="N", help="threads per rank (--cpus-per-task)")
    p.add_argument("--repetitions", type=int, default=1, metavar="N", help="runs per size (default 1)")
    p.add_argument("--scale-param", metavar="NAME", help="weak scaling: the model parameter that sets the size")
    p.add_argument("--per-rank", type=float, metavar="X", help="weak scaling: NAME = X x ranks")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="hetspike run --set (repeatable)")
    p.add_argument("--seed", type=int, help="hetspike run --seed")
    p.add_argument("--t-sim", type=float, metavar="MS", help="hetspike run --t-sim")
    p.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                   help="another hetspike run argument (repeatable; write --run-arg=--keep)")
    p.add_argument("--study-dir", type=Path, help="where the study goes (default out/studies/<name>-<date>)")
    p.add_argument("--name", help="study name (default <model>-<kind>)")
    p.add_argument("--hetspike", help="the binary (default: $HETSPIKE, hetspike on PATH, build/apps/hetspike)")
    p.add_argument("--python", default=sys.executable,
                   help="Python that runs the collector; needs matplotlib (default: this one)")
    p.add_argument("--no-check", action="store_true", help="do not validate the model with `hetspike check` first")
    slurm = p.add_argument_group("Slurm")
    slurm.add_argument("--partition", help="sbatch --partition, for the runs and the collector")
    slurm.add_argument("--account", help="sbatch --account, for the runs and the collector")
    slurm.add_argument("--time", help="sbatch --time of each run (array task)")
    slurm.add_argument("--sbatch-arg", action="append", default=[], metavar="ARG",
                       help="another sbatch option for the runs (repeatable; write --sbatch-arg=--exclusive)")
    slurm.add_argument("--collect-sbatch-arg", action="append", default=[], metavar="ARG",
                       help="another sbatch option for the collector job (repeatable)")
    slurm.add_argument("--array-per-size", action="store_true",
                       help="one array per size (over the repetitions) instead of one array of all points")
    slurm.add_argument("--max-concurrent", type=int, metavar="N", help="run at most N array tasks at once (%%N)")
    slurm.add_argument("--mpi", default="pmix", help="srun --mpi (default pmix)")
    slurm.add_argument("--cpu-bind", default="cores",
                       help="srun --cpu-bind (default cores; none where Slurm has no task/affinity)")
    slurm.add_argument("--no-submit", action="store_true", help="write the study and print the sbatch commands only")
    slurm.add_argument("--wait", action="store_true",
                       help="wait for the collector job and exit with the study's status")
    slurm.add_argument("--wait-timeout", type=float, default=86400, metavar="S", help="give up waiting after S seconds")
    local = p.add_argument_group("local (no Slurm)")
    local.add_argument("--local", action="store_true", help="run every point here with mpirun, then collect")
    local.add_argument("--mpirun", default=os.environ.get("MPIEXEC", "mpirun"),
                       help="the MPI launcher (default: $MPIEXEC, else mpirun)")
    local.add_argument("--run-timeout", type=float, metavar="S", help="--local: stop a run after S seconds")
    a = p.parse_args(argv)
    if a.kind == "weak" and (a.scale_param is None or a.per_rank is None):
        p.error("--kind weak needs --scale-param NAME and --per-rank X (NAME = X x ranks at every size)")
    if a.kind == "strong" and (a.scale_param or a.per_rank):
        p.error("--scale-param and --per-rank are for --kind weak")
    for name, value in (("--tasks-per-node", a.tasks_per_node), ("--threads", a.threads),
                        ("--repetitions", a.repetitions), ("--max-concurrent", a.max_concurrent or 1)):
        if value < 1:
            p.error(f"{name} must be at least 1")
    if a.tasks_per_node != 1 and not a.nodes:
        p.error("--tasks-per-node goes with --nodes")
    return a


def find_binary(requested: str | None) -> Path:
    candidate = requested or os.environ.get("HETSPIKE") or shutil.which("hetspike") or "build/apps/hetspike"
    path = Path(candidate).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise StudyError(f"hetspike binary '{candidate}' is not an executable file: pass --hetspike or set HETSPIKE")
    return path


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def plan_points(a: argparse.Namespace) -> list[dict]:
    """Every run of the study, size-major: point index = size index x repetitions + repetition - 1."""
    sizes = [(n * a.tasks_per_node, n) for n in a.nodes] if a.nodes else [(r, None) for r in a.ranks]
    common = []
    for s in a.set:
        common += ["--set", s]
    if a.seed is not None:
        common += ["--seed", str(a.seed)]
    if a.t_sim is not None:
        common += ["--t-sim", number(a.t_sim)]
    common += ["--no-progress", *a.run_arg]
    points = []
    for ranks, nodes in sizes:
        scaled = ["--set", f"{a.scale_param}={number(a.per_rank * ranks)}"] if a.kind == "weak" else []
        for rep in range(1, a.repetitions + 1):
            points.append({"index": len(points), "ranks": ranks, "nodes": nodes, "repetition": rep,
                           "dir": f"runs/r{ranks:05d}-rep{rep}", "args": [*common, *scaled]})
    return points


def check_model(binary: Path, model: Path, points: list[dict]) -> None:
    """`hetspike check` once per distinct network, at its largest size: a bad model or --set fails here, not
    in the queue."""
    seen: dict[tuple, int] = {}
    for p in points:
        key = tuple(a for a in p["args"] if a != "--no-progress")
        seen[key] = max(seen.get(key, 0), p["ranks"])
    for args, ranks in seen.items():
        cmd = [str(binary), "check", str(model), *filter_check_args(list(args)), "--ranks", str(ranks)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            message = (r.stderr.strip() or r.stdout.strip()).splitlines()
            raise StudyError(f"hetspike check rejects the model: {message[-1] if message else r.returncode}")


def filter_check_args(args: list[str]) -> list[str]:
    """The options of `hetspike run` that `hetspike check` takes too (--set, --seed, --t-sim)."""
    out, i = [], 0
    while i < len(args):
        if args[i] in ("--set", "--seed", "--t-sim") and i + 1 < len(args):
            out += args[i:i + 2]
            i += 2
        else:
            i += 1
    return out


def write_array_script(study: dict, path: Path, a: argparse.Namespace) -> None:
    q = shlex.quote
    root = study["dir"]
    lines = [
        "#!/usr/bin/env bash",
        f"# Generated by jobscripts/scaling_study.py for study {study['name']} ({study['kind']} scaling):",
        "# array task i runs point i of study.json with srun; outputs in runs/<point>/, log in logs/point-<i>.log.",
        f"#SBATCH --job-name={study['name']}",
        f"#SBATCH --output={root}/logs/point-%a.log",
        f"#SBATCH --cpus-per-task={study['threads']}",
        "set -euo pipefail",
        f"cd {q(root)}",
        'case "${SLURM_ARRAY_TASK_ID:?not an array task}" in',
    ]
    for p in study["points"]:
        args = " ".join(q(x) for x in p["args"])
        lines.append(f"  {p['index']}) ranks={p['ranks']}; nodes={p['nodes'] or ''}; rep={p['repetition']};"
                     f" dir={q(p['dir'])}; args=({args}) ;;")
    lines += [
        '  *) echo "run-points.sbatch: error: study.json has no point ${SLURM_ARRAY_TASK_ID}" >&2; exit 2 ;;',
        "esac",
        'mkdir -p "$dir"',
        'rm -f "$dir/exit_code"',
        'threads="${SLURM_CPUS_PER_TASK:-1}"',
        'export OMP_NUM_THREADS="$threads" OMP_PROC_BIND=spread OMP_PLACES=threads KOKKOS_NUM_THREADS="$threads"',
        "# More ranks than cores (--overcommit): idle Open MPI ranks yield their core instead of spinning on it.",
        'if [ -n "${SLURM_OVERCOMMIT:-}" ]; then',
        '  export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"',
        "fi",
        "size=(-n \"$ranks\")",
        'if [ -n "$nodes" ]; then size+=(-N "$nodes"); fi',
        'echo "study point ${SLURM_ARRAY_TASK_ID}: $ranks ranks (repetition $rep) in job ${SLURM_JOB_ID},'
        ' output $dir"',
        "rc=0",
        f'srun --mpi={q(a.mpi)} --cpu-bind={q(a.cpu_bind)} --cpus-per-task="$threads" "${{size[@]}}" \\',
        f'  {q(study["hetspike"])} run {q(study["model"])} --out "$dir" "${{args[@]}}" || rc=$?',
        'echo "$rc" > "$dir/exit_code"',
        'if [ "$rc" -ne 0 ]; then',
        '  echo "study point ${SLURM_ARRAY_TASK_ID}: hetspike failed with exit status $rc" >&2',
        "fi",
        'exit "$rc"',
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o755)


def write_collect_script(study: dict, path: Path, python: str) -> None:
    q = shlex.quote
    root = study["dir"]
    path.write_text("\n".join([
        "#!/usr/bin/env bash",
        f"# Generated by jobscripts/scaling_study.py: merges the reports of study {study['name']} into",
        "# results/results.csv and draws the plots; runs after every point has ended (afterany), failed or not.",
        f"#SBATCH --job-name={study['name']}-collect",
        f"#SBATCH --output={root}/logs/collect-%j.log",
        "#SBATCH --ntasks=1",
        "#SBATCH --cpus-per-task=1",
        "set -euo pipefail",
        f"exec {q(python)} {q(str(COLLECTOR))} {q(root)}",
    ]) + "\n")
    path.chmod(0o755)


def shape_options(points: list[dict], threads: int) -> list[str]:
    """sbatch options that fit the largest of these points."""
    biggest = max(points, key=lambda p: (p["ranks"], p["nodes"] or 0))
    if biggest["nodes"]:
        per_node = biggest["ranks"] // biggest["nodes"]
        return [f"--nodes={biggest['nodes']}", f"--ntasks-per-node={per_node}", f"--cpus-per-task={threads}"]
    return [f"--ntasks={biggest['ranks']}", f"--cpus-per-task={threads}"]


def array_spec(indices: list[int], max_concurrent: int | None) -> str:
    spec = ",".join(str(i) for i in indices)
    if len(indices) > 1 and indices == list(range(indices[0], indices[-1] + 1)):
        spec = f"{indices[0]}-{indices[-1]}"
    return spec + (f"%{max_concurrent}" if max_concurrent else "")


def sbatch(cmd: list[str]) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        message = " ".join(r.stderr.split()) or f"exit status {r.returncode}"
        raise StudyError(f"sbatch refused the job: {message}\n  command: {shlex.join(cmd)}")
    return r.stdout.strip().split(";")[0]


def submit(study: dict, a: argparse.Namespace, root: Path) -> dict:
    common = []
    if a.partition:
        common.append(f"--partition={a.partition}")
    if a.account:
        common.append(f"--account={a.account}")
    groups: list[list[dict]] = []
    if a.array_per_size:
        for p in study["points"]:
            if groups and groups[-1][0]["ranks"] == p["ranks"]:
                groups[-1].append(p)
            else:
                groups.append([p])
    else:
        groups = [study["points"]]
    commands = []
    for g in groups:
        cmd = ["sbatch", "--parsable", f"--array={array_spec([p['index'] for p in g], a.max_concurrent)}",
               *shape_options(g, study["threads"]), *common]
        if a.time:
            cmd.append(f"--time={a.time}")
        commands.append([*cmd, *a.sbatch_arg, str(root / "run-points.sbatch")])
    collect = ["sbatch", "--parsable", *common, *a.collect_sbatch_arg, "--dependency=afterany:{arrays}",
               str(root / "collect.sbatch")]
    if a.no_submit:
        for c in commands:
            print(shlex.join(c))
        print(shlex.join(collect).replace("{arrays}", "<array job ids, :-separated>"))
        return {}
    arrays: list[str] = []
    try:
        for c in commands:
            arrays.append(sbatch(c))
        # Submitted now, while the arrays are queued: a dependency on a job Slurm has already forgotten would
        # be dropped silently.
        collector = sbatch([x.replace("{arrays}", ":".join(arrays)) for x in collect])
    except (StudyError, subprocess.TimeoutExpired):
        if arrays:
            subprocess.run(["scancel", *arrays], capture_output=True, timeout=60)
        raise
    return {"arrays": arrays, "collector": collector}


def wait_for_job(job: str, timeout: float) -> str:
    """Polls until the job has ended; returns its final state ('' if Slurm has already forgotten it)."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        r = subprocess.run(["squeue", "-h", "-t", "all", "-j", job, "-o", "%T"], capture_output=True, text=True,
                           timeout=60)
        state = r.stdout.strip()
        if r.returncode != 0 or state in ("", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                                          "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"):
            return state
        time.sleep(2)
    raise StudyError(f"job {job} has not ended after {timeout:.0f} s (state {state})")


def run_local(study: dict, a: argparse.Namespace, root: Path) -> None:
    """Every point, one after the other, with mpirun; the same files as under Slurm."""
    cores = os.cpu_count() or 1
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(study["threads"]), KOKKOS_NUM_THREADS=str(study["threads"]))
    for p in study["points"]:
        out = root / p["dir"]
        out.mkdir(parents=True, exist_ok=True)
        (out / "exit_code").unlink(missing_ok=True)
        launcher = shlex.split(a.mpirun) + ["-n", str(p["ranks"])]
        if p["ranks"] * study["threads"] > cores:
            launcher.append("--oversubscribe")
        cmd = [*launcher, study["hetspike"], "run", study["model"], "--out", p["dir"], *p["args"]]
        print(f"point {p['index']}: {p['ranks']} ranks, repetition {p['repetition']}: {shlex.join(cmd)}", flush=True)
        with open(root / "logs" / f"point-{p['index']}.log", "w") as log:
            log.write(f"study point {p['index']}: {p['ranks']} ranks (repetition {p['repetition']}), local\n")
            log.flush()
            try:
                rc = subprocess.run(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    timeout=a.run_timeout).returncode
            except subprocess.TimeoutExpired:
                log.write(f"scaling_study.py: error: run stopped after --run-timeout {a.run_timeout} s\n")
                rc = 124
        (out / "exit_code").write_text(f"{rc}\n")
        if rc != 0:
            print(f"point {p['index']}: failed with exit status {rc} (see logs/point-{p['index']}.log)", flush=True)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    model = Path(a.model).resolve()
    if not model.is_file():
        raise StudyError(f"model file '{a.model}' does not exist")
    binary = find_binary(a.hetspike)
    if not a.local and not a.no_submit and not shutil.which("sbatch"):
        raise StudyError("sbatch not found: this machine has no Slurm; run the study here with --local")
    name = a.name or f"{model.stem}-{a.kind}"
    root = (a.study_dir or Path("out") / "studies" / f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}").resolve()
    if any(c.isspace() for c in str(root)):
        raise StudyError(f"study directory '{root}' contains white space, which #SBATCH lines cannot hold")
    if (root / "study.json").exists():
        raise StudyError(f"{root} already holds a study (study.json): choose another --study-dir")
    points = plan_points(a)
    if not a.no_check:
        check_model(binary, model, points)
    for sub in ("runs", "logs", "results"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    study = {
        "format": 1, "name": name, "kind": a.kind, "model": str(model), "hetspike": str(binary), "dir": str(root),
        "created": dt.datetime.now().isoformat(timespec="seconds"), "mode": "local" if a.local else "slurm",
        "threads": a.threads, "tasks_per_node": a.tasks_per_node if a.nodes else None,
        "scale_param": a.scale_param, "per_rank": a.per_rank, "repetitions": a.repetitions,
        "command": shlex.join([sys.argv[0], *argv]), "points": points,
    }
    write_array_script(study, root / "run-points.sbatch", a)
    write_collect_script(study, root / "collect.sbatch", a.python)
    sizes = sorted({p["ranks"] for p in points})
    print(f"study {name}: {a.kind} scaling, {len(points)} points (ranks {', '.join(map(str, sizes))}"
          f" x {a.repetitions} repetition{'s' if a.repetitions > 1 else ''}) in {root}", flush=True)

    if a.local:
        (root / "study.json").write_text(json.dumps(study, indent=2) + "\n")
        run_local(study, a, root)
        return subprocess.run([a.python, str(COLLECTOR), str(root)]).returncode
    jobs = submit(study, a, root)
    study["jobs"] = jobs
    (root / "study.json").write_text(json.dumps(study, indent=2) + "\n")
    if not jobs:
        return 0
    arrays = ",".join(jobs["arrays"])
    print(f"submitted: array job{'s' if len(jobs['arrays']) > 1 else ''} {arrays}, collector job {jobs['collector']}"
          f" (afterany:{':'.join(jobs['arrays'])})")
    print(f"follow with: squeue -j {arrays},{jobs['collector']}")
    print(f"results: {root}/results/results.csv and {root}/results/*.png; logs in {root}/logs/", flush=True)
    if not a.wait:
        return 0
    state = wait_for_job(jobs["collector"], a.wait_timeout)
    summary = root / "results" / "summary.json"
    if not summary.exists():
        print(f"scaling_study.py: error: the collector job {jobs['collector']} ended ({state or 'state unknown'})"
              f" without results: see {root}/logs/collect-{jobs['collector']}.log", file=sys.stderr)
        return 1
    s = json.loads(summary.read_text())
    print(f"study {name}: {s['ok']} of {s['points']} points ok, {s['failed']} failed; {s['csv']}")
    return 0 if s["failed"] == 0 and s.get("hashes_consistent", True) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except StudyError as e:
        print(f"scaling_study.py: error: {e}", file=sys.stderr)
        sys.exit(2)
