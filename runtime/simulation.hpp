#pragma once
// One simulation on every rank of a context: builds the local part of the network, then runs the loop of
// DESIGN.md (update d_min steps, exchange, deliver) and reports. Collective throughout.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "runtime/backend.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/distributed_context.hpp"
#include "runtime/run_spec.hpp"
#include "runtime/run_summary.hpp"
#include "runtime/spike_sink.hpp"
#include "runtime/state_sink.hpp"
#include "runtime/weight_recording.hpp"

namespace hetspike {

/// A deliberate failure of one rank at a given step, so that tests can prove a failing rank stops the whole
/// job (hetspike run reads it from HETSPIKE_FAULT_INJECT=RANK:STEP).
struct fault_injection {
  int rank = 0;
  std::int64_t step = 0;
};

/// A rank made deliberately slower (a test hook: HETSPIKE_SLOWDOWN=RANK:FACTOR), by busy-waiting after each
/// update for FACTOR - 1 times its length: for testing calibration against unequal ranks.
struct rank_slowdown {
  int rank = 0;
  double factor = 1.0;
};

/// One rank of a bigger job, built and run alone (hetspike run --emulate-ranks P --as-rank R; DESIGN.md, "Scale:
/// what one rank holds"): it builds exactly what rank R of P builds, and the other ranks' spikes are drawn.
struct emulation_options {
  int ranks = 1;                ///< P
  int as_rank = 0;              ///< R
  std::vector<double> rate_hz;  ///< per population: the rate of its neurons on the other ranks
  bool replay_routes = false;   ///< find the rank's routes by replaying the other ranks' rows (else drawn)
};

struct simulation_options {
  bool show_progress = true;       ///< rank 0 prints a progress line during long runs
  double flush_every_ms = 1000.0;  ///< simulated time between writes of recorded spikes to the sink
  double checkpoint_every_ms = 0;  ///< simulated time between checkpoints; 0: only when asked to stop
  /// Polled about once per simulated millisecond (all ranks agree): true asks the run to write a
  /// checkpoint at the next interval boundary and stop (SIGTERM/SIGUSR1 via stop_signal_handler).
  std::function<bool()> stop_requested;
  std::optional<fault_injection> fault;
  std::optional<rank_slowdown> slowdown;
  backend_choice backend;            ///< this rank's backend (choose_backend)
  std::vector<double> rank_weights;  ///< one per rank; empty: equal
  std::optional<emulation_options> emulation;
};

enum class run_outcome { completed, stopped };

class simulation {
 public:
  /// Builds the network (collective). Bad input or a network the data layout cannot hold throws the same
  /// input_error on every rank.
  simulation(const distributed_context& ctx, const run_spec& spec, simulation_options options = {});
  ~simulation();
  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;

  /// Continues from a checkpoint instead of the initial state (collective). Throws input_error, the same on
  /// every rank, if the checkpoint cannot continue this run (other dt, delays, seed or warm-up; a step beyond
  /// the end; a missing or damaged array); the state is then undefined until another restore succeeds.
  void restore(checkpoint_source& source);

  /// Simulates up to t_presim + t_sim (from the restored step, if any). Spikes of recorded neurons in the
  /// recorded window go to `sink`, which is closed at the end (collective). With a store, writes checkpoints
  /// every options.checkpoint_every_ms and when asked to stop; `identity` supplies the checkpoint header's
  /// texts (model, version, run id), the engine the rest. With `states`, the state recorders' samples
  /// (state_reports of the run spec) go there, and it is closed at the end too; without, nothing is sampled.
  /// Returns whether it ran to the end or stopped.
  run_outcome run(spike_sink& sink, checkpoint_store* store = nullptr, const checkpoint_header& identity = {},
                  state_sink* states = nullptr);

  /// The run's figures, the same on every rank (collective; after run()).
  run_summary summarize() const;

  std::int64_t min_delay_steps() const;
  std::int64_t max_delay_steps() const;
  /// Where the run is: the step it started from before run(), the step it reached after.
  std::int64_t current_step() const;

  /// The weight recorders' samples (rank 0; empty elsewhere and without weight recorders).
  const std::vector<weight_recording>& weight_recordings() const;

  /// The loop on one execution space (simulation_engine.hpp).
  class engine;

 private:
  std::unique_ptr<engine> engine_;
};

}  // namespace hetspike
