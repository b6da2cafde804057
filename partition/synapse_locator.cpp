#include "partition/synapse_locator.hpp"

#include <algorithm>
#include <map>

#include "partition/error.hpp"
#include "partition/source_placement_impl.hpp"

namespace hetspike {

namespace {

/// The locator's sink: notes where each synapse of one projection went, by its canonical index: the synapses of a
/// thread's run of targets follow those of the runs before it. The bucketed way stashes (thread, index within the
/// thread) while drawing, before the threads' counts are known; the canonical index is made when it moves. Writes
/// nothing into the store.
class position_recorder {
 public:
  position_recorder(const source_placement& placement, std::size_t projection, std::vector<std::uint64_t>& positions,
                    const std::vector<synapse_class>& classes)
      : classes_(classes), projection_(projection), positions_(positions), next_(placement.threads(), 0) {}

  /// After count(): where each thread's synapses of the projection start in canonical order.
  void set_bases(const source_placement& placement) {
    std::uint64_t before = 0;
    for (int th = 0; th < placement.threads(); ++th) {
      base_.push_back(before);
      for (std::uint32_t k = 0; k < placement.num_classes(); ++k)
        if (classes_[placement.first_class() + k].projection == projection_) before += placement.thread_synapses(k, th);
    }
  }

  bool visits(std::size_t projection) const { return projection == projection_; }

  void target(int thread, const source_placement::projection_run&, std::uint64_t, std::uint32_t cls,
              const std::vector<std::uint32_t>& positions, bool stashed) {
    std::uint64_t next = next_[thread];  // the threads' counters share a cache line: written once
    for (std::size_t i = 0; i < positions.size(); ++i, ++next)
      if (stashed)
        stash_[stash_base_[cls] + positions[i]] = static_cast<std::uint64_t>(thread) << 48 | next;
      else if (base_[thread] + next < positions_.size())
        positions_[base_[thread] + next] = classes_[cls].first + positions[i];
    next_[thread] = next;
  }

  void stash_begin(const source_placement& placement, const std::vector<std::uint64_t>& room) {
    std::fill(next_.begin(), next_.end(), 0);  // a draw that overflowed its room starts again
    std::uint64_t size = 0;
    for (std::uint32_t k = 0; k < placement.num_classes(); ++k) {
      stash_base_[placement.first_class() + k] = size;
      if (classes_[placement.first_class() + k].projection == projection_) size += room[k];
    }
    stash_.assign(size, 0);
  }
  bool stashes(std::uint32_t cls) const { return classes_[cls].projection == projection_; }
  void move_each(std::uint32_t cls, std::span<const std::uint32_t> from, const std::uint16_t*, std::uint32_t to) {
    if (classes_[cls].projection != projection_) return;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const std::uint64_t drawn = stash_[stash_base_[cls] + from[i]];
      const std::uint64_t canonical = base_[drawn >> 48] + (drawn & ((std::uint64_t{1} << 48) - 1));
      if (canonical < positions_.size()) positions_[canonical] = classes_[cls].first + to + i;
    }
  }
  void stash_end() { std::vector<std::uint64_t>().swap(stash_); }

 private:
  const std::vector<synapse_class>& classes_;  ///< as laid out in the store
  std::size_t projection_;
  std::vector<std::uint64_t>& positions_;
  std::vector<std::uint64_t> next_;                    ///< per thread: the index of its next synapse among its own
  std::vector<std::uint64_t> base_;                    ///< per thread: where its synapses start in canonical order
  std::map<std::uint32_t, std::uint64_t> stash_base_;  ///< per class of the population
  std::vector<std::uint64_t> stash_;
};

struct no_rows {
  wanted_sources wanted() const { return {}; }
  void rows(const row_parts&) {}
  void operator()(std::uint64_t, std::uint32_t) {}
};

}  // namespace

synapse_locator::synapse_locator(const network_spec& net, const block_partition& partition, const local_layout& layout,
                                 const synapse_store<Kokkos::HostSpace>& store, std::size_t projection,
                                 std::uint64_t end, const placement_options& options)
    : store_(store),
      target_(layout.populations[net.projections[projection].target]),
      target_first_index_(target_.first_gid - partition.population_offset(net.projections[projection].target)),
      end_(end),
      targets_(net, partition, projection, target_first_index_, target_first_index_ + target_.count) {
  const class_table table = make_class_table(net, layout);
  first_class_ = table.projection_first[projection];
  std::vector<synapse_class> classes(store.classes.data(), store.classes.data() + store.classes.extent(0));
  if (classes.size() != table.classes.size())
    throw internal_error("synapse_locator: the store was built from another network");
  // The synapses onto targets below `end` are a prefix of the canonical order.
  std::uint64_t prefix = 0;
  targets_.for_each([&](std::uint64_t, const std::vector<std::uint64_t>& sources) { prefix += sources.size(); }, end);
  positions_.assign(prefix, ~std::uint64_t{0});
  source_placement placement(net, partition, layout, table, net.projections[projection].source, options);
  position_recorder recorder(placement, projection, positions_, classes);
  placement.count(recorder);
  recorder.set_bases(placement);
  row_parts scratch;
  placement.place(classes, scratch, recorder, no_rows{});
}

void synapse_locator::missing() {
  throw internal_error(
      "a regenerated synapse is not where the synapse store has it (the store was built from "
      "another network or seed)");
}

}  // namespace hetspike
