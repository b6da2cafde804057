#include "kernels/stdp_pl.hpp"

#include <algorithm>
#include <utility>

#include "kernels/fixed_point.hpp"

namespace hetspike {

post_spike_history::post_spike_history(std::vector<double> tau_minus, double dt)
    : history_(tau_minus.size()), k_minus_(tau_minus.size(), 0.0), last_stamp_(tau_minus.size(), 0), dt_(dt) {
  tau_minus_inv_.reserve(tau_minus.size());
  for (double t : tau_minus) tau_minus_inv_.push_back(1.0 / t);
}

void post_spike_history::record(std::span<const local_spike> spikes, step_type interval_start) {
  for (const auto& s : spikes) {
    const step_type stamp = interval_start + s.lag + 1;
    // NEST: Kminus = Kminus exp((last_spike - t_sp) / tau_minus) + 1 (0 before the first spike).
    k_minus_[s.lid] =
        k_minus_[s.lid] * std::exp(static_cast<double>(last_stamp_[s.lid] - stamp) * dt_ * tau_minus_inv_[s.lid]) + 1.0;
    last_stamp_[s.lid] = stamp;
    history_[s.lid].push_back({stamp, k_minus_[s.lid]});
  }
}

double post_spike_history::k_value(lid_type lid, step_type stamp) const {
  const auto& h = history_[lid];
  for (auto it = h.rbegin(); it != h.rend(); ++it)
    if (it->stamp < stamp)
      return it->k_minus * std::exp(static_cast<double>(it->stamp - stamp) * dt_ * tau_minus_inv_[lid]);
  return 0.0;
}

std::span<const post_spike_history::entry> post_spike_history::between(lid_type lid, step_type after,
                                                                       step_type up_to) const {
  const auto& h = history_[lid];
  auto first = std::upper_bound(h.begin(), h.end(), after, [](step_type t, const entry& e) { return t < e.stamp; });
  auto last = std::upper_bound(first, h.end(), up_to, [](step_type t, const entry& e) { return t < e.stamp; });
  return {h.data() + (first - h.begin()), static_cast<std::size_t>(last - first)};
}

void post_spike_history::prune(step_type oldest_needed) {
  for (auto& h : history_) {
    auto keep =
        std::lower_bound(h.begin(), h.end(), oldest_needed, [](const entry& e, step_type t) { return e.stamp < t; });
    if (keep != h.begin()) --keep;  // the last one before: k_value may read it
    h.erase(h.begin(), keep);
  }
}

stdp_pl_source_traces::stdp_pl_source_traces(std::vector<double> tau_plus_inv, double dt)
    : tau_plus_inv_(std::move(tau_plus_inv)),
      k_plus_(tau_plus_inv_.size(), 0.0),
      last_stamp_(tau_plus_inv_.size(), 0),
      dt_(dt) {}

void stdp_pl_source_traces::record(std::span<const local_spike> spikes, step_type interval_start) {
  for (const auto& s : spikes) {
    if (tau_plus_inv_[s.lid] == 0.0) continue;
    const step_type stamp = interval_start + s.lag + 1;
    k_plus_[s.lid] = stdp_pl_trace_after(k_plus_[s.lid], last_stamp_[s.lid], stamp, dt_, tau_plus_inv_[s.lid]);
    last_stamp_[s.lid] = stamp;
  }
}

namespace {

/// One synapse: potentiation by the post spikes since the row's last pre spike, then depression.
double update_weight(double w, const stdp_pl_projection& p, double k_plus, step_type last, step_type stamp,
                     step_type delay, lid_type target, const post_spike_history& post, double dt) {
  for (const auto& e : post.between(target, last - delay, stamp - delay)) {
    const step_type minus_dt = last - (e.stamp + delay);
    if (minus_dt == 0) continue;  // NEST skips a post spike that coincides with the last pre spike
    w = stdp_pl_facilitate(w, k_plus * std::exp(static_cast<double>(minus_dt) * dt * p.tau_plus_inv), p);
  }
  return stdp_pl_depress(w, post.k_value(target, stamp - delay), p);
}

}  // namespace

std::uint64_t deliver_plastic(const synapse_store<Kokkos::HostSpace>& store, std::span<const spike_message> messages,
                              step_type interval_start, const ring_buffer_view<Kokkos::HostSpace>& ring,
                              std::span<const stdp_pl_projection> projections, stdp_pl_rows& rows,
                              const post_spike_history& post, double dt) {
  std::uint64_t events = 0;
  const auto num_slots = static_cast<step_type>(ring.extent(0));
  for (const auto& m : messages) {
    const std::uint64_t slot = store.plastic_slot(m.row);
    if (slot == no_plastic_slot) continue;
    const step_type stamp = interval_start + m.lag + 1;  // NEST's t_spike, in steps
    const step_type step = stamp - 1;
    const stdp_pl_projection* rule = nullptr;  // the row's plastic projections (their tau_plus agree)
    store.for_each_segment(m.row, [&](std::uint32_t cls, std::uint64_t b, std::uint64_t e) {
      const synapse_class& c = store.classes(cls);
      if (!c.plastic) return;
      const stdp_pl_projection& p = projections[c.projection];
      const fixed_point_scale scale(p.weight_exponent);
      rule = &p;
      for (std::uint64_t k = b; k < e; ++k) {
        const step_type delay = c.has_delays ? store.delay(k + c.delay_shift) : c.delay;
        const auto target =
            static_cast<lid_type>(p.target_first_lid + c.column - p.target_first_column + store.target_offset(k));
        double& w = store.plastic_weight(k + c.weight_shift);
        w = update_weight(w, p, rows.k_plus[slot], rows.last_stamp[slot], stamp, delay, target, post, dt);
        const fixed_type fixed = scale.to_fixed(w);
        ring((step + delay) % num_slots, c.column + store.target_offset(k) + (fixed > 0 ? 0u : c.inhibitory_offset)) +=
            fixed;
      }
      events += e - b;
    });
    if (rule == nullptr) continue;
    // NEST: Kplus = Kplus exp((t_lastspike - t_spike) / tau_plus) + 1, after all of the spike's synapses. A row's
    // synapses may belong to several plastic projections; their tau_plus must then agree (checked at set-up).
    rows.k_plus[slot] = stdp_pl_trace_after(rows.k_plus[slot], rows.last_stamp[slot], stamp, dt, rule->tau_plus_inv);
    rows.last_stamp[slot] = stamp;
  }
  return events;
}

}  // namespace hetspike
