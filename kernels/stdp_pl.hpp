#pragma once
// NEST's stdp_pl_synapse_hom (models/stdp_pl_synapse_hom.h; Morrison et al. 2007) on the host: when a spike
// reaches a plastic synapse, the synapse is first potentiated by every postsynaptic spike since its previous
// presynaptic spike (power law: w += lambda w^mu K+), then depressed by the postsynaptic trace
// (w -= lambda alpha w K-, not below 0), and delivered with the new weight. Each synapse is updated only by
// its own pre and post spikes, in time order, so the result does not depend on ranks or on the order in which
// different synapses are updated. Times are integer step stamps (a spike in step s is stamped s + 1, NEST's
// convention); differences become ms only inside the exponentials, which keeps them exact.
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/ring_buffer.hpp"
#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "kernels/synapse_store.hpp"
#include "kernels/zeroed_allocator.hpp"

namespace hetspike {

/// One plastic projection as the STDP pass needs it.
struct stdp_pl_projection {
  double alpha = 1.0, lambda = 0.1, mu = 0.4;  ///< NEST's parameters
  double tau_plus_inv = 1.0 / 20.0;            ///< 1/ms, as NEST keeps it
  int weight_exponent = 0;                     ///< the target population's fixed-point scale: delivered w * 2^exponent
  std::uint32_t target_first_column = 0;       ///< ring column of the target population's first local neuron
  lid_type target_first_lid = 0;               ///< its local id
};

/// Postsynaptic spike histories with NEST's K- trace (ArchivingNode): per local neuron, its spikes and the
/// trace value just after each, kept while a presynaptic spike may still read them.
class post_spike_history {
 public:
  struct entry {
    step_type stamp;  ///< spike time in steps (time = stamp * dt)
    double k_minus;   ///< K- just after this spike
  };

  /// `tau_minus` per local neuron (ms).
  post_spike_history(std::vector<double> tau_minus, double dt);

  /// Adds the interval's spikes (in lag order) of local neurons.
  void record(std::span<const local_spike> spikes, step_type interval_start);
  /// NEST's get_K_value: K- at `stamp` from the spikes strictly before it.
  double k_value(lid_type lid, step_type stamp) const;
  /// Spikes with stamps in (after, up_to].
  std::span<const entry> between(lid_type lid, step_type after, step_type up_to) const;
  /// Drops spikes no presynaptic spike can read any more: those before `oldest_needed`, except the last of
  /// them, which k_value may still need.
  void prune(step_type oldest_needed);

  std::size_t size() const { return history_.size(); }
  std::vector<std::vector<entry>>& entries() { return history_; }
  std::vector<double>& k_minus() { return k_minus_; }
  std::vector<step_type>& last_stamp() { return last_stamp_; }

 private:
  std::vector<std::vector<entry>> history_;
  std::vector<double> k_minus_;
  std::vector<step_type> last_stamp_;
  std::vector<double> tau_minus_inv_;
  double dt_;
};

/// The presynaptic side: per plastic row slot (synapse_store::plastic_slot) its source's K+ trace and last spike
/// stamp (NEST keeps them per synapse; they depend only on the source's spikes, so one per row holds the same
/// numbers).
struct stdp_pl_rows {
  std::vector<double, zeroed_allocator<double>> k_plus;
  std::vector<step_type, zeroed_allocator<step_type>>
      last_stamp;  ///< 0 before the first spike, as NEST's t_lastspike_ = 0
  explicit stdp_pl_rows(std::size_t rows = 0) : k_plus(rows), last_stamp(rows) {}
};

/// Each local neuron's presynaptic trace as its owner sees it: the numbers every row of the neuron holds (they are
/// computed alike from the same spikes), kept by the one rank that owns the neuron so that a checkpoint stores them
/// per neuron, written by that rank, and a resume hands them to the rows through the routes.
class stdp_pl_source_traces {
 public:
  /// `tau_plus_inv` (1/ms) per local neuron; 0 for neurons without plastic synapses out of them.
  stdp_pl_source_traces(std::vector<double> tau_plus_inv, double dt);
  /// Adds the interval's spikes (in lag order) of local neurons.
  void record(std::span<const local_spike> spikes, step_type interval_start);
  std::vector<double>& k_plus() { return k_plus_; }
  std::vector<step_type>& last_stamp() { return last_stamp_; }

 private:
  std::vector<double> tau_plus_inv_, k_plus_;
  std::vector<step_type> last_stamp_;
  double dt_;
};

/// Updates and delivers the plastic segments of an interval's messages into the (host) ring; returns the
/// synaptic events. Messages of one row must come in lag order (they do: spikes are exchanged sorted).
std::uint64_t deliver_plastic(const synapse_store<Kokkos::HostSpace>& store, std::span<const spike_message> messages,
                              step_type interval_start, const ring_buffer_view<Kokkos::HostSpace>& ring,
                              std::span<const stdp_pl_projection> projections, stdp_pl_rows& rows,
                              const post_spike_history& post, double dt);

/// NEST's presynaptic trace after a spike at `stamp`: Kplus = Kplus exp((t_lastspike - t_spike) / tau_plus) + 1.
/// Rows and the source's owner (for checkpoints) compute it alike, so both hold the same number.
inline double stdp_pl_trace_after(double k_plus, step_type last_stamp, step_type stamp, double dt,
                                  double tau_plus_inv) {
  return k_plus * std::exp(static_cast<double>(last_stamp - stamp) * dt * tau_plus_inv) + 1.0;
}

/// NEST's facilitate_ and depress_.
inline double stdp_pl_facilitate(double w, double k_plus, const stdp_pl_projection& p) {
  return w + (p.lambda * std::pow(w, p.mu) * k_plus);
}
inline double stdp_pl_depress(double w, double k_minus, const stdp_pl_projection& p) {
  const double new_w = w - (p.lambda * p.alpha * w * k_minus);
  return new_w > 0.0 ? new_w : 0.0;
}

}  // namespace hetspike
