#pragma once
// The direct way's first draw of one thread's run of targets (source_placement.hpp), kept so that the second draw
// reads the sources instead of drawing them again: the Philox words and their reduction to a range were drawn twice
// per synapse, a third of a small network's build (Brunel 2500: Philox 20%, below_many 13%). Kept as 16-bit indices,
// 2 bytes a synapse until the population is placed, so only for source populations of at most 65,536 neurons, and
// only while they add little to a rank's peak (choose_kept_draws).
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "partition/uninitialized_array.hpp"

namespace hetspike {

class drawn_sources {
 public:
  /// Whether a population of `size` neurons fits 16-bit indices.
  static constexpr bool fits(std::uint64_t size) { return size <= (std::uint64_t{1} << 16); }
  /// What the kept draw of `synapses` synapses onto `targets` targets (counted once per projection) takes.
  static constexpr double bytes(double synapses, double targets) { return 2 * synapses + 8 * targets; }

  /// Room for `targets` targets and `synapses` synapses (what is expected; more grows the arrays).
  void reserve(std::uint64_t targets, std::uint64_t synapses) {
    ends_.reserve(targets);
    if (synapses > sources_.size()) grow(synapses);
  }
  /// The next target's sources, in draw order.
  void add(const std::vector<std::uint64_t>& sources) {
    if (size_ + sources.size() > sources_.size()) grow(std::max(2 * sources_.size(), size_ + sources.size()));
    std::uint16_t* to = sources_.data() + size_;  // one narrowing loop, which vectorises
    for (std::size_t i = 0; i < sources.size(); ++i) to[i] = static_cast<std::uint16_t>(sources[i]);
    size_ += sources.size();
    ends_.push_back(size_);
  }
  /// Calls f(first + i, sources of the i-th target added) for every target added, in order.
  template <class F>
  void for_each(std::uint64_t first, F&& f) const {
    std::uint64_t begin = 0;
    for (std::uint64_t i = 0; i < ends_.size(); ++i) {
      f(first + i, std::span<const std::uint16_t>(sources_.data() + begin, ends_[i] - begin));
      begin = ends_[i];
    }
  }

 private:
  /// Room for `room` sources, those added kept.
  void grow(std::size_t room) {
    uninitialized_array<std::uint16_t> more;
    more.allocate(room);
    std::copy_n(sources_.data(), size_, more.data());
    sources_ = std::move(more);
  }

  uninitialized_array<std::uint16_t> sources_;  ///< unwritten beyond size_: not zeroed before the draw writes it
  std::size_t size_ = 0;
  std::vector<std::uint64_t> ends_;  ///< per target: the end of its sources
};

/// What the kept draws may add to a rank's peak memory: a rank of hpc_benchmark at scale 2 on 2 ranks would keep
/// 100 MB for its E population (12% more memory) to build 5 to 10% faster; Brunel 2500 keeps 12 MiB and builds
/// about 30% faster.
inline constexpr double kept_draw_budget = 64.0 * (1 << 20);

/// The most the kept draws add to the store at any moment, and which populations keep theirs. Given per source
/// population, in placement order, the bytes its synapses take in the store and those its draw would take kept (0
/// where it cannot be kept). A kept draw is freed once its population is placed, and the store's pages are first
/// written as the populations are placed: while population k is placed, the kept draws of k and of those after it
/// are held, and the store of those after it is not written yet.
struct kept_draws {
  std::vector<std::uint8_t> keep;
  double beyond_store = 0;
};
/// Chooses from the last population back, keeping each draw while what they add stays within `budget`.
kept_draws choose_kept_draws(const std::vector<double>& store_bytes, const std::vector<double>& draw_bytes,
                             double budget = kept_draw_budget);

}  // namespace hetspike
