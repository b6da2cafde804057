#!/usr/bin/env bash
# Proves hetspike's GPU path end to end on a machine with an NVIDIA GPU (docs/gpu.md):
#   1. builds Kokkos from KOKKOS_SRC with CUDA (and OpenMP and Serial) for this GPU's architecture, patching
#      Kokkos < 4.7 for CUDA >= 13 with scripts/kokkos-cuda13.patch (and saying so);
#   2. builds kernels/ alone against it (the kernel benchmark and the tests/device suite; no MPI, no HDF5);
#   3. builds the whole hetspike against it where MPI and a parallel HDF5 are found;
#   4. runs the kernel benchmark (host vs device spikes), the tests/device suite, and `hetspike run` of Brunel
#      (order 2500) and of the full microcircuit with --backend gpu and --backend cpu;
#   5. prints one summary: spike hashes GPU vs CPU, synaptic events per second, real-time factors. Exit status 0
#      only if every build, test and run passed and every GPU hash equals its CPU hash.
#
#   KOKKOS_SRC=/path/to/kokkos-4.6.01 scripts/gpu-check.sh               # everything, here
#   KOKKOS_SRC=/path/to/kokkos-4.6.01 scripts/gpu-check.sh --build-only  # stages 1-3 (no GPU needed)
#   scripts/gpu-check.sh --prebuilt .gpu-bundle                         # stages 4-5 with binaries built
#                                                                       # elsewhere (scripts/gpu-bundle.sh)
# Environment:
#   KOKKOS_SRC     a Kokkos source tree (stage 1); or KOKKOS_ROOT, an installed CUDA Kokkos (stage 1 skipped)
#   KOKKOS_ARCH    Kokkos' name of the GPU architecture (HOPPER90, AMPERE80, ADA89, ...); default: from
#                  nvidia-smi's compute capability, else HOPPER90 (sm_90: H100, H200)
#   KOKKOS_OPENMP  ON (default) or OFF: the host backend of CPU ranks (OFF: Serial)
#   GPU_WORK       where builds, logs and runs go (default: build-gpu in the repository)
#   JOBS           parallel build jobs (default: all cores)
#   MODELS         which runs stage 4 makes (default: "brunel microcircuit")
#   RUN_ARGS       extra arguments of every `hetspike run`, e.g. "--t-sim 200"
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${GPU_WORK:-$repo/build-gpu}
jobs=${JOBS:-$(nproc)}
build_only=0
prebuilt=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-only) build_only=1 ;;
    --prebuilt) prebuilt=$(cd "$2" && pwd); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$work/logs"
summary=()   # lines of the final summary
failed=0

note() { echo "gpu-check: $*"; }
fail() { note "FAILED: $*"; summary+=("FAILED  $*"); failed=1; }

# Runs a stage's command with its output in logs/NAME.log, timed; the tail of the log on failure.
stage() {
  local name=$1; shift
  local log=$work/logs/$name.log start=$SECONDS
  note "$name ... (log: $log)"
  if "$@" >"$log" 2>&1; then
    summary+=("$(printf '%-34s %5d s' "stage $name" $((SECONDS - start)))")
    note "$name done in $((SECONDS - start)) s"
  else
    tail -n 40 "$log"
    fail "$name after $((SECONDS - start)) s (log: $log)"
    return 1
  fi
}

# --- The GPU's architecture -------------------------------------------------------------------------------------
kokkos_arch_of() {  # compute capability without the dot (90) -> Kokkos' name (HOPPER90)
  case $1 in
    70) echo VOLTA70 ;; 72) echo VOLTA72 ;; 75) echo TURING75 ;; 80) echo AMPERE80 ;; 86) echo AMPERE86 ;;
    89) echo ADA89 ;; 90) echo HOPPER90 ;; 100) echo BLACKWELL100 ;; 120) echo BLACKWELL120 ;;
    *) return 1 ;;
  esac
}
gpu_cc=""
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  gpu_cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d ' .')
  note "GPU: $(nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader | head -n 1)"
fi
if [[ -n ${KOKKOS_ARCH:-} ]]; then
  arch=$KOKKOS_ARCH
elif [[ -n $gpu_cc ]]; then
  arch=$(kokkos_arch_of "$gpu_cc") || { note "no Kokkos architecture known for compute capability $gpu_cc: set KOKKOS_ARCH"; exit 2; }
else
  arch=HOPPER90
  note "no GPU seen: building for $arch (sm_90); set KOKKOS_ARCH for another"
fi
sm=sm_${arch//[!0-9]/}

# --- Stages 1-3: builds ------------------------------------------------------------------------------------------
build_kokkos() {
  local src=$1 prefix=$2
  cmake -S "$src" -B "$work/kokkos-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER="$src/bin/nvcc_wrapper" -DCMAKE_CXX_FLAGS="-arch=$sm" -DCMAKE_CXX_STANDARD=20 \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF \
    -DKokkos_ENABLE_CUDA=ON -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_OPENMP="${KOKKOS_OPENMP:-ON}" \
    -DKokkos_ARCH_"$arch"=ON -DKokkos_ENABLE_TESTS=OFF -DKokkos_ENABLE_EXAMPLES=OFF
  cmake --build "$work/kokkos-build" -j "$jobs"
  cmake --install "$work/kokkos-build"
}

# Kokkos < 4.7 does not compile with CUDA 13 (its API changed); our patch adapts it, upstream's 4.7 has the fix.
patch_kokkos() {
  local src=$1 version cuda major minor
  version=$(sed -n 's/^set(Kokkos_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\))/\2/p' "$src/CMakeLists.txt" | paste -sd.)
  cuda=$(nvcc --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p')
  IFS=. read -r major minor _ <<<"$version"
  if ((major > 4 || (major == 4 && minor >= 7))) || ((${cuda%%.*} < 13)); then
    note "Kokkos $version with CUDA $cuda: no patch needed"
  elif patch -p1 -R -s -f --dry-run -d "$src" <"$repo/scripts/kokkos-cuda13.patch" >/dev/null 2>&1; then
    note "Kokkos $version with CUDA $cuda: scripts/kokkos-cuda13.patch is already applied in $src"
  else
    note "Kokkos $version with CUDA $cuda: APPLYING hetspike's scripts/kokkos-cuda13.patch to $src" \
      "(CUDA 13 changed cudaGraphAddDependencies, cudaMemAdvise, cudaMemPrefetchAsync; fixed upstream in 4.7)"
    patch -p1 -N -d "$src" <"$repo/scripts/kokkos-cuda13.patch"
  fi
}

# CMake arguments that make a project compile with Kokkos' nvcc_wrapper for this architecture.
cuda_cmake_args() {
  echo -DKokkos_ROOT="$kokkos_root" -DCMAKE_CXX_COMPILER="$kokkos_root/bin/nvcc_wrapper" -DCMAKE_CXX_FLAGS=-arch=$sm \
    -DCMAKE_BUILD_TYPE=Release
}

build_kernels() {
  # shellcheck disable=SC2046
  cmake -S "$repo/kernels" -B "$work/kernels" -G Ninja $(cuda_cmake_args) -DHETSPIKE_BUILD_TESTS=ON
  cmake --build "$work/kernels" -j "$jobs" --target hetspike_kernel_bench hetspike_device_tests
}

build_hetspike() {
  # shellcheck disable=SC2046
  cmake -S "$repo" -B "$work/hetspike" -G Ninja $(cuda_cmake_args) -DHETSPIKE_BUILD_TESTS=OFF
  cmake --build "$work/hetspike" -j "$jobs" --target hetspike
}

bin_kernel_bench=$work/kernels/hetspike_kernel_bench
bin_device_tests=$work/kernels/device-tests/hetspike_device_tests
bin_hetspike=$work/hetspike/apps/hetspike
launch=()   # what runs a program: nothing here, the bundle's run script for prebuilt binaries
if [[ -n $prebuilt ]]; then
  bin_kernel_bench=$prebuilt/bin/hetspike_kernel_bench
  bin_device_tests=$prebuilt/bin/hetspike_device_tests
  bin_hetspike=$prebuilt/bin/hetspike
  launch=("$prebuilt/run")
  note "prebuilt binaries from $prebuilt ($(cat "$prebuilt/BUILD_INFO" 2>/dev/null || echo 'no BUILD_INFO'))"
else
  if [[ -n ${KOKKOS_ROOT:-} ]]; then
    kokkos_root=$KOKKOS_ROOT
    note "Kokkos: $kokkos_root (KOKKOS_ROOT; not built here)"
  else
    : "${KOKKOS_SRC:?set KOKKOS_SRC to a Kokkos source tree (or KOKKOS_ROOT to an installed CUDA Kokkos)}"
    kokkos_root=$work/kokkos
    stamp="$(cd "$KOKKOS_SRC" && pwd) $arch openmp=${KOKKOS_OPENMP:-ON}"
    if [[ -f $kokkos_root/.hetspike-stamp && $(cat "$kokkos_root/.hetspike-stamp") == "$stamp" ]]; then
      note "Kokkos: $kokkos_root already built ($stamp)"
    else
      patch_kokkos "$KOKKOS_SRC"
      stage kokkos build_kokkos "$KOKKOS_SRC" "$kokkos_root" || exit 1
      echo "$stamp" >"$kokkos_root/.hetspike-stamp"
    fi
  fi
  stage kernels build_kernels || true
  if command -v mpicc >/dev/null && { command -v h5pcc >/dev/null || compgen -G '/usr/lib/*/hdf5/openmpi' >/dev/null; }; then
    stage hetspike build_hetspike || true
  else
    note "no MPI or no parallel HDF5 here: the whole hetspike is not built (scripts/gpu-bundle.sh brings one)"
    bin_hetspike=""
  fi
fi

# --- Stages 4-5: runs and the summary ----------------------------------------------------------------------------
run_checks() {
  if [[ -x $bin_kernel_bench ]]; then
    if stage kernel_bench "${launch[@]}" "$bin_kernel_bench"; then
      summary+=("kernel bench: $(grep -E 'spikes (are identical|DIFFER)' "$work/logs/kernel_bench.log" || echo 'no device in this build')")
      while read -r backend; do summary+=("  $backend"); done < <(awk '/^backend/ {b=$2} /^synaptic_events_per_second|^neuron_updates_per_second|^spike_hash/ {print b": "$0}' "$work/logs/kernel_bench.log")
    fi
  else
    fail "no kernel benchmark at $bin_kernel_bench"
  fi
  if [[ -x $bin_device_tests ]]; then
    stage device_tests "${launch[@]}" "$bin_device_tests" && summary+=("tests/device: $(grep -E '^\[  PASSED  \]' "$work/logs/device_tests.log" || true)")
  else
    fail "no tests/device suite at $bin_device_tests"
  fi
  [[ -n $bin_hetspike && -x $bin_hetspike ]] || { fail "no hetspike binary"; return; }
  local model backend
  for model in ${MODELS:-brunel microcircuit}; do
    for backend in gpu cpu; do
      # shellcheck disable=SC2086
      stage "run_${model}_$backend" "${launch[@]}" "$bin_hetspike" run "$repo/apps/models/$model.toml" \
        --backend "$backend" --out "$work/runs/$model-$backend" --overwrite --no-progress ${RUN_ARGS:-} || true
    done
    summary+=("$(python3 - "$work/runs/$model-gpu/report.json" "$work/runs/$model-cpu/report.json" "$model" <<'EOF'
import json, sys
def load(p):
    try:
        with open(p) as f:
            return json.load(f)
    except OSError:
        return None
gpu, cpu, model = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
def line(name, r):
    if r is None:
        return f"  {name}: no report"
    return (f"  {name}: spike hash {r['spike_hash']}, real-time factor {r['real_time_factor']:.3f}, "
            f"{r['synaptic_events_per_second']:.3g} synaptic events/s, build {r['build_seconds']:.1f} s, "
            f"simulate {r['simulate_seconds']:.2f} s")
if gpu is None or cpu is None:
    print(f"{model}: GPU and CPU spikes NOT COMPARED (a run failed)")
else:
    same = gpu["spike_hash"] == cpu["spike_hash"]
    print(f"{model}: GPU and CPU spikes {'are IDENTICAL' if same else 'DIFFER'}")
print(line("gpu", gpu))
print(line("cpu", cpu))
EOF
)")
    grep -q "are IDENTICAL" <<<"${summary[-1]}" || fail "$model: GPU and CPU spike hashes differ (or a run failed)"
  done
}

if ((build_only)); then
  note "--build-only: no runs"
elif [[ -z $gpu_cc ]]; then
  fail "no GPU seen (nvidia-smi): nothing run; --build-only builds without one"
else
  run_checks
fi

echo
echo "==================== hetspike GPU check: summary ===================="
echo "GPU: ${gpu_cc:+compute capability $gpu_cc, }Kokkos arch $arch ($sm)"
printf '%s\n' "${summary[@]}"
echo "result: $( ((failed)) && echo FAILED || echo PASSED)"
exit "$failed"
