"""Plastic synapses (stdp_pl_synapse_hom) through the real binary: spikes and sampled weights are identical on 1,
2 and 3 ranks, the weights move away from their initial value, the weight file says which synapses it holds, and
a run checkpointed on one rank count and resumed on another continues the plastic weights and traces exactly."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import SOURCE_DIR, hetspike, report, run_ok, sorted_spike_list

MODEL = SOURCE_DIR / "tests" / "e2e" / "models" / "stdp_small.toml"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for ranks in (1, 2, 3):
        d = tmp_path_factory.mktemp(f"stdp{ranks}")
        run_ok("run", MODEL, "--t-sim", "300", "--no-progress", "--out", d, ranks=ranks)
        out[ranks] = d
    return out


def weights(out: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with h5py.File(out / "weights.h5", "r") as f:
        g = f["projections/E->E"]
        assert g["times"].attrs["units"] == "ms"
        return g["source_node_ids"][...], g["target_node_ids"][...], g["times"][...], g["weights"][...]


def test_spikes_and_weights_do_not_depend_on_the_rank_count(runs):
    spikes = {n: sorted_spike_list(d / "spikes.h5") for n, d in runs.items()}
    assert len(spikes[1]) > 1000
    for n in (2, 3):
        assert (spikes[n] == spikes[1]).all(), n
        assert report(runs[n])["spike_hash"] == report(runs[1])["spike_hash"]
        for a, b in zip(weights(runs[n]), weights(runs[1])):
            assert a.shape == b.shape and (a == b).all(), n


def test_weights_move_and_the_file_names_the_synapses(runs):
    sources, targets, times, w = weights(runs[2])
    # 20 targets, in-degree 80 from E: 1600 synapses, each target's in its draw order.
    assert len(sources) == len(targets) == 1600 == w.shape[1]
    assert (np.diff(targets) >= 0).all() and targets.max() == 19 and sources.max() < 800
    assert times[-1] == pytest.approx(300.0) and len(times) >= 4 and w.shape[0] == len(times)
    assert w[0] == pytest.approx(np.full(w.shape[1], 90.0), rel=0.05)  # barely changed after one interval
    assert np.abs(w[-1] - w[0]).mean() > 1.0       # STDP moved them
    assert (w >= 0).all()                          # depression stops at zero


@pytest.mark.parametrize("first,second,t_checkpoint", [(2, 3, 150), (3, 1, 100)])
def test_resume_continues_weights_and_traces_bit_for_bit(tmp_path, runs, first, second, t_checkpoint):
    # 150 ms ends on an interval boundary (d_min = 1.5 ms); 100 ms does not, so the resumed run first realigns.
    out = tmp_path / "out"
    run_ok("run", MODEL, "--t-sim", str(t_checkpoint), "--checkpoint-every", str(t_checkpoint), "--no-progress",
           "--out", out, ranks=first)
    run_ok("run", MODEL, "--t-sim", "300", "--resume", out / "checkpoints", "--no-progress", "--out", out,
           ranks=second)
    reference = runs[2]
    assert report(out)["resumed_from_step"] == t_checkpoint * 10
    a, b = sorted_spike_list(out / "spikes.h5"), sorted_spike_list(reference / "spikes.h5")
    assert a.shape == b.shape and (a == b).all()
    assert report(out)["spike_hash"] == report(reference)["spike_hash"]
    for x, y in zip(weights(out), weights(reference)):  # ids, sample times and every sampled weight
        assert x.shape == y.shape and (x == y).all()


def test_resume_with_other_weight_recorders_is_refused_without_falling_back(tmp_path):
    out = tmp_path / "out"
    run_ok("run", MODEL, "--t-sim", "60", "--checkpoint-every", "30", "--no-progress", "--out", out, ranks=2)
    assert len(list((out / "checkpoints").glob("checkpoint-*.h5"))) == 2
    other = tmp_path / "other.toml"
    text = MODEL.read_text()
    assert "targets = 20" in text
    other.write_text(text.replace("targets = 20", "targets = 5"))  # the same network, fewer sampled synapses
    r = hetspike("run", other, "--t-sim", "100", "--resume", out / "checkpoints", "--out", out, ranks=2)
    assert r.returncode == 2, r.stderr
    line = [l for l in r.stderr.splitlines() if l.startswith("hetspike: error:")][0]
    assert "checkpoint-000000000600.h5" in line and "weight recorder E->E" in line, line
    assert "1600" in line and "400" in line, line
    assert "trying an older checkpoint" not in r.stderr  # the older one would be refused alike
