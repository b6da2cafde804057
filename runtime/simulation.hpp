#pragma once
// One simulation on every rank of a context: builds the local part of the network, then runs the loop of
// DESIGN.md (update d_min steps, exchange, deliver) and reports. Collective throughout.
#include <cstdint>
#include <memory>
#include <optional>

#include "runtime/distributed_context.hpp"
#include "runtime/run_spec.hpp"
#include "runtime/run_summary.hpp"
#include "runtime/spike_sink.hpp"

namespace hetspike {

/// A deliberate failure of one rank at a given step, so that tests can prove a failing rank stops the whole
/// job (hetspike run reads it from HETSPIKE_FAULT_INJECT=RANK:STEP).
struct fault_injection {
  int rank = 0;
  std::int64_t step = 0;
};

struct simulation_options {
  bool show_progress = true;       ///< rank 0 prints a progress line during long runs
  double flush_every_ms = 1000.0;  ///< simulated time between writes of recorded spikes to the sink
  std::optional<fault_injection> fault;
};

class simulation {
 public:
  /// Builds the network (collective). Bad input or a network the data layout cannot hold throws the same
  /// input_error on every rank.
  simulation(const distributed_context& ctx, const run_spec& spec, simulation_options options = {});
  ~simulation();
  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;

  /// Simulates t_presim + t_sim. Spikes of recorded neurons in the recorded window go to `sink`, which is
  /// closed at the end (collective).
  void run(spike_sink& sink);

  /// The run's figures, the same on every rank (collective; after run()).
  run_summary summarize() const;

  std::int64_t min_delay_steps() const;
  std::int64_t max_delay_steps() const;

  /// The loop on one execution space (simulation_engine.hpp).
  class engine;

 private:
  std::unique_ptr<engine> engine_;
};

}  // namespace hetspike
