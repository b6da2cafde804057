#pragma once
// Everything one run needs besides the network: how long, what to record. Filled by io/ from the model file
// and the command line.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "partition/network_spec.hpp"

namespace hetspike {

/// Records the spikes of one population: all neurons, or only the first `first` of them (by gid).
struct recorder_spec {
  std::size_t population = 0;
  std::optional<std::uint64_t> first;
};

/// How a state recorder stores its values: as float32, SONATA's type for report data (what libsonata reads), or as
/// float64, every bit of the simulation's doubles.
enum class state_precision : std::uint8_t { float32, float64 };

/// Samples state variables of one population: of its first `first` neurons (by gid; all without), every `interval`
/// ms of simulated time from t_presim (the first sample at t_presim + interval), each at the end of a step.
struct state_recorder_spec {
  std::size_t population = 0;
  std::vector<std::string> variables;  ///< names of recordable_variables (kernels/model_description.hpp)
  double interval = 0.1;               ///< ms, a whole number of steps
  std::optional<std::uint64_t> first;
  state_precision precision = state_precision::float32;
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
  std::vector<state_recorder_spec> state_recorders;
  std::vector<weight_recorder_spec> weight_recorders;
};

}  // namespace hetspike
