#include "partition/network_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/synapse_store.hpp"
#include "partition/connection_rules.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/local_network.hpp"

namespace hetspike {

namespace {

/// Smallest and largest delay a distribution can give, in steps (an estimate when unbounded above).
std::pair<std::int64_t, std::int64_t> delay_range(const value_distribution& d, double dt, bool& estimated) {
  using kind = value_distribution::kind;
  if (d.type == kind::constant) return {delay_steps(d.a, dt), delay_steps(d.a, dt)};
  double lo = d.type == kind::uniform ? d.a : d.lower;
  double hi = d.type == kind::uniform ? d.b : d.upper;
  if (d.type == kind::normal) {
    lo = std::max(lo, d.a - 5 * d.b);
    if (!std::isfinite(hi) || hi > d.a + 5 * d.b) {
      hi = d.a + 5 * d.b;
      estimated = true;
    }
  }
  return {std::max<std::int64_t>(1, delay_steps(lo, dt)), std::max<std::int64_t>(1, delay_steps(hi, dt))};
}

}  // namespace

std::int64_t lowest_possible_delay(const network_spec& net) {
  std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
  bool estimated = false;
  for (const auto& p : net.projections) {
    const double n =
        expected_synapses(p, net.populations[p.source].size, net.populations[p.target].size, p.source == p.target);
    if (n > 0) lowest = std::min(lowest, delay_range(p.delay, net.dt, estimated).first);
  }
  return lowest;
}

network_summary summarize_network(const network_spec& net, int ranks) {
  network_summary s;
  const auto offsets = net.population_offsets();
  s.neurons = offsets.back();
  std::int64_t d_min = std::numeric_limits<std::int64_t>::max(), d_max = 0;
  double segments = 0;
  for (const auto& p : net.projections) {
    const auto ns = net.populations[p.source].size, nt = net.populations[p.target].size;
    const double n = expected_synapses(p, ns, nt, p.source == p.target);
    s.projection_synapses.push_back(n);
    s.synapses += n;
    if (n <= 0) continue;
    const auto [lo, hi] = delay_range(p.delay, net.dt, s.d_max_estimated);
    d_min = std::min(d_min, lo);
    d_max = std::max(d_max, hi);
    // 2 bytes of target offset, 4 of weight and 1 of delay where they vary per synapse; a plastic synapse always
    // holds its own weight, as a double.
    const bool plastic = p.plasticity.has_value();
    const double weight_bytes = plastic ? 8 : (p.weight.is_constant() ? 0 : 4);
    s.synapse_bytes += n * (2.0 + weight_bytes + (p.delay.is_constant() ? 0 : 1));
    // A segment (about 40 bytes) per source and rank that holds targets of it; a plastic one also keeps its
    // presynaptic trace and the step it was last updated at (16 bytes).
    const double projection_segments =
        std::min(n, static_cast<double>(ns) * std::min<double>(ranks, static_cast<double>(nt)));
    segments += projection_segments;
    if (plastic) s.synapse_bytes += projection_segments * 16.0;
  }
  s.synapse_bytes += segments * 40.0 + static_cast<double>(s.neurons) * ranks * 8.0;
  if (d_max > 0) {
    s.d_min = d_min;
    s.d_max = d_max;
  }
  for (const auto& pop : net.populations) {
    const int channels = input_channels(pop.params);
    // State (V, currents, refractory counter), statistics, spike flags, ring columns over d_max slots.
    const double per_neuron =
        (channels == 2 ? 28.0 : 12.0) + 32.0 + 1.0 + 8.0 * channels * static_cast<double>(s.d_max);
    s.neuron_bytes += per_neuron * static_cast<double>(pop.size);
  }
  return s;
}

}  // namespace hetspike
