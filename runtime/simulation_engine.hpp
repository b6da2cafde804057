#pragma once
// The simulation loop on one execution space (DESIGN.md, "The simulation loop"). Each interval of d_min
// steps: every population runs its input and update kernels step by step, spike flags are compacted into
// (local neuron, lag) lists, the interval's spikes are exchanged in one alltoall + alltoallv, and the
// received messages are delivered into the ring buffers. Every delay is at least d_min, so nothing delivered
// at the end of an interval is needed within it.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "kernels/neuron_population.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "partition/block_partition.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/local_network.hpp"
#include "runtime/activity_statistics.hpp"
#include "runtime/local_neurons.hpp"
#include "runtime/progress.hpp"
#include "runtime/run_spec.hpp"
#include "runtime/run_summary.hpp"
#include "runtime/simulation.hpp"
#include "runtime/spike_exchange.hpp"

namespace hetspike {

/// What the simulation facade needs of an engine, whatever its execution space.
class simulation::engine {
 public:
  virtual ~engine() = default;
  virtual void run(spike_sink& sink) = 0;
  virtual run_summary summarize() const = 0;
  virtual std::int64_t d_min() const = 0;
  virtual std::int64_t d_max() const = 0;
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

  void run(spike_sink& sink) override;
  run_summary summarize() const override;
  std::int64_t d_min() const override { return d_min_; }
  std::int64_t d_max() const override { return d_max_; }

 private:
  void build();
  std::uint64_t update_interval(step_type start, step_type steps);
  void deliver(std::span<const spike_message> messages, step_type start);
  void observe(std::span<const local_spike> spikes, step_type start);
  void flush(spike_sink& sink);

  distributed_context ctx_;
  run_spec spec_;
  simulation_options options_;
  ExecSpace space_;
  block_partition partition_;
  local_layout layout_;
  synapse_store<memory_space> store_;
  std::uint64_t num_synapses_ = 0;
  std::int64_t d_min_ = 1, d_max_ = 1;
  step_type presim_steps_ = 0, total_steps_ = 0;
  ring_buffer_view<memory_space> ring_;
  std::vector<neuron_population<ExecSpace>> populations_;
  Kokkos::View<std::uint8_t*, memory_space> spiked_;
  Kokkos::View<local_spike*, memory_space> spikes_;
  Kokkos::View<spike_message*, memory_space> messages_;
  std::unique_ptr<spike_exchange> exchange_;
  std::unique_ptr<activity_statistics> stats_;
  std::vector<std::uint8_t> recorded_;  ///< per local neuron
  std::vector<recorded_spike> pending_;
  phase_timers timers_;
  double simulate_seconds_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t spikes_emitted_ = 0;
  std::uint64_t rss_before_build_ = 0, peak_rss_after_build_ = 0;
};

}  // namespace hetspike

#include "runtime/simulation_engine_impl.hpp"
