"""The COBA benchmark (apps/models/coba.toml, issue 13's acceptance point) against NEST 3.10.

The reference rates come from NEST running the same network (apps/validation/coba_nest.py, written to
tests/e2e/data/coba_nest.json); NEST's random streams are not ours, so the comparison is statistical: the mean
rate of each population over 5 seeds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import SOURCE_DIR, read_spikes, run_ok

COBA = SOURCE_DIR / "apps" / "models" / "coba.toml"
NEST_REFERENCE = SOURCE_DIR / "tests" / "e2e" / "data" / "coba_nest.json"
QUIET = ["--no-progress"]

DISCARD_MS = 200.0  # the kick (1 .. 51 ms) and the climb to the sustained state are left out, as in NEST's rates
SUSTAINED_HZ = 1.0  # both populations above this over (200, 1000] ms: the activity sustained itself
WANTED, MOST_SEEDS = 5, 8


def rates(spikes_h5, t_sim: float) -> dict[str, float]:
    sizes = {"E": 3200, "I": 800}
    out = {}
    for name, (ids, times) in read_spikes(spikes_h5).items():
        out[name] = float(np.count_nonzero(times > DISCARD_MS)) / sizes[name] / ((t_sim - DISCARD_MS) * 1e-3)
    return out


@pytest.fixture(scope="module")
def coba_rates(tmp_path_factory):
    """Runs seeds 1, 2, ... until WANTED of them sustain their activity (at most MOST_SEEDS runs).

    After the kick the activity of this network dies out for about one seed in five, in NEST as here: every neuron
    starts at -70 mV, and the synchronous first burst can recruit enough inhibition to silence the network for
    good (over seeds 1 .. 25 at 400 ms: hetspike lost 5, NEST 3.10 lost 3, docs/validation.md). NEST's
    seeds are not ours, so which seeds die means nothing; the rate of the sustained state and its being reached
    most of the time are what the two must share. NEST's reference takes the same procedure
    (apps/validation/coba_nest.py: its seeds 1 .. 5 all sustained)."""
    reference = json.loads(NEST_REFERENCE.read_text())
    assert reference["discard_ms"] == DISCARD_MS and reference["t_sim_ms"] == 1000.0
    assert reference["sustained_hz"] == SUSTAINED_HZ and len(reference["sustained_seeds"]) == WANTED
    per_seed = {}
    for seed in range(1, MOST_SEEDS + 1):
        out = tmp_path_factory.mktemp(f"coba{seed}")
        # Even seeds on 2 ranks: the spikes are the same bit for bit on any rank count (tests/e2e/test_reproducibility
        # checks that), and this runs conductance-based neurons through the MPI exchange.
        run_ok("run", COBA, *QUIET, "--seed", seed, "--out", out, ranks=2 if seed % 2 == 0 else 1)
        per_seed[seed] = rates(out / "spikes.h5", 1000.0)
        if sum(min(r.values()) > SUSTAINED_HZ for r in per_seed.values()) == WANTED:
            break
    return per_seed, reference


def test_coba_sustains_itself_without_running_away(coba_rates):
    per_seed, _ = coba_rates
    sustained = [s for s, r in per_seed.items() if min(r.values()) > SUSTAINED_HZ]
    # At least 5 of at most 8 seeds: a network that died out half the time or more would fail this.
    assert len(sustained) == WANTED, per_seed
    for seed, r in per_seed.items():
        for pop, rate in r.items():
            # Sustained, or silent after dying out (nothing in between: a dying network does not limp along);
            # runaway excitation would fire near the 200 Hz that the 5 ms refractory time allows.
            assert rate == 0.0 or SUSTAINED_HZ < rate < 100.0, (seed, pop, rate)


def test_coba_rates_match_nest_over_5_seeds(coba_rates):
    per_seed, reference = coba_rates
    sustained = [s for s, r in per_seed.items() if min(r.values()) > SUSTAINED_HZ]
    for pop in ("E", "I"):
        ours = np.mean([per_seed[s][pop] for s in sustained])
        nest = reference["rates_hz"]["mean_of_sustained"][pop]
        # Issue 13's criterion: within 10% of NEST's mean over 5 seeds. Both simulators integrate iaf_cond_exp
        # the same way (equal to NEST's bit for bit on single neurons, tests/unit/test_single_neurons.cpp), so
        # what differs is only the random network and kick; NEST's sustained seeds spread from 12.6 to 17.9 Hz, so
        # a mean of 5 varies by about 0.4 Hz of 14 Hz (3%): 10% is a real test, not a formality.
        text = ", ".join(f"{s}: {per_seed[s][pop]:.2f}" for s in sustained)
        print(f"{pop}: hetspike {ours:.3f} Hz (seeds {text}) vs NEST {nest:.3f} Hz; all runs: {per_seed}")
        assert abs(ours - nest) <= 0.10 * nest, f"{pop}: hetspike {ours:.3f} Hz (seeds {text}) vs NEST {nest:.3f} Hz"
