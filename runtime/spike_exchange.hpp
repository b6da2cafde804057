#pragma once
// Sends each interval's spikes to the ranks that hold rows of their sources (DESIGN.md, "The simulation loop"):
// one MPI_Alltoall of counts and one MPI_Alltoallv of 8-byte messages, each naming the receiver's row, so that
// delivery needs no lookup. The routes (partition/routing_table.hpp) are built once. Two kinds: the collective
// exchange of a real job, and the emulated exchange of one rank of a job built alone (emulated_spike_exchange.hpp).
// Buffers are reused: no allocation once the largest interval has passed.
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "partition/block_partition.hpp"
#include "partition/routing_table.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

class spike_exchange {
 public:
  virtual ~spike_exchange() = default;

  /// Sends the spikes of the interval [start, start + steps) of the local neurons (in lag order) and returns the
  /// messages every rank sent here. Collective in a real job.
  virtual std::span<const spike_message> exchange(std::span<const local_spike> spikes, step_type start,
                                                  step_type steps) = 0;

  const routing_table& routes() const { return routes_; }
  std::uint64_t messages_sent() const { return messages_sent_; }
  std::uint64_t bytes_sent() const { return messages_sent_ * sizeof(spike_message); }
  std::uint64_t messages_received() const { return messages_received_; }
  std::uint64_t intervals() const { return intervals_; }

 protected:
  /// Sorts the spikes' messages by destination rank into send_ (counts and displacements per rank).
  void pack(std::span<const local_spike> spikes);

  routing_table routes_;
  std::vector<int> send_counts_, send_displs_;
  std::vector<spike_message> send_;
  std::uint64_t messages_sent_ = 0, messages_received_ = 0, intervals_ = 0;
};

/// Every rank of a real job, through the distributed context.
class collective_spike_exchange final : public spike_exchange {
 public:
  /// Collective: tells the owner of each row's source which row it has here. `row_source[r]`: the index of row r's
  /// source within its population (emptied once announced, to make room for the routes); the rows of population p
  /// are [population_first_row[p], [p + 1]).
  collective_spike_exchange(const distributed_context& ctx, const block_partition& partition,
                            std::vector<std::uint32_t>&& row_source,
                            const std::vector<std::uint64_t>& population_first_row);

  std::span<const spike_message> exchange(std::span<const local_spike> spikes, step_type start,
                                          step_type steps) override;

 private:
  distributed_context ctx_;
  std::vector<int> recv_counts_, recv_displs_;
  std::vector<spike_message> recv_;
};

/// The local id of a gid this rank owns (local ids run population by population).
lid_type local_id(const block_partition& partition, int rank, gid_type gid);

}  // namespace hetspike
