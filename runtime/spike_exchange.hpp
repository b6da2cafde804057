#pragma once
// Sends each interval's spikes to the ranks that hold targets of them, in one MPI_Alltoall of counts and one
// MPI_Alltoallv of 8-byte messages (DESIGN.md, "The simulation loop"). The routing is built once: every rank
// tells the owners of its rows' sources which row each source has here, so a message carries the receiver's
// row and delivery needs no lookup. Buffers are reused: no allocation once the largest interval has passed.
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/spike_collect.hpp"
#include "kernels/spike_delivery.hpp"
#include "partition/block_partition.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

class spike_exchange {
 public:
  /// Collective. `row_source`: the source gid of each of this rank's synapse rows, ascending.
  spike_exchange(const distributed_context& ctx, const block_partition& partition,
                 const std::vector<gid_type>& row_source);

  /// Collective: sends the interval's local spikes, returns the messages every rank sent here.
  std::span<const spike_message> exchange(std::span<const local_spike> spikes);

  std::uint64_t messages_sent() const { return messages_sent_; }
  std::uint64_t bytes_sent() const { return messages_sent_ * sizeof(spike_message); }
  /// Destinations per local neuron summed: the routing table's size.
  std::uint64_t num_routes() const { return route_rank_.size(); }

 private:
  distributed_context ctx_;
  std::vector<std::uint64_t> route_begin_;  ///< per local neuron + 1, into route_rank_/route_row_
  std::vector<std::uint32_t> route_rank_;   ///< ascending within a neuron
  std::vector<std::uint32_t> route_row_;
  std::vector<int> send_counts_, send_displs_, recv_counts_, recv_displs_;
  std::vector<spike_message> send_, recv_;
  std::uint64_t messages_sent_ = 0;
};

/// The local id of a gid this rank owns (local ids run population by population).
lid_type local_id(const block_partition& partition, int rank, gid_type gid);

}  // namespace hetspike
