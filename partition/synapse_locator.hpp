#pragma once
// Finds the synapses of one projection in a rank's store again, in the projection's canonical order: target by
// target (ascending gid), each target's synapses in the order its sources were drawn. The canonical order does not
// depend on the rank count, and a rank's targets are one contiguous run of each population, so its synapses are one
// contiguous slice of the projection's: what plastic weights in a checkpoint and a weight recorder's samples are
// indexed by. The store is ordered by source, so the placement is replayed (source_placement: both draws, the rows
// planned again, no synapse written) to learn where each synapse went; nothing is kept per source of the network.
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"
#include "partition/projection_targets.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

class synapse_locator {
 public:
  static constexpr std::uint64_t all_targets = std::numeric_limits<std::uint64_t>::max();

  /// The projection's synapses onto the local targets whose index within their population is below `end`.
  synapse_locator(const network_spec& net, const block_partition& partition, const local_layout& layout,
                  const synapse_store<Kokkos::HostSpace>& store, std::size_t projection,
                  std::uint64_t end = all_targets, const placement_options& options = {});

  std::uint64_t size() const { return positions_.size(); }

  /// Calls f(target, source, weight position) for each synapse in canonical order (target and source as indices
  /// within their populations). The weight position indexes synapse_store::plastic_weight for a plastic
  /// projection, synapse_store::weight for one with varying static weights. Throws internal_error if a
  /// regenerated synapse is not where the store has it.
  template <class F>
  void for_each(F&& f) const;

 private:
  [[noreturn]] static void missing();

  const synapse_store<Kokkos::HostSpace>& store_;
  const local_population& target_;
  std::uint64_t target_first_index_;
  std::uint64_t end_;
  std::uint32_t first_class_ = 0;  ///< the class of the projection's first block of targets
  projection_targets targets_;
  std::vector<std::uint64_t> positions_;  ///< store index of each synapse, canonical order
};

template <class F>
void synapse_locator::for_each(F&& f) const {
  std::uint64_t i = 0;
  targets_.for_each(
      [&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
        const std::uint64_t local = t - target_first_index_;
        const auto offset = static_cast<std::uint16_t>(local % segment_block_size);
        const synapse_class& c = store_.classes(first_class_ + static_cast<std::uint32_t>(local / segment_block_size));
        for (auto s : sources) {
          if (i >= positions_.size()) missing();
          const std::uint64_t k = positions_[i++];
          if (store_.target_offset(k) != offset) missing();
          f(t, s, static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + c.weight_shift));
        }
      },
      end_);
}

}  // namespace hetspike
