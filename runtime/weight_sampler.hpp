#pragma once
// Finds the plastic synapses a weight recorder samples in a rank's synapse store: all synapses of one
// projection onto its first targets, in the projection's canonical order (partition/synapse_locator.hpp).
#include <cstdint>
#include <vector>

#include "kernels/synapse_store.hpp"
#include "partition/block_partition.hpp"
#include "partition/local_network.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

struct sampled_synapses {
  std::vector<std::uint64_t> source_ids;  ///< population-local
  std::vector<std::uint64_t> target_ids;  ///< population-local
  std::vector<std::uint64_t> positions;   ///< indices into synapse_store::plastic_weight
};

/// The synapses of `projection` onto the local neurons among the first `targets` of the target population.
sampled_synapses find_sampled_synapses(const network_spec& net, const block_partition& partition,
                                       const local_layout& layout, const synapse_store<Kokkos::HostSpace>& store,
                                       std::size_t projection, std::uint64_t targets);

}  // namespace hetspike
