#!/usr/bin/env python3
"""Reference traces of single NEST neurons, for tests/unit/test_single_neurons.cpp.

Runs NEST (PyPI nest-simulator 3.10.0, apps/bench/nest-requirements.txt) with one neuron per case at dt = 0.1 ms
for 1 s: its spike times and its state after each of the first 200 steps (multimeter at interval dt: the sample at
t = (k + 1) dt is the state after step k). A case may have input spikes (spike_generator, delay dt): they are
written as the steps whose update adds them and their weights. Writes JSON:

    NEST_VENV/bin/python apps/validation/nest_single_neurons.py tests/unit/data/nest_single_neurons.json
"""

import json
import sys

import nest

# COBA's conductance jumps (Brette et al. 2007, benchmark 1): 6 nS excitatory, 67 nS inhibitory.
COBA_INPUT = [(1.0 + 0.7 * i, 6.0) for i in range(12)] + [(12.0, -67.0), (15.0, 6.0), (300.0, -67.0)]
CASES = [
    # (model, parameters, recorded state variables, input spikes (time ms, weight))
    ("izhikevich", {"I_e": 5.0}, ["V_m", "U_m"], []),
    ("izhikevich", {"I_e": 10.0}, ["V_m", "U_m"], []),
    ("izhikevich", {"I_e": 4.0, "a": 0.1, "b": 0.25, "c": -60.0, "d": 2.0, "V_min": -70.0}, ["V_m", "U_m"], []),
    ("iaf_cond_exp", {"I_e": 300.0}, ["V_m", "g_ex", "g_in"], []),
    ("iaf_cond_exp", {"I_e": 245.0}, ["V_m", "g_ex", "g_in"], COBA_INPUT),
]


def run(model: str, params: dict, variables: list[str], inputs: list) -> dict:
    nest.ResetKernel()
    nest.resolution = 0.1
    neuron = nest.Create(model, params=params)
    spikes = nest.Create("spike_recorder")
    meter = nest.Create("multimeter", params={"record_from": variables, "interval": 0.1})
    nest.Connect(neuron, spikes)
    nest.Connect(meter, neuron)
    for time, weight in inputs:  # one generator per spike: each keeps its own weight
        generator = nest.Create("spike_generator", params={"spike_times": [time]})
        nest.Connect(generator, neuron, syn_spec={"weight": weight, "delay": 0.1})
    nest.Simulate(1000.0)
    events = meter.events
    # A spike emitted at t arrives one delay later: the update of step t / dt adds it (checked against the trace).
    arrivals = [[round(time / 0.1), weight] for time, weight in inputs]
    if inputs and model == "iaf_cond_exp":
        first = arrivals[0][0]
        assert events["g_ex"][first - 1] == 0.0 and events["g_ex"][first] > 0.0, "arrival step"
    return {
        "model": model,
        "params": params,
        "inputs": arrivals,
        "spike_steps": [round(t / 0.1) - 1 for t in spikes.events["times"]],
        "trace": {v: [float(x) for x in events[v][:200]] for v in variables},
    }


def main() -> None:
    out = {"nest_version": nest.__version__, "dt": 0.1, "cases": [run(*case) for case in CASES]}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
