#!/usr/bin/env bash
# Installs what hetspike needs from Debian 12's packages, in one apt-get line, only what is missing.
# As root it runs the line; otherwise it prints it for an administrator and fails if anything is missing.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   also what the tests need (Python venv, Slurm and munge)
set -euo pipefail

packages=(cmake ninja-build g++ make pkg-config
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
  libtrilinos-kokkos-dev librandom123-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(python3 python3-venv python3-pip slurm-wlm munge)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get -o DPkg::Lock::Timeout=600 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "hetspike needs these Debian packages; as root, run:" >&2
  echo "  $line" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
bash -c "$line"
