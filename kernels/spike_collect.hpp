#pragma once
// Turns one step's spike flags into a compact list of (local neuron, lag in the interval), appended to the
// interval's spike list. On host backends a prefix sum keeps the list in local order; on GPUs an atomic
// counter places each spike (Kokkos' parallel_scan with a total fails on CUDA 13 with Kokkos 4.6), and the
// caller puts the interval's list in order on the host (sort_interval_spikes): the same list everywhere.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace hetspike {

/// A spike of a local neuron during the current interval.
struct local_spike {
  std::uint32_t lid;
  std::uint32_t lag;
};

/// Whether spikes are placed by an atomic counter (device backends) rather than a prefix sum (host).
template <class ExecSpace>
struct collect_uses_atomics
    : std::integral_constant<
          bool, !Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible> {};

/// Collects an interval's spikes into one list, step by step. The host shape knows the count after every step;
/// the device shape keeps its counter on the device for the whole interval and reads it once, at finish (one
/// host sync per interval rather than two per step), so its list is sized for every neuron spiking at every step.
template <class ExecSpace, bool Atomic = collect_uses_atomics<ExecSpace>::value>
class spike_collector {
 public:
  using memory_space = typename ExecSpace::memory_space;

  spike_collector() : counter_("hetspike::spike_counter"), spikes_("hetspike::interval_spikes", 0) {}

  /// Starts an interval of at most `steps` steps of `neurons` neurons (the device shape makes room for all of
  /// them now; the counter is zeroed on the device, in order with the space's kernels).
  void start_interval(const ExecSpace& space, std::uint64_t steps, std::uint64_t neurons) {
    neurons_ = neurons;
    count_ = 0;
    if constexpr (Atomic) {
      reserve(steps * neurons);
      Kokkos::deep_copy(space, counter_, std::uint64_t{0});
    }
  }

  /// Appends the neurons flagged in `spiked` (at least `neurons` of start_interval) with this lag.
  void collect(const ExecSpace& space, const Kokkos::View<const std::uint8_t*, memory_space>& spiked,
               std::uint32_t lag) {
    const auto n = spiked.extent(0);
    if constexpr (Atomic) {
      Kokkos::parallel_for("hetspike::collect_spikes", Kokkos::RangePolicy<ExecSpace>(space, 0, n),
                           append_functor{spiked, spikes_, counter_, lag});
    } else {
      reserve(count_ + neurons_);  // room for every neuron to spike in this step: grows rarely
      std::uint64_t added = 0;
      const auto words = (n + scan_functor::flags_per_word - 1) / scan_functor::flags_per_word;
      Kokkos::parallel_scan("hetspike::collect_spikes", Kokkos::RangePolicy<ExecSpace>(space, 0, words),
                            scan_functor{spiked, spikes_, count_, lag}, added);
      count_ += added;
    }
  }

  /// Ends the interval: the number of spikes it collected, in spikes()[0, count).
  std::uint64_t finish_interval(const ExecSpace& space) {
    if constexpr (Atomic) {
      Kokkos::deep_copy(space, count_, counter_);
      space.fence();
    }
    return count_;
  }

  /// The interval's list: (local id, lag) in the order of collection; sort_interval_spikes orders it.
  const Kokkos::View<local_spike*, memory_space>& spikes() const { return spikes_; }

  // Kernel functors: public, as CUDA requires of types it launches.
  /// Work item w takes the flags of neurons [8 w, 8 w + 8): one test skips eight silent neurons. A test per neuron
  /// took about a third as long as the microcircuit's neuron updates themselves (perf).
  struct scan_functor {
    using value_type = std::uint64_t;
    static constexpr std::size_t flags_per_word = sizeof(std::uint64_t);
    Kokkos::View<const std::uint8_t*, memory_space> spiked;
    Kokkos::View<local_spike*, memory_space> out;
    std::uint64_t offset;
    std::uint32_t lag;
    KOKKOS_INLINE_FUNCTION void operator()(std::size_t w, value_type& position, const bool final) const {
      const std::size_t first = w * flags_per_word, n = spiked.extent(0);
      const std::size_t end = first + flags_per_word < n ? first + flags_per_word : n;
      if (end - first == flags_per_word) {
        std::uint64_t word;
        std::memcpy(&word, spiked.data() + first, sizeof word);
        if (word == 0) return;
      }
      for (std::size_t i = first; i < end; ++i)
        if (spiked(i)) {
          if (final) out(offset + position) = local_spike{static_cast<std::uint32_t>(i), lag};
          position += 1;
        }
    }
  };
  struct append_functor {
    Kokkos::View<const std::uint8_t*, memory_space> spiked;
    Kokkos::View<local_spike*, memory_space> out;
    Kokkos::View<std::uint64_t, memory_space> counter;
    std::uint32_t lag;
    KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
      if (spiked(i))
        out(Kokkos::atomic_fetch_add(&counter(), std::uint64_t{1})) = local_spike{static_cast<std::uint32_t>(i), lag};
    }
  };

 private:
  void reserve(std::uint64_t size) {
    if (spikes_.extent(0) < size) Kokkos::resize(spikes_, std::max<std::uint64_t>(size, 2 * spikes_.extent(0)));
  }

  Kokkos::View<std::uint64_t, memory_space> counter_;  ///< device shape: the next free position
  Kokkos::View<local_spike*, memory_space> spikes_;
  std::uint64_t neurons_ = 0;
  std::uint64_t count_ = 0;
};

/// Puts an interval's spikes in (lag, local id) order, the order the prefix sum gives; a no-op when they
/// already are (host backends).
inline void sort_interval_spikes(std::span<local_spike> spikes) {
  auto before = [](const local_spike& a, const local_spike& b) {
    return a.lag != b.lag ? a.lag < b.lag : a.lid < b.lid;
  };
  if (!std::is_sorted(spikes.begin(), spikes.end(), before)) std::sort(spikes.begin(), spikes.end(), before);
}

}  // namespace hetspike
