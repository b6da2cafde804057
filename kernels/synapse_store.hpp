#pragma once
// The per-rank synapse store: incoming synapses grouped by presynaptic source, in a layout that costs at most
// 8 bytes per static synapse, overhead included (DESIGN.md, "Synapse store").
//
//   row       one per source neuron with at least one target on this rank (the sender knows the row id,
//             so a spike message carries it and no lookup is needed on arrival)
//   segment   the synapses of one row that belong to one projection and one block of 2^16 target neurons;
//             it holds the ring-buffer column of the block's first neuron
//   synapse   a 16-bit offset from that column; a 32-bit fixed-point weight only if the projection's weights
//             vary (a double if they are plastic); an 8-bit delay only if its delays vary. Constant weights and
//             delays live in the projection.
//
// So a Brunel synapse costs 2 bytes and a microcircuit synapse (normal weights and delays) 7 bytes, plus
// about 30 bytes per segment.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/types.hpp"

namespace hetspike {

/// Targets per segment: offsets are 16-bit.
inline constexpr std::uint32_t segment_block_size = 1u << 16;
/// The largest delay a per-synapse delay can hold (8 bits), in steps.
inline constexpr std::uint32_t max_synapse_delay_steps = 255;

/// What delivery needs to know about a projection. Plain data, copied to the device.
struct projection_delivery {
  std::int32_t weight = 0;              ///< fixed point, when the projection's weights are constant
  std::uint32_t inhibitory_offset = 0;  ///< column offset of the inhibitory channel (0: one channel)
  std::uint16_t delay = 1;              ///< steps, when the projection's delays are constant
  std::uint8_t has_weights = 0;         ///< per-synapse weights in synapse_store::weight
  std::uint8_t has_delays = 0;          ///< per-synapse delays in synapse_store::delay
  std::uint8_t plastic = 0;             ///< weights in synapse_store::plastic_weight, delivered by the host STDP pass
};

template <class MemorySpace>
struct synapse_store {
  template <class T>
  using view = Kokkos::View<T*, MemorySpace>;

  view<std::uint64_t> row_segment_begin;     ///< rows + 1 entries, into the segment arrays
  view<std::uint64_t> segment_begin;         ///< segments + 1 entries, into target_offset
  view<std::uint32_t> segment_column;        ///< ring column of target offset 0
  view<std::uint32_t> segment_projection;    ///< index into projections
  view<std::uint64_t> segment_weight_begin;  ///< into weight, for projections with per-synapse weights
  view<std::uint64_t> segment_delay_begin;   ///< into delay, for projections with per-synapse delays
  view<std::uint16_t> target_offset;         ///< per synapse
  view<std::int32_t> weight;                 ///< per synapse of projections with varying weights
  view<std::uint8_t> delay;                  ///< per synapse of projections with varying delays
  view<double> plastic_weight;               ///< per synapse of plastic projections (double: NEST's precision)
  view<projection_delivery> projections;

  std::uint64_t num_rows() const { return row_segment_begin.extent(0) ? row_segment_begin.extent(0) - 1 : 0; }
  std::uint64_t num_segments() const { return segment_begin.extent(0) ? segment_begin.extent(0) - 1 : 0; }
  std::uint64_t num_synapses() const { return target_offset.extent(0); }

  /// Bytes held by the store, for the memory report.
  std::uint64_t bytes() const {
    return row_segment_begin.span() * 8 + segment_begin.span() * 8 + segment_column.span() * 4 +
           segment_projection.span() * 4 + segment_weight_begin.span() * 8 + segment_delay_begin.span() * 8 +
           target_offset.span() * 2 + weight.span() * 4 + delay.span() + plastic_weight.span() * 8 +
           projections.span() * sizeof(projection_delivery);
  }
};

}  // namespace hetspike
