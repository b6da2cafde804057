#include "runtime/weight_sampler.hpp"

#include <algorithm>
#include <map>

#include "partition/error.hpp"
#include "partition/projection_targets.hpp"
#include "partition/synapse_classes.hpp"

namespace hetspike {

namespace {

/// Calls f(target, local target, sources) for the projection's local targets among the first `targets` of their
/// population (target: within the population; local target: counted from the rank's first).
template <class F>
void for_each_sampled_target(const network_spec& net, const block_partition& partition, const local_layout& layout,
                             std::size_t projection, std::uint64_t targets, F&& f) {
  const auto& lp = layout.populations[net.projections[projection].target];
  const std::uint64_t first = lp.first_gid - partition.population_offset(net.projections[projection].target);
  projection_targets(net, partition, projection, first, first + lp.count)
      .for_each([&](std::uint64_t t, const std::vector<std::uint64_t>& sources) { f(t, t - first, sources); }, targets);
}

}  // namespace

std::vector<std::uint32_t> sampled_sources(const network_spec& net, const block_partition& partition,
                                           const local_layout& layout, std::size_t projection, std::uint64_t targets) {
  std::vector<std::uint32_t> out;
  for_each_sampled_target(net, partition, layout, projection, targets,
                          [&](std::uint64_t, std::uint64_t, const std::vector<std::uint64_t>& sources) {
                            out.insert(out.end(), sources.begin(), sources.end());
                          });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

sampled_synapses find_sampled_synapses(const network_spec& net, const block_partition& partition,
                                       const local_layout& layout, const synapse_store<Kokkos::HostSpace>& store,
                                       std::size_t projection, std::uint64_t targets,
                                       const std::vector<std::uint32_t>& sources,
                                       const std::vector<std::uint32_t>& rows) {
  const class_table table = make_class_table(net, layout);
  auto missing = [] {
    throw internal_error(
        "a sampled synapse is not where the synapse store has it (the store was built from "
        "another network or seed)");
  };
  sampled_synapses out;
  for_each_sampled_target(
      net, partition, layout, projection, targets,
      [&](std::uint64_t t, std::uint64_t local, const std::vector<std::uint64_t>& drawn) {
        const std::uint32_t cls = table.of(projection, local);
        const auto offset = static_cast<std::uint16_t>(local % segment_block_size);
        std::map<std::uint64_t, std::uint64_t> seen;  // draws of each source so far for this target (multapses)
        for (auto s : drawn) {
          const auto it = std::lower_bound(sources.begin(), sources.end(), static_cast<std::uint32_t>(s));
          if (it == sources.end() || *it != s || rows[static_cast<std::size_t>(it - sources.begin())] == ~0u) missing();
          const std::uint32_t row = rows[static_cast<std::size_t>(it - sources.begin())];
          std::uint64_t position = ~std::uint64_t{0};
          store.for_each_segment(row, [&](std::uint32_t c, std::uint64_t b, std::uint64_t e) {
            if (c != cls) return;
            const auto* begin = store.target_offset.data();
            const std::uint64_t k =
                static_cast<std::uint64_t>(std::lower_bound(begin + b, begin + e, offset) - begin) + seen[s];
            if (k < e && store.target_offset(k) == offset)
              position = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + store.classes(c).weight_shift);
          });
          if (position == ~std::uint64_t{0}) missing();
          ++seen[s];
          out.source_ids.push_back(s);
          out.target_ids.push_back(t);
          out.positions.push_back(position);
        }
      });
  return out;
}

}  // namespace hetspike
