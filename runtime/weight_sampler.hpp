#pragma once
// Finds the plastic synapses a weight recorder samples in a rank's synapse store: all synapses of one projection
// onto its first targets, in the projection's canonical order (target, then draw). Their sources are drawn again
// for those targets only; the builder notes the rows of just those sources (build_options::wanted_sources), and
// each synapse is found in its row's segment of the target's class: targets ascend there, a target's synapses from
// one source follow in draw order.
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

/// The sources (within their population, ascending, once each) of the synapses of `projection` onto the local
/// neurons among the first `targets` of the target population.
std::vector<std::uint32_t> sampled_sources(const network_spec& net, const block_partition& partition,
                                           const local_layout& layout, std::size_t projection, std::uint64_t targets);

/// Those synapses, given the rows of `sources` (ascending, a superset of sampled_sources()) in `rows`.
sampled_synapses find_sampled_synapses(const network_spec& net, const block_partition& partition,
                                       const local_layout& layout, const synapse_store<Kokkos::HostSpace>& store,
                                       std::size_t projection, std::uint64_t targets,
                                       const std::vector<std::uint32_t>& sources,
                                       const std::vector<std::uint32_t>& rows);

}  // namespace hetspike
