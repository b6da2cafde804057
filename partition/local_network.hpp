#pragma once
// Where a rank's neurons and their input channels sit: local ids and ring-buffer columns per population, and
// the fixed-point scale of each population's input (computed from the network alone, so every rank agrees).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/fixed_point.hpp"
#include "partition/block_partition.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

struct local_population {
  std::size_t population = 0;
  gid_type first_gid = 0;
  std::uint64_t count = 0;
  lid_type first_lid = 0;
  std::uint32_t first_column = 0;  ///< ring column of the first neuron's first channel
  int channels = 1;                ///< input channels of the model
  /// Column offsets of the receptors that weights > 0 and <= 0 reach by default (receptor index x count).
  std::uint32_t positive_offset = 0, non_positive_offset = 0;
  fixed_point_scale scale;
};

struct local_layout {
  std::vector<local_population> populations;  ///< one per population of the network, possibly empty
  std::uint64_t num_local = 0;
  std::uint32_t num_columns = 0;
};

/// The projections of each source population, in projection order, as one list with offsets: a step per source
/// population walks its own projections, not all of them, so that a build stays linear in populations plus
/// projections (10^4 of each made the scans of every projection per population take minutes).
struct projections_by_source {
  std::vector<std::size_t> first;        ///< per source population + 1: where its projections start
  std::vector<std::size_t> projections;  ///< projection indices, grouped by source

  std::span<const std::size_t> of(std::size_t source) const {
    return {projections.data() + first[source], projections.data() + first[source + 1]};
  }
};
projections_by_source index_projections_by_source(const network_spec& net);

/// Per population, the largest weight magnitude it can receive from projections and inputs: bounds of
/// distributions where finite, else mean + 10 standard deviations. Every population in one pass over the
/// projections and inputs (a pass per population made a build of 10^4 populations quadratic).
std::vector<double> max_abs_input_weights(const network_spec& net);

/// The most a weight may lose, relative to itself, in the fixed-point sum of the population it reaches (scaled so
/// that the population's largest weight fills 30 bits): weights into one population can span about 10^5.
inline constexpr double max_weight_relative_error = 1e-4;

/// Per population, the worst a weight into it is resolved by its fixed-point scale: the error relative to the weight
/// (1 where it rounds to 0) and where it comes from. Constant weights and Poisson inputs' weights count as they
/// are, a drawn weight by its mean (single draws near 0 are as coarse in any fixed point). Chip populations have
/// their own quantisation (reported as weight_quantization): none is found for them.
struct weight_resolution {
  double relative_error = 0;
  double weight = 0, largest = 0;
  std::string where, largest_where;  ///< "projections[i]" or "inputs[i]"
};
std::vector<weight_resolution> worst_weight_resolutions(const network_spec& net);

/// Each rank's neurons and ring columns. Throws capacity_error for a population whose weights the fixed-point
/// sum cannot resolve to max_weight_relative_error, naming the two weights.
local_layout make_local_layout(const network_spec& net, const block_partition& partition, int rank);

/// Splits the local neurons into `parts` runs of nearly equal size, as the first ring columns of the runs
/// (parts + 1 ascending values, the last num_columns): threads that deliver to their own run of targets.
std::vector<std::uint32_t> split_targets(const local_layout& layout, std::uint32_t parts);

/// Per population, its parameters as its kernel runs them: every DC input added to I_e, and a chip model's
/// registers resolved from its float parameters (the same on every rank). Throws input_error for parameters
/// the chip cannot hold, for the first such population.
std::vector<neuron_params> effective_params(const network_spec& net);

/// A weight as the target population receives it: for a chip model, quantised to its 8-bit weights (the
/// projection's sign, from its spec, picks the chip's range); otherwise unchanged.
double received_weight(const neuron_params& target, const value_distribution& spec, double weight,
                       loihi_quantization_summary* summary = nullptr);

}  // namespace hetspike

namespace hetspike {

/// The gid of a local neuron.
gid_type global_id(const local_layout& layout, lid_type lid);

}  // namespace hetspike
