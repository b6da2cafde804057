#include "runtime/placement.hpp"

#include <algorithm>

namespace hetspike {

block_partition make_placement(const distributed_context& ctx, const run_spec& spec, backend_kind mine,
                               const std::vector<double>& rank_weights) {
  const auto kinds = all_backends(ctx, mine);
  const auto is_chip = [](backend_kind k) { return k == backend_kind::neuromorphic; };
  const bool any_chip = std::any_of(kinds.begin(), kinds.end(), is_chip);
  const bool any_other = std::any_of(kinds.begin(), kinds.end(), [&](backend_kind k) { return !is_chip(k); });
  std::vector<std::uint64_t> sizes;
  std::vector<std::vector<bool>> eligible;
  for (const auto& p : spec.network.populations) {
    sizes.push_back(p.size);
    const bool chip_model = is_neuromorphic(p.params);
    std::vector<bool> ranks(kinds.size());
    for (std::size_t r = 0; r < kinds.size(); ++r)
      ranks[r] = chip_model ? (!any_chip || is_chip(kinds[r])) : (!any_other || !is_chip(kinds[r]));
    eligible.push_back(std::move(ranks));
  }
  return block_partition(sizes, ctx.size(), rank_weights, eligible);
}

block_partition make_emulated_placement(const run_spec& spec, int ranks) {
  std::vector<std::uint64_t> sizes;
  for (const auto& p : spec.network.populations) sizes.push_back(p.size);
  return block_partition(sizes, ranks);
}

}  // namespace hetspike
