#include "runtime/spike_exchange.hpp"

#include <utility>

#include "partition/error.hpp"

namespace hetspike {

lid_type local_id(const block_partition& partition, int rank, gid_type gid) {
  const std::size_t pop = partition.population_of(gid);
  lid_type lid = 0;
  for (std::size_t p = 0; p < pop; ++p) {
    const auto [first, last] = partition.block(p, rank);
    lid += static_cast<lid_type>(last - first);
  }
  return lid + static_cast<lid_type>(gid - partition.block(pop, rank).first);
}

namespace {

/// A row announcement: "source `gid` has row `row` on the sending rank".
struct row_route {
  gid_type gid;
  std::uint32_t row;
  std::uint32_t pad;
};

}  // namespace

spike_exchange::spike_exchange(const distributed_context& ctx, const block_partition& partition,
                               const std::vector<gid_type>& row_source)
    : ctx_(ctx),
      send_counts_(ctx.size(), 0),
      send_displs_(ctx.size(), 0),
      recv_counts_(ctx.size(), 0),
      recv_displs_(ctx.size(), 0) {
  const int rank = ctx.rank();
  // Tell each owner which of its neurons have rows here. row_source is ascending and owners are contiguous
  // blocks per population, so the announcements are grouped by owner after one counting pass.
  std::vector<int> counts(ctx.size(), 0);
  std::vector<int> owner(row_source.size());
  for (std::size_t r = 0; r < row_source.size(); ++r) ++counts[owner[r] = partition.owner(row_source[r])];
  auto displs = distributed_context::displacements(counts);
  std::vector<row_route> announce(row_source.size());
  {
    auto next = displs;
    for (std::size_t r = 0; r < row_source.size(); ++r)
      announce[next[owner[r]]++] = row_route{row_source[r], static_cast<std::uint32_t>(r), 0};
  }
  std::vector<int> from_counts;
  const auto routes = ctx.alltoallv(std::span<const row_route>(announce), counts, from_counts);

  // Invert into a table per local neuron; routes arrive in rank order, so each neuron's list is ascending.
  const std::uint64_t n_local = partition.num_local(rank);
  route_begin_.assign(n_local + 1, 0);
  std::vector<lid_type> lid(routes.size());
  for (std::size_t i = 0; i < routes.size(); ++i)
    ++route_begin_[(lid[i] = local_id(partition, rank, routes[i].gid)) + 1];
  for (std::uint64_t i = 0; i < n_local; ++i) route_begin_[i + 1] += route_begin_[i];
  route_rank_.resize(routes.size());
  route_row_.resize(routes.size());
  auto next = route_begin_;
  std::size_t i = 0;
  for (int from = 0; from < ctx.size(); ++from)
    for (int k = 0; k < from_counts[from]; ++k, ++i) {
      const auto pos = next[lid[i]]++;
      route_rank_[pos] = static_cast<std::uint32_t>(from);
      route_row_[pos] = routes[i].row;
    }
}

std::span<const spike_message> spike_exchange::exchange(std::span<const local_spike> spikes) {
  std::fill(send_counts_.begin(), send_counts_.end(), 0);
  for (const auto& s : spikes)
    for (auto k = route_begin_[s.lid]; k < route_begin_[s.lid + 1]; ++k) ++send_counts_[route_rank_[k]];
  int total = 0;
  for (std::size_t r = 0; r < send_counts_.size(); ++r) {
    send_displs_[r] = total;
    total += send_counts_[r];
  }
  if (send_.size() < static_cast<std::size_t>(total)) send_.resize(static_cast<std::size_t>(total) * 2);
  auto next = send_displs_;
  for (const auto& s : spikes)
    for (auto k = route_begin_[s.lid]; k < route_begin_[s.lid + 1]; ++k)
      send_[next[route_rank_[k]]++] = spike_message{route_row_[k], s.lag};
  messages_sent_ += static_cast<std::uint64_t>(total);

  ctx_.alltoall_into(send_counts_, recv_counts_);
  int received = 0;
  for (std::size_t r = 0; r < recv_counts_.size(); ++r) {
    recv_displs_[r] = received;
    received += recv_counts_[r];
  }
  if (recv_.size() < static_cast<std::size_t>(received)) recv_.resize(static_cast<std::size_t>(received) * 2);
  ctx_.alltoallv_into(send_.data(), send_counts_, send_displs_, recv_.data(), recv_counts_, recv_displs_);
  return {recv_.data(), static_cast<std::size_t>(received)};
}

}  // namespace hetspike
