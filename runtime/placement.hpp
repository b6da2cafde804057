#pragma once
// Where each population goes in a heterogeneous run: populations of a neuromorphic model on the ranks that
// emulate neuromorphic nodes, all others on the CPU and GPU ranks; within those, blocks sized by rank weight.
#include <vector>

#include "partition/block_partition.hpp"
#include "runtime/backend.hpp"
#include "runtime/run_spec.hpp"

namespace hetspike {

/// Collective (every rank's backend is gathered). Without neuromorphic ranks, neuromorphic populations are
/// emulated on every rank; without other ranks, every population goes to the neuromorphic ones.
block_partition make_placement(const distributed_context& ctx, const run_spec& spec, backend_kind mine,
                               const std::vector<double>& rank_weights);

/// The placement of a job of `ranks` equal ranks of one kind, as an emulated rank of it sees it (no collective).
block_partition make_emulated_placement(const run_spec& spec, int ranks);

}  // namespace hetspike
