#pragma once
// Everything one run needs besides the network: how long, what to record. Filled by io/ from the model file
// and the command line.
#include <cstdint>
#include <optional>
#include <vector>

#include "partition/network_spec.hpp"

namespace hetspike {

/// Records the spikes of one population: all neurons, or only the first `first` of them (by gid).
struct recorder_spec {
  std::size_t population = 0;
  std::optional<std::uint64_t> first;
};

/// Samples the weights of a plastic projection: all its synapses onto the first `targets` neurons of the
/// target population, every `interval` ms of simulated time (from t_presim) and at the end.
struct weight_recorder_spec {
  std::size_t projection = 0;  ///< index into network_spec::projections
  std::uint64_t targets = 10;
  double interval = 100.0;  ///< ms
};

struct run_spec {
  network_spec network;
  double t_sim = 1000.0;  ///< ms, recorded and reported
  double t_presim = 0.0;  ///< ms of warm-up before t_sim, simulated but not recorded
  std::vector<recorder_spec> recorders;
  std::vector<weight_recorder_spec> weight_recorders;
};

}  // namespace hetspike
