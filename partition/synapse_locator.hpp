#pragma once
// Finds the synapses of one projection in a rank's store again, in the projection's canonical order: target by
// target (ascending gid), each target's synapses in the order its sources were drawn. The store is ordered by
// source, so the targets' sources are drawn again (projection_targets) and followed with one cursor per segment,
// exactly as the builder filled them. The canonical order does not depend on the rank count, and a rank's
// targets are one contiguous run of each population, so its synapses are one contiguous slice of the
// projection's: what plastic weights in a checkpoint and a weight recorder's samples are indexed by.
#include <cstdint>
#include <vector>

#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"
#include "partition/projection_targets.hpp"

namespace hetspike {

class synapse_locator {
 public:
  /// `row_source` is the source gid of each row of `store` (built_connectivity::row_source).
  synapse_locator(const network_spec& net, const block_partition& partition, const local_layout& layout,
                  const synapse_store<Kokkos::HostSpace>& store, const std::vector<gid_type>& row_source,
                  std::size_t projection);

  /// The projection's synapses in the store.
  std::uint64_t size() const { return size_; }

  /// Calls f(target, source, weight position) for every synapse of the projection onto a local target below
  /// `end` (target and source as indices within their populations), in canonical order. The weight position
  /// indexes synapse_store::plastic_weight for a plastic projection, synapse_store::weight for one with varying
  /// static weights. Throws internal_error if a regenerated synapse is not where the store has it.
  template <class F>
  void for_each(std::uint64_t end, F&& f) const;

 private:
  static constexpr std::uint64_t none = ~std::uint64_t{0};
  struct cursor {
    std::uint64_t synapse = none;
    std::uint64_t weight = none;
  };
  [[noreturn]] static void missing();

  const synapse_store<Kokkos::HostSpace>& store_;
  const local_population& target_;
  std::uint64_t target_first_index_;  ///< first local target within its population
  projection_targets targets_;
  std::vector<std::vector<cursor>> start_;  ///< per (target block, source): its segment's first synapse
  std::uint64_t size_ = 0;
};

template <class F>
void synapse_locator::for_each(std::uint64_t end, F&& f) const {
  auto next = start_;
  targets_.for_each(
      [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
        const std::uint64_t local = t - target_first_index_;
        const auto offset = static_cast<std::uint16_t>(local % segment_block_size);
        auto& cursors = next[local / segment_block_size];
        for (auto s : sources) {
          cursor& c = cursors[s];
          if (c.synapse == none || store_.target_offset(c.synapse) != offset) missing();
          f(t, s, c.weight);
          ++c.synapse;
          ++c.weight;
        }
      },
      end);
}

}  // namespace hetspike
