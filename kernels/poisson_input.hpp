#pragma once
// Independent Poisson spike trains into every neuron of a population. The count for neuron g at step s is a
// pure function of (seed, input, g, s): word s mod 4 of the Philox block at counter (g, s / 4), inverted
// through an integer CDF table (poisson_table.hpp). So input does not depend on ranks, threads or backend.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/poisson_table.hpp"
#include "kernels/random.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

/// One Poisson input into one population's local neurons.
struct poisson_input_params {
  philox_engine::key_type key;
  gid_type first_gid = 0;    ///< gid of the first local neuron
  std::uint32_t column = 0;  ///< ring column of the first local neuron's receiving channel
  std::uint32_t count = 0;   ///< local neurons
  fixed_type weight = 0;     ///< fixed point, in the target population's scale
  step_type first_step = 0;  ///< no input arrives before this step (the input's delay)
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

/// One Poisson input with its per-neuron cache of Philox words.
template <class ExecSpace>
class poisson_source {
 public:
  using memory_space = typename ExecSpace::memory_space;

  poisson_source(const poisson_input_params& params, Kokkos::View<const std::uint32_t*, memory_space> thresholds)
      : p_(params), thresholds_(thresholds), words_("hetspike::poisson_words", params.count) {}

  /// Adds the input of `step` to the ring row that the neuron update of that step reads. Steps may come in any
  /// order (a restart): the cache is refilled whenever the step leaves its block of four.
  void add(const ExecSpace& space, const ring_row_view<memory_space>& input, step_type step) {
    if (step < p_.first_step || p_.count == 0) return;
    const step_type block = step >> 2;
    const bool refill = block != cached_block_;
    cached_block_ = block;
    Kokkos::parallel_for("hetspike::poisson_input", Kokkos::RangePolicy<ExecSpace>(space, 0, p_.count),
                         poisson_input_functor<ExecSpace>{p_, thresholds_, words_, input, step, refill});
  }

 private:
  poisson_input_params p_;
  Kokkos::View<const std::uint32_t*, memory_space> thresholds_;
  Kokkos::View<rng_block*, memory_space> words_;
  step_type cached_block_ = -1;
};

}  // namespace hetspike
