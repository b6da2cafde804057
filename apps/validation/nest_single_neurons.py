#!/usr/bin/env python3
"""Reference traces of single NEST neurons, for tests/unit/test_single_neurons.cpp.

Runs NEST (PyPI nest-simulator 3.10.0, apps/bench/nest-requirements.txt) with one neuron per case at dt = 0.1 ms
for 1 s: its spike times and its state after each of the first 200 steps (multimeter at interval dt: the sample at
t = (k + 1) dt is the state after step k). Writes JSON:

    NEST_VENV/bin/python apps/validation/nest_single_neurons.py tests/unit/data/nest_single_neurons.json
"""

import json
import sys

import nest

CASES = [
    # (model, parameters, recorded state variables)
    ("izhikevich", {"I_e": 5.0}, ["V_m", "U_m"]),
    ("izhikevich", {"I_e": 10.0}, ["V_m", "U_m"]),
    ("izhikevich", {"I_e": 4.0, "a": 0.1, "b": 0.25, "c": -60.0, "d": 2.0, "V_min": -70.0}, ["V_m", "U_m"]),
]


def run(model: str, params: dict, variables: list[str]) -> dict:
    nest.ResetKernel()
    nest.resolution = 0.1
    neuron = nest.Create(model, params=params)
    spikes = nest.Create("spike_recorder")
    meter = nest.Create("multimeter", params={"record_from": variables, "interval": 0.1})
    nest.Connect(neuron, spikes)
    nest.Connect(meter, neuron)
    nest.Simulate(1000.0)
    events = meter.events
    return {
        "model": model,
        "params": params,
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
