#!/usr/bin/env bash
# Builds everything and runs every test (ctest labels unit, mpi, e2e, slurm). Python test dependencies go
# into build/venv (tests/requirements.txt), never into the system. Extra arguments go to ctest, e.g.
#   scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
mkdir -p build
if [[ ! -x build/venv/bin/python ]]; then
  python3 -m venv build/venv
fi
build/venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
# NESTML's library models that the tests compare with NEST and with hetspike's own models (tests/unit/nestml).
nestml_models="aeif_cond_exp_neuron;hh_psc_alpha_neuron;iaf_cond_exp_neuron;iaf_psc_exp_neuron;izhikevich_neuron"
# Generated as NEST's built-ins of the same name compute (docs/nestml.md): izhikevich with forward Euler, aeif with
# every ODE in RKF45 and its reset where the sub-step crosses V_peak.
nestml_options="izhikevich_neuron:numeric_solver=forward-Euler;aeif_cond_exp_neuron:solver=numeric"
nestml_options+=";aeif_cond_exp_neuron:condition_checks=substep"
cmake --preset default -DPython3_EXECUTABLE="$PWD/build/venv/bin/python" \
  -DHETSPIKE_NESTML_PYTHON="$PWD/build/venv/bin/python" -DHETSPIKE_NESTML_LIBRARY_MODELS="$nestml_models" \
  -DHETSPIKE_NESTML_OPTIONS="$nestml_options"
cmake --build --preset default
ctest --preset default "$@"
