#pragma once
// The direct way's first draw of one thread's run of targets (source_placement.hpp), kept so that the second draw
// reads the sources instead of drawing them again: the Philox words and their reduction to a range were drawn twice
// per synapse, a third of a small network's build (Brunel 2500: Philox 20%, below_many 13%). Kept as 16-bit indices,
// 2 bytes a synapse until the population is placed, so only for source populations of at most 65,536 neurons.
#include <cstdint>
#include <span>
#include <vector>

namespace hetspike {

class drawn_sources {
 public:
  /// Whether a population of `size` neurons fits 16-bit indices.
  static constexpr bool fits(std::uint64_t size) { return size <= (std::uint64_t{1} << 16); }

  /// Room for `targets` targets and `synapses` synapses (what is expected; more grows the arrays).
  void reserve(std::uint64_t targets, std::uint64_t synapses) {
    ends_.reserve(targets);
    sources_.reserve(synapses);
  }
  /// The next target's sources, in draw order.
  void add(const std::vector<std::uint64_t>& sources) {
    const std::size_t at = sources_.size();
    sources_.resize(at + sources.size());  // then one narrowing loop, which vectorises
    std::uint16_t* to = sources_.data() + at;
    for (std::size_t i = 0; i < sources.size(); ++i) to[i] = static_cast<std::uint16_t>(sources[i]);
    ends_.push_back(sources_.size());
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
  std::vector<std::uint16_t> sources_;
  std::vector<std::uint64_t> ends_;  ///< per target: the end of its sources
};

}  // namespace hetspike
