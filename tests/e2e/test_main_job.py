"""The README's main job: Brunel at order 2500 for 1 s on 2 ranks. It finishes; libsonata and h5py both read
the spike file (sonata_read cross-checks them); the spike count equals the report's; the report holds what
the issue asks for; the activity is Brunel's asynchronous irregular state."""

from __future__ import annotations

import pytest

from conftest import BRUNEL, report, run_ok
from sonata_read import read_spikes


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("brunel")
    result = run_ok("run", BRUNEL, "--out", out, ranks=2)
    return out, result


def test_spike_file_is_read_by_libsonata_and_h5py_and_matches_the_report(main_job):
    out, _ = main_job
    spikes = read_spikes(out / "spikes.h5")
    rep = report(out)
    assert sorted(spikes) == ["E", "I"]
    assert sum(len(ids) for ids, _ in spikes.values()) == rep["spikes"]
    for pop in rep["populations"]:
        ids, times = spikes[pop["name"]]
        assert len(ids) == pop["spikes"]
        assert ids.max() < pop["size"]
        assert times.min() > 0 and times.max() <= 1000.0


def test_report_contents(main_job):
    out, _ = main_job
    rep = report(out)
    assert rep["neurons"] == 12500
    assert rep["synapses"] == 12500 * 1250
    assert rep["ranks"] == 2 and len(rep["per_rank"]) == 2
    assert rep["d_min"] == 15 and rep["d_max"] == 15
    for r in rep["per_rank"]:
        for phase in ("build", "update", "deliver", "communicate", "output"):
            assert r["timers"][phase] >= 0
        assert r["peak_rss"] > 0 and r["bytes_sent"] == 8 * r["messages_sent"]
    assert 0 < rep["bytes_per_synapse"] <= 8
    assert rep["real_time_factor"] > 0 and rep["synaptic_events_per_second"] > 0
    # Asynchronous irregular activity (Brunel 2000, regime of g = 5, eta = 2): tens of Hz, CV near 1.
    for pop in rep["populations"]:
        assert 10 < pop["rate_hz"] < 80, pop
        assert 0.5 < pop["cv_isi"] < 1.5, pop


def test_console_output_names_rates_rtf_and_outputs(main_job):
    out, result = main_job
    text = result.stdout
    assert "real-time factor" in text.lower()
    assert str(out / "spikes.h5") in text and str(out / "report.json") in text
    assert "rate [Hz]" in text
    rep = report(out)
    for pop in rep["populations"]:  # one line per population with its rate as the report has it
        assert any(line.split()[:1] == [pop["name"]] and f"{pop['rate_hz']:.2f}" in line
                   for line in text.splitlines() if line.strip()), text
