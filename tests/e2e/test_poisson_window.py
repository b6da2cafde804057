"""A Poisson input's `start`, `stop` and `first` (NEST's poisson_generator start and stop, connected to the first
neurons of a population), which the COBA benchmark's start-up kick needs (apps/models/coba.toml)."""

from __future__ import annotations

import pytest

from conftest import read_spikes, run_ok, spike_list_hash

QUIET = ["--no-progress"]

# Every input spike makes a neuron of P spike in the step it arrives (V_m jumps 100 mV past a 15 mV threshold, no
# refractory time), so P's spikes show the steps and neurons that received input. Q's input reaches its second
# receptor ("in", whose ring columns follow those of "ex"), positive, so that its neurons fire too.
WINDOW_MODEL = """
[simulation]
dt = 0.1
t_sim = 10.0
seed = 7
[[populations]]
name = "P"
model = "iaf_psc_delta"
size = 20
params = { E_L = 0.0, V_reset = 0.0, V_th = 15.0, t_ref = 0.0 }
[[populations]]
name = "Q"
model = "iaf_psc_exp"
size = 20
[[inputs]]
target = "P"
type = "poisson"
rate = 2000.0
weight = 100.0
delay = 0.5
{window}
[[inputs]]
target = "Q"
type = "poisson"
rate = 2000.0
weight = 5000.0
receptor = "in"
{window}
[[recorders]]
populations = ["P", "Q"]
"""
WINDOW = 'start = 2.0\nstop = 4.0\nfirst = 9'


@pytest.fixture(scope="module")
def window_runs(tmp_path_factory):
    runs = {}
    for name, window, ranks in (("plain", "", 1), ("w1", WINDOW, 1), ("w2", WINDOW, 2), ("w3", WINDOW, 3)):
        out = tmp_path_factory.mktemp(name)
        model = out / "model.toml"
        model.write_text(WINDOW_MODEL.replace("{window}", window))
        run_ok("run", model, *QUIET, "--out", out / "run", ranks=ranks)
        runs[name] = out / "run" / "spikes.h5"
    return runs


def test_poisson_input_is_silent_outside_its_window(window_runs):
    plain_ids, plain_times = read_spikes(window_runs["plain"])["P"]
    ids, times = read_spikes(window_runs["w1"])["P"]
    # NEST's poisson_generator sends in the steps s with start < s dt <= stop (2.1 .. 4.0 ms here, steps 21 .. 40);
    # after the 0.5 ms delay the neurons' updates of steps 26 .. 45 take it, and their spikes carry the step's end,
    # 2.7 .. 4.6 ms. (NEST 3.10, poisson_generator start 0, stop 1 ms into a parrot_neuron with delay 0.1 ms: the
    # parrot's spikes are at 0.3 .. 1.2 ms, the same rule.) Only neurons 0 .. 8 receive it: on 3 ranks (7, 7 and 6
    # neurons) that is all of rank 0's and the first 2 of rank 1's.
    assert len(ids) > 10, "the window should hold input"
    assert times.min() >= 2.7 - 1e-9 and times.max() <= 4.6 + 1e-9, (times.min(), times.max())
    assert ids.max() < 9
    # Inside the window the draws are those of the same input without one: a pure function of (seed, neuron, step).
    keep = (plain_ids < 9) & (plain_times > 2.7 - 1e-9) & (plain_times < 4.6 + 1e-9)
    assert sorted(zip(plain_ids[keep], plain_times[keep])) == sorted(zip(ids, times))
    assert plain_times.min() < 2.0 and plain_times.max() > 5.0 and plain_ids.max() >= 9  # the window mattered
    q_ids, q_times = read_spikes(window_runs["w1"])["Q"]
    assert len(q_ids) > 10 and q_ids.max() < 9 and q_times.min() > 2.7 - 1e-9, "Q's input reached other neurons"


def test_poisson_window_is_the_same_on_1_2_and_3_ranks(window_runs):
    assert spike_list_hash(window_runs["w1"]) == spike_list_hash(window_runs["w2"]) == spike_list_hash(window_runs["w3"])
