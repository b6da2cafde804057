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

void spike_exchange::pack(std::span<const local_spike> spikes) {
  std::fill(send_counts_.begin(), send_counts_.end(), 0);
  for (const auto& s : spikes)
    routes_.for_each_route(s.lid, [&](std::uint32_t rank, std::uint32_t) { ++send_counts_[rank]; });
  int total = 0;
  for (std::size_t r = 0; r < send_counts_.size(); ++r) {
    send_displs_[r] = total;
    total += send_counts_[r];
  }
  if (send_.size() < static_cast<std::size_t>(total)) send_.resize(static_cast<std::size_t>(total) * 2);
  auto next = send_displs_;
  for (const auto& s : spikes)
    routes_.for_each_route(s.lid, [&](std::uint32_t rank, std::uint32_t row) {
      send_[next[rank]++] = spike_message{row, s.lag};
    });
  messages_sent_ += static_cast<std::uint64_t>(total);
  ++intervals_;
}

collective_spike_exchange::collective_spike_exchange(const distributed_context& ctx, const block_partition& partition,
                                                     std::vector<std::uint32_t>&& row_source,
                                                     const std::vector<std::uint64_t>& population_first_row)
    : ctx_(ctx), recv_counts_(ctx.size(), 0), recv_displs_(ctx.size(), 0) {
  send_counts_.assign(ctx.size(), 0);
  send_displs_.assign(ctx.size(), 0);
  // Tell each owner which of its neurons have rows here: announcements grouped by owner after a counting pass
  // (owners are found twice rather than kept: nothing per row beyond the announcement itself).
  auto for_each_row = [&](auto&& f) {
    for (std::size_t p = 0; p + 1 < population_first_row.size(); ++p)
      for (std::uint64_t r = population_first_row[p]; r < population_first_row[p + 1]; ++r)
        f(p, r, partition.population_offset(p) + row_source[r]);
  };
  std::vector<int> counts(ctx.size(), 0);
  for_each_row([&](std::size_t, std::uint64_t, gid_type gid) { ++counts[partition.owner(gid)]; });
  std::vector<row_announcement> announce(row_source.size());
  {
    auto next = distributed_context::displacements(counts);
    // local_id, with each owner's count of neurons in the populations before kept as the rows go population by
    // population (O(populations x ranks) in all), not summed again for every row (O(rows x populations)).
    std::vector<lid_type> before(ctx.size(), 0);
    std::size_t counted = 0;  // populations in `before`
    for_each_row([&](std::size_t p, std::uint64_t row, gid_type gid) {
      for (; counted < p; ++counted)
        for (int q = 0; q < ctx.size(); ++q) {
          const auto [first, last] = partition.block(counted, q);
          before[q] += static_cast<lid_type>(last - first);
        }
      const int owner = partition.owner(gid);
      const auto lid = before[owner] + static_cast<lid_type>(gid - partition.block(p, owner).first);
      announce[next[owner]++] = {lid, static_cast<std::uint32_t>(row)};
    });
  }
  std::vector<std::uint32_t>().swap(row_source);
  std::vector<int> from_counts;
  const auto received = ctx.alltoallv(std::span<const row_announcement>(announce), counts, from_counts);
  std::vector<row_announcement>().swap(announce);
  routes_ = routing_table::from_announcements(partition.num_local(ctx.rank()), received, from_counts);
}

std::span<const spike_message> collective_spike_exchange::exchange(std::span<const local_spike> spikes, step_type,
                                                                   step_type) {
  pack(spikes);
  ctx_.alltoall_into(send_counts_, recv_counts_);
  int received = 0;
  for (std::size_t r = 0; r < recv_counts_.size(); ++r) {
    recv_displs_[r] = received;
    received += recv_counts_[r];
  }
  if (recv_.size() < static_cast<std::size_t>(received)) recv_.resize(static_cast<std::size_t>(received) * 2);
  ctx_.alltoallv_into(send_.data(), send_counts_, send_displs_, recv_.data(), recv_counts_, recv_displs_);
  messages_received_ += static_cast<std::uint64_t>(received);
  return {recv_.data(), static_cast<std::size_t>(received)};
}

}  // namespace hetspike
