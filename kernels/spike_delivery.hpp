#pragma once
// Writes received spikes into the ring buffers through the synapse store. Integer additions, so the result is
// independent of the order in which spikes or synapses are processed. GPUs run a team per message with atomic
// additions; a threaded host space (OpenMP) gives each thread its own range of target neurons, so that no two
// threads add to the same ring column and no addition has to be atomic; Serial adds plainly.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <type_traits>

#include "kernels/ring_buffer.hpp"
#include "kernels/synapse_store.hpp"

namespace hetspike {

/// One spike as it travels between ranks: the receiver's row of its source and the step within the
/// interval at which it fired. 8 bytes.
struct spike_message {
  std::uint32_t row;
  std::uint32_t lag;
};
static_assert(sizeof(spike_message) == 8, "a spike message is 8 bytes on the wire");

/// Whether deliveries on this execution space may run concurrently (threads or a device).
template <class ExecSpace>
struct delivery_uses_atomics : std::true_type {};
#ifdef KOKKOS_ENABLE_SERIAL
template <>
struct delivery_uses_atomics<Kokkos::Serial> : std::false_type {};
#endif

/// Whether delivery runs a team per message (threads over its synapses), as GPUs want, rather than one
/// thread per message, as CPUs want.
template <class ExecSpace>
struct delivery_uses_teams
    : std::integral_constant<
          bool, !Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible> {};

template <class ExecSpace>
class spike_delivery_functor {
 public:
  using memory_space = typename ExecSpace::memory_space;
  static constexpr bool may_run_concurrently = delivery_uses_atomics<ExecSpace>::value;

  /// Selects the host path in which each of `parts` work items delivers every message, but only to its own
  /// range of ring columns.
  struct by_target_range {};

  /// `events`: the team path's counter; `count`, `parts`, `part_columns`: the by_target_range path's.
  spike_delivery_functor(const synapse_store<memory_space>& store,
                         Kokkos::View<const spike_message*, memory_space> msgs,
                         const ring_buffer_view<memory_space>& ring, step_type interval_start,
                         Kokkos::View<std::uint64_t, memory_space> events = {}, std::size_t count = 0,
                         std::uint32_t parts = 1, Kokkos::View<const std::uint32_t*, memory_space> part_columns = {})
      : store_(store),
        msgs_(msgs),
        ring_(ring),
        interval_start_(interval_start),
        num_slots_(static_cast<std::uint32_t>(ring.extent(0))),
        prefetch_ring_(ring.span() * sizeof(fixed_type) > ring_prefetch_min_bytes),
        events_(events),
        count_(count),
        parts_(parts),
        part_columns_(part_columns) {}

  using team_member = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using value_type = std::uint64_t;  ///< the reduction on host backends: synaptic events

  /// A team delivers one message, its threads splitting each segment's synapses (atomically where the space runs
  /// teams concurrently); the synapses reached are counted into `events_` (an atomic counter: reductions are
  /// avoided on GPUs, see spike_collect.hpp).
  KOKKOS_INLINE_FUNCTION void operator()(const team_member& team) const {
    for_each_segment(msgs_(team.league_rank()),
                     [&](const synapse_class& c, std::uint64_t b, std::uint64_t e, std::uint32_t base_slot) {
                       Kokkos::parallel_for(Kokkos::TeamThreadRange(team, b, e), [&](std::uint64_t k) {
                         const fixed_type w = weight_of(c, k);
                         fixed_type& cell = cell_of(c, k, base_slot);
                         if constexpr (may_run_concurrently)
                           Kokkos::atomic_add(&cell, w);
                         else
                           cell += w;
                       });
                       Kokkos::single(Kokkos::PerTeam(team), [&]() { Kokkos::atomic_add(&events_(), e - b); });
                     });
  }

  /// Delivers message i; adds the number of synapses it reached to `events`.
  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i, std::uint64_t& events) const {
    prefetch_ahead(i);
    for_each_segment(msgs_(i), [&](const synapse_class& c, std::uint64_t b, std::uint64_t e, std::uint32_t base_slot) {
      events += e - b;
      deliver(c, b, e, base_slot);
    });
  }

  /// Delivers every message to the targets of part `part`: those whose first ring column lies in
  /// [part_columns_(part), part_columns_(part + 1)), or in the part-th of `parts_` equal ranges where no bounds
  /// are given. A target's other channels are written by the part that owns it. Adds the synapses reached to
  /// `events`. A segment's target offsets ascend (the builder places targets in order), so the part's synapses
  /// of a segment are one contiguous run, found by binary search.
  KOKKOS_INLINE_FUNCTION void operator()(by_target_range, std::size_t part, std::uint64_t& events) const {
    const std::uint64_t columns = ring_.extent(1);
    const bool bounded = part_columns_.extent(0) > part + 1;
    const std::uint64_t lo = bounded ? part_columns_(part) : columns * part / parts_;
    const std::uint64_t hi = bounded ? part_columns_(part + 1) : columns * (part + 1) / parts_;
    for (std::size_t i = 0; i < count_; ++i) {
      prefetch_ahead(i);
      for_each_segment(
          msgs_(i), [&](const synapse_class& c, std::uint64_t b, std::uint64_t e, std::uint32_t base_slot) {
            const std::uint64_t first = c.column;
            if (first >= hi || first + segment_block_size <= lo) return;
            const std::uint64_t kb = first >= lo ? b : first_at_or_after(b, e, lo - first);
            const std::uint64_t ke = first + segment_block_size <= hi ? e : first_at_or_after(kb, e, hi - first);
            events += ke - kb;
            deliver(c, kb, ke, base_slot);
          });
    }
  }

 private:
  /// Host paths: asks for the synapses of the message this many ahead. When ranks are many, nearly every message
  /// reaches one synapse of a 10^8-synapse store, a miss in memory each; found early, the misses overlap. A row of
  /// one synapse is found with arithmetic, a run row with one lookup; others are left to the hardware.
  static constexpr std::size_t prefetch_distance = 16;
  /// deliver_varying: how many synapses ahead a ring cell is asked for, and from what ring size on (smaller rings
  /// stay in the cache, where prefetches only cost; the VMs here behave as if they had 4-8 MiB of L3). The
  /// microcircuit's deliver phase on 2 ranks, 0.5 s simulated: 9.0-9.7 s without, 3.3-3.6 s at 16 ahead, 2.4-3.1 s
  /// at 48, 2.7-3.4 s at 64.
  static constexpr std::uint64_t ring_prefetch_distance = 48;
  static constexpr std::uint64_t ring_prefetch_min_bytes = std::uint64_t{8} << 20;
  KOKKOS_INLINE_FUNCTION void prefetch_ahead(std::size_t i) const {
#if !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
    if (i + prefetch_distance >= msgs_.extent(0)) return;
    const std::uint32_t row = msgs_(i + prefetch_distance).row;
    const std::uint32_t r = store_.range_of(row);
    const row_range range = store_.ranges(r);
    const std::uint64_t k = row - store_.range_first_row(r);
    if (range.layout == row_layout::single) {
      __builtin_prefetch(store_.target_offset.data() + store_.classes(range.cls).first + range.first + k);
    } else if (range.layout == row_layout::run) {
      __builtin_prefetch(store_.run_begin.data() + range.first + k);
    }
#else
    (void)i;
#endif
  }

  /// Calls f(class, its first synapse in the row, the end, ring slot of the spike's step) for each segment of the
  /// message's row that delivers here: plastic ones are left to the host STDP pass (stdp_pl.hpp), which counts
  /// their events.
  template <class F>
  KOKKOS_INLINE_FUNCTION void for_each_segment(const spike_message& m, F&& f) const {
    const auto base_slot = static_cast<std::uint32_t>((interval_start_ + m.lag) % num_slots_);
    store_.for_each_segment(m.row, [&](std::uint32_t cls, std::uint64_t b, std::uint64_t e) {
      const synapse_class c = store_.classes(cls);
      if (!c.plastic) f(c, b, e, base_slot);
    });
  }

  /// Host paths: no two work items add to the same ring column, so additions are plain (an atomic one costs
  /// several times as much).
  KOKKOS_INLINE_FUNCTION void add(std::uint32_t slot, std::uint32_t column, fixed_type w) const {
    ring_(slot, column) += w;
  }

  KOKKOS_INLINE_FUNCTION std::uint32_t slot_after(std::uint32_t base_slot, std::uint32_t delay) const {
    const std::uint32_t s = base_slot + delay;  // delay <= d_max = num_slots: one subtraction suffices
    return s >= num_slots_ ? s - num_slots_ : s;
  }

  /// The first synapse in [b, e) whose target offset is at least `offset` (offsets ascend within a segment).
  KOKKOS_INLINE_FUNCTION std::uint64_t first_at_or_after(std::uint64_t b, std::uint64_t e, std::uint64_t offset) const {
    while (b < e) {
      const std::uint64_t mid = b + (e - b) / 2;
      if (store_.target_offset(mid) < offset)
        b = mid + 1;
      else
        e = mid;
    }
    return b;
  }

  /// Delivers synapses [kb, ke) of a segment of class c.
  KOKKOS_INLINE_FUNCTION void deliver(const synapse_class& c, std::uint64_t kb, std::uint64_t ke,
                                      std::uint32_t base_slot) const {
    if (!c.has_weights && !c.has_delays)
      deliver_constant(c, kb, ke, base_slot);
    else
      deliver_varying(c, kb, ke, base_slot);
  }

  // Constant weight and delay (Brunel, hpc_benchmark's static synapses): one row, one channel.
  KOKKOS_INLINE_FUNCTION void deliver_constant(const synapse_class& c, std::uint64_t kb, std::uint64_t ke,
                                               std::uint32_t base_slot) const {
    const std::uint32_t slot = slot_after(base_slot, c.delay);
    // The class's column takes weights > 0; the others go inhibitory_offset further (the receptors' default signs).
    const std::uint32_t column = c.column + (c.weight > 0 ? 0u : c.inhibitory_offset);
    for (std::uint64_t k = kb; k < ke; ++k) add(slot, column + store_.target_offset(k), c.weight);
  }

  // Per-synapse weights or delays (the microcircuit): each synapse lands in another slot, so consecutive
  // additions are scattered over the whole ring. When the ring is larger than the cache, every one is a miss in
  // memory; asking for the cell a few synapses ahead lets the misses overlap (1.5-1.75x in a microbenchmark).
  KOKKOS_INLINE_FUNCTION void deliver_varying(const synapse_class& c, std::uint64_t kb, std::uint64_t ke,
                                              std::uint32_t base_slot) const {
#if !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
    if (prefetch_ring_) {
      const std::uint64_t ahead = kb + ring_prefetch_distance < ke ? kb + ring_prefetch_distance : ke;
      for (std::uint64_t k = kb; k < ahead; ++k) __builtin_prefetch(&cell_of(c, k, base_slot), 1);
      for (std::uint64_t k = kb; k < ke; ++k) {
        if (k + ring_prefetch_distance < ke) __builtin_prefetch(&cell_of(c, k + ring_prefetch_distance, base_slot), 1);
        cell_of(c, k, base_slot) += weight_of(c, k);
      }
      return;
    }
#endif
    for (std::uint64_t k = kb; k < ke; ++k) cell_of(c, k, base_slot) += weight_of(c, k);
  }

  KOKKOS_INLINE_FUNCTION fixed_type weight_of(const synapse_class& c, std::uint64_t k) const {
    return c.has_weights ? store_.weight(k + c.weight_shift) : c.weight;
  }

  /// The ring cell that synapse k of class c adds to (NEST's sign rule for the channel, as deliver_constant).
  KOKKOS_INLINE_FUNCTION fixed_type& cell_of(const synapse_class& c, std::uint64_t k, std::uint32_t base_slot) const {
    const std::uint32_t d = c.has_delays ? store_.delay(k + c.delay_shift) : c.delay;
    return ring_(slot_after(base_slot, d),
                 c.column + store_.target_offset(k) + (weight_of(c, k) > 0 ? 0u : c.inhibitory_offset));
  }

  synapse_store<memory_space> store_;
  Kokkos::View<const spike_message*, memory_space> msgs_;
  ring_buffer_view<memory_space> ring_;
  step_type interval_start_;
  std::uint32_t num_slots_;
  bool prefetch_ring_;  ///< the ring is larger than the cache: deliver_varying asks for cells ahead
  Kokkos::View<std::uint64_t, memory_space> events_;
  std::size_t count_;                                              ///< messages, for by_target_range
  std::uint32_t parts_;                                            ///< column ranges, for by_target_range
  Kokkos::View<const std::uint32_t*, memory_space> part_columns_;  ///< their bounds (parts + 1), or none
};

/// The threaded host path: `parts` work items, each delivering every message to its own targets with plain
/// additions; `part_columns` (parts + 1 ascending ring columns, e.g. from split_targets) balances them, else the
/// columns are cut into equal ranges. Any split gives the same ring (tests run it on Serial).
template <class ExecSpace>
std::uint64_t deliver_spikes_by_target_range(
    const ExecSpace& space, const synapse_store<typename ExecSpace::memory_space>& store,
    Kokkos::View<const spike_message*, typename ExecSpace::memory_space> msgs, std::size_t count,
    const ring_buffer_view<typename ExecSpace::memory_space>& ring, step_type interval_start, std::uint32_t parts,
    Kokkos::View<const std::uint32_t*, typename ExecSpace::memory_space> part_columns = {}) {
  using functor = spike_delivery_functor<ExecSpace>;
  std::uint64_t events = 0;
  Kokkos::parallel_reduce("hetspike::deliver_spikes_by_target_range",
                          Kokkos::RangePolicy<ExecSpace, typename functor::by_target_range>(space, 0, parts),
                          functor(store, msgs, ring, interval_start, {}, count, parts, part_columns), events);
  return events;
}

/// Delivers `count` messages of an interval that started at `interval_start`; returns the synaptic events.
/// `Teams` picks the GPU-shaped path; it defaults to what suits the space (tests run both on the host). A
/// threaded host space splits the targets over its threads, at `part_columns` where given (one range per thread).
/// The team path counts events in `counter` (a caller's, so that no interval allocates one; zeroed here) and
/// reads it back: the one host sync of the path.
template <class ExecSpace, bool Teams = delivery_uses_teams<ExecSpace>::value>
std::uint64_t deliver_spikes(const ExecSpace& space, const synapse_store<typename ExecSpace::memory_space>& store,
                             Kokkos::View<const spike_message*, typename ExecSpace::memory_space> msgs,
                             std::size_t count, const ring_buffer_view<typename ExecSpace::memory_space>& ring,
                             step_type interval_start,
                             Kokkos::View<const std::uint32_t*, typename ExecSpace::memory_space> part_columns = {},
                             Kokkos::View<std::uint64_t, typename ExecSpace::memory_space> counter = {}) {
  std::uint64_t events = 0;
  if (count == 0) return events;
  if constexpr (Teams) {
    if (!counter.data()) counter = decltype(counter)("hetspike::synaptic_events");
    Kokkos::deep_copy(space, counter, std::uint64_t{0});
    Kokkos::parallel_for("hetspike::deliver_spikes",
                         Kokkos::TeamPolicy<ExecSpace>(space, static_cast<int>(count), Kokkos::AUTO),
                         spike_delivery_functor<ExecSpace>(store, msgs, ring, interval_start, counter));
    Kokkos::deep_copy(space, events, counter);
    space.fence();
  } else if (const auto threads = static_cast<std::uint32_t>(space.concurrency());
             delivery_uses_atomics<ExecSpace>::value && threads > 1) {
    const bool bounded = part_columns.extent(0) == threads + std::size_t{1};
    events = deliver_spikes_by_target_range(space, store, msgs, count, ring, interval_start, threads,
                                            bounded ? part_columns : decltype(part_columns){});
  } else {
    Kokkos::parallel_reduce("hetspike::deliver_spikes", Kokkos::RangePolicy<ExecSpace>(space, 0, count),
                            spike_delivery_functor<ExecSpace>(store, msgs, ring, interval_start), events);
  }
  return events;
}

}  // namespace hetspike
