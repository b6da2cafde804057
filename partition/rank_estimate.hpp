#pragma once
// What one rank of a P-rank job holds, estimated from the network alone (`hetspike check --ranks P`; docs/scaling.md):
// each source's synapse count on the rank per class follows its projection's law (connection_rules.hpp,
// synapse_count_law), from which the expected rows of each layout follow (kernels/row_planner.hpp decides layouts
// the same way), the routes (each row is some rank's route), and the bytes of each part as the builder and the
// routing table lay them out. An emulated rank (`hetspike run --emulate-ranks P`) measures the same figures.
#include <cstdint>

#include "partition/network_spec.hpp"

namespace hetspike {

struct rank_estimate {
  int ranks = 1, rank = 0, threads = 1;
  double neurons = 0;  ///< local
  double synapses = 0;
  double rows = 0, single_rows = 0, run_rows = 0, list_rows = 0, table_rows = 0, list_segments = 0;
  double plastic_slots = 0;
  double routes = 0;  ///< of the rank's own neurons (as many, by symmetry, as rows)
  // Bytes after the build.
  double synapse_bytes = 0, row_bytes = 0, route_bytes = 0, plastic_bytes = 0, neuron_bytes = 0;
  // Bytes held for a while during the build, besides the store's synapse arrays: the placement's (every source
  // population's counters or stash) and, in a real job, the announcements that build the routes.
  double placement_bytes = 0, announcement_bytes = 0;

  double after_build() const { return synapse_bytes + row_bytes + route_bytes + plastic_bytes + neuron_bytes; }
  /// Peak during and after the build: what the report's bytes per synapse divide by the synapses. An emulated rank
  /// announces nothing.
  double peak(bool emulated) const;
};

/// Rank `rank` of a job of `ranks` equal ranks whose builds use `threads` OpenMP threads.
rank_estimate estimate_rank(const network_spec& net, int ranks, int rank = 0, int threads = 1);

}  // namespace hetspike
