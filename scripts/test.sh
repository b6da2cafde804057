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
cmake --preset default -DPython3_EXECUTABLE="$PWD/build/venv/bin/python"
cmake --build --preset default
ctest --preset default "$@"
