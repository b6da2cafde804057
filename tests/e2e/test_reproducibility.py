"""The reproducibility contract through the real binary: Brunel at order 500 for 200 ms on 1, 2, 3 and 4
ranks gives byte-identical sorted spike lists; the same seed twice is identical; another seed differs."""

from __future__ import annotations

import pytest

from conftest import BRUNEL, report, run_ok, spike_list_hash, sorted_spike_list

ARGS = ["run", BRUNEL, "--set", "order=500", "--t-sim", "200", "--no-progress"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for ranks in (1, 2, 3, 4):
        d = tmp_path_factory.mktemp(f"np{ranks}")
        run_ok(*ARGS, "--out", d, ranks=ranks)
        out[ranks] = d
    return out


def test_identical_sorted_spike_lists_on_1_2_3_4_ranks(runs):
    hashes = {n: spike_list_hash(d / "spikes.h5") for n, d in runs.items()}
    assert len(set(hashes.values())) == 1, hashes
    reports = {n: report(d) for n, d in runs.items()}
    assert len({r["spike_hash"] for r in reports.values()}) == 1
    assert len({r["synapses"] for r in reports.values()}) == 1
    assert [r["ranks"] for r in reports.values()] == [1, 2, 3, 4]
    # The comparison means something: thousands of spikes in both populations.
    assert reports[1]["spikes"] > 10_000
    assert all(p["spikes"] > 1000 for p in reports[1]["populations"])


def test_same_seed_twice_is_identical(runs, tmp_path):
    run_ok(*ARGS, "--out", tmp_path, ranks=2)
    assert (sorted_spike_list(tmp_path / "spikes.h5") == sorted_spike_list(runs[2] / "spikes.h5")).all()
    assert report(tmp_path)["spike_hash"] == report(runs[2])["spike_hash"]


def test_another_seed_differs(runs, tmp_path):
    run_ok(*ARGS, "--seed", "7", "--out", tmp_path, ranks=2)
    assert spike_list_hash(tmp_path / "spikes.h5") != spike_list_hash(runs[2] / "spikes.h5")
    assert report(tmp_path)["spike_hash"] != report(runs[2])["spike_hash"]
    assert report(tmp_path)["seed"] == 7
