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
    assert rep["parameters"]["order"] == 2500 and rep["parameters"]["g"] == 5.0  # resolved, in file order
    assert [p["recorded"] for p in rep["populations"]] == [p["size"] for p in rep["populations"]]
    for r in rep["per_rank"]:
        for phase in ("build", "update", "deliver", "communicate", "output"):
            assert r["timers"][phase] >= 0
        assert r["peak_rss"] > 0 and r["bytes_sent"] == 8 * r["messages_sent"]
    assert 0 < rep["bytes_per_synapse"] <= 8
    assert rep["real_time_factor"] > 0 and rep["synaptic_events_per_second"] > 0
    # The same network in Brian2 2.9.0 with NEST's exact grid semantics (refractory input discarded, spikes
    # delivered 15 steps later, Poisson drive from 1.5 ms), 5 seeds: E 31.99 +- 0.06 Hz, I 32.05 +- 0.04 Hz,
    # mean ISI CV 0.1756 +- 0.0005 (mean-driven firing: the external drive alone is twice threshold).
    # NEST's own figure for this network (OpenSourceBrain Brunel2000, g = 5, eta = 2) reads about 32.6 Hz,
    # CV 0.177. Tolerances are about 6 seed standard deviations.
    reference = {"E": (31.99, 0.1756), "I": (32.05, 0.1757)}
    for pop in rep["populations"]:
        rate, cv = reference[pop["name"]]
        assert abs(pop["rate_hz"] - rate) < 0.4, pop
        assert abs(pop["cv_isi"] - cv) < 0.005, pop
        assert pop["neurons_with_cv"] == pop["size"]


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


def test_order_500_rates_match_nest_and_an_independent_simulator(tmp_path):
    """Order 500 over three seeds. Brian2 (NEST-exact, 5 seeds): E 52.72 +- 0.06 Hz, I 52.82 +- 0.05 Hz,
    CV 0.0914. NEST 3's regression value (OpenSourceBrain Brunel2000, ISI-based rate of the 50 recorded
    neurons): E 52.92, I 53.17; the Brian2 runs give 53.07 / 53.17 by that measure."""
    rates = {"E": [], "I": []}
    cvs = {"E": [], "I": []}
    for seed in (1, 2, 3):
        out = tmp_path / f"seed{seed}"
        run_ok("run", BRUNEL, "--set", "order=500", "--seed", str(seed), "--out", out, "--no-progress", ranks=2)
        for pop in report(out)["populations"]:
            rates[pop["name"]].append(pop["rate_hz"])
            cvs[pop["name"]].append(pop["cv_isi"])
    for name, (rate, cv) in {"E": (52.72, 0.0914), "I": (52.82, 0.0912)}.items():
        assert abs(sum(rates[name]) / 3 - rate) < 0.25, rates
        assert abs(sum(cvs[name]) / 3 - cv) < 0.004, cvs
