#pragma once
// The simulation loop on one execution space (DESIGN.md, "The simulation loop"). Each interval of d_min
// steps: every population runs its input and update kernels step by step, spike flags are compacted into
// (local neuron, lag) lists, the interval's spikes are exchanged in one alltoall + alltoallv, and the
// received messages are delivered into the ring buffers. Every delay is at least d_min, so nothing delivered
// at the end of an interval is needed within it.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "kernels/neuron_population.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "kernels/stdp_pl.hpp"
#include "partition/block_partition.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/local_network.hpp"
#include "runtime/activity_statistics.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/checkpoint_snapshot.hpp"
#include "runtime/emulated_spike_exchange.hpp"
#include "runtime/local_neurons.hpp"
#include "runtime/plastic_checkpoint.hpp"
#include "runtime/progress.hpp"
#include "runtime/run_spec.hpp"
#include "runtime/run_summary.hpp"
#include "runtime/simulation.hpp"
#include "runtime/spike_exchange.hpp"
#include "runtime/state_recorder.hpp"
#include "runtime/weight_recording.hpp"
#include "runtime/weight_sampler.hpp"

namespace hetspike {

/// What the simulation facade needs of an engine, whatever its execution space.
class simulation::engine {
 public:
  virtual ~engine() = default;
  virtual void restore(checkpoint_source& source) = 0;
  virtual run_outcome run(spike_sink& sink, checkpoint_store* store, const checkpoint_header& identity,
                          state_sink* states) = 0;
  virtual run_summary summarize() const = 0;
  virtual std::int64_t d_min() const = 0;
  virtual std::int64_t d_max() const = 0;
  virtual std::int64_t current_step() const = 0;
  virtual const std::vector<weight_recording>& weight_recordings() const = 0;
};

/// Seconds of wall time spent in a scope, added to a phase timer.
class scoped_timer {
 public:
  explicit scoped_timer(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~scoped_timer() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  scoped_timer(const scoped_timer&) = delete;
  scoped_timer& operator=(const scoped_timer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

template <class ExecSpace>
class simulation_engine final : public simulation::engine {
 public:
  using memory_space = typename ExecSpace::memory_space;

  simulation_engine(const distributed_context& ctx, const run_spec& spec, const simulation_options& options);

  void restore(checkpoint_source& source) override;
  run_outcome run(spike_sink& sink, checkpoint_store* store, const checkpoint_header& identity,
                  state_sink* states) override;
  run_summary summarize() const override;
  std::int64_t d_min() const override { return d_min_; }
  std::int64_t d_max() const override { return d_max_; }
  std::int64_t current_step() const override { return current_step_; }
  const std::vector<weight_recording>& weight_recordings() const override { return weight_records_; }

 private:
  void build();
  /// The exchange of this rank: collective, or emulated with its routes drawn or replayed.
  std::unique_ptr<spike_exchange> make_exchange(built_connectivity& built);
  std::uint64_t update_interval(step_type start, step_type steps);
  void deliver(std::span<const spike_message> messages, step_type start);
  void observe(std::span<const local_spike> spikes, step_type start);
  void flush(spike_sink& sink);
  void set_up_plasticity();
  /// `sources` and their `rows`, per source population: those the weight recorders sample (weight_sampler.hpp).
  void set_up_weight_recorders(const std::vector<std::vector<std::uint32_t>>& sources,
                               const std::vector<std::vector<std::uint32_t>>& rows);
  void sample_weights(step_type end, bool last);
  /// Notes a weight recorder's sample at step `sampled` (-1: none yet) and when the next one is due.
  void schedule_weight_sample(std::size_t recorder, step_type sampled);
  void prune_post_history();
  bool poll_stop(std::uint64_t& intervals_since_poll, bool last);
  void write_checkpoint(step_type step, spike_sink& sink, checkpoint_store& store, const checkpoint_header& identity);
  checkpoint_snapshot snapshot(bool for_restore);
  /// The weight recorders' samples so far (`samples` per recorder) as checkpoint fields, held by rank 0.
  void add_weight_samples(checkpoint_snapshot& snap, const std::vector<std::uint64_t>& samples, bool for_restore);

  distributed_context ctx_;
  run_spec spec_;
  simulation_options options_;
  ExecSpace space_;
  int rank_;  ///< this rank's place in the partition (the emulated rank's, when emulating)
  block_partition partition_;
  local_layout layout_;
  synapse_store<memory_space> store_;
  std::uint64_t num_synapses_ = 0;
  std::uint64_t store_hash_ = 0;  ///< of the store as built
  loihi_quantization_summary quantization_;
  std::int64_t d_min_ = 1, d_max_ = 1;
  step_type presim_steps_ = 0, total_steps_ = 0;
  ring_buffer_view<memory_space> ring_;
  Kokkos::View<std::uint32_t*, memory_space> delivery_parts_;  ///< first ring column of each thread's targets
  std::vector<neuron_population<ExecSpace>> populations_;
  Kokkos::View<std::uint8_t*, memory_space> spiked_;
  spike_collector<ExecSpace> collector_;                 ///< and the interval's spikes
  Kokkos::View<spike_message*, memory_space> messages_;  ///< a device's copy of the received messages
  Kokkos::View<std::uint64_t, memory_space> delivery_events_{"hetspike::synaptic_events"};  ///< the team path's
  std::unique_ptr<spike_exchange> exchange_;
  double routing_seconds_ = 0;     ///< emulation: drawing or replaying the routes (not part of the build's time)
  double store_hash_seconds_ = 0;  ///< hashing the store for the report (not part of the build's time either)
  std::unique_ptr<activity_statistics> stats_;
  // STDP (host backends only): the plastic projections, the rows' presynaptic traces, postsynaptic histories.
  bool plastic_ = false;
  std::vector<stdp_pl_projection> stdp_;
  std::unique_ptr<stdp_pl_rows> stdp_rows_;
  std::unique_ptr<stdp_pl_source_traces> source_traces_;
  std::unique_ptr<post_spike_history> post_history_;
  std::unique_ptr<plastic_checkpoint> plastic_checkpoint_;
  std::vector<sampled_synapses> sampled_;         ///< per weight recorder, this rank's synapses
  std::vector<std::uint64_t> sampled_total_;      ///< per weight recorder, all ranks' synapses
  std::vector<step_type> next_weight_sample_;     ///< per weight recorder
  std::vector<step_type> last_sampled_;           ///< per weight recorder; -1 before the first sample
  std::vector<weight_recording> weight_records_;  ///< filled on rank 0
  std::vector<std::uint8_t> recorded_;            ///< per local neuron
  std::vector<recorded_spike> pending_;
  std::unique_ptr<state_recorder<ExecSpace>> states_;  ///< during run(), with state recorders and a state sink
  phase_timers timers_;
  double simulate_seconds_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t spikes_emitted_ = 0;
  std::uint64_t rss_before_build_ = 0, peak_rss_after_build_ = 0;
  step_type current_step_ = 0;  ///< where run() starts (0, or a restored checkpoint's step), then ends
  step_type run_start_step_ = 0;
  std::int64_t resumed_from_ = -1;
  bool stopped_ = false;
  std::vector<std::string> checkpoints_;
};

}  // namespace hetspike

#include "runtime/simulation_engine_impl.hpp"
