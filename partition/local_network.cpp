#include "partition/local_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "partition/error.hpp"

namespace hetspike {

projections_by_source index_projections_by_source(const network_spec& net) {
  projections_by_source index;
  index.first.assign(net.populations.size() + 1, 0);
  for (const auto& p : net.projections) ++index.first[p.source + 1];
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp) index.first[sp + 1] += index.first[sp];
  index.projections.resize(net.projections.size());
  std::vector<std::size_t> next(index.first.begin(), index.first.end() - 1);
  for (std::size_t i = 0; i < net.projections.size(); ++i) index.projections[next[net.projections[i].source]++] = i;
  return index;
}

namespace {

double max_abs(const value_distribution& d) {
  using kind = value_distribution::kind;
  switch (d.type) {
    case kind::constant:
      return std::abs(d.a);
    case kind::uniform:
      return std::max(std::abs(d.a), std::abs(d.b));
    case kind::normal: {
      double lo = d.a - 10.0 * d.b, hi = d.a + 10.0 * d.b;
      if (std::isfinite(d.lower)) lo = std::max(lo, d.lower);
      if (std::isfinite(d.upper)) hi = std::min(hi, d.upper);
      return std::max(std::abs(lo), std::abs(hi));
    }
  }
  return 0.0;
}

/// A drawn weight's typical value: the mean (a uniform's midpoint).
double typical(const value_distribution& d) {
  return d.type == value_distribution::kind::uniform ? 0.5 * (d.a + d.b) : d.a;
}

std::string format_weight(double w) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", w);
  return text;
}

}  // namespace

std::vector<double> max_abs_input_weights(const network_spec& net) {
  std::vector<double> m(net.populations.size(), 0.0);
  for (const auto& p : net.projections) {
    // Plastic weights grow: leave them 64 times their initial range before the 32-bit headroom is touched.
    m[p.target] = std::max(m[p.target], max_abs(p.weight) * (p.plasticity ? 64.0 : 1.0));
  }
  for (const auto& in : net.inputs)
    if (in.type == input_spec::kind::poisson) m[in.target] = std::max(m[in.target], std::abs(in.weight));
  return m;
}

std::vector<weight_resolution> worst_weight_resolutions(const network_spec& net) {
  const std::vector<double> largest = max_abs_input_weights(net);
  // Every weight into each population, in the order of the projections, then the inputs.
  std::vector<std::vector<std::pair<double, std::string>>> weights(net.populations.size());
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const auto& p = net.projections[i];
    weights[p.target].emplace_back(typical(p.weight), "projections[" + std::to_string(i) + "]");
  }
  for (std::size_t i = 0; i < net.inputs.size(); ++i)
    if (net.inputs[i].type == input_spec::kind::poisson)
      weights[net.inputs[i].target].emplace_back(net.inputs[i].weight, "inputs[" + std::to_string(i) + "]");
  std::vector<weight_resolution> out(net.populations.size());
  for (std::size_t population = 0; population < net.populations.size(); ++population) {
    weight_resolution& worst = out[population];
    if (own_input_exponent(net.populations[population].params)) continue;  // summed at the model's own scale
    const fixed_point_scale scale = fixed_point_scale::for_max_weight(largest[population]);
    // The bound the scale was set by (a distribution's reach, a plastic weight's growth).
    worst.largest = largest[population];
    double named = 0;  // the largest weight listed: where `largest` comes from
    for (const auto& [w, where] : weights[population]) {
      if (w == 0) continue;
      const double units = std::ldexp(w, scale.exponent());
      const double error = std::abs(std::round(units) - units) / std::abs(units);
      if (error > worst.relative_error) worst.relative_error = error, worst.weight = w, worst.where = where;
      if (std::abs(w) >= named) named = std::abs(w), worst.largest_where = where;
    }
  }
  return out;
}

local_layout make_local_layout(const network_spec& net, const block_partition& partition, int rank) {
  const auto resolutions = worst_weight_resolutions(net);
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto& r = resolutions[p];
    if (r.relative_error <= max_weight_relative_error) continue;
    throw capacity_error(r.where + ": a weight of " + format_weight(r.weight) + " into population " +
                         net.populations[p].name + " would be off by " + format_weight(100 * r.relative_error) +
                         "% in its fixed-point input sum, which is scaled to the largest weight " +
                         net.populations[p].name + " receives, " + format_weight(r.largest) + " (" + r.largest_where +
                         "); allowed: a relative error of at most " + format_weight(max_weight_relative_error) +
                         " (weights into one population within about 1e5 of each other)");
  }
  local_layout layout;
  std::uint64_t column = 0;
  const auto all_params = effective_params(net);
  const auto largest = max_abs_input_weights(net);
  for (const auto& r : partition.local_ranges(rank)) {
    local_population lp;
    lp.population = r.population;
    lp.first_gid = r.first_gid;
    lp.count = r.count;
    lp.first_lid = r.first_lid;
    lp.first_column = static_cast<std::uint32_t>(column);
    const auto& params = all_params[r.population];
    lp.channels = input_channels(params);
    const auto receptors = default_receptors_of(params);
    lp.positive_offset = static_cast<std::uint32_t>(std::max(receptors.positive, 0) * r.count);
    lp.non_positive_offset = static_cast<std::uint32_t>(std::max(receptors.non_positive, 0) * r.count);
    const auto own = own_input_exponent(params);
    lp.scale = own ? fixed_point_scale(*own) : fixed_point_scale::for_max_weight(largest[r.population]);
    column += r.count * static_cast<std::uint64_t>(lp.channels);
    layout.num_local += r.count;
    layout.populations.push_back(lp);
  }
  if (column > std::numeric_limits<std::uint32_t>::max() || layout.num_local > std::numeric_limits<lid_type>::max())
    throw capacity_error("rank " + std::to_string(rank) + " would hold " + std::to_string(layout.num_local) +
                         " neurons (" + std::to_string(column) +
                         " input channels); allowed: at most 4294967295 of each per rank (32-bit local ids and ring "
                         "columns): run on more ranks");
  layout.num_columns = static_cast<std::uint32_t>(column);
  return layout;
}

std::vector<std::uint32_t> split_targets(const local_layout& layout, std::uint32_t parts) {
  // Populations lie in the ring in local-id order, each with its channels after one another, so a neuron's
  // first column grows with its local id and a run of local ids is a run of columns.
  auto column_of = [&](std::uint64_t lid) {
    for (const auto& lp : layout.populations)
      if (lp.count > 0 && lid < lp.first_lid + lp.count)
        return lp.first_column + static_cast<std::uint32_t>(lid - lp.first_lid);
    return layout.num_columns;
  };
  std::vector<std::uint32_t> bounds;
  for (std::uint32_t p = 0; p <= parts; ++p) bounds.push_back(column_of(layout.num_local * p / parts));
  return bounds;
}

}  // namespace hetspike

namespace hetspike {

gid_type global_id(const local_layout& layout, lid_type lid) {
  for (const auto& p : layout.populations)
    if (lid >= p.first_lid && lid < p.first_lid + p.count) return p.first_gid + (lid - p.first_lid);
  throw internal_error("global_id: local id " + std::to_string(lid) + " out of range");
}

}  // namespace hetspike

namespace hetspike {

std::vector<neuron_params> effective_params(const network_spec& net) {
  std::vector<double> dc(net.populations.size(), 0.0);
  for (const auto& in : net.inputs)
    if (in.type == input_spec::kind::dc) dc[in.target] += in.amplitude;
  const std::vector<double> largest = max_abs_input_weights(net);
  std::vector<neuron_params> out;
  out.reserve(net.populations.size());
  for (std::size_t population = 0; population < net.populations.size(); ++population) {
    const auto& pop = net.populations[population];
    const run_inputs inputs{dc[population], net.dt, largest[population]};
    try {
      out.push_back(params_for_run(pop.params, inputs));
    } catch (const std::invalid_argument& e) {
      throw input_error("population " + pop.name + " (" + std::string(model_name(pop.params)) + "): " + e.what());
    }
  }
  return out;
}

double received_weight(const neuron_params& target, const value_distribution& spec, double weight,
                       loihi_quantization_summary* summary) {
  const auto q = quantized_weight(target, weight, spec.lowest(), spec.highest());
  if (!q) return weight;
  if (summary) summary->add(weight, *q);
  return q->value;
}

}  // namespace hetspike
