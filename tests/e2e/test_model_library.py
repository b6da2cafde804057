"""Neuron models loaded from a library (`libraries = [...]`, kernels/model_library.hpp) through the real binary.
The library (tests/e2e/CMakeLists.txt) holds NESTML's iaf_psc_exp_neuron and aeif_cond_exp_neuron renamed
*_loaded, generated as the compiled-in ones are: loaded, they must spike exactly as compiled in (the mixed job of
test_nestml_models.py on 3 and 2 ranks and across a resume on another rank count; iaf_psc_exp_neuron exactly as
the hand-written iaf_psc_exp), record the same state, and a library built for another hetspike, a file that is no
model library and a model offered twice must be refused naming the file, the key and what is allowed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import (BIN, HANG_LIMIT, MPIEXEC, SOURCE_DIR, expect_refused, hetspike, mpi_env, report, run_ok,
                      sorted_spike_list)
from test_nestml_models import GENERATED, HAND_WRITTEN, NETWORK

LIBRARY = Path(os.environ.get("HETSPIKE_TEST_MODEL_LIBRARY", "build/tests/e2e/libhetspike_test_models.so"))
OTHER_VERSION = Path(os.environ.get("HETSPIKE_TEST_OTHER_VERSION_LIBRARY",
                                    "build/tests/e2e/libhetspike_test_other_version.so"))
MIXED = (SOURCE_DIR / "tests" / "e2e" / "models" / "nestml_mixed.toml").read_text()
BACKENDS = {2: "0:cpu,1:neuromorphic", 3: "0-1:cpu,2:neuromorphic"}
STATE = """
[[recorders]]
type = "state"
populations = "A"
variables = ["V_m", "w", "integration_step"]
first = 20
"""


def mixed_model(tmp_path: Path, loaded: bool, libraries: str | None = None) -> Path:
    """nestml_mixed.toml with its aeif population compiled in or loaded, and a state recorder on it."""
    text = MIXED + STATE
    if loaded:
        text = text.replace('"aeif_cond_exp_neuron"', '"aeif_cond_exp_neuron_loaded"')
        text = f"libraries = [{libraries or repr(str(LIBRARY))}]\n" + text
    path = tmp_path / ("loaded.toml" if loaded else "compiled.toml")
    path.write_text(text)
    return path


def run_mixed(model: Path, out: Path, ranks: int, *extra, **kw) -> None:
    run_ok("run", model, "--backend-map", BACKENDS[ranks], "--no-progress", "--out", out, *extra, ranks=ranks, **kw)


def state_of(out: Path, variable: str) -> np.ndarray:
    with h5py.File(out / f"state_{variable}.h5", "r") as f:
        return f["report/A/data"][()]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("compiled")
    run_mixed(mixed_model(out, loaded=False), out, 3)
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    out = tmp_path_factory.mktemp("loaded")
    run_mixed(mixed_model(out, loaded=True), out, 3)
    return out


def test_a_loaded_model_spikes_and_records_as_compiled_in(compiled, loaded):
    a, b = sorted_spike_list(compiled / "spikes.h5"), sorted_spike_list(loaded / "spikes.h5")
    assert len(a) > 3_000
    assert a.shape == b.shape and (a == b).all()
    for variable in ("V_m", "w", "integration_step"):
        x, y = state_of(compiled, variable), state_of(loaded, variable)
        assert x.shape == y.shape and x.shape[1] == 20
        assert np.array_equal(x, y), variable
    rates = {p["name"]: p["rate_hz"] for p in report(loaded)["populations"]}
    assert rates == {p["name"]: p["rate_hz"] for p in report(compiled)["populations"]}
    # The report says which library, which build of it (a hash of its bytes) and which models it gave.
    assert report(compiled)["libraries"] == []
    [library] = report(loaded)["libraries"]
    assert Path(library["path"]) == LIBRARY.resolve()
    assert library["models"] == ["aeif_cond_exp_neuron_loaded", "iaf_psc_exp_neuron_loaded"]
    assert len(library["file_hash"]) == 16 and int(library["file_hash"], 16) >= 0


def test_two_ranks_and_a_resume_on_another_rank_count_give_the_same_spikes(tmp_path, loaded):
    model = mixed_model(tmp_path, loaded=True)
    run_mixed(model, tmp_path / "two", 2)
    run_mixed(model, tmp_path / "resumed", 3, "--t-sim", "150", "--checkpoint-every", "150")
    run_mixed(model, tmp_path / "resumed", 2, "--resume", tmp_path / "resumed" / "checkpoints")
    reference = sorted_spike_list(loaded / "spikes.h5")
    for out in ("two", "resumed"):
        spikes = sorted_spike_list(tmp_path / out / "spikes.h5")
        assert spikes.shape == reference.shape and (spikes == reference).all(), out
    assert np.array_equal(state_of(tmp_path / "resumed", "V_m"), state_of(loaded, "V_m"))


def test_a_relative_path_is_the_model_files_directory(tmp_path, loaded):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / LIBRARY.name).symlink_to(LIBRARY.resolve())
    model = mixed_model(tmp_path, loaded=True, libraries=repr(f"lib/{LIBRARY.name}"))
    run_mixed(model, tmp_path / "out", 2, cwd=Path("/"))
    a, b = sorted_spike_list(loaded / "spikes.h5"), sorted_spike_list(tmp_path / "out" / "spikes.h5")
    assert a.shape == b.shape and (a == b).all()
    [here], [there] = report(tmp_path / "out")["libraries"], report(loaded)["libraries"]
    assert here["path"] == str(tmp_path / "lib" / LIBRARY.name) and here["file_hash"] == there["file_hash"]


def test_a_library_that_differs_between_ranks_is_refused(tmp_path):
    # Two "nodes": each rank runs in its own folder, whose lib/ holds a different build (trailing bytes make other
    # bytes of a library that still loads).
    for node, extra in (("a", b""), ("b", b"another build")):
        (tmp_path / node / "lib").mkdir(parents=True)
        (tmp_path / node / "lib" / LIBRARY.name).write_bytes(LIBRARY.read_bytes() + extra)
        mixed_model(tmp_path / node, loaded=True, libraries=repr(f"lib/{LIBRARY.name}"))
    per_rank = [["-n", "1", "--wdir", str(tmp_path / node), BIN, "run", "loaded.toml", "--out", str(tmp_path / "out")]
                for node in ("a", "b")]
    r = subprocess.run([MPIEXEC, *per_rank[0], ":", *per_rank[1]], capture_output=True, text=True, timeout=HANG_LIMIT,
                       env=mpi_env())
    expect_refused(r, 2, "loaded.toml: libraries[0]:", "holds other bytes on some ranks than on others",
                   "allowed: the same library file on every rank")
    assert not (tmp_path / "out" / "spikes.h5").exists()


def test_loaded_iaf_psc_exp_neuron_spikes_as_the_hand_written_iaf_psc_exp(tmp_path):
    spikes = {}
    for model, params in {"iaf_psc_exp": HAND_WRITTEN, "iaf_psc_exp_neuron_loaded": GENERATED}.items():
        path = tmp_path / f"{model}.toml"
        path.write_text(f"libraries = [{str(LIBRARY)!r}]\n" + NETWORK.format(model=model, params=params))
        run_ok("run", path, "--no-progress", "--out", tmp_path / model, ranks=2)
        spikes[model] = sorted_spike_list(tmp_path / model / "spikes.h5")
    a, b = spikes.values()
    assert len(a) > 10_000
    assert a.shape == b.shape and (a == b).all()


def refused(tmp_path: Path, libraries: str, *needles: str) -> str:
    model = mixed_model(tmp_path, loaded=True, libraries=libraries)
    for command in (("check",), ("run", "--out", tmp_path / "out")):
        r = hetspike(command[0], model, *command[1:], ranks=2)
        line = expect_refused(r, 2, str(model), "libraries[", *needles)
    assert not (tmp_path / "out" / "spikes.h5").exists()
    return line


def test_a_library_built_for_another_hetspike_is_refused_with_what_differs(tmp_path):
    line = refused(tmp_path, repr(str(OTHER_VERSION)), str(OTHER_VERSION), "built for another hetspike",
                   "hetspike 0.0.0-other (this hetspike: hetspike ", "rebuild it")
    assert "Kokkos" not in line  # only what differs


def test_what_is_not_a_model_library_is_refused(tmp_path):
    # Any shared object that is no model library: the C math library this Python runs with.
    libm = next(line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
                if line.split()[-1].endswith("/libm.so.6"))
    refused(tmp_path, repr(libm), "is not a hetspike model library", "hetspike_add_nestml_library")
    refused(tmp_path, repr(str(tmp_path / "missing.so")), "missing.so cannot be loaded")
    refused(tmp_path, "[1]", "allowed: an array of paths of model libraries")
    refused(tmp_path, '""', "an empty path")


def test_a_model_offered_twice_is_refused(tmp_path):
    twice = f"{str(LIBRARY)!r}, {str(LIBRARY)!r}"
    refused(tmp_path, twice, "libraries[1]", "already has", "allowed: each model name once")


def test_an_unknown_model_names_the_loaded_ones(tmp_path):
    model = mixed_model(tmp_path, loaded=True)
    model.write_text(model.read_text().replace('"aeif_cond_exp_neuron_loaded"', '"aeif_loaded"'))
    r = hetspike("check", model)
    expect_refused(r, 2, 'unknown neuron model "aeif_loaded"', "aeif_cond_exp_neuron_loaded", "iaf_psc_delta")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
