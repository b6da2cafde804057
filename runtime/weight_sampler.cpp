#include "runtime/weight_sampler.hpp"

#include <algorithm>
#include <map>

#include "partition/binomial.hpp"
#include "partition/connection_rules.hpp"
#include "partition/error.hpp"

namespace hetspike {

namespace {

/// The position of the k-th synapse onto target `offset` in the segment of `row` for (projection, column).
std::uint64_t position_of(const synapse_store<Kokkos::HostSpace>& store, std::uint64_t row, std::size_t projection,
                          std::uint32_t column, std::uint16_t offset, std::uint64_t k) {
  for (auto s = store.row_segment_begin(row); s < store.row_segment_begin(row + 1); ++s) {
    if (store.segment_projection(s) != projection || store.segment_column(s) != column) continue;
    const auto* first = store.target_offset.data() + store.segment_begin(s);
    const auto* last = store.target_offset.data() + store.segment_begin(s + 1);
    const auto* at = std::lower_bound(first, last, offset) + k;  // targets are sorted within a segment
    if (at >= last || *at != offset) break;
    return store.segment_weight_begin(s) + static_cast<std::uint64_t>(at - first);
  }
  throw internal_error("weight recorder: a regenerated synapse is missing from the store");
}

}  // namespace

sampled_synapses find_sampled_synapses(const network_spec& net, const block_partition& partition,
                                       const local_layout& layout, const synapse_store<Kokkos::HostSpace>& store,
                                       const std::vector<gid_type>& row_source, std::size_t projection,
                                       std::uint64_t targets) {
  const auto& p = net.projections[projection];
  const auto& lp = layout.populations[p.target];
  const gid_type target_first = partition.population_offset(p.target);
  const gid_type source_first = partition.population_offset(p.source);
  const std::uint64_t local_first = lp.first_gid - target_first;
  const std::uint64_t local_last = std::min<std::uint64_t>(local_first + lp.count, targets);
  sampled_synapses out;
  if (local_last <= local_first) return out;
  const source_sampler sampler(p, net.seed, static_cast<std::uint32_t>(projection), partition.population_size(p.source),
                               partition.population_size(p.target), p.source == p.target);
  const auto indegrees =
      p.rule == connection_rule::fixed_total_number
          ? split_total(make_rng_key(net.seed, rng_purpose::total_number_split, static_cast<std::uint32_t>(projection)),
                        p.total, partition.population_size(p.target), local_first, local_last)
          : std::vector<std::uint64_t>{};
  std::vector<std::uint64_t> sources;
  for (std::uint64_t t = local_first; t < local_last; ++t) {
    sources.clear();
    sampler.sources(t, indegrees.empty() ? 0 : indegrees[t - local_first], sources);
    const std::uint64_t local = t - local_first;
    const auto column = lp.first_column + static_cast<std::uint32_t>(local / segment_block_size * segment_block_size);
    const auto offset = static_cast<std::uint16_t>(local % segment_block_size);
    std::map<std::uint64_t, std::uint64_t> seen;  // k-th occurrence of a source (multapses)
    for (auto s : sources) {
      const auto row = static_cast<std::uint64_t>(
          std::lower_bound(row_source.begin(), row_source.end(), source_first + s) - row_source.begin());
      out.source_ids.push_back(s);
      out.target_ids.push_back(t);
      out.positions.push_back(position_of(store, row, projection, column, offset, seen[s]++));
    }
  }
  return out;
}

}  // namespace hetspike
