#pragma once
// Writes received spikes into the ring buffers through the synapse store. Integer additions, so the result is
// independent of the order in which spikes or synapses are processed: on backends that run messages in
// parallel the additions are atomic, on Serial they are plain.
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

/// Whether deliveries on this execution space may run concurrently and need atomic additions.
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
  static constexpr bool atomic = delivery_uses_atomics<ExecSpace>::value;

  spike_delivery_functor(const synapse_store<memory_space>& store,
                         Kokkos::View<const spike_message*, memory_space> msgs,
                         const ring_buffer_view<memory_space>& ring, step_type interval_start,
                         Kokkos::View<std::uint64_t, memory_space> events = {})
      : store_(store),
        msgs_(msgs),
        ring_(ring),
        interval_start_(interval_start),
        num_slots_(static_cast<std::uint32_t>(ring.extent(0))),
        events_(events) {}

  using team_member = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  using value_type = std::uint64_t;  ///< the reduction on host backends: synaptic events

  /// A team delivers one message, its threads splitting each segment's synapses; the synapses reached are
  /// counted into `events_` (an atomic counter: reductions are avoided on GPUs, see spike_collect.hpp).
  KOKKOS_INLINE_FUNCTION void operator()(const team_member& team) const {
    const spike_message m = msgs_(team.league_rank());
    const auto base_slot = static_cast<std::uint32_t>((interval_start_ + m.lag) % num_slots_);
    const std::uint64_t seg_end = store_.row_segment_begin(m.row + 1);
    for (std::uint64_t s = store_.row_segment_begin(m.row); s < seg_end; ++s) {
      const projection_delivery p = store_.projections(store_.segment_projection(s));
      if (p.plastic) continue;  // delivered by the host STDP pass (stdp_pl.hpp), which counts its events
      const std::uint64_t b = store_.segment_begin(s), e = store_.segment_begin(s + 1);
      const std::uint32_t column = store_.segment_column(s);
      const std::uint64_t wb = store_.segment_weight_begin(s), db = store_.segment_delay_begin(s);
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, b, e), [&](std::uint64_t k) {
        const fixed_type w = p.has_weights ? store_.weight(wb + k - b) : p.weight;
        const std::uint32_t d = p.has_delays ? store_.delay(db + k - b) : p.delay;
        add(slot_after(base_slot, d), column + store_.target_offset(k) + (w > 0 ? 0u : p.inhibitory_offset), w);
      });
      Kokkos::single(Kokkos::PerTeam(team), [&]() { Kokkos::atomic_add(&events_(), e - b); });
    }
  }

  /// Delivers message i; adds the number of synapses it reached to `events`.
  KOKKOS_INLINE_FUNCTION void operator()(std::size_t i, std::uint64_t& events) const {
    const spike_message m = msgs_(i);
    const auto base_slot = static_cast<std::uint32_t>((interval_start_ + m.lag) % num_slots_);
    const std::uint64_t seg_end = store_.row_segment_begin(m.row + 1);
    for (std::uint64_t s = store_.row_segment_begin(m.row); s < seg_end; ++s) {
      const projection_delivery p = store_.projections(store_.segment_projection(s));
      if (p.plastic) continue;  // delivered by the host STDP pass (stdp_pl.hpp), which counts its events
      const std::uint64_t b = store_.segment_begin(s), e = store_.segment_begin(s + 1);
      events += e - b;
      if (!p.has_weights && !p.has_delays)
        deliver_constant(p, s, b, e, base_slot);
      else
        deliver_varying(p, s, b, e, base_slot);
    }
  }

 private:
  KOKKOS_INLINE_FUNCTION void add(std::uint32_t slot, std::uint32_t column, fixed_type w) const {
    if constexpr (atomic)
      Kokkos::atomic_add(&ring_(slot, column), w);
    else
      ring_(slot, column) += w;
  }

  KOKKOS_INLINE_FUNCTION std::uint32_t slot_after(std::uint32_t base_slot, std::uint32_t delay) const {
    const std::uint32_t s = base_slot + delay;  // delay <= d_max = num_slots: one subtraction suffices
    return s >= num_slots_ ? s - num_slots_ : s;
  }

  // Constant weight and delay (Brunel, hpc_benchmark's static synapses): one row, one channel.
  KOKKOS_INLINE_FUNCTION void deliver_constant(const projection_delivery& p, std::uint64_t s, std::uint64_t b,
                                               std::uint64_t e, std::uint32_t base_slot) const {
    const std::uint32_t slot = slot_after(base_slot, p.delay);
    // NEST's iaf_psc_exp: weight > 0 goes to the excitatory channel, anything else to the inhibitory one.
    const std::uint32_t column = store_.segment_column(s) + (p.weight > 0 ? 0u : p.inhibitory_offset);
    for (std::uint64_t k = b; k < e; ++k) add(slot, column + store_.target_offset(k), p.weight);
  }

  KOKKOS_INLINE_FUNCTION void deliver_varying(const projection_delivery& p, std::uint64_t s, std::uint64_t b,
                                              std::uint64_t e, std::uint32_t base_slot) const {
    const std::uint32_t column = store_.segment_column(s);
    const std::uint64_t wb = store_.segment_weight_begin(s), db = store_.segment_delay_begin(s);
    for (std::uint64_t k = 0; k < e - b; ++k) {
      const fixed_type w = p.has_weights ? store_.weight(wb + k) : p.weight;
      const std::uint32_t d = p.has_delays ? store_.delay(db + k) : p.delay;
      add(slot_after(base_slot, d), column + store_.target_offset(b + k) + (w > 0 ? 0u : p.inhibitory_offset), w);
    }
  }

  synapse_store<memory_space> store_;
  Kokkos::View<const spike_message*, memory_space> msgs_;
  ring_buffer_view<memory_space> ring_;
  step_type interval_start_;
  std::uint32_t num_slots_;
  Kokkos::View<std::uint64_t, memory_space> events_;
};

/// Delivers `count` messages of an interval that started at `interval_start`; returns the synaptic events.
/// `Teams` picks the GPU-shaped path; it defaults to what suits the space (tests run both on the host).
template <class ExecSpace, bool Teams = delivery_uses_teams<ExecSpace>::value>
std::uint64_t deliver_spikes(const ExecSpace& space, const synapse_store<typename ExecSpace::memory_space>& store,
                             Kokkos::View<const spike_message*, typename ExecSpace::memory_space> msgs,
                             std::size_t count, const ring_buffer_view<typename ExecSpace::memory_space>& ring,
                             step_type interval_start) {
  std::uint64_t events = 0;
  if (count == 0) return events;
  if constexpr (Teams) {
    Kokkos::View<std::uint64_t, typename ExecSpace::memory_space> counter("hetspike::synaptic_events");
    Kokkos::parallel_for("hetspike::deliver_spikes",
                         Kokkos::TeamPolicy<ExecSpace>(space, static_cast<int>(count), Kokkos::AUTO),
                         spike_delivery_functor<ExecSpace>(store, msgs, ring, interval_start, counter));
    Kokkos::deep_copy(events, counter);
  } else {
    Kokkos::parallel_reduce("hetspike::deliver_spikes", Kokkos::RangePolicy<ExecSpace>(space, 0, count),
                            spike_delivery_functor<ExecSpace>(store, msgs, ring, interval_start), events);
  }
  return events;
}

}  // namespace hetspike
