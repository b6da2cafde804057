#include "partition/synapse_locator.hpp"

#include <algorithm>

#include "partition/error.hpp"

namespace hetspike {

synapse_locator::synapse_locator(const network_spec& net, const block_partition& partition, const local_layout& layout,
                                 const synapse_store<Kokkos::HostSpace>& store, const std::vector<gid_type>& row_source,
                                 std::size_t projection)
    : store_(store),
      target_(layout.populations[net.projections[projection].target]),
      target_first_index_(target_.first_gid - partition.population_offset(net.projections[projection].target)),
      targets_(net, partition, projection, target_first_index_, target_first_index_ + target_.count) {
  const projection_delivery pd = store.projections(projection);
  if (pd.plastic) {
    weights_ = reinterpret_cast<const char*>(store.plastic_weight.data());
    weight_bytes_ = sizeof(double);
  } else if (pd.has_weights) {
    weights_ = reinterpret_cast<const char*>(store.weight.data());
    weight_bytes_ = sizeof(std::int32_t);
  }
  const std::size_t source = net.projections[projection].source;
  const gid_type source_first = partition.population_offset(source);
  const std::uint64_t source_size = partition.population_size(source);
  const std::size_t blocks = (target_.count + segment_block_size - 1) / segment_block_size;
  start_.assign(blocks, std::vector<cursor>(blocks ? source_size : 0));
  // The rows of the source population are one run of the rows (row_source ascends).
  const auto first_row = std::lower_bound(row_source.begin(), row_source.end(), source_first) - row_source.begin();
  const auto last_row =
      std::lower_bound(row_source.begin(), row_source.end(), source_first + source_size) - row_source.begin();
  for (auto row = static_cast<std::uint64_t>(first_row); row < static_cast<std::uint64_t>(last_row); ++row)
    for (auto s = store.row_segment_begin(row); s < store.row_segment_begin(row + 1); ++s) {
      if (store.segment_projection(s) != projection) continue;
      const std::uint64_t block = (store.segment_column(s) - target_.first_column) / segment_block_size;
      start_[block][row_source[row] - source_first] = {store.segment_begin(s), store.segment_weight_begin(s)};
      size_ += store.segment_begin(s + 1) - store.segment_begin(s);
    }
}

void synapse_locator::missing() {
  throw internal_error(
      "a regenerated synapse is not where the synapse store has it (the store was built from "
      "another network or seed)");
}

}  // namespace hetspike
