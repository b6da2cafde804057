#pragma once
// What `hetspike check` reports without building anything: sizes, expected synapse counts and the delay range
// (what one rank would hold: rank_estimate.hpp).
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
};

network_summary summarize_network(const network_spec& net);

/// The shortest delay any synapse of the network can have, in steps (the lower bound of each projection's delays):
/// the d_min of a rank built without the others.
std::int64_t lowest_possible_delay(const network_spec& net);

}  // namespace hetspike
