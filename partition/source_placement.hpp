#pragma once
// Where the synapses of one source population's projections go in a rank's store, found without ever holding a
// list of synapses or anything per neuron of the whole network (DESIGN.md, "Scale: what one rank holds").
//
// count():  draws the sources of every local target (target side, connection_rules.hpp) and counts them per
//           (class, thread, bucket of 2^shift consecutive sources). Each thread draws one fixed run of every
//           projection's targets.
// place():  lays out the rows (kernels/row_planner.hpp) and visits every synapse again with its place in the
//           store, through a sink: the builder writes synapses, the locator notes positions.
//
// Two ways, chosen by the memory they need (never by the thread count; or forced, for tests):
//   direct    buckets of one source (shift 0): the counts are per source, the rows are planned from them over the
//             whole population, and a second draw writes every synapse straight to its place. Needs 4 bytes per
//             (class, source) and counting thread: right while a rank holds several synapses per source (few
//             ranks). Rows: by layout, then class, then source.
//   bucketed  buckets of up to 2^16 sources, sized to hold a few thousand synapses, grouped into a fixed number of
//             chunks. The first draw keeps the sources it drew (4 bytes a synapse); each synapse is then put, with
//             its source's low bits, into its bucket's stretch of its class (in draw order); chunk by chunk, each
//             stretch is sorted by source (a cache-sized radix sort), the chunk's rows planned and its synapses
//             moved to their places, all while the chunk is in cache. Rows: by chunk, then layout, class and
//             source; each chunk's synapses of a class stay in the chunk's part of the class. Needs about 8 bytes
//             a synapse for a while: right when a rank holds about one synapse per source (10^4 ranks and more),
//             where per-source counts would outgrow the store.
// Within a row and class, targets ascend and each target's synapses keep their draw order, either way.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kernels/row_planner.hpp"
#include "partition/projection_targets.hpp"
#include "partition/synapse_classes.hpp"

namespace hetspike {

enum class placement_method { automatic, direct, bucketed };

struct placement_options {
  int threads = 0;  ///< 0: OpenMP's default
  placement_method method = placement_method::automatic;
};

/// How a source population is placed: shift 0 is the direct way; the threads it counts with.
struct placement_choice {
  int shift = 0;
  int threads = 1;
};

/// The choice for `synapses` (expected) from `sources` neurons into `classes` classes, given `threads` threads.
placement_choice choose_placement(double synapses, double sources, std::uint32_t classes, int threads,
                                  placement_method method = placement_method::automatic);

class source_placement {
 public:
  /// One projection out of the population, its local targets and how the threads share them.
  struct projection_run {
    std::size_t index = 0;
    const projection_spec* spec = nullptr;
    const local_population* target = nullptr;
    std::uint64_t target_first_index = 0;       ///< the first local target, as an index within its population
    std::optional<projection_targets> targets;  ///< their source draws
    std::vector<std::uint64_t> thread_begin;    ///< threads + 1 bounds of local targets
  };

  source_placement(const network_spec& net, const block_partition& partition, const local_layout& layout,
                   const class_table& classes, std::size_t population, const placement_options& options);

  /// The first draw: counts (and, bucketed, keeps the sources). Throws capacity_error if a class outgrows
  /// 2^32 - 2 synapses.
  void count();
  /// Synapses per class of the population (after count()).
  const std::vector<std::uint64_t>& class_sizes() const { return class_sizes_; }
  std::uint64_t num_synapses() const;
  bool bucketed() const { return shift_ > 0; }
  int threads() const { return threads_; }
  std::size_t population() const { return population_; }
  std::uint32_t first_class() const { return classes_.population_first[population_]; }
  std::uint32_t num_classes() const { return num_classes_; }
  const std::vector<projection_run>& projections() const { return runs_; }
  const class_table& classes() const { return classes_; }
  /// Synapses the first draw gave thread `thread` in class `k` (of the population's classes).
  std::uint64_t thread_synapses(std::uint32_t k, int thread) const {
    return thread_synapses_[static_cast<std::uint64_t>(k) * threads_ + thread];
  }

  /// Lays out the rows into `arrays` and visits every synapse with its place (see source_placement_impl.hpp for
  /// what a Sink and an OnRow provide). After count(), with `classes` holding the classes' first synapses.
  template <class Sink, class OnRow>
  void place(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink, OnRow&& on_row);

 private:
  std::uint32_t& counter(std::uint32_t k, int thread, std::uint64_t bucket) {
    return counts_[(static_cast<std::uint64_t>(k) * threads_ + thread) * buckets_ + bucket];
  }
  std::uint32_t counter(std::uint32_t k, int thread, std::uint64_t bucket) const {
    return counts_[(static_cast<std::uint64_t>(k) * threads_ + thread) * buckets_ + bucket];
  }
  /// What the first draw keeps in the bucketed way: per (projection run, thread) the sources drawn, target after
  /// target, and each target's count.
  struct drawn {
    std::vector<std::uint32_t> sources, per_target;
  };
  /// Per source of the counted buckets: its counts per class into `counts`; whether it has any.
  bool source_counts(std::uint64_t source, std::uint32_t* counts) const;
  template <class Sink, class OnRow>
  void place_direct(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink, OnRow& on_row);
  template <class Sink, class OnRow>
  void place_bucketed(const std::vector<synapse_class>& classes, row_arrays& arrays, Sink& sink, OnRow& on_row);
  /// The second visit of every synapse: its position from its (class, thread, bucket) cursor, to the sink.
  template <class Sink>
  void second_draw(Sink& sink, bool stash, std::vector<std::uint32_t>* keys, const std::vector<synapse_class>& classes);

  const network_spec& net_;
  const class_table& classes_;
  std::size_t population_;
  std::uint64_t population_size_;
  std::uint32_t num_classes_;
  int threads_;
  std::vector<projection_run> runs_;
  int shift_ = 0;  ///< a bucket holds sources [b << shift, (b + 1) << shift)
  std::uint64_t buckets_ = 0;
  std::vector<std::uint32_t> counts_;           ///< per (class, thread, bucket): synapses, then (place) cursors
  std::vector<drawn> drawn_;                    ///< bucketed: per (projection run, thread)
  std::vector<std::uint64_t> thread_synapses_;  ///< per (class, thread)
  std::vector<std::uint64_t> class_sizes_;
};

}  // namespace hetspike
