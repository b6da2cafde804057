#include "runtime/weight_sampler.hpp"

#include "partition/synapse_locator.hpp"

namespace hetspike {

sampled_synapses find_sampled_synapses(const network_spec& net, const block_partition& partition,
                                       const local_layout& layout, const synapse_store<Kokkos::HostSpace>& store,
                                       std::size_t projection, std::uint64_t targets) {
  sampled_synapses out;
  synapse_locator(net, partition, layout, store, projection, targets)
      .for_each([&](std::uint64_t target, std::uint64_t source, std::uint64_t position) {
        out.source_ids.push_back(source);
        out.target_ids.push_back(target);
        out.positions.push_back(position);
      });
  return out;
}

}  // namespace hetspike
