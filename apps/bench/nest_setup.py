"""The NEST that `bench.py --compare nest` runs: which one, how it is started, and how it got there.

Three ways, in this order of preference when given:
- `--nest-prefix PREFIX`: a NEST installed with CMake (with MPI, ideally): its Python package under PREFIX.
- `--nest-src DIR`: a NEST source tree, built here with MPI and OpenMP into OUT/nest-prefix (once; minutes).
- default: the PyPI wheel (`nest-simulator`, no MPI) in a venv of its own, installed once from
  apps/bench/nest-requirements.txt, together with the PD14 microcircuit package that holds NEST's microcircuit.

A NEST with MPI runs as many ranks as hetspike with 1 thread each (NEST's best configuration on few cores); one
without runs 1 process with as many threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "nest-requirements.txt"
SOURCE_REQUIREMENTS = HERE / "nest-src-requirements.txt"
EXAMPLES = HERE / "nest_examples.py"
# NEST 3's connection ids: 27 bits per thread and synapse model ("Too many connections" beyond).
MAX_CONNECTIONS_PER_THREAD = 134_217_726


@dataclass
class NestInstallation:
    python: str
    env: dict[str, str] = field(default_factory=dict)
    source_tree: str | None = None
    how: str = ""  # where it came from, for the printout
    version: str = ""
    mpi: bool = False

    def configuration(self, ranks: int, synapses: float = 0) -> tuple[int, int]:
        """(processes, threads per process) on `ranks` cores for a network of `synapses`: more threads than cores
        where NEST could not otherwise hold them (at most MAX_CONNECTIONS_PER_THREAD per thread and synapse model;
        the full microcircuit needs 3 on 2 cores)."""
        processes, threads = (ranks, 1) if self.mpi else (1, ranks)
        while synapses > MAX_CONNECTIONS_PER_THREAD * processes * threads:
            threads += 1
        return processes, threads

    def describe(self, ranks: int, synapses: float = 0) -> str:
        p, t = self.configuration(ranks, synapses)
        why = f" (NEST holds at most {MAX_CONNECTIONS_PER_THREAD:,} connections per thread)" if p * t > ranks else ""
        return (f"NEST {self.version} ({self.how}; {'with' if self.mpi else 'without'} MPI): {p} process"
                f"{'es' if p > 1 else ''} x {t} thread{'s' if t > 1 else ''} on {ranks} cores{why}")

    def run(self, example: str, ranks: int, out: Path, synapses: float = 0, **settings) -> list[dict]:
        """Runs NEST's example on `ranks` cores; the figures of each of its processes."""
        processes, threads = self.configuration(ranks, synapses)
        cmd = [self.python, str(EXAMPLES), example, "--threads", str(threads), "--out", str(out)]
        for key, value in settings.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        if self.source_tree:
            cmd += ["--nest-src", self.source_tree]
        if self.mpi:
            cmd = ["mpirun", "-n", str(processes)] + cmd
        env = dict(os.environ, **self.env, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1", MPLBACKEND="Agg")
        if processes * threads > ranks:  # more threads than cores: OpenMP's spinning waits would starve them
            env.setdefault("OMP_WAIT_POLICY", "passive")
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"bench.py: NEST's {example} failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stdout[-3000:]}")
        return [json.loads(Path(f"{out}.rank{rank}.json").read_text()) for rank in range(processes)]


def probe(inst: NestInstallation) -> NestInstallation:
    code = "import json, nest; print(json.dumps([nest.__version__, bool(nest.build_info['have_mpi'])]))"
    r = subprocess.run([inst.python, "-c", code], env=dict(os.environ, **inst.env), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"bench.py: {inst.how}: `import nest` fails with {inst.python}:\n{r.stderr[-2000:]}")
    inst.version, inst.mpi = json.loads(r.stdout.strip().splitlines()[-1])
    return inst


def requirements_venv(venv: Path, requirements: Path, what: str) -> Path:
    """A venv with `requirements` installed (again only when that file changed); its Python."""
    python = venv / "bin" / "python"
    stamp = venv / ".hetspike-requirements"
    wanted = requirements.read_text()
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        print(f"bench.py: {what} in {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
        stamp.write_text(wanted)
    return python


def wheel_venv(venv: Path) -> NestInstallation:
    python = requirements_venv(venv, REQUIREMENTS, "installing NEST from PyPI")
    return NestInstallation(str(python), how=f"PyPI wheel in {venv}")


def microcircuit_package(work: Path) -> str:
    """A folder with the PD14 microcircuit package (no dependencies: NEST's Python has numpy and matplotlib)."""
    target = work / "nest-extras"
    if not (target / "microcircuit").is_dir():
        line = next(x for x in REQUIREMENTS.read_text().splitlines() if x.startswith("microcircuit"))
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), line],
                       check=True)
    return str(target)


def prefix_installation(prefix: Path, work: Path, source_tree: str | None = None, how: str = "",
                        python: str = sys.executable) -> NestInstallation:
    """A CMake install: its Python package lives in PREFIX/lib*/python3.*/site-packages; `python` runs it (the
    interpreter it was built for, with numpy)."""
    packages = sorted(prefix.glob("lib*/python3*/site-packages/nest/__init__.py"))
    if not packages:
        sys.exit(f"bench.py: --nest-prefix {prefix}: no NEST Python package under it "
                 "(lib*/python3*/site-packages/nest); allowed: the CMAKE_INSTALL_PREFIX of a NEST build")
    site = str(packages[0].parents[1])
    paths = [site, microcircuit_package(work), os.environ.get("PYTHONPATH", "")]
    env = {"PYTHONPATH": os.pathsep.join(filter(None, paths)),
           "LD_LIBRARY_PATH": os.pathsep.join(filter(None, [str(prefix / "lib"), str(prefix / "lib64"),
                                                            os.environ.get("LD_LIBRARY_PATH", "")]))}
    return NestInstallation(python, env, source_tree, how or f"--nest-prefix {prefix}")


def built_from_source(src: Path, work: Path) -> NestInstallation:
    """NEST built with MPI and OpenMP from a source tree, for and run by a venv of its own (the Python packages
    PyNEST needs to build and run, pinned in nest-src-requirements.txt)."""
    python = requirements_venv(work / "nest-src-venv", SOURCE_REQUIREMENTS,
                               "a venv for building and running NEST from source")
    prefix = work / "nest-prefix"
    if not any(prefix.glob("lib*/python3*/site-packages/nest/__init__.py")):
        build = work / "nest-build"
        print(f"bench.py: building NEST from {src} with MPI and OpenMP into {prefix} (once; many minutes) ...",
              flush=True)
        subprocess.run(["cmake", "-S", str(src), "-B", str(build), f"-DCMAKE_INSTALL_PREFIX={prefix}",
                        "-DCMAKE_BUILD_TYPE=Release", "-Dwith-mpi=ON", "-Dwith-openmp=ON",
                        f"-DPython_EXECUTABLE={python}"], check=True)
        subprocess.run(["cmake", "--build", str(build), f"-j{os.cpu_count() or 1}", "--target", "install"],
                       check=True)
    return prefix_installation(prefix, work, str(src), f"built from {src}", str(python))


def find_nest(prefix: str | None, src: str | None, venv: str, work: Path) -> NestInstallation:
    if prefix:
        inst = prefix_installation(Path(prefix), work, src)
    elif src:
        inst = built_from_source(Path(src), work)
    else:
        inst = wheel_venv(Path(venv))
    return probe(inst)
