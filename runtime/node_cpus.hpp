#pragma once
// How many OpenMP threads a rank runs on the host (the network build; Kokkos' OpenMP backend when it has one).
// OpenMP's default is every CPU the process may run on; ranks started without binding (`mpirun --bind-to none`,
// `srun --cpu-bind=none`) may each run on all of the node's CPUs, and P ranks with that many threads each spin in
// each other's barriers: on 2 CPUs, 2 ranks x 2 threads built 10^4 one-neuron projections in 9 s instead of 0.25.
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// A rank's threads given the CPUs it may run on and how many ranks of its node may run on exactly those CPUs.
int threads_sharing_cpus(int cpus, int ranks_sharing);

/// Unless OMP_NUM_THREADS says otherwise, gives this rank its share of the CPUs it is bound to (OpenMP's default
/// thread count; called before Kokkos starts, so that an OpenMP Kokkos takes the same). Collective.
void share_cpus_among_ranks(const distributed_context& ctx);

}  // namespace hetspike
