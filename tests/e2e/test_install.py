"""`cmake --install` puts the binary, model files, job scripts and a CMake package under a prefix; a program
built against that package with find_package(hetspike) links and simulates, and a library of NESTML models built
against it (hetspike_add_nestml_library) loads into the installed binary; kernels/ builds on its own without MPI
or HDF5."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOURCE_DIR, mpi_env

BUILD_DIR = Path(os.environ.get("HETSPIKE_BUILD_DIR", SOURCE_DIR / "build"))


def sh(*cmd, cwd=None, env=None):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=env or mpi_env(),
                       timeout=900)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return r


def test_install_and_find_package(tmp_path):
    prefix = tmp_path / "prefix"
    sh("cmake", "--install", BUILD_DIR, "--prefix", prefix)
    assert (prefix / "bin" / "hetspike").exists()
    assert (prefix / "share" / "hetspike" / "models" / "brunel.toml").exists()
    assert (prefix / "share" / "hetspike" / "jobscripts").is_dir()
    assert (prefix / "lib" / "cmake" / "hetspike" / "hetspikeConfig.cmake").exists()
    r = sh(prefix / "bin" / "hetspike", "check", prefix / "share" / "hetspike" / "models" / "brunel.toml")
    assert "OK" in r.stdout

    consumer = tmp_path / "consumer"
    sh("cmake", "-S", SOURCE_DIR / "tests" / "install_consumer", "-B", consumer, "-G", "Ninja",
       f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release")
    sh("cmake", "--build", consumer)
    r = sh(consumer / "consumer", SOURCE_DIR / "apps" / "models" / "brunel.toml")
    assert "neurons 250 " in r.stdout, r.stdout

    pytest.importorskip("pynestml")
    library = tmp_path / "library"
    sh("cmake", "-S", SOURCE_DIR / "tests" / "install_model_library", "-B", library, "-G", "Ninja",
       f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release", f"-DHETSPIKE_NESTML_PYTHON={sys.executable}")
    sh("cmake", "--build", library)
    model = tmp_path / "alpha.toml"
    model.write_text(ALPHA_MODEL.format(library=str(library / "libmymodels.so")))
    sh(prefix / "bin" / "hetspike", "run", model, "--no-progress", "--out", tmp_path / "out")
    rates = {p["name"]: p["rate_hz"] for p in json.loads((tmp_path / "out" / "report.json").read_text())["populations"]}
    assert 5 < rates["A"] < 500, rates


ALPHA_MODEL = """
libraries = [{library!r}]
[simulation]
t_sim = 200.0
[[populations]]
name = "A"
model = "iaf_psc_alpha_neuron"
size = 100
params = {{ I_e = 450.0 }}
[[recorders]]
populations = ["A"]
"""


def test_kernels_build_alone_without_mpi_or_hdf5(tmp_path):
    build = tmp_path / "kernels"
    sh("cmake", "-S", SOURCE_DIR / "kernels", "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release")
    cache = (build / "CMakeCache.txt").read_text()
    assert "MPI_C_FOUND" not in cache and "HDF5_C_LIBRARY" not in cache
    sh("cmake", "--build", build)
    r = sh(build / "hetspike_kernel_bench", "--neurons", "2000", "--outdegree", "200", "--steps", "300",
           "--repeat", "2")
    assert "synaptic_events_per_second" in r.stdout and "spike_hash" in r.stdout
