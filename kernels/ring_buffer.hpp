#pragma once
// Pending synaptic input per (step slot, column): columns are the input channels of the local neurons, laid
// out population by population, channel by channel (a population of n neurons whose model has two
// receptors takes 2n columns: the first receptor's, then the second's). Slot-major, so one step's input for all neurons
// is contiguous: the update of a step reads and clears one row, and delivery of one spike with a constant delay writes
// one row. The ring holds d_max slots: when an interval ends, every pending delivery lies within the next d_max steps.
#include <Kokkos_Core.hpp>

#include "kernels/types.hpp"

namespace hetspike {

template <class MemorySpace>
using ring_buffer_view = Kokkos::View<fixed_type**, Kokkos::LayoutRight, MemorySpace>;

template <class MemorySpace>
using ring_row_view = Kokkos::View<fixed_type*, Kokkos::LayoutRight, MemorySpace>;

/// The slot that holds the input read at `step`.
KOKKOS_INLINE_FUNCTION int ring_slot(step_type step, int num_slots) { return static_cast<int>(step % num_slots); }

template <class MemorySpace>
ring_row_view<MemorySpace> ring_row(const ring_buffer_view<MemorySpace>& ring, step_type step) {
  return Kokkos::subview(ring, ring_slot(step, static_cast<int>(ring.extent(0))), Kokkos::ALL);
}

}  // namespace hetspike
