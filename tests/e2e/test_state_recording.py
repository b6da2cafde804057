"""State recording through the real binary ([[recorders]] of type "state", issue 13 point 4): the SONATA report
files (state_<variable>.h5) are the same on any number of ranks and across a stop and resume, V_m of a neuron driven
by a constant current alone is the analytic solution, libsonata reads the float32 reports, and apps/plot_state.py
draws them."""

from __future__ import annotations

import subprocess
import sys

import h5py
import libsonata
import numpy as np
import pytest

from conftest import SOURCE_DIR, expect_refused, hetspike, mpi_env, read_spikes, report, run_ok

MODEL = SOURCE_DIR / "tests" / "e2e" / "models" / "state_small.toml"
FILES = ["state_V_m.h5", "state_I_syn_ex.h5", "state_I_syn_in.h5", "state_dI_syn_ex.h5", "state_refractory.h5"]
QUIET = ["--no-progress"]


def reports_of(out) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Every report of every state file of a run: (file, population) -> its datasets (data in its stored type)."""
    found = {}
    for name in FILES:
        with h5py.File(out / name, "r") as f:
            for population, group in f["report"].items():
                found[(name, population)] = {
                    "data": group["data"][...],
                    **{k: group["mapping"][k][...] for k in ("node_ids", "index_pointers", "element_ids", "time")},
                }
    return found


def assert_same_reports(a, b) -> None:
    ra, rb = reports_of(a), reports_of(b)
    assert ra.keys() == rb.keys()
    for key in ra:
        for dataset in ra[key]:
            x, y = ra[key][dataset], rb[key][dataset]
            assert x.dtype == y.dtype and x.shape == y.shape, (key, dataset, x.shape, y.shape)
            assert x.tobytes() == y.tobytes(), f"{key} {dataset} differs"


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """Uninterrupted runs on 1, 2 and 3 ranks."""
    runs = {}
    for ranks in (1, 2, 3):
        out = tmp_path_factory.mktemp(f"state{ranks}")
        run_ok("run", MODEL, *QUIET, "--out", out, ranks=ranks)
        runs[ranks] = out
    return runs


def test_state_files_are_the_same_on_1_2_and_3_ranks(straight):
    shapes = {key: r["data"].shape for key, r in reports_of(straight[1]).items()}
    assert shapes == {("state_V_m.h5", "E"): (200, 30), ("state_V_m.h5", "I"): (1000, 50),
                      ("state_V_m.h5", "P"): (1000, 2), ("state_I_syn_ex.h5", "E"): (200, 30),
                      ("state_I_syn_in.h5", "E"): (200, 30), ("state_dI_syn_ex.h5", "I"): (1000, 50),
                      ("state_refractory.h5", "P"): (1000, 2)}
    for ranks in (2, 3):
        assert_same_reports(straight[ranks], straight[1])
    outputs = report(straight[1])["outputs"]
    assert all(any(o.endswith(name) for o in outputs) for name in FILES), outputs


def test_layout_is_sonata(straight):
    with h5py.File(straight[1] / "state_V_m.h5", "r") as f:
        assert f.attrs["magic"] == 0x0A7A and list(f.attrs["version"]) == [0, 1] and f.attrs["run_id"]
        e = f["report/E"]
        assert e["data"].dtype == np.float32 and e["data"].attrs["units"] == "mV"
        assert f["report/P/data"].dtype == np.float64  # precision = "float64"
        assert list(e["mapping/node_ids"][...]) == list(range(30)) and e["mapping/node_ids"].attrs["sorted"] == 1
        assert list(e["mapping/index_pointers"][...]) == list(range(31))
        assert not e["mapping/element_ids"][...].any()
        assert list(e["mapping/time"][...]) == [0.5, 100.5, 0.5] and e["mapping/time"].attrs["units"] == "ms"
    with h5py.File(straight[1] / "state_refractory.h5", "r") as f:
        assert f["report/P/data"].attrs["units"] == "steps"


def test_v_m_of_a_dc_driven_neuron_is_the_analytic_solution(straight):
    """P has only a constant current: V(t) = E_L + I tau_m / C_m (1 - exp(-t / tau_m)) until it spikes, then the
    reset, held for t_ref."""
    e_l, c_m, tau_m, current, v_reset, t_ref = -70.0, 250.0, 10.0, 376.0, -70.0, 2.0
    with h5py.File(straight[1] / "state_V_m.h5", "r") as f:
        start, _, interval = f["report/P/mapping/time"][...]
        v = f["report/P/data"][...]
    times = start + interval * np.arange(v.shape[0])
    ids, spike_times = read_spikes(straight[1] / "spikes.h5")["P"]
    first_spike = spike_times[ids == 0].min()
    assert 58 < first_spike < 60
    before = times < first_spike - 1e-9
    analytic = e_l + current * tau_m / c_m * (1 - np.exp(-times[before] / tau_m))
    assert np.abs(v[before, 0] - analytic).max() < 1e-9
    assert (v[before, 0] == v[before, 1]).all()
    # The sample at the spike's time is after the reset, and the neuron holds there while refractory.
    held = (times >= first_spike - 1e-9) & (times < first_spike + t_ref - 1e-9)
    assert held.sum() == round(t_ref / interval) and (v[held, 0] == v_reset).all()
    with h5py.File(straight[1] / "state_refractory.h5", "r") as f:
        refractory = f["report/P/data"][...]
    assert refractory[held, 0][0] == round(t_ref / interval) and (refractory[before, 0] == 0).all()


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_stop_and_resume_equals_an_uninterrupted_run(tmp_path, straight, how):
    """Stopped at a checkpoint after 43 ms on 2 ranks (the final files are continued), or killed while writing the
    third checkpoint (the partial files are continued); resumed on 3 ranks."""
    out = tmp_path / "out"
    if how == "stopped":
        run_ok("run", MODEL, *QUIET, "--t-sim", "43", "--checkpoint-every", "43", "--out", out, ranks=2)
    else:
        env = mpi_env()
        env["HETSPIKE_KILL_DURING_CHECKPOINT"] = "1:3"
        r = hetspike("run", MODEL, *QUIET, "--checkpoint-every", "20", "--out", out, ranks=2, env=env, timeout=120)
        assert r.returncode != 0 and (out / "state_V_m.h5.partial").exists()
    r = run_ok("run", MODEL, *QUIET, "--resume", out / "checkpoints", "--out", out, ranks=3)
    assert "continuing from step" in r.stdout and "warning" not in r.stderr, r.stderr
    assert not list(out.glob("*.partial"))
    assert_same_reports(out, straight[1])


def test_libsonata_reads_the_float32_reports(straight):
    path = straight[1] / "state_V_m.h5"
    reader = libsonata.ElementReportReader(str(path))
    assert sorted(reader.get_population_names()) == ["E", "I", "P"]
    with h5py.File(path, "r") as f:
        for name in ("E", "I"):
            population = reader[name]
            assert population.time_units == "ms" and population.data_units == "mV"
            frame = population.get()
            data = f[f"report/{name}/data"][...]
            assert np.array_equal(frame.data, data)
            assert [int(i) for i, _ in frame.ids] == list(range(data.shape[1]))
            start, stop, interval = population.times
            assert len(frame.times) == data.shape[0]
            assert np.allclose(frame.times, start + interval * np.arange(data.shape[0]), atol=1e-6)
            window = population.get(node_ids=[3, 5], tstart=10.0, tstop=12.0)
            row = int(round((10.0 - start) / interval))
            assert np.array_equal(window.data[0], data[row, [3, 5]])
    # float64 reports are every bit of the simulation's doubles, which libsonata refuses to read (h5py reads them).
    with pytest.raises(libsonata.SonataError, match="Float32"):
        reader["P"].get()


def test_plot_state_writes_a_png(straight, tmp_path):
    script = SOURCE_DIR / "apps" / "plot_state.py"
    r = subprocess.run([sys.executable, str(script), straight[1], "--out-prefix", tmp_path / "run"],
                       capture_output=True, text=True, timeout=120, env=mpi_env())
    assert r.returncode == 0, r.stdout + r.stderr
    data = (tmp_path / "run_state.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    r = subprocess.run([sys.executable, str(script), straight[1] / "state_V_m.h5", "--population", "P", "--neurons",
                        "5", "--out-prefix", tmp_path / "p"], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "neurons [5] are not recorded" in r.stderr


def test_a_variable_the_model_lacks_is_refused_naming_the_allowed_ones(tmp_path):
    model = tmp_path / "bad.toml"
    model.write_text(MODEL.read_text().replace('variables = ["V_m", "refractory"]', 'variables = ["V_m", "V"]'))
    r = hetspike("run", model, *QUIET, "--out", tmp_path / "out", ranks=2)
    expect_refused(r, 2, "recorders[3].variables[1]", '"V" is not a variable of population P (model iaf_psc_exp)',
                   "allowed: V_m, V_rel, refractory, I_syn_ex, I_syn_in")
