#pragma once
// The routing table of one rank of a P-rank job built alone (`hetspike run --emulate-ranks P --as-rank R`): which
// ranks hold a row of each of its neurons cannot be known without building every other rank. Two ways:
//   drawn     each other rank holds a row of a neuron with the probability its projections' connection rules give
//             (connection_rules.hpp, synapse_count_law) for the targets that rank owns; one_to_one and all_to_all
//             routes are certain. Ranks are drawn by geometric skips (O(routes), not O(P), per neuron) from the
//             neuron's own random stream; rows there get id 0 (nothing is sent to them).
//   replayed  every other rank's rows are planned as that rank would plan them (its first draw and row plan,
//             source_placement), giving the exact entries: P times the work of counting one rank's synapses.
// The rank's own rows (own_row, from its build) are exact either way.
#include <cstdint>
#include <vector>

#include "partition/block_partition.hpp"
#include "partition/local_network.hpp"
#include "partition/routing_table.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

routing_table drawn_routes(const network_spec& net, const block_partition& partition, int rank,
                           const local_layout& layout, const std::vector<std::uint32_t>& own_row, int threads = 0);

routing_table replayed_routes(const network_spec& net, const block_partition& partition, int rank,
                              const local_layout& layout, const std::vector<std::uint32_t>& own_row,
                              const placement_options& options = {});

/// For each population, per rank: the probability that the rank holds a row of one of the population's neurons
/// (from its stochastic projections; 0 for `rank` itself).
std::vector<std::vector<double>> row_probabilities(const network_spec& net, const block_partition& partition, int rank);

}  // namespace hetspike
