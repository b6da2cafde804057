#pragma once
// The per-rank synapse store: incoming synapses grouped by presynaptic source into rows, in a layout whose
// overhead stays small both when a rank holds hundreds of synapses of every source (few ranks) and when it holds
// one synapse of each of 10^8 sources (10^5 ranks) (DESIGN.md, "Synapse store"; docs/scaling.md).
//
//   class     the synapses of one projection onto one block of 2^16 of its local targets: one contiguous run of
//             the store ("class-major"), and everything delivery needs to know about them (ring column of the
//             block's first neuron, constant weight and delay, where per-synapse weights and delays are)
//   synapse   a 16-bit target offset from the class's column; a 32-bit fixed-point weight only if the
//             projection's weights vary (a double if they are plastic); an 8-bit delay only if its delays vary
//   row       one per source neuron with at least one synapse here. The sender knows the row id, so a spike
//             message carries it and no lookup is needed on arrival. A row's synapses of one class are one
//             segment of that class's run; rows of one source population are one run of row ids, cut into
//             ranges of rows that share a layout:
//     single  one synapse: the range's rows take consecutive synapses of one class, so a row costs nothing
//     run     several synapses, all in one class: one 32-bit offset per row
//     list    synapses in several classes: a 32-bit index to its segments, 12 bytes per segment
//     table   synapses in many of its population's classes: one 32-bit offset per class (a CSR per class)
//   A row is a table row when that is cheaper than a list (kernels/row_planner.hpp decides).
//
// So a Brunel synapse costs 2 bytes and a microcircuit synapse (normal weights and delays) 7 bytes, plus 0 to 4
// bytes per class a row has here.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/content_hash.hpp"
#include "kernels/types.hpp"

namespace hetspike {

/// Targets per class: offsets are 16-bit.
inline constexpr std::uint32_t segment_block_size = 1u << 16;
/// The largest delay a per-synapse delay can hold (8 bits), in steps.
inline constexpr std::uint32_t max_synapse_delay_steps = 255;

/// One projection's synapses onto one block of its local targets, and what delivery needs to know of them.
/// Plain data, copied to the device.
struct synapse_class {
  std::uint64_t first = 0;              ///< its first synapse in synapse_store::target_offset
  std::int64_t weight_shift = 0;        ///< synapse k's weight: weight(k + shift), or plastic_weight(k + shift)
  std::int64_t delay_shift = 0;         ///< synapse k's delay: delay(k + shift)
  std::uint32_t column = 0;             ///< ring column of target offset 0
  std::uint32_t projection = 0;         ///< index into the network's projections
  std::int32_t weight = 0;              ///< fixed point, when the projection's weights are constant
  std::uint32_t inhibitory_offset = 0;  ///< column offset of the inhibitory channel (0: one channel)
  std::uint16_t delay = 1;              ///< steps, when the projection's delays are constant
  std::uint8_t has_weights = 0;         ///< per-synapse weights in synapse_store::weight
  std::uint8_t has_delays = 0;          ///< per-synapse delays in synapse_store::delay
  std::uint8_t plastic = 0;             ///< weights in synapse_store::plastic_weight, delivered by the STDP pass
  std::uint8_t pad[3] = {0, 0, 0};      ///< no indeterminate padding: stores are compared by hashing their bytes
};
static_assert(sizeof(synapse_class) == 48, "synapse classes have no hidden padding");

/// How the rows of a range keep their synapses (see the top of this file).
enum class row_layout : std::uint32_t { single = 0, run = 1, list = 2, table = 3 };

/// A run of row ids of one source population that share a layout. Its rows are
/// [synapse_store::range_first_row(i), synapse_store::range_first_row(i + 1)).
struct row_range {
  row_layout layout = row_layout::single;
  std::uint32_t cls = 0;          ///< single, run: the class of every synapse; table: the population's first class
  std::uint32_t num_classes = 0;  ///< table: the population's classes (consecutive from cls)
  std::uint32_t pad = 0;
  /// single: the first row's synapse, relative to the class's first; run: index of the first row's entry in
  /// run_begin; list: in list_begin; table: of the first class's first entry in table_begin.
  std::uint64_t first = 0;
  /// The plastic slot (per-row STDP state) of the first row, or no_plastic_slot: a range's rows take consecutive
  /// slots when any of their classes is plastic.
  std::uint64_t first_plastic = 0;
};
inline constexpr std::uint64_t no_plastic_slot = ~std::uint64_t{0};

/// The segment of a list row in one class.
struct list_segment {
  std::uint32_t begin = 0;  ///< relative to the class's first synapse
  std::uint32_t count = 0;
  std::uint32_t cls = 0;
};
static_assert(sizeof(list_segment) == 12, "list segments are 12 bytes");

template <class MemorySpace>
struct synapse_store {
  template <class T>
  using view = Kokkos::View<T*, MemorySpace>;

  view<std::uint32_t> range_first_row;  ///< ranges + 1 entries, the last the row count
  view<row_range> ranges;
  view<synapse_class> classes;
  view<std::uint32_t> run_begin;      ///< per run range: rows + 1 entries, class-relative
  view<std::uint32_t> list_begin;     ///< list rows + 1 entries (in row order), into list_segments
  view<list_segment> list_segments;   ///< list rows' segments in row order
  view<std::uint32_t> table_begin;    ///< per table range and class: rows + 1 entries, class-relative
  view<std::uint16_t> target_offset;  ///< per synapse
  view<std::int32_t> weight;          ///< per synapse of classes with varying static weights
  view<std::uint8_t> delay;           ///< per synapse of classes with varying delays
  view<double> plastic_weight;        ///< per synapse of plastic classes (double: NEST's precision)
  std::uint64_t num_plastic_slots = 0;

  std::uint64_t num_rows() const {
    return range_first_row.extent(0) ? range_first_row(range_first_row.extent(0) - 1) : 0;
  }
  std::uint64_t num_synapses() const { return target_offset.extent(0); }
  std::uint32_t num_ranges() const {
    return range_first_row.extent(0) ? static_cast<std::uint32_t>(range_first_row.extent(0) - 1) : 0;
  }

  /// Bytes held by the rows (everything but the per-synapse arrays), for the memory report.
  std::uint64_t row_bytes() const {
    return range_first_row.span() * 4 + ranges.span() * sizeof(row_range) + classes.span() * sizeof(synapse_class) +
           run_begin.span() * 4 + list_begin.span() * 4 + list_segments.span() * sizeof(list_segment) +
           table_begin.span() * 4;
  }
  /// Bytes held by the per-synapse arrays.
  std::uint64_t synapse_bytes() const {
    return target_offset.span() * 2 + weight.span() * 4 + delay.span() + plastic_weight.span() * 8;
  }
  std::uint64_t bytes() const { return row_bytes() + synapse_bytes(); }

  /// A hash of everything the store holds (host memory only): stores built apart are equal when their hashes are.
  std::uint64_t content_hash_value() const {
    content_hash h;
    h.add_view(range_first_row).add_view(ranges).add_view(classes).add_view(run_begin).add_view(list_begin);
    h.add_view(list_segments).add_view(table_begin).add_view(target_offset).add_view(weight).add_view(delay);
    h.add_view(plastic_weight).add(&num_plastic_slots, sizeof num_plastic_slots);
    return h.value();
  }

  /// The range that holds `row`: the last whose first row is at or before it (empty ranges never match).
  KOKKOS_INLINE_FUNCTION std::uint32_t range_of(std::uint32_t row) const {
    std::uint32_t lo = 0, hi = static_cast<std::uint32_t>(range_first_row.extent(0) - 1);
    while (hi - lo > 1) {
      const std::uint32_t mid = lo + (hi - lo) / 2;
      if (range_first_row(mid) <= row)
        lo = mid;
      else
        hi = mid;
    }
    return lo;
  }

  /// The row's per-row STDP slot, or no_plastic_slot.
  KOKKOS_INLINE_FUNCTION std::uint64_t plastic_slot(std::uint32_t row) const {
    const std::uint32_t r = range_of(row);
    const std::uint64_t first = ranges(r).first_plastic;
    return first == no_plastic_slot ? no_plastic_slot : first + (row - range_first_row(r));
  }

  /// Calls f(class index, first synapse, end) for each non-empty segment of the row, in class order.
  /// NOTE: host code (the STDP pass) calls it with host lambdas; nvcc's check that a host-device function calls
  /// only host-device code is disabled for it, as Kokkos does for its functor-calling templates.
#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
  template <class F>
  KOKKOS_INLINE_FUNCTION void for_each_segment(std::uint32_t row, F&& f) const {
    const std::uint32_t r = range_of(row);
    const row_range range = ranges(r);
    const std::uint64_t i = row - range_first_row(r);
    switch (range.layout) {
      case row_layout::single: {
        const std::uint64_t k = classes(range.cls).first + range.first + i;
        f(range.cls, k, k + 1);
        return;
      }
      case row_layout::run: {
        const std::uint64_t first = classes(range.cls).first;
        f(range.cls, first + run_begin(range.first + i), first + run_begin(range.first + i + 1));
        return;
      }
      case row_layout::list:
        for (std::uint32_t s = list_begin(range.first + i); s < list_begin(range.first + i + 1); ++s) {
          const list_segment seg = list_segments(s);
          const std::uint64_t b = classes(seg.cls).first + seg.begin;
          f(seg.cls, b, b + seg.count);
        }
        return;
      case row_layout::table: {
        const std::uint64_t stride = range_first_row(r + 1) - range_first_row(r) + 1;
        for (std::uint32_t k = 0; k < range.num_classes; ++k) {
          const std::uint64_t at = range.first + k * stride + i;
          const std::uint32_t b = table_begin(at), e = table_begin(at + 1);
          if (e > b) {
            const std::uint64_t first = classes(range.cls + k).first;
            f(range.cls + k, first + b, first + e);
          }
        }
        return;
      }
    }
  }
};

/// The store in another memory space: its own views where it already is there, else copies (to a GPU for its
/// ranks, back to the host for a hash).
template <class MemorySpace, class From>
synapse_store<MemorySpace> store_in_space(const synapse_store<From>& s) {
  auto in = [](const auto& v) { return Kokkos::create_mirror_view_and_copy(MemorySpace(), v); };
  synapse_store<MemorySpace> d;
  d.range_first_row = in(s.range_first_row), d.ranges = in(s.ranges), d.classes = in(s.classes);
  d.run_begin = in(s.run_begin), d.list_begin = in(s.list_begin), d.list_segments = in(s.list_segments);
  d.table_begin = in(s.table_begin), d.target_offset = in(s.target_offset), d.weight = in(s.weight);
  d.delay = in(s.delay), d.plastic_weight = in(s.plastic_weight);
  d.num_plastic_slots = s.num_plastic_slots;
  return d;
}

}  // namespace hetspike
