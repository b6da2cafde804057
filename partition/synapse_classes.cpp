#include "partition/synapse_classes.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "partition/error.hpp"

namespace hetspike {

void throw_delay_beyond(std::int64_t steps, std::int64_t limit, bool per_synapse, std::size_t projection, double dt) {
  throw capacity_error("projections[" + std::to_string(projection) + "]: a delay of " +
                       std::to_string(static_cast<double>(steps) * dt) + " ms (" + std::to_string(steps) +
                       " steps) is outside 1.." + std::to_string(limit) + " steps of dt = " + std::to_string(dt) +
                       " ms" + (per_synapse ? " (per-synapse delays are 8-bit)" : ""));
}

void throw_weight_beyond(const std::range_error& e, std::size_t projection) {
  throw capacity_error("projections[" + std::to_string(projection) + "]: " + e.what());
}

namespace {

/// Throws input_error if the target's model has no receptor for weights of a sign the projection may draw.
void check_default_receptors(const network_spec& net, std::size_t i, const neuron_params& target) {
  const auto& p = net.projections[i];
  const bool positive = p.weight.highest() > 0, non_positive = !(p.weight.lowest() > 0);
  const auto receptors = default_receptors_of(target);
  if ((positive && receptors.positive < 0) || (non_positive && receptors.non_positive < 0))
    throw input_error("projections[" + std::to_string(i) + "]: no receptor of " + std::string(model_name(target)) +
                      " (population " + net.populations[p.target].name + ") takes " +
                      (positive && receptors.positive < 0 ? "positive" : "zero or negative") +
                      " weights by default; allowed: weights of the signs its receptors take");
}

}  // namespace

class_table make_class_table(const network_spec& net, const local_layout& layout) {
  class_table t;
  t.projection_first.assign(net.projections.size(), 0);
  const auto params = effective_params(net);
  for (const auto& p : net.projections) t.target_params.push_back(params[p.target]);
  t.by_source = index_projections_by_source(net);
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) {
    t.population_first.push_back(static_cast<std::uint32_t>(t.classes.size()));
    for (const std::size_t i : t.by_source.of(sp)) {
      const auto& p = net.projections[i];
      const local_population& target = layout.populations[p.target];
      t.projection_first[i] = static_cast<std::uint32_t>(t.classes.size());
      if (!p.receptor) check_default_receptors(net, i, t.target_params[i]);
      synapse_class c;
      c.projection = static_cast<std::uint32_t>(i);
      c.plastic = p.plasticity ? 1 : 0;
      c.has_weights = p.weight.is_constant() || c.plastic ? 0 : 1;
      c.has_delays = p.delay.is_constant() ? 0 : 1;
      // A named receptor takes every weight; otherwise each sign reaches its own (an offset modulo 2^32, as columns
      // add).
      const std::uint32_t positive_column =
          p.receptor ? *p.receptor * static_cast<std::uint32_t>(target.count) : target.positive_offset;
      c.inhibitory_offset = p.receptor ? 0u : target.non_positive_offset - target.positive_offset;
      if (!c.has_weights && !c.plastic)
        c.weight = fixed_weight(target, received_weight(t.target_params[i], p.weight, p.weight.a), i);
      if (!c.has_delays) c.delay = checked_delay(delay_steps(p.delay.a, net.dt), false, i, net.dt);
      for (std::uint64_t b = 0; b * segment_block_size < target.count; ++b) {
        c.column = target.first_column + positive_column + static_cast<std::uint32_t>(b * segment_block_size);
        t.classes.push_back(c);
      }
    }
  }
  t.population_first.push_back(static_cast<std::uint32_t>(t.classes.size()));
  return t;
}

}  // namespace hetspike
