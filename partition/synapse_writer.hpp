#pragma once
// The builder's sink for one source population's placement (source_placement_impl.hpp): writes each placed synapse
// into the store, its target offset and the weight and delay drawn for it from its target's own streams (in draw
// order, so the same synapse gets the same numbers on any rank and thread count). In the bucketed way the values are
// drawn with the sources, into a stash laid out like the placement's keys (per class, at the synapse's place in its
// bucket stretch), and moved to their places once the rows are planned; the target offsets travel in the keys.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "kernels/loihi_quantize.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

class synapse_writer {
 public:
  /// For the classes of source population `population`; `threads` as its placement draws with.
  synapse_writer(const network_spec& net, const class_table& table, std::size_t population, int threads);

  /// The store's arrays, once allocated, and the classes laid out in them: before place().
  void attach(const std::vector<synapse_class>& classes, synapse_store<Kokkos::HostSpace>& store);

  bool visits(std::size_t) const { return true; }
  void target(int thread, const source_placement::projection_run& run, std::uint64_t local_target, std::uint32_t cls,
              const std::vector<std::uint32_t>& positions, bool stashed);
  void stash_begin(const source_placement& placement, const std::vector<std::uint64_t>& room);
  bool stashes(std::uint32_t cls) const {
    const synapse_class& c = table_.classes[cls];
    return stashes_plastic(cls) || c.has_weights || c.has_delays;
  }
  void move_each(std::uint32_t cls, std::span<const std::uint32_t> from, const std::uint16_t* offsets,
                 std::uint32_t to);
  void stash_end();

  /// Over the synapses written: the shortest and longest per-synapse delay (steps; max 0 if none).
  std::int64_t min_delay() const;
  std::int64_t max_delay() const;
  /// Varying weights into chip populations as quantised, summed in target order.
  loihi_quantization_summary quantization() const;

 private:
  /// Whether a class's plastic weights are stashed: not when they all start at the projection's constant, which
  /// the moves write (hpc_benchmark's: 8 bytes a synapse drawn, sorted and moved for nothing).
  bool stashes_plastic(std::uint32_t cls) const {
    return table_.classes[cls].plastic && !initial_plastic_weight(cls).has_value();
  }
  /// A plastic class's weight before learning, where its projection's is a constant.
  const std::optional<double>& initial_plastic_weight(std::uint32_t cls) const {
    return initial_plastic_weight_[cls - first_class_];
  }

  /// The population's k-th class's stretch of each stash array (empty where it keeps no such value).
  template <class T>
  struct stash_array {
    uninitialized_array<T> values;
    std::vector<std::uint64_t> base;  ///< per class of the population
    T* at(std::uint32_t k, std::uint32_t position) { return values.data() + base[k] + position; }
  };

  const network_spec& net_;
  const class_table& table_;
  std::uint32_t first_class_;
  const std::vector<synapse_class>* classes_ = nullptr;  ///< laid out (attach)
  std::uint16_t* target_ = nullptr;
  std::int32_t* weight_ = nullptr;
  double* plastic_ = nullptr;
  std::uint8_t* delay_ = nullptr;
  stash_array<std::int32_t> stash_weight_;
  stash_array<double> stash_plastic_;
  stash_array<std::uint8_t> stash_delay_;
  std::vector<std::optional<double>> initial_plastic_weight_;  ///< per class of the population
  std::vector<std::int64_t> min_delay_, max_delay_;            ///< per thread
  /// Per projection of this source into a chip population (by index, so merged in projection order), per run of
  /// 256 local targets (one thread's each). Only those: one entry per projection of the network, in a writer per
  /// source population, took populations x projections of memory (2.4 GB for 10^4 of each).
  std::map<std::size_t, std::vector<loihi_quantization_summary>> quantization_;
};

}  // namespace hetspike
