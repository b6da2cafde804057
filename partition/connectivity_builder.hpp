#pragma once
// Builds a rank's synapse store from the network: every projection's synapses onto the rank's targets,
// generated on the target side (connection_rules.hpp). Two passes, counting then filling, so that no
// temporary list of synapses is ever held: peak memory is the final store plus one counter per
// (projection, target block, source).
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

struct built_connectivity {
  synapse_store<Kokkos::HostSpace> store;
  std::vector<gid_type> row_source;                                   ///< source gid of each row, ascending
  std::int64_t min_delay = std::numeric_limits<std::int64_t>::max();  ///< steps, over this rank's synapses
  std::int64_t max_delay = 0;                                         ///< steps; 0 if the rank has none
  std::uint64_t num_synapses = 0;
  loihi_quantization_summary quantization;  ///< weights into chip populations, as quantised here
};

built_connectivity build_connectivity(const network_spec& net, const block_partition& partition,
                                      const local_layout& layout);

/// A delay in ms as whole steps, as NEST rounds it to the grid.
std::int64_t delay_steps(double delay_ms, double dt);

}  // namespace hetspike
