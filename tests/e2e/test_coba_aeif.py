"""COBA with adaptive exponential neurons (apps/models/coba_aeif.toml, issue 13's acceptance point) against NEST 3.10.

This network's self-sustained state is metastable in both simulators: after the kick the activity ignites or dies at
once, and once ignited it fires near 10 Hz until a fluctuation silences it, at a random time (NEST's seeds 1 .. 8
over 3 s: 2 never ignited, 4 died between about 0.8 and 1.8 s, 2 were still firing at 3 s; hetspike's seeds 1 .. 9:
4 never ignited, 1 died at 1.8 s, 4 were still firing at 3 s; docs/validation.md). A rate over a fixed window mixes
the rate of the state with when it ended, so the comparison is of the rate of the self-sustained state itself: over
the 100 ms bins after the transient in which both populations fire (apps/validation/coba_nest.py writes NEST's
bins), pooled over the seeds that ignited, NEST's and ours within 10%.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import SOURCE_DIR, read_spikes, run_ok

COBA_AEIF = SOURCE_DIR / "apps" / "models" / "coba_aeif.toml"
NEST_REFERENCE = SOURCE_DIR / "tests" / "e2e" / "data" / "coba_aeif_nest.json"
SIZES = {"E": 3200, "I": 800}
T_SIM_MS, BIN_MS = 1000.0, 100.0
FIRST_BIN = 2  # bins from (200, 300] ms on: the kick (1 .. 51 ms) and the climb to the sustained state left out
SUSTAINED_HZ = 1.0  # a bin in which both populations fire above this is in the self-sustained state
WANTED, MOST_SEEDS = 5, 10


def bins_of(spikes_h5) -> dict[str, list[float]]:
    """Each population's rate (Hz) in the bins (k BIN_MS, (k + 1) BIN_MS], as coba_nest.py writes NEST's."""
    out = {}
    for name, (_, times) in read_spikes(spikes_h5).items():
        counts, _ = np.histogram(np.ceil(times / BIN_MS) - 1, bins=np.arange(int(T_SIM_MS / BIN_MS) + 1) - 0.5)
        out[name] = [float(c) / SIZES[name] / (BIN_MS * 1e-3) for c in counts]
    return out


def active_bins(bins: dict[str, list[float]]) -> list[int]:
    """The bins after the transient in which both populations fire, less the one in which the activity died (its
    rate is part of the state and part silence)."""
    fires = [min(bins[p][k] for p in SIZES) > SUSTAINED_HZ for k in range(len(bins["E"]))]
    return [k for k in range(FIRST_BIN, len(fires)) if fires[k] and (k + 1 == len(fires) or fires[k + 1])]


def sustained_state_rates(per_seed: dict) -> tuple[dict[str, float], int]:
    """The mean rate of each population over the active bins of every seed, and how many bins that is."""
    chosen = [(bins, k) for bins in per_seed.values() for k in active_bins(bins)]
    return {p: float(np.mean([bins[p][k] for bins, k in chosen])) for p in SIZES}, len(chosen)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Our bins for seeds 1, 2, ... until WANTED of them ignite (at most MOST_SEEDS), and NEST's."""
    reference = json.loads(NEST_REFERENCE.read_text())
    assert reference["t_sim_ms"] == T_SIM_MS and reference["bin_ms"] == BIN_MS
    ours = {}
    for seed in range(1, MOST_SEEDS + 1):
        out = tmp_path_factory.mktemp(f"coba_aeif{seed}")
        run_ok("run", COBA_AEIF, "--no-progress", "--seed", seed, "--out", out, ranks=2)
        ours[seed] = bins_of(out / "spikes.h5")
        if sum(bool(active_bins(b)) for b in ours.values()) == WANTED:
            break
    nest = {seed: bins for seed, bins in reference["bins_hz"].items() if active_bins(bins)}
    return {s: b for s, b in ours.items() if active_bins(b)}, ours, nest


def test_the_network_ignites_for_most_seeds(runs):
    ignited, ours, nest = runs
    print(f"ignited: hetspike {sorted(ignited)} of seeds 1 .. {max(ours)}, NEST {sorted(map(int, nest))} of "
          f"1 .. {len(json.loads(NEST_REFERENCE.read_text())['bins_hz'])}")
    assert len(ignited) == WANTED, {s: b["E"] for s, b in ours.items()}
    assert len(nest) >= WANTED  # the reference has enough seeds of its own


def test_sustained_state_rate_within_10_percent_of_nest(runs):
    ignited, _, nest = runs
    mine, my_bins = sustained_state_rates(ignited)
    theirs, their_bins = sustained_state_rates(nest)
    assert my_bins >= 20 and their_bins >= 20, (my_bins, their_bins)  # enough of the state to measure its rate
    for pop in SIZES:
        print(f"{pop}: hetspike {mine[pop]:.3f} Hz over {my_bins} bins, NEST {theirs[pop]:.3f} Hz over {their_bins}")
        assert abs(mine[pop] - theirs[pop]) <= 0.10 * theirs[pop], (pop, mine, theirs)
