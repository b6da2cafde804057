#pragma once
// Turns one step's spike flags into a compact list of (local neuron, lag in the interval), in local order,
// appended to the interval's spike list. A prefix sum, so it runs in parallel on any backend and the list is
// in the same order everywhere.
#include <Kokkos_Core.hpp>

#include <cstdint>

namespace hetspike {

/// A spike of a local neuron during the current interval.
struct local_spike {
  std::uint32_t lid;
  std::uint32_t lag;
};

template <class ExecSpace>
struct spike_collect_functor {
  using memory_space = typename ExecSpace::memory_space;
  using value_type = std::uint64_t;
  Kokkos::View<const std::uint8_t*, memory_space> spiked;
  Kokkos::View<local_spike*, memory_space> out;
  std::uint64_t offset;
  std::uint32_t lag;

  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i, value_type& position, const bool final) const {
    if (spiked(i)) {
      if (final) out(offset + position) = local_spike{static_cast<std::uint32_t>(i), lag};
      position += 1;
    }
  }
};

/// Appends the flagged neurons to out[offset...]; returns how many. `out` must have room for all neurons.
template <class ExecSpace>
std::uint64_t collect_spikes(const ExecSpace& space,
                             const Kokkos::View<const std::uint8_t*, typename ExecSpace::memory_space>& spiked,
                             std::uint32_t lag, const Kokkos::View<local_spike*, typename ExecSpace::memory_space>& out,
                             std::uint64_t offset) {
  std::uint64_t count = 0;
  Kokkos::parallel_scan("hetspike::collect_spikes", Kokkos::RangePolicy<ExecSpace>(space, 0, spiked.extent(0)),
                        spike_collect_functor<ExecSpace>{spiked, out, offset, lag}, count);
  return count;
}

}  // namespace hetspike
