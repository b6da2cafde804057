#include "partition/routing_table.hpp"

#include "kernels/content_hash.hpp"
#include "partition/error.hpp"

namespace hetspike {

void routing_table::allocate(std::uint64_t num_local) {
  delta_.resize(begin_[num_local]);
  row_.resize(begin_[num_local]);
}

void routing_table::store(std::uint64_t& at, std::uint64_t previous, std::uint64_t rank, std::uint32_t row) {
  std::uint64_t delta = rank - previous;
  for (; delta > max_delta; delta -= max_delta, ++at) {
    delta_[at] = static_cast<std::uint16_t>(max_delta);
    row_[at] = hop;
  }
  delta_[at] = static_cast<std::uint16_t>(delta);
  row_[at] = row;
  ++at;
}

routing_table routing_table::from_announcements(std::uint64_t num_local,
                                                std::span<const row_announcement> announcements,
                                                const std::vector<int>& per_rank) {
  routing_table t;
  t.begin_.assign(num_local + 1, 0);
  std::vector<std::uint32_t> last(num_local, 0);  // the rank of each neuron's previous route (0 before the first)
  std::size_t i = 0;
  for (std::size_t rank = 0; rank < per_rank.size(); ++rank)
    for (int k = 0; k < per_rank[rank]; ++k, ++i) {
      const std::uint32_t lid = announcements[i].lid;
      if (lid >= num_local) throw internal_error("routing_table: an announcement for a neuron this rank lacks");
      t.begin_[lid + 1] += entries(rank - last[lid]);
      last[lid] = static_cast<std::uint32_t>(rank);
    }
  for (std::uint64_t lid = 0; lid < num_local; ++lid) t.begin_[lid + 1] += t.begin_[lid];
  t.allocate(num_local);
  std::vector<std::uint64_t> at(t.begin_.begin(), t.begin_.end() - 1);
  std::fill(last.begin(), last.end(), 0u);
  i = 0;
  for (std::size_t rank = 0; rank < per_rank.size(); ++rank)
    for (int k = 0; k < per_rank[rank]; ++k, ++i) {
      const auto& a = announcements[i];
      t.store(at[a.lid], last[a.lid], rank, a.row);
      last[a.lid] = static_cast<std::uint32_t>(rank);
    }
  t.routes_ = announcements.size();
  return t;
}

std::uint64_t routing_table::content_hash_value() const {
  content_hash h;
  h.add(begin_.data(), begin_.size() * sizeof(std::uint64_t));
  h.add(delta_.data(), delta_.size() * sizeof(std::uint16_t));
  h.add(row_.data(), row_.size() * sizeof(std::uint32_t));
  return h.value();
}

std::uint64_t routing_table::num_routes(lid_type lid) const {
  std::uint64_t n = 0;
  for (std::uint64_t k = begin_[lid]; k < begin_[lid + 1]; ++k) n += row_[k] != hop;
  return n;
}

}  // namespace hetspike
