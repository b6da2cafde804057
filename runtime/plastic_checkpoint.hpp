#pragma once
// The plastic state of a rank (stdp_pl_synapse_hom) in a checkpoint, in arrays that do not depend on the rank
// count, so that any number of ranks can continue it:
//
//   projections/<i>/plastic_weight         every synapse of plastic projection i in canonical order
//                                          (partition/synapse_locator.hpp: target gid, then draw index)
//   populations/<P>/stdp/k_plus            per neuron of a population with plastic projections out of it: K+ and
//   populations/<P>/stdp/last_pre_stamp    the stamp of its last spike (rows on several ranks hold equal values:
//                                          each receives all the source's spikes; the source's owner writes them)
//   populations/<P>/stdp/k_minus           per neuron of a population with plastic projections into it: K-, the
//   populations/<P>/stdp/last_post_stamp   stamp of its last spike and the length of its spike history
//   populations/<P>/stdp/history_length
//   populations/<P>/stdp/history_stamp     the histories end to end in gid order
//   populations/<P>/stdp/history_k_minus
//
// A rank keeps the post spikes any of its rows may still read (pruned by the oldest last pre spike among them);
// a target's sources are the same rows on any rank count, so the stored histories hold all any split needs. Nothing
// here is per neuron of a whole population: each rank writes and reads its own slices.
#include <functional>
#include <memory>
#include <vector>

#include "kernels/stdp_pl.hpp"
#include "kernels/synapse_store.hpp"
#include "partition/local_network.hpp"
#include "partition/routing_table.hpp"
#include "runtime/checkpoint_snapshot.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

class plastic_checkpoint {
 public:
  /// `routes`: where each local neuron's rows are. Keeps references to all arguments.
  plastic_checkpoint(const distributed_context& ctx, const network_spec& net, const block_partition& partition,
                     const local_layout& layout, synapse_store<Kokkos::HostSpace>& store, const routing_table& routes,
                     stdp_pl_rows& rows, stdp_pl_source_traces& sources, post_spike_history& post);

  /// Collective: adds copies of the state to `snap`, for writing.
  void add_to(checkpoint_snapshot& snap) const;

  /// Collective: reads the state from `source` (in two reads: the histories' lengths come first) and adds to
  /// `snap.commit` the copies into the state, so that nothing changes before every read has succeeded.
  void read(checkpoint_source& source, checkpoint_snapshot& snap) const;

 private:
  /// Populations with plastic projections out of them (sources) or into them (targets), ascending.
  std::vector<std::size_t> populations(bool sources) const;
  std::string prefix(std::size_t population) const;
  /// Collective: sends the K+ and last spike read for each local neuron of `population` to its rows; returns the
  /// copies into the rows that have plastic synapses, to run at commit.
  std::function<void()> scatter_to_rows(std::size_t population, const std::vector<double>& k_plus,
                                        const std::vector<step_type>& last) const;
  /// A buffer with one element per local neuron of `population`, kept in `snap`, and a field over it.
  template <class T>
  std::shared_ptr<std::vector<T>> neuron_field(checkpoint_snapshot& snap, std::vector<checkpoint_field>& fields,
                                               std::size_t population, const std::string& name) const;

  distributed_context ctx_;
  const network_spec& net_;
  const block_partition& partition_;
  const local_layout& layout_;
  synapse_store<Kokkos::HostSpace>& store_;
  const routing_table& routes_;
  stdp_pl_rows& rows_;
  stdp_pl_source_traces& sources_;
  post_spike_history& post_;
};

}  // namespace hetspike
