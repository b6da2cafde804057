#include "partition/projection_targets.hpp"

#include "partition/binomial.hpp"

namespace hetspike {

projection_targets::projection_targets(const network_spec& net, const block_partition& partition,
                                       std::size_t projection, std::uint64_t first, std::uint64_t last)
    : sampler_(net.projections[projection], net.seed, static_cast<std::uint32_t>(projection),
               partition.population_size(net.projections[projection].source),
               partition.population_size(net.projections[projection].target),
               net.projections[projection].source == net.projections[projection].target),
      spec_(&net.projections[projection]),
      source_size_(partition.population_size(net.projections[projection].source)),
      exclude_self_(net.projections[projection].source == net.projections[projection].target &&
                    !net.projections[projection].autapses),
      first_(first),
      last_(last) {
  const auto& p = net.projections[projection];
  // The total is split over all targets by one sequence of binomial draws; each run takes its own part of it.
  if (p.rule == connection_rule::fixed_total_number && last > first)
    indegrees_ =
        split_total(make_rng_key(net.seed, rng_purpose::total_number_split, static_cast<std::uint32_t>(projection)),
                    p.total, partition.population_size(p.target), first, last);
}

double projection_targets::expected_synapses(std::uint64_t begin, std::uint64_t end) const {
  // fixed_total_number: the share these targets drew; one_to_one onto itself without autapses: none.
  if (spec_->rule == connection_rule::fixed_total_number) {
    double sum = 0;
    for (std::uint64_t t = begin; t < end; ++t) sum += static_cast<double>(indegrees_[t - first_]);
    return sum;
  }
  if (spec_->rule == connection_rule::one_to_one && exclude_self_) return 0.0;
  return hetspike::expected_synapses(*spec_, source_size_, end - begin, exclude_self_);
}

}  // namespace hetspike
