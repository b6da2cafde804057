#include "partition/network_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "partition/connection_rules.hpp"
#include "partition/synapse_classes.hpp"

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

network_summary summarize_network(const network_spec& net) {
  network_summary s;
  s.neurons = net.num_neurons();
  std::int64_t d_min = std::numeric_limits<std::int64_t>::max(), d_max = 0;
  for (const auto& p : net.projections) {
    const double n =
        expected_synapses(p, net.populations[p.source].size, net.populations[p.target].size, p.source == p.target);
    s.projection_synapses.push_back(n);
    s.synapses += n;
    if (n <= 0) continue;
    const auto [lo, hi] = delay_range(p.delay, net.dt, s.d_max_estimated);
    d_min = std::min(d_min, lo);
    d_max = std::max(d_max, hi);
  }
  if (d_max > 0) {
    s.d_min = d_min;
    s.d_max = d_max;
  }
  return s;
}

}  // namespace hetspike
