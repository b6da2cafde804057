#include "partition/synapse_locator.hpp"

#include <algorithm>

#include "partition/error.hpp"
#include "partition/source_placement_impl.hpp"

namespace hetspike {

namespace {

/// The locator's sink: notes where each synapse of one projection went, by its canonical index (the synapses of
/// a thread's run of targets follow those of the runs before it). Writes nothing into the store.
class position_recorder {
 public:
  position_recorder(const source_placement& placement, std::size_t projection, std::vector<std::uint64_t>& positions)
      : projection_(projection), positions_(positions) {
    std::uint32_t first = placement.num_classes(), last = 0;
    const auto& all = placement.classes().classes;
    for (std::uint32_t k = 0; k < placement.num_classes(); ++k)
      if (all[placement.first_class() + k].projection == projection) first = std::min(first, k), last = k + 1;
    // Thread th's first synapse of the projection comes after every earlier thread's.
    std::uint64_t before = 0;
    for (int th = 0; th < placement.threads(); ++th) {
      next_.push_back(before);
      for (std::uint32_t k = first; k < last; ++k) before += placement.thread_synapses(k, th);
    }
    for (std::uint32_t k = first; k < last; ++k) stash_size_ += placement.class_sizes()[k];
  }

  bool visits(std::size_t projection) const { return projection == projection_; }

  void target(int thread, const source_placement::projection_run&, std::uint64_t, std::uint32_t cls,
              std::span<const std::uint32_t> sources, const std::vector<std::uint32_t>& positions, bool stashed) {
    std::uint64_t& next = next_[thread];
    const std::uint64_t first = (*classes_)[cls].first;
    for (std::size_t i = 0; i < sources.size(); ++i, ++next)
      if (stashed)
        stash_[first + positions[i] - stash_base_] = next;
      else if (next < positions_.size())
        positions_[next] = first + positions[i];
  }

  bool permutes(std::uint32_t cls) const { return (*classes_)[cls].projection == projection_; }
  void stash_begin(const source_placement&, const std::vector<synapse_class>& classes, const std::uint32_t*) {
    stash_base_ = ~std::uint64_t{0};
    for (const auto& c : classes)
      if (c.projection == projection_) stash_base_ = std::min(stash_base_, c.first);
    stash_.resize(stash_size_);
  }
  void permute(std::uint32_t cls, std::uint32_t first, const std::vector<std::uint32_t>& order) {
    const synapse_class& c = (*classes_)[cls];
    if (c.projection != projection_) return;
    std::uint64_t* a = stash_.data() + (c.first + first - stash_base_);
    const std::vector<std::uint64_t> before(a, a + order.size());
    for (std::size_t i = 0; i < order.size(); ++i) a[i] = before[order[i]];
  }
  void move(std::uint32_t cls, std::uint32_t from, std::uint32_t to, std::uint32_t n) {
    const synapse_class& c = (*classes_)[cls];
    if (c.projection != projection_) return;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint64_t canonical = stash_[c.first + from + i - stash_base_];
      if (canonical < positions_.size()) positions_[canonical] = c.first + to + i;
    }
  }
  void move_each(std::uint32_t cls, const std::vector<std::uint32_t>& from, std::uint32_t to) {
    for (std::size_t i = 0; i < from.size(); ++i) move(cls, from[i], to + static_cast<std::uint32_t>(i), 1);
  }
  void stash_end() { std::vector<std::uint64_t>().swap(stash_); }

  const std::vector<synapse_class>* classes_ = nullptr;

 private:
  std::size_t projection_;
  std::vector<std::uint64_t>& positions_;
  std::vector<std::uint64_t> next_;  ///< per thread: the canonical index of its next synapse
  std::uint64_t stash_size_ = 0, stash_base_ = 0;
  std::vector<std::uint64_t> stash_;
};

struct no_rows {
  bool wants(std::uint64_t) const { return false; }
  void rows(const row_arrays&) {}
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
  placement.count();
  position_recorder recorder(placement, projection, positions_);
  recorder.classes_ = &classes;
  row_arrays scratch;
  placement.place(classes, scratch, recorder, no_rows{});
}

void synapse_locator::missing() {
  throw internal_error(
      "a regenerated synapse is not where the synapse store has it (the store was built from "
      "another network or seed)");
}

}  // namespace hetspike
