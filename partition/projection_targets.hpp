#pragma once
// The source draws of a run of one projection's targets, target by target. The connectivity builder generates the
// synapses from them, and whatever must find a synapse in the store again (the weight recorder, the plastic
// weights of a checkpoint) draws them again here: one piece of code, so they cannot disagree about which synapse
// is which.
#include <cstdint>
#include <utility>
#include <vector>

#include "partition/block_partition.hpp"
#include "partition/connection_rules.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

class projection_targets {
 public:
  /// Targets [first, last) of projection `projection`, as indices within the target population.
  projection_targets(const network_spec& net, const block_partition& partition, std::size_t projection,
                     std::uint64_t first, std::uint64_t last);

  std::uint64_t first() const { return first_; }
  std::uint64_t last() const { return last_; }

  /// The synapses targets [begin, end) will have (exact but for pairwise_bernoulli, whose mean it is).
  double expected_synapses(std::uint64_t begin, std::uint64_t end) const;
  /// Whether every source is equally likely for every synapse (all rules but one_to_one).
  bool uniform_sources() const { return spec_->rule != connection_rule::one_to_one; }

  /// Calls f(target index, sources) for every target below `end` in ascending order; `sources` holds indices within
  /// the source population, in draw order (a source appears once per synapse: multapses repeat it).
  template <class F>
  void for_each(F&& f, std::uint64_t end = ~std::uint64_t{0}) const {
    for_each_in(first_, end < last_ ? end : last_, std::forward<F>(f));
  }

  /// As for_each, for the targets in [begin, end) (within the run): threads draw disjoint parts of one run.
  template <class F>
  void for_each_in(std::uint64_t begin, std::uint64_t end, F&& f) const {
    std::vector<std::uint64_t> sources;
    for (std::uint64_t t = begin; t < end; ++t) {
      sources.clear();
      sampler_.sources(t, indegrees_.empty() ? 0 : indegrees_[t - first_], sources);
      f(t, static_cast<const std::vector<std::uint64_t>&>(sources));
    }
  }

 private:
  source_sampler sampler_;
  const projection_spec* spec_;
  std::uint64_t source_size_;
  bool exclude_self_;                     ///< same population, no autapses
  std::vector<std::uint64_t> indegrees_;  ///< fixed_total_number: per target of the run
  std::uint64_t first_;
  std::uint64_t last_;
};

}  // namespace hetspike
