"""One rank of a P-rank job built and run alone (`hetspike run --emulate-ranks P --as-rank R`): it holds exactly what
that rank of a real P-rank job holds (synapse store and, with replayed routes, routing table, compared by their
hashes), for every connection rule; its drawn routes, rows and memory match `hetspike check --ranks P`; its report
carries the per-rank figures and what it sends and receives; bad combinations are refused by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import BRUNEL, SOURCE_DIR, hetspike, report, run_ok

ALL_RULES = SOURCE_DIR / "tests" / "e2e" / "models" / "all_rules.toml"
PER_RANK = ("rows", "routes", "synapses", "neurons", "store_hash", "routes_hash")


@pytest.fixture(scope="module")
def real_jobs(tmp_path_factory):
    """The all-rules network on 2, 3 and 4 real ranks: each rank's figures."""
    out = {}
    for ranks in (2, 3, 4):
        d = tmp_path_factory.mktemp(f"real{ranks}")
        run_ok("run", ALL_RULES, "--out", d, "--no-progress", ranks=ranks)
        out[ranks] = report(d)["per_rank"]
    return out


@pytest.mark.parametrize("ranks", [2, 3, 4])
def test_an_emulated_rank_holds_what_the_real_rank_holds(real_jobs, ranks, tmp_path):
    for rank in range(ranks):
        d = tmp_path / f"rank{rank}"
        r = run_ok("run", ALL_RULES, "--out", d, "--no-progress", "--emulate-ranks", ranks, "--as-rank", rank,
                   "--emulated-rate", "*=20")
        assert f"rank {rank} of {ranks}" in r.stdout
        rep = report(d)
        mine = rep["per_rank"][0]
        real = real_jobs[ranks][rank]
        assert mine["rank"] == rank
        assert {k: mine[k] for k in PER_RANK} == {k: real[k] for k in PER_RANK}, f"rank {rank} of {ranks}"
        assert rep["emulation"]["routes"] == "replayed"
        assert mine["synapses"] > 10_000 and mine["rows"] > 500


def test_drawn_routes_match_the_rules_and_check(tmp_path):
    """Brunel with 200 neurons and in-degree 200 per rank, rank 5 of 1,000: rows and routes as `check` expects
    (within 2%, the routes' spread over so few neurons allows it), memory within 25% of its estimate."""
    sets = ["--set", "order=40*1000", "--set", "CE=160", "--set", "CI=40"]
    run_ok("run", BRUNEL, *sets, "--t-sim", 20, "--out", tmp_path, "--no-progress", "--emulate-ranks", 1000,
           "--as-rank", 5, "--emulated-rate", "E=10", "--emulated-rate", "I=12")
    rep = report(tmp_path)
    mine = rep["per_rank"][0]
    assert rep["emulation"]["routes"] == "drawn"
    assert rep["emulation"]["rates_hz"] == {"E": 10.0, "I": 12.0}
    out = run_ok("check", BRUNEL, *sets, "--ranks", 1000).stdout
    rows = float(re.search(r"^\s+rows\s+(\d+)", out, re.M)[1])
    routes = float(re.search(r"^\s+routes\s+(\d+)", out, re.M)[1])
    assert mine["rows"] == pytest.approx(rows, rel=0.02)
    assert mine["routes"] == pytest.approx(routes, rel=0.02)
    assert mine["synapses"] == 200 * 200
    # Every spike of a local neuron goes to as many ranks as it has routes; other ranks' spikes arrive at the rates.
    assert mine["bytes_sent_per_interval"] > 0
    assert mine["bytes_received_per_interval"] > 0
    assert rep["emulation"]["remote_messages"] > 0


def test_a_sparse_rank_costs_what_check_says(tmp_path):
    """Rank 0 of 100,000 ranks of Brunel with 1,000 neurons and in-degree 1,000 per rank: nearly every row holds one
    synapse; rows, routes and bytes per synapse (peak growth) as `check` estimates them."""
    sets = ["--set", "order=200*100000", "--set", "CE=800", "--set", "CI=200"]
    run_ok("run", BRUNEL, *sets, "--t-sim", 5, "--out", tmp_path, "--no-progress", "--emulate-ranks", 100000,
           "--emulated-rate", "*=10")
    mine = report(tmp_path)["per_rank"][0]
    out = run_ok("check", BRUNEL, *sets, "--ranks", 100000).stdout
    rows = float(re.search(r"^\s+rows\s+(\d+)", out, re.M)[1])
    single = float(re.search(r"single ([\d.]+)%", out)[1])
    assert single > 95
    assert mine["rows"] == pytest.approx(rows, rel=0.01)
    assert mine["routes"] == pytest.approx(rows, rel=0.01)
    # The store and routes as laid out: 2 bytes a synapse, nearly nothing per single row, 6 bytes a route.
    assert mine["memory"]["synapses"] == 2 * mine["synapses"]
    assert mine["memory"]["rows"] < 0.5 * mine["synapses"]
    assert 6 * mine["routes"] <= mine["memory"]["routes"] <= 6 * mine["routes"] + 8 * 1001 + 64


@pytest.mark.parametrize("args,needles", [
    (["--emulate-ranks", 4, "--as-rank", 4, "--emulated-rate", "*=5"], ["--as-rank 4", "0 to 3"]),
    (["--emulate-ranks", 4, "--emulated-rate", "X=5"], ["--emulated-rate X=5", "no population \"X\""]),
    (["--emulate-ranks", 4, "--emulated-rate", "E=fast"], ["--emulated-rate E=fast", "0 to 1e6 Hz"]),
    (["--emulate-ranks", 4, "--emulated-rate", "E=5"], ["--emulated-rate", "no rate", "I"]),
    (["--emulate-ranks", 4, "--emulated-rate", "*=5", "--checkpoint-every", 10], ["--emulate-ranks", "checkpoint"]),
    (["--emulate-ranks", 4, "--emulated-rate", "*=5", "--emulated-routes", "guessed"],
     ["--emulated-routes guessed", "auto, drawn, replayed"]),
    (["--as-rank", 1], ["--emulate-ranks"]),
])
def test_bad_emulation_options_are_refused_by_name(tmp_path, args, needles):
    r = hetspike("run", BRUNEL, "--set", "order=50", "--out", tmp_path / "out", "--no-progress", *args)
    assert r.returncode == 2, r.stdout + r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr
    assert not (tmp_path / "out" / "report.json").exists()


def test_an_emulated_rank_runs_alone(tmp_path):
    r = hetspike("run", BRUNEL, "--set", "order=50", "--out", tmp_path, "--no-progress", "--emulate-ranks", 4,
                 "--emulated-rate", "*=5", ranks=2)
    assert r.returncode == 2
    assert "without mpirun" in r.stderr
