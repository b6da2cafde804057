#pragma once
// What `hetspike check` reports without building anything: sizes, expected synapse counts, the delay range
// and a memory estimate from the data layout's costs.
#include <cstdint>
#include <vector>

#include "partition/network_spec.hpp"

namespace hetspike {

struct network_summary {
  std::uint64_t neurons = 0;
  double synapses = 0;                      ///< expected (exact except for pairwise_bernoulli)
  std::vector<double> projection_synapses;  ///< per projection
  std::int64_t d_min = 1;                   ///< steps
  std::int64_t d_max = 1;                   ///< steps; for unbounded distributions, mean + 5 sd rounded
  bool d_max_estimated = false;
  double synapse_bytes = 0;  ///< synapse store, all ranks
  double neuron_bytes = 0;   ///< neuron state, ring buffers and bookkeeping, all ranks
  double total_bytes() const { return synapse_bytes + neuron_bytes; }
};

network_summary summarize_network(const network_spec& net, int ranks);

/// The shortest delay any synapse of the network can have, in steps (the lower bound of each projection's delays):
/// the d_min of a rank built without the others.
std::int64_t lowest_possible_delay(const network_spec& net);

}  // namespace hetspike
