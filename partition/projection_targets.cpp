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
  const double n = static_cast<double>(end - begin), candidates = static_cast<double>(source_size_) - exclude_self_;
  switch (spec_->rule) {
    case connection_rule::fixed_indegree:
      return n * static_cast<double>(spec_->indegree);
    case connection_rule::fixed_total_number: {
      double sum = 0;
      for (std::uint64_t t = begin; t < end; ++t) sum += static_cast<double>(indegrees_[t - first_]);
      return sum;
    }
    case connection_rule::pairwise_bernoulli:
      return n * spec_->probability * candidates;
    case connection_rule::one_to_one:
      return exclude_self_ ? 0.0 : n;
    case connection_rule::all_to_all:
      return n * candidates;
  }
  return 0.0;
}

}  // namespace hetspike
