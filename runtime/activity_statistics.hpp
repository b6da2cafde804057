#pragma once
// Per-neuron activity in the recorded window, kept as the run goes so that the spike count and hash cover
// every neuron, and the per-population rates and ISI CVs the counted ones (those a recorder writes where it
// records only the first neurons, as NEST's examples report them), without storing spike trains. Structure of arrays
// indexed by local id, so that a checkpoint stores each array as it is.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/spike_collect.hpp"
#include "partition/local_network.hpp"
#include "runtime/distributed_context.hpp"
#include "runtime/run_summary.hpp"

namespace hetspike {

class activity_statistics {
 public:
  /// `counted`, per local id: 1 where the neuron enters its population's statistics.
  activity_statistics(const local_layout& layout, std::size_t num_populations, std::vector<std::uint8_t> counted);

  /// Adds one interval's spikes (steps interval_start + lag) of local neurons.
  void add(std::span<const local_spike> spikes, step_type interval_start);

  /// Collective: per-population spike counts, rates over `window_ms`, mean ISI CV (in steps: dt cancels) of the
  /// counted neurons, and the global spike count and hash of all neurons. Fills summary.populations (names,
  /// sizes and counted neurons must be set by the caller) and summary.spikes, summary.spike_hash.
  void summarize(const distributed_context& ctx, double window_ms, run_summary& summary) const;

  /// Collective: the global spike count and hash sum so far.
  std::pair<std::uint64_t, std::uint64_t> global_totals(const distributed_context& ctx) const;
  /// Continues from global totals (a restart): rank 0 holds them, the other ranks start from zero.
  void set_totals(const distributed_context& ctx, std::uint64_t spikes, std::uint64_t hash);

  /// An order-independent 64-bit hash of a spike, summed over all spikes of the run: equal sums mean equal
  /// spike multisets (up to a 2^-64 chance), whatever the rank count or order of arrival.
  static std::uint64_t spike_hash(gid_type gid, step_type step);

  // The per-neuron arrays, by local id (for checkpoints).
  std::vector<std::uint32_t> spikes;
  std::vector<std::uint32_t> intervals;
  std::vector<step_type> last_spike;  ///< step of the last spike, -1 before the first
  std::vector<double> isi_sum;        ///< steps
  std::vector<double> isi_sum_sq;     ///< steps^2

 private:
  std::vector<std::size_t> population_of_lid_;
  std::vector<std::uint8_t> counted_;
  std::vector<gid_type> gid_of_lid_;
  std::size_t num_populations_;
  std::uint64_t total_spikes_ = 0;
  std::uint64_t hash_ = 0;
};

}  // namespace hetspike
