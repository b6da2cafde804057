"""`apps/bench/bench.py --compare nest` against the real NEST from PyPI (installed once into its own venv, as a
user's first run does): NEST's own example must build the same network as hetspike's model file and reach the same
rates, and every output the README's table and plot come from must be written. A benchmark's speed is not tested
here; that the comparison compares like with like is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import BIN, SOURCE_DIR, mpi_env

ORDER = 250  # bench.py's case brunel250: 1,250 neurons, 156,250 synapses


def test_nest_runs_the_same_brunel_network_at_the_same_rates(tmp_path):
    venv = Path(os.environ.get("HETSPIKE_NEST_VENV", Path.home() / ".cache" / "hetspike" / "nest-venv"))
    out = tmp_path / "bench"
    r = subprocess.run([sys.executable, SOURCE_DIR / "apps" / "bench" / "bench.py", "--bin", BIN, "--compare", "nest",
                        "--cases", "brunel250", "--repeat", "1", "--t-sim", "500", "--nest-venv", venv, "--out", out],
                       capture_output=True, text=True, timeout=900, env=mpi_env())
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "against NEST 3.10.0 (PyPI wheel" in r.stdout and "1 process x 2 threads" in r.stdout
    case = json.loads((out / "bench.json").read_text())["brunel250"]
    nest = case["nest"]
    assert nest["example"] == "brunel" and "without MPI" in nest["configuration"]
    # NEST counts its devices' connections too: one from the Poisson generator into each neuron, 2 x 50 into the
    # spike recorders.
    neurons = 5 * ORDER
    assert nest["figures"]["synapses"]["median"] == case["synapses"] + neurons + 100 == 156_250 + neurons + 100
    # The same network, the same rates: NEST's example rates its 50 + 50 recorded neurons over 0.5 s, hetspike its
    # own recorded ones (about 53 Hz both; statistical spread of 100 neurons' rates over 0.5 s is a few percent).
    ours, theirs = case["figures"]["rate_hz_mean"]["median"], nest["figures"]["rate_hz_mean"]["median"]
    assert 40 < ours < 70 and abs(theirs - ours) < 0.1 * ours, (ours, theirs)
    for key in ("build_seconds", "simulate_seconds", "real_time_factor", "peak_rss_total_bytes"):
        assert nest["ratios"][key] > 0 and nest["figures"][key]["median"] > 0
    table = (out / "bench.md").read_text()
    assert "| brunel250 | build |" in table and "NEST 3.10.0" in table
    assert (out / "bench.png").stat().st_size > 10_000
    with open(out / "bench.csv") as f:
        assert "ratio_simulate" in f.read()
