#pragma once
// Independent Poisson spike trains into every neuron of a population. The count for neuron g at step s is a
// pure function of (seed, input, g, s): word s mod 4 of the Philox block at counter (g, s / 4), inverted
// through an integer CDF table (poisson_table.hpp). So input does not depend on ranks, threads or backend.
// Host backends count lanes of neurons at once without a branch; devices take one neuron per thread. Both give
// the same counts (tests/device/test_device_parity.cpp runs both).
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/philox_lanes.hpp"
#include "kernels/poisson_table.hpp"
#include "kernels/random.hpp"
#include "kernels/ring_buffer.hpp"
#include "kernels/target_clones.hpp"

namespace hetspike {

/// One Poisson input into one population's local neurons.
struct poisson_input_params {
  philox_engine::key_type key;
  gid_type first_gid = 0;    ///< gid of the first local neuron
  std::uint32_t column = 0;  ///< ring column of the first local neuron's receiving channel
  std::uint32_t count = 0;   ///< local neurons
  fixed_type weight = 0;     ///< fixed point, in the target population's scale
  step_type first_step = 0;  ///< no input arrives before this step (the input's delay, or start + delay)
  step_type last_step = std::numeric_limits<step_type>::max();  ///< nor after this one (stop + delay)
};

template <class ExecSpace>
struct poisson_input_functor {
  using memory_space = typename ExecSpace::memory_space;
  poisson_input_params p;
  Kokkos::View<const std::uint32_t*, memory_space> thresholds;
  Kokkos::View<rng_block*, memory_space> words;  ///< per neuron: the Philox block of the current 4 steps
  ring_row_view<memory_space> input;
  step_type step;
  bool refill;  ///< a new block of 4 steps: draw it (one Philox call serves four steps)

  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
    if (refill) words(i) = philox_block(p.key, p.first_gid + i, static_cast<std::uint64_t>(step) >> 2);
    const std::uint32_t k =
        poisson_count(thresholds.data(), static_cast<std::uint32_t>(thresholds.extent(0)), words(i).v[step & 3]);
    input(p.column + i) += static_cast<fixed_type>(k) * p.weight;
  }
};

/// The host path: `lanes` neurons per work item, whose Philox blocks are drawn together (philox_lanes, in vector
/// registers) and kept word by word, [block][word][lane], so that a step reads its lanes' words contiguously.
/// With a short table (a mean of up to a few spikes per step) a lane's count is the number of thresholds its word
/// passes, added without a branch, thresholds outer and lanes inner: the compiler vectorises the lanes. About 3x the
/// rate of the per-neuron path on this project's machines, whose search branch mispredicts on every other sample.
template <class ExecSpace>
struct poisson_input_lanes_functor {
  using memory_space = typename ExecSpace::memory_space;
  static constexpr std::uint32_t lanes = philox_lanes_width;
  static constexpr std::uint32_t max_branch_free_table = 32;
  poisson_input_params p;
  Kokkos::View<const std::uint32_t*, memory_space> thresholds;
  Kokkos::View<std::uint32_t*, memory_space> words;  ///< 4 x lanes words per block of lanes
  ring_row_view<memory_space> input;
  step_type step;
  bool refill;

  /// Host only (philox_lanes is a host function): only host execution spaces take this path. Built for each x86
  /// level (integers only).
  HETSPIKE_TARGET_CLONES void operator()(std::size_t block) const {
    const std::uint32_t first = static_cast<std::uint32_t>(block) * lanes;
    const std::uint32_t n = first + lanes <= p.count ? lanes : p.count - first;
    std::uint32_t* const block_words = words.data() + block * 4 * lanes;
    if (refill) philox_lanes(p.key, p.first_gid + first, static_cast<std::uint64_t>(step) >> 2, block_words);
    const std::uint32_t* const u = block_words + (step & 3) * lanes;
    const std::uint32_t* const t = thresholds.data();
    const auto table = static_cast<std::uint32_t>(thresholds.extent(0));
    std::uint32_t k[lanes] = {};
    if (table <= max_branch_free_table) {
      // The thresholds rise: once no lane passes one, none passes the rest. One branch per threshold, not per
      // lane and well predicted, ends the loop after a few thresholds for a mean of a few spikes per step.
      for (std::uint32_t i = 0; i < table; ++i) {
        std::uint32_t passed = 0;
        for (std::uint32_t j = 0; j < lanes; ++j) {
          const std::uint32_t pass = u[j] >= t[i];
          k[j] += pass;
          passed |= pass;
        }
        if (passed == 0) break;
      }
    } else {
      for (std::uint32_t j = 0; j < lanes; ++j) k[j] = poisson_count(t, table, u[j]);
    }
    fixed_type* const row = input.data() + p.column + first;
    for (std::uint32_t j = 0; j < n; ++j) row[j] += static_cast<fixed_type>(k[j]) * p.weight;
  }
};

/// Whether an input counts lanes of neurons per work item (host backends) rather than one neuron per thread.
template <class ExecSpace>
struct poisson_input_uses_lanes
    : std::integral_constant<
          bool, Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible> {};

/// One Poisson input with its cache of Philox words (4 steps per draw).
template <class ExecSpace, bool Lanes = poisson_input_uses_lanes<ExecSpace>::value>
class poisson_source {
 public:
  using memory_space = typename ExecSpace::memory_space;
  using lanes_functor = poisson_input_lanes_functor<ExecSpace>;

  poisson_source(const poisson_input_params& params, Kokkos::View<const std::uint32_t*, memory_space> thresholds)
      : p_(params),
        thresholds_(thresholds),
        words_("hetspike::poisson_words", Lanes ? 4 * lanes_functor::lanes * blocks() : 1),
        blocks_("hetspike::poisson_blocks", Lanes ? 0 : params.count) {}

  /// Adds the input of `step` to the ring row that the neuron update of that step reads. Steps may come in any
  /// order (a restart): the cache is refilled whenever the step leaves its block of four.
  void add(const ExecSpace& space, const ring_row_view<memory_space>& input, step_type step) {
    // Outside its window an input draws nothing; inside, each step's draws are those it would be without one.
    if (step < p_.first_step || step > p_.last_step || p_.count == 0) return;
    const step_type block = step >> 2;
    const bool refill = block != cached_block_;
    cached_block_ = block;
    if constexpr (Lanes)
      Kokkos::parallel_for("hetspike::poisson_input_lanes", Kokkos::RangePolicy<ExecSpace>(space, 0, blocks()),
                           lanes_functor{p_, thresholds_, words_, input, step, refill});
    else
      Kokkos::parallel_for("hetspike::poisson_input", Kokkos::RangePolicy<ExecSpace>(space, 0, p_.count),
                           poisson_input_functor<ExecSpace>{p_, thresholds_, blocks_, input, step, refill});
  }

 private:
  std::size_t blocks() const { return (p_.count + lanes_functor::lanes - 1) / lanes_functor::lanes; }

  poisson_input_params p_;
  Kokkos::View<const std::uint32_t*, memory_space> thresholds_;
  Kokkos::View<std::uint32_t*, memory_space> words_;  ///< the lanes path's
  Kokkos::View<rng_block*, memory_space> blocks_;     ///< the per-neuron path's
  step_type cached_block_ = -1;
};

}  // namespace hetspike
