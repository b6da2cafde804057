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
  ring_row_view<memory_space> input;
  step_type step;

  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
    const rng_block b = philox_block(p.key, p.first_gid + i, static_cast<std::uint64_t>(step) >> 2);
    const std::uint32_t k =
        poisson_count(thresholds.data(), static_cast<std::uint32_t>(thresholds.extent(0)), b.v[step & 3]);
    input(p.column + i) += static_cast<fixed_type>(k) * p.weight;
  }
};

/// Adds the input of `step` to the ring row that the neuron update of that step reads.
template <class ExecSpace>
void add_poisson_input(const ExecSpace& space, const poisson_input_params& p,
                       const Kokkos::View<const std::uint32_t*, typename ExecSpace::memory_space>& thresholds,
                       const ring_row_view<typename ExecSpace::memory_space>& input, step_type step) {
  if (step < p.first_step || p.count == 0) return;
  Kokkos::parallel_for("hetspike::poisson_input", Kokkos::RangePolicy<ExecSpace>(space, 0, p.count),
                       poisson_input_functor<ExecSpace>{p, thresholds, input, step});
}

}  // namespace hetspike
