#pragma once
// What the state recorders of a run produce, as reports: one per (population, variable), in the order of the model
// file's recorders and their variables. The simulation samples them (state_recorder.hpp) and a state_sink stores
// them (io/: SONATA reports); both read this one description, so they cannot disagree about a report's shape or
// when its samples fall.
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/types.hpp"
#include "runtime/run_spec.hpp"

namespace hetspike {

/// One variable of the first `nodes` neurons of one population, sampled at the step boundaries first_sample,
/// first_sample + every, ... (a sample at boundary b holds the state after the step that ends at b, whose time is
/// b * dt, as a spike's in that step).
struct state_report {
  std::string population;  ///< its name
  std::size_t population_index = 0;
  std::string variable;  ///< as recordable_variables names it
  std::string unit;
  std::uint64_t nodes = 0;     ///< recorded neurons: population-local ids 0 .. nodes - 1
  step_type first_sample = 1;  ///< t_presim + interval, in steps
  step_type every = 1;         ///< steps between samples
  state_precision precision = state_precision::float32;

  /// Samples at boundaries <= `boundary`: what a run that reached it has taken.
  std::uint64_t samples_until(step_type boundary) const {
    return boundary < first_sample ? 0 : static_cast<std::uint64_t>((boundary - first_sample) / every) + 1;
  }
  /// The boundary of the sample after the first `samples` ones.
  step_type sample_boundary(std::uint64_t samples) const {
    return first_sample + static_cast<step_type>(samples) * every;
  }
};

/// The reports of `spec`'s state recorders (run_spec::state_recorders, checked by io/).
std::vector<state_report> state_reports(const run_spec& spec);

}  // namespace hetspike
