#pragma once
// Builds a rank's synapse store from the network: every projection's synapses onto the rank's targets, generated
// on the target side (connection_rules.hpp) and placed source population by source population
// (source_placement.hpp). No list of synapses and nothing per neuron of the whole network is ever held: peak memory
// is the store plus per-(class, thread, source-bucket) counters, and for a while about 4 bytes per synapse of one
// source population where a rank holds about one synapse per source (docs/scaling.md).
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/loihi_quantize.hpp"
#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"
#include "partition/network_spec.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

inline constexpr std::uint32_t no_row = ~0u;

struct build_options {
  placement_options placement;
  bool row_sources = true;  ///< keep each row's source (the spike exchange announces rows to the sources' owners)
  /// Per source population, ascending: sources whose rows the caller wants to know (built_connectivity::rows_of),
  /// e.g. those of the synapses a weight recorder samples.
  std::vector<std::vector<std::uint32_t>> wanted_sources;
};

struct built_connectivity {
  synapse_store<Kokkos::HostSpace> store;
  std::vector<std::uint32_t> row_source;            ///< per row: its source's index within its population (if kept)
  std::vector<std::uint64_t> population_first_row;  ///< per source population + 1: its first row
  std::vector<std::uint32_t> own_row;               ///< per local neuron: its row here (it projects onto this rank)
  /// Per source population: the rows of the wanted sources (build_options::wanted_sources), in the same order;
  /// no_row for a source without synapses here.
  std::vector<std::vector<std::uint32_t>> rows_of;
  std::int64_t min_delay = std::numeric_limits<std::int64_t>::max();  ///< steps, over this rank's synapses
  std::int64_t max_delay = 0;                                         ///< steps; 0 if the rank has none
  std::uint64_t num_synapses = 0;
  loihi_quantization_summary quantization;  ///< weights into chip populations, as quantised here
};

built_connectivity build_connectivity(const network_spec& net, const block_partition& partition,
                                      const local_layout& layout, const build_options& options = {});

}  // namespace hetspike
