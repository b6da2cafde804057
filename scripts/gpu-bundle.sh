#!/usr/bin/env bash
# Gathers what the GPU check needs on a machine that has CUDA's driver but no MPI, no HDF5 and no package
# registry (docs/gpu.md): the binaries that `scripts/gpu-check.sh --build-only` built here for the GPU (hetspike,
# the kernel benchmark, the tests/device suite), every shared library they load that is not glibc's or the CUDA
# driver's (found with ldd: MPI, HDF5 and theirs), OpenMPI's and PMIx's plugins and help texts, and a `run` script
# that runs a program with only the bundle's libraries. No MPI launcher: one rank runs as an MPI singleton
# (OpenMPI's ess_singleton_isolated), which needs none. The folder must stay under 64 MiB, the device machine's
# carry limit; it is ignored through .git/info/exclude, so it never gets committed.
#
#   scripts/gpu-bundle.sh              # from GPU_WORK (default build-gpu) into .gpu-bundle
#   scripts/gpu-bundle.sh --cpu build  # a host build's binaries instead (here build/), to test the bundle here
#   scripts/gpu-bundle.sh --check      # then run Brunel (order 50) through it in a clean environment with
#                                      # the system's OpenMPI folders hidden, and list any library loaded
#                                      # from outside the bundle (none may be)
#   scripts/gpu-check.sh --prebuilt .gpu-bundle    # on the GPU machine
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${GPU_WORK:-$repo/build-gpu}
out=$repo/.gpu-bundle
limit=$((64 * 1024 * 1024))
bins=("$work/hetspike/apps/hetspike" "$work/kernels/hetspike_kernel_bench"
  "$work/kernels/device-tests/hetspike_device_tests")
check=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --cpu) bins=("$2/apps/hetspike" "$2/kernels/hetspike_kernel_bench" "$2/tests/device/hetspike_device_tests"); shift ;;
    --out) out=$2; shift ;;
    --check) check=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-bundle: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for b in "${bins[@]}"; do
  [[ -x $b ]] || { echo "gpu-bundle: $b is missing: build it first (scripts/gpu-check.sh --build-only)" >&2; exit 1; }
done

# The ignore rule lives in the repository's own exclude file (shared by its worktrees), never in .gitignore.
exclude=$(git -C "$repo" rev-parse --git-path info/exclude)
[[ $exclude = /* ]] || exclude=$repo/$exclude
if [[ $out == "$repo"/* ]]; then
  rule=/${out#"$repo"/}/
  grep -qxF "$rule" "$exclude" 2>/dev/null || echo "$rule" >>"$exclude"
fi

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp "${bins[@]}" "$out/bin/"
strip --strip-debug "$out"/bin/* 2>/dev/null || true

# OpenMPI loads its transports, I/O and PMIx layers as plugins (dlopen, unseen by ldd on the binary): copy
# them at the paths they have under /usr, so that OPAL_PREFIX relocates them, and take their libraries too.
plugins=()
for probe in mca_ess_singleton.so pmix_mca_prm_default.so; do
  dir=$(find /usr/lib /usr/local/lib /opt -name "$probe" -printf '%h\n' -quit 2>/dev/null || true)
  [[ -n $dir ]] || continue
  dir=$(readlink -f "$dir")
  mkdir -p "$out${dir#/usr}"
  cp -a "$dir/." "$out${dir#/usr}/"
  plugins+=("$dir"/*.so)
done
[[ -d /usr/share/openmpi ]] && mkdir -p "$out/share" && cp -a /usr/share/openmpi "$out/share/"

# Every library the binaries and plugins load, less glibc's and the driver's (the machine's own must serve).
system_lib='^(linux-vdso|ld-linux|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libcuda|libnvidia)[.-]'
ldd "${bins[@]}" "${plugins[@]}" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r name path; do
    [[ $name =~ $system_lib ]] || cp -L "$path" "$out/lib/$name"
  done

cat >"$out/run" <<'EOF'
#!/bin/sh
# Runs a program with the bundle's libraries only (scripts/gpu-bundle.sh): one MPI rank as a singleton.
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$here/lib" OPAL_PREFIX="$here" PMIX_INSTALL_PREFIX="$here"
export OMPI_MCA_ess_singleton_isolated=1 OMPI_MCA_mca_base_component_show_load_errors=0
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export HWLOC_PLUGINS_PATH="$here/lib/hwloc"  # none: hwloc's optional plugins (GL, OpenCL, PCI) stay unloaded
exec "$@"
EOF
chmod +x "$out/run"
{
  echo "built $(date -u +%Y-%m-%dT%H:%MZ) from $(git -C "$repo" describe --always --dirty) on $(uname -n)"
  for b in "${bins[@]}"; do echo "$(basename "$b"): $b"; done
} >"$out/BUILD_INFO"

size=$(du -sb "$out" | cut -f1)
echo "gpu-bundle: $out: $((size / 1024 / 1024)) MiB ($(ls "$out/lib" | wc -l) libraries, $(find "$out/lib" -name '*.so' -path '*mca*' | wc -l) plugins)"
du -sh "$out"/bin/* | sed 's/^/  /'
if ((size > limit)); then
  echo "gpu-bundle: over the 64 MiB carry limit" >&2
  exit 1
fi

((check)) || exit 0
# The test: a clean environment (no PATH to MPI, no variables), the system's OpenMPI and PMIx folders hidden
# behind empty mounts where a mount namespace can be had, and LD_DEBUG listing every library that gets loaded.
log=$(mktemp)
hide='for d in /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 /usr/share/openmpi /etc/openmpi; do
  [ -d "$d" ] && mount -t tmpfs none "$d"; done; exec "$@"'
runner=(env -i PATH=/usr/bin:/bin LD_DEBUG=libs "$out/run" "$out/bin/hetspike" run "$repo/apps/models/brunel.toml"
  --set order=50 --t-sim 100 --out "$(mktemp -d)" --overwrite --no-progress)
if unshare -m true 2>/dev/null; then
  unshare -m sh -c "$hide" sh "${runner[@]}" >"$log" 2>&1 || { cat "$log" | grep -v '^ *[0-9]*:' | tail; exit 1; }
  echo "gpu-bundle: check: the system's OpenMPI and PMIx folders hidden"
else
  "${runner[@]}" >"$log" 2>&1 || { grep -v '^ *[0-9]*:' "$log" | tail; exit 1; }
fi
outside=$(grep -o 'calling init: /[^ ]*' "$log" | awk '{print $3}' | sort -u | grep -v "^$out/" |
  while read -r path; do [[ $(basename "$path") =~ $system_lib ]] || echo "$path"; done)
grep -E '^(Real-time factor|Population|E|I) ' "$log" | sed 's/^/  /'
if [[ -n $outside ]]; then
  echo "gpu-bundle: check FAILED: loaded from outside the bundle:" $outside >&2
  exit 1
fi
echo "gpu-bundle: check passed: hetspike ran from the bundle alone ($(grep -c 'calling init: '"$out" "$log") libraries from it)"
