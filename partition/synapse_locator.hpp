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
  static constexpr std::size_t prefetch_distance = 32;

  const synapse_store<Kokkos::HostSpace>& store_;
  const local_population& target_;
  std::uint64_t target_first_index_;  ///< first local target within its population
  projection_targets targets_;
  std::vector<std::vector<cursor>> start_;  ///< per (target block, source): its segment's first synapse
  std::uint64_t size_ = 0;
  const char* weights_ = nullptr;  ///< the array weight positions index (none for constant weights)
  std::size_t weight_bytes_ = 0;
};

template <class F>
void synapse_locator::for_each(std::uint64_t end, F&& f) const {
  auto next = start_;
  targets_.for_each(
      [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
        const std::uint64_t local = t - target_first_index_;
        const auto offset = static_cast<std::uint16_t>(local % segment_block_size);
        auto& cursors = next[local / segment_block_size];
        for (std::size_t i = 0; i < sources.size(); ++i) {
          // A target's synapses lie in different rows, far apart: their lines are asked for early (written out
          // here as in the builder, because GCC drops the calls of a prefetch-only function). About 10% faster
          // on hpc_benchmark's 40M plastic synapses per rank.
          if (i + prefetch_distance < sources.size()) {
            const cursor& ahead = cursors[sources[i + prefetch_distance]];
            __builtin_prefetch(store_.target_offset.data() + ahead.synapse);
            if (weights_ != nullptr) __builtin_prefetch(weights_ + ahead.weight * weight_bytes_);
          }
          const std::uint64_t s = sources[i];
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
