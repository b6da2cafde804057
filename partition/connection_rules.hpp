#pragma once
// NEST's connection rules, generated on the target side: the sources of a target neuron are a pure function
// of (seed, projection, target gid), drawn from the target's own Philox stream. Synapse weights and delays
// have their own streams, so the sources can be drawn again without them (connectivity_builder counts first,
// then fills).
#include <cstdint>
#include <vector>

#include "kernels/random.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

class source_sampler {
 public:
  /// `projection_index` keys the streams; gids locate self-connections when source and target coincide.
  source_sampler(const projection_spec& projection, std::uint32_t seed, std::uint32_t projection_index,
                 std::uint64_t source_size, std::uint64_t target_size, bool same_population);

  /// Appends the sources (indices within the source population) of target `target_index` (within its
  /// population) to `out`. `indegree` is used by fixed_total_number (from split_total) and ignored otherwise.
  void sources(std::uint64_t target_index, std::uint64_t indegree, std::vector<std::uint64_t>& out) const;

 private:
  void fixed_indegree(random_stream& s, std::uint64_t t, std::uint64_t k, std::vector<std::uint64_t>& out) const;
  void distinct(random_stream& s, std::uint64_t t, std::uint64_t k, std::vector<std::uint64_t>& out) const;
  void bernoulli(random_stream& s, std::uint64_t t, std::vector<std::uint64_t>& out) const;

  const projection_spec& projection_;
  philox_engine::key_type key_;
  std::uint64_t source_size_;
  std::uint64_t target_size_;
  bool exclude_self_;  ///< same population and no autapses
};

/// Throws the input_error of a distribution that gave no value within its bounds.
[[noreturn]] void throw_no_value_within(const value_distribution& d);

/// Draws from a weight or delay distribution, redrawing outside [lower, upper] as NEST's redraw does, from a
/// random_stream or a buffered_normal_stream (the same values). Throws input_error after 1000 redraws (bounds that
/// exclude almost all of the distribution).
/// Inlined always: the builder draws two values per synapse, and GCC kept it a call (6% of the microcircuit's
/// build).
template <class Stream>
[[gnu::always_inline]] inline double draw_value(const value_distribution& d, Stream& s) {
  using kind = value_distribution::kind;
  if (d.type == kind::constant) return d.a;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double x = d.type == kind::normal ? d.a + d.b * s.normal() : d.a + (d.b - d.a) * s.uniform();
    if (x >= d.lower && x <= d.upper) return x;
  }
  throw_no_value_within(d);
}

/// How many synapses one source neuron has onto `n` given targets of a projection, as a binomial law: `trials`
/// draws that each pick it with probability `p`. Exact for fixed_indegree (per draw with multapses, per target
/// without), pairwise_bernoulli and all_to_all; fixed_total_number's multinomial share of the n targets taken at
/// its mean; one_to_one for a source picked at random (whether it is the one source of one of the n targets).
/// An emulated rank draws its routes from it and `hetspike check` estimates rows with it.
struct synapse_count_law {
  double trials = 0;
  double p = 0;
  double none() const;  ///< probability of no synapse
  double exactly_one() const;
  double mean() const { return trials * p; }
};
synapse_count_law synapses_per_source(const projection_spec& projection, double n, double source_size,
                                      double target_size, bool same_population);

/// The synapse count a projection will have (exact for every rule but pairwise_bernoulli: its mean).
double expected_synapses(const projection_spec& projection, std::uint64_t source_size, std::uint64_t target_size,
                         bool same_population);

}  // namespace hetspike
