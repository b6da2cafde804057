#!/usr/bin/env bash
# The main job in one command: install what is missing, build (Release), and simulate Brunel's balanced
# network (order 2500: 12,500 neurons, 15.6 million synapses) for 1 s of biological time on 2 MPI ranks.
# Prints population rates, the real-time factor and where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default
cmake --build --preset default
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpirun -n 2 build/apps/hetspike run apps/models/brunel.toml --out out/brunel
