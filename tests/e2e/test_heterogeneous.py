"""Heterogeneous runs through the real binary: CPU ranks and an emulated neuromorphic rank in one job,
capacity-weighted partitioning, and calibration against a deliberately slower rank."""

from __future__ import annotations

import json
import os

import pytest

from conftest import BRUNEL, SOURCE_DIR, hetspike, mpi_env, report, run_ok, sorted_spike_list

MIXED = SOURCE_DIR / "tests" / "e2e" / "models" / "mixed_chip.toml"
CHIP_INHIBITION = SOURCE_DIR / "tests" / "e2e" / "models" / "chip_inhibition.toml"
MAP = ["--backend-map", "0-1:cpu,2:neuromorphic", "--no-progress"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    out = {}
    for name, extra in {"a": [], "b": [], "split": ["--rank-weights", "1,3,1"]}.items():
        d = tmp_path_factory.mktemp(f"mixed-{name}")
        run_ok("run", MIXED, *MAP, *extra, "--out", d, ranks=3)
        out[name] = d
    return out


def test_chip_population_lives_on_the_neuromorphic_rank(mixed):
    rep = report(mixed["a"])
    ranks = rep["per_rank"]
    assert [r["backend"].split()[0] for r in ranks] == ["cpu", "cpu", "neuromorphic"]
    assert ranks[2]["neurons"] == 400 and ranks[0]["neurons"] + ranks[1]["neurons"] == 400
    q = rep["weight_quantization"]
    assert q["weights"] == 400 * 40 and q["saturated"] == 0 and 0 < q["relative_error"] < 0.01


def test_spikes_repeat_and_do_not_depend_on_the_float_split(mixed):
    a, b, split = (sorted_spike_list(mixed[k] / "spikes.h5") for k in ("a", "b", "split"))
    assert len(a) > 10_000
    assert (a == b).all()
    assert (a == split).all()
    assert [r["neurons"] for r in report(mixed["split"])["per_rank"]] == [100, 300, 400]


def test_fixed_point_rate_within_ten_percent_of_the_float_model(mixed):
    rates = {p["name"]: p["rate_hz"] for p in report(mixed["a"])["populations"]}
    assert rates["F"] > 10
    assert abs(rates["L"] - rates["F"]) / rates["F"] < 0.10, rates


def test_negative_weights_reach_a_chip_population(tmp_path):
    # F fires at about 23 Hz onto the chip population L and onto its float twin T (200 synapses each, -5 or +5 pA):
    # against a run where F is silent, inhibition must cut both rates (to about 0.26 and 0.35 of it) and excitation
    # raise them. Negative weights onto a chip population were once dropped: L's spikes were then those of the
    # silent run, byte for byte.
    rates, spikes = {}, {}
    for name, sets in {"silent": ["rate_F=0"], "inhibited": ["w_FL=-5"], "excited": ["w_FL=5"]}.items():
        out = tmp_path / name
        run_ok("run", CHIP_INHIBITION, *[a for s in sets for a in ("--set", s)], "--no-progress", "--out", out)
        rates[name] = {p["name"]: p["rate_hz"] for p in report(out)["populations"]}
        spikes[name] = sorted_spike_list(out / "spikes.h5")
    assert rates["silent"]["F"] == 0 and rates["inhibited"]["F"] > 15
    for pop in ("L", "T"):
        assert rates["silent"][pop] > 15, rates
        assert rates["inhibited"][pop] < 0.5 * rates["silent"][pop], (pop, rates)
        assert rates["excited"][pop] > 1.5 * rates["silent"][pop], (pop, rates)
    assert len(spikes["inhibited"]) != len(spikes["silent"])


def test_rank_weights_set_neuron_counts(tmp_path):
    run_ok("run", BRUNEL, "--set", "order=200", "--t-sim", "50", "--rank-weights", "1,3", "--no-progress", "--out",
           tmp_path, ranks=2)
    assert [r["neurons"] for r in report(tmp_path)["per_rank"]] == [250, 750]
    assert [r["weight"] for r in report(tmp_path)["per_rank"]] == [1.0, 3.0]


def test_calibration_balances_a_slower_rank(tmp_path):
    env = mpi_env()
    # Rank 1 takes three times as long for its updates (twice was too close to the threshold below when another test
    # shares the machine: updates are only part of the busy time).
    env["HETSPIKE_SLOWDOWN"] = "1:3"
    common = ["--set", "order=1000"]
    run_ok("run", BRUNEL, *common, "--no-progress", "--t-sim", "300", "--out", tmp_path / "before", ranks=2, env=env)
    before = report(tmp_path / "before")["busy_imbalance"]
    assert before > 1.2, before
    weights = tmp_path / "weights.json"
    # Calibrated, the slow rank's excess busy time is at most half what it was. Relative to the run before, measured
    # in the same minute: on a shared machine both runs see the same load (an absolute bound of 1.15 failed once at
    # 1.153, with 1.37 before, in a CI run beside nothing of ours).
    def balanced(imbalance):
        return imbalance - 1 <= 0.5 * (before - 1)

    tries = []
    for _ in range(3):  # timing on a shared machine: another calibration if one was disturbed
        run_ok("calibrate", BRUNEL, *common, "--out", weights, ranks=2, env=env)
        assert json.loads(weights.read_text())["rank_weights"][0] > 1.0  # the fast rank gets more neurons
        run_ok("run", BRUNEL, *common, "--no-progress", "--t-sim", "300", "--rank-weights-file", weights, "--out",
               tmp_path / "after", "--overwrite", ranks=2, env=env)  # each try replaces the one before's run
        tries.append(report(tmp_path / "after")["busy_imbalance"])
        if balanced(tries[-1]):
            break
    assert balanced(min(tries)), (before, tries)


def test_a_gpu_this_build_lacks_is_a_clear_error(tmp_path):
    r = hetspike("run", BRUNEL, "--backend", "gpu", "--out", tmp_path, ranks=2)
    assert r.returncode == 2
    assert "gpu" in r.stderr and "built with Kokkos" in r.stderr


@pytest.mark.parametrize("ranks", [1, 2, 3])
def test_ranks_sharing_cpus_share_the_build_threads(tmp_path, ranks):
    """Ranks started without binding (as conftest's mpiexec does) each get an equal share of the CPUs they may run
    on, not all of them: 2 ranks x 2 threads on 2 CPUs spin in each other's barriers. OMP_NUM_THREADS decides
    when set."""
    cpus = len(os.sched_getaffinity(0))
    for omp, expected in ((None, max(1, cpus // ranks)), ("3", 3)):
        env = mpi_env()
        env.pop("OMP_NUM_THREADS", None)
        if omp:
            env["OMP_NUM_THREADS"] = omp
        out = tmp_path / f"omp-{omp}"
        r = hetspike("run", BRUNEL, "--set", "order=50", "--t-sim", "5", "--no-progress", "--out", out, ranks=ranks,
                     env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        assert [p["build_threads"] for p in report(out)["per_rank"]] == [expected] * ranks
