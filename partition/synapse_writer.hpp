#pragma once
// The builder's sink for source_placement (source_placement_impl.hpp): writes each placed synapse into the store,
// its target offset and the weight and delay drawn for it from its target's own streams (in draw order, so the
// same synapse gets the same numbers on any rank and thread count). In the bucketed way synapses are first
// written to a stash laid out like the store's part for the population, and moved to their places once planned.
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/loihi_quantize.hpp"
#include "partition/source_placement.hpp"

namespace hetspike {

class synapse_writer {
 public:
  synapse_writer(const network_spec& net, const class_table& table, const std::vector<synapse_class>& classes,
                 synapse_store<Kokkos::HostSpace>& store, int threads);

  bool visits(std::size_t) const { return true; }
  void target(int thread, const source_placement::projection_run& run, std::uint64_t local_target, std::uint32_t cls,
              std::span<const std::uint32_t> sources, const std::vector<std::uint32_t>& positions, bool stashed);
  void stash_begin(const source_placement& placement, const std::vector<synapse_class>& classes,
                   const std::uint32_t* keys);
  bool permutes(std::uint32_t cls) const {
    const synapse_class& c = classes_[cls];
    return c.plastic || c.has_weights || c.has_delays;
  }
  void permute(std::uint32_t cls, std::uint32_t first, const std::vector<std::uint32_t>& order);
  void move(std::uint32_t cls, std::uint32_t from, std::uint32_t to, std::uint32_t n);
  void move_each(std::uint32_t cls, const std::vector<std::uint32_t>& from, std::uint32_t to);
  void stash_end();

  /// Over the synapses written: the shortest and longest per-synapse delay (steps; max 0 if none).
  std::int64_t min_delay() const;
  std::int64_t max_delay() const;
  /// Varying weights into chip populations as quantised, summed in target order.
  loihi_quantization_summary quantization() const;

 private:
  /// Where synapse k's values go: array[k (+ shift) - base].
  struct destination {
    std::uint16_t* target = nullptr;
    std::int32_t* weight = nullptr;
    double* plastic = nullptr;
    std::uint8_t* delay = nullptr;
    std::int64_t target_base = 0, weight_base = 0, plastic_base = 0, delay_base = 0;
  };

  const network_spec& net_;
  const class_table& table_;
  const std::vector<synapse_class>& classes_;
  destination store_, stash_;  ///< the stash's targets are in the placement's keys (low halves)
  const std::uint32_t* keys_ = nullptr;
  std::int64_t keys_base_ = 0;
  std::vector<std::int32_t> stash_weight_;
  std::vector<double> stash_plastic_;
  std::vector<std::uint8_t> stash_delay_;
  std::vector<std::int64_t> min_delay_, max_delay_;  ///< per thread
  /// Per projection into a chip population, per run of 256 local targets (one thread's each).
  std::vector<std::vector<loihi_quantization_summary>> quantization_;
};

}  // namespace hetspike
