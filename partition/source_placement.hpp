#pragma once
// Where the synapses of one source population's projections go in a rank's store, found without ever holding a
// list of synapses or anything per neuron of the whole network (DESIGN.md, "Scale: what one rank holds").
//
// count():  draws the sources of every local target (target side, connection_rules.hpp): each thread one fixed run
//           of every projection's targets, each synapse into its (class, thread, bucket of 2^shift consecutive
//           sources) through a sink.
// place():  lays out the rows (kernels/row_planner.hpp) and hands every synapse with its place in the store to the
//           sink: the builder writes synapses, the locator notes positions.
//
// Two ways, chosen by the memory they need (never by the thread count; or forced, for tests):
//   direct    buckets of one source (shift 0): the first draw counts per source, the rows are planned from the
//             counts over the whole population, and a second draw writes every synapse straight to its place.
//             Needs 4 bytes per (class, source) and counting thread: right while a rank holds several synapses per
//             source (few ranks). Rows: by layout, then class, then source. A population of at most 65,536
//             neurons may keep its first draw's sources (drawn_sources.hpp: 2 bytes a synapse until it is placed,
//             where the builder's choose_kept_draws allows), and the second reads them.
//   bucketed  buckets of consecutive sources, sized to hold about 65,536 synapses (few enough buckets that the
//             stretches being written stay in the second-level cache, and a bucket is split within it), grouped
//             into a fixed number of chunks. The one draw puts each synapse, its source's low bits and its target's
//             offset in its class block in one 32-bit key (the offset takes as many bits as the population's largest
//             class block needs, the source the rest: a bucket holds at most 2^(32 - offset bits) sources; the sink
//             stashes weights and delays alike), into its (class, thread, bucket) stretch of a stash with room for the
//             expected count and some (a stretch that overflows, rarely, makes the draw start again with exact room,
//             counted first); the stretches stay where they are. Chunk by chunk, bucket by bucket, the sources with one
//             synapse are told from the others by a count in a table of the bucket's sources; only the others' synapses
//             are sorted by source (a radix sort); the single rows' synapses go to the store bucket by bucket (their
//             zone, the last of the chunk's part of the class, filled from its end), the others once the chunk's rows
//             are planned, all while the chunk is in cache. Rows: by chunk, then layout and class; single rows by
//             bucket, the chunk's last bucket first, in draw order within a bucket; the others by source. Each chunk's
//             synapses of a class stay in the chunk's part of the class.
//             Needs about 4.2 bytes a synapse (plus the stashed values) for a while: right when a rank holds about one
//             synapse per source (10^4 ranks and more), where per-source counts would outgrow the store.
// Within a row and class, targets ascend and each target's synapses keep their draw order, either way.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kernels/row_planner.hpp"
#include "partition/drawn_sources.hpp"
#include "partition/projection_targets.hpp"
#include "partition/row_parts.hpp"
#include "partition/synapse_classes.hpp"
#include "partition/uninitialized_array.hpp"

namespace hetspike {

enum class placement_method { automatic, direct, bucketed };

struct placement_options {
  int threads = 0;  ///< 0: OpenMP's default
  placement_method method = placement_method::automatic;
  /// Bucketed: the room of a stretch beyond its expected count, in standard deviations (tests make it overflow).
  double room_margin = 6;
};

/// The sources whose rows the caller of place() wants to hear of (population-relative): every one, or those of a
/// block and of a list.
struct wanted_sources {
  bool every = false;
  std::uint64_t block_first = 0, block_count = 0;
  const std::vector<std::uint32_t>* list = nullptr;  ///< ascending; may be null
};

/// Answers, for ascending sources or ascending ranges of them, whether they are wanted: a merge with the wanted
/// list (a search for each of 10^8 sources would cost seconds).
class wanted_cursor {
 public:
  wanted_cursor(const wanted_sources& w, std::uint64_t first);
  /// Whether `source` is wanted; asked in ascending order.
  bool wants(std::uint64_t source);
  /// Whether any source in [first, end) is wanted, and whether every one; asked for ascending ranges.
  bool any(std::uint64_t first, std::uint64_t end);
  bool every() const { return w_.every; }
  /// Calls f(source) for the wanted sources in [first, end), the range last given to any(), unless every() (some
  /// more than once).
  template <class F>
  void each(std::uint64_t first, std::uint64_t end, F&& f) const {
    for (std::uint64_t s = std::max(first, w_.block_first); s < std::min(end, w_.block_first + w_.block_count); ++s)
      f(s);
    if (w_.list != nullptr)
      for (std::size_t i = next_; i < w_.list->size() && (*w_.list)[i] < end; ++i)
        if ((*w_.list)[i] >= first) f((*w_.list)[i]);
  }

 private:
  wanted_sources w_;
  std::size_t next_ = 0;  ///< into the list: the first entry at or above the sources asked about
};

/// How a source population is placed: shift 0 is the direct way; the threads it counts with.
struct placement_choice {
  int shift = 0;
  int threads = 1;
};

/// The most classes (projection blocks of up to segment_block_size local targets) one source population may have
/// on a rank: a synapse's class is 16-bit in the placement's counters and keys.
inline constexpr std::uint64_t max_source_classes = (1u << 16) - 1;
/// Throws capacity_error unless `classes` (of source population `population`, on one rank) is at most
/// max_source_classes: by the build, and by `check`'s estimate, which would otherwise take time and memory for
/// each of them.
void check_source_classes(const std::string& population, std::uint64_t classes);

/// The bits a stash key gives its target's offset within the class block: as many as the widest of the
/// population's class blocks (`widest_block` targets, at most segment_block_size) needs; the source takes the rest.
int key_offset_bits(std::uint64_t widest_block);

/// The room of a bucketed stash stretch that expects `expected` synapses: `margin` standard deviations more, and 8.
double stretch_room(double expected, double margin);

/// The choice for `synapses` (expected) from `sources` neurons into `classes` classes, given `threads` threads;
/// bucketed, buckets of at most 2^max_shift sources.
placement_choice choose_placement(double synapses, double sources, std::uint32_t classes, int threads,
                                  placement_method method = placement_method::automatic, int max_shift = 16);

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

  /// The first draw: counts (direct), or stashes every synapse through the sink (bucketed). Throws capacity_error
  /// if a class outgrows 2^32 - 2 synapses.
  template <class Sink>
  void count(Sink& sink);
  /// Whether the direct way keeps the first draw's sources for the second (where it can: see draw_bytes; only when
  /// told, before count()).
  void keep_draws(bool keep) { keep_draws_ = keep; }
  /// What the population's synapses are expected to take in the store, and its kept draw (0 where the draw cannot
  /// be kept: bucketed, or more than 65,536 neurons): the builder's choose_kept_draws weighs the two.
  double store_bytes() const { return store_bytes_; }
  double draw_bytes() const { return draw_bytes_; }
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

  /// Lays out the rows, as new parts of `parts` (one, or one per chunk), and visits every synapse with its place (see
  /// source_placement_impl.hpp for what a Sink and an OnRow provide). After count(), with `classes` holding the
  /// classes' first synapses.
  template <class Sink, class OnRow>
  void place(const std::vector<synapse_class>& classes, row_parts& parts, Sink& sink, OnRow&& on_row);

 private:
  std::uint32_t& counter(std::uint32_t k, int thread, std::uint64_t bucket) {
    return counts_[(static_cast<std::uint64_t>(k) * threads_ + thread) * buckets_ + bucket];
  }
  std::uint32_t counter(std::uint32_t k, int thread, std::uint64_t bucket) const {
    return counts_[(static_cast<std::uint64_t>(k) * threads_ + thread) * buckets_ + bucket];
  }
  /// The direct way's first draw, and the bucketed way's count before a draw with exact room: synapses per
  /// (class, thread, bucket) into counts_.
  void count_buckets();
  /// Sets class sizes and per-thread synapse counts from counts_; checks the class size limit.
  void sum_counts();
  /// The bucketed way's room per (class, thread, bucket) for the expected synapses, into counts_; false if some
  /// projection's sources are not uniform (one_to_one), whose room must be counted.
  bool estimate_room();
  /// The bucketed draw into stretches with room counts_; false if a stretch overflowed. Leaves the stretches'
  /// starts in stash_start_ and what they hold in counts_.
  template <class Sink>
  bool stash_draw(Sink& sink);
  /// After the bucketed draw: each class's synapses in the buckets before each bucket, into bucket_start_.
  void count_buckets_before();
  /// Per source of the counted buckets: its counts per class into `counts`; whether it has any.
  bool source_counts(std::uint64_t source, std::uint32_t* counts) const;
  template <class Sink, class OnRow>
  void place_direct(const std::vector<synapse_class>& classes, row_parts& parts, Sink& sink, OnRow& on_row);
  template <class Sink, class OnRow>
  void place_bucketed(row_parts& parts, Sink& sink, OnRow& on_row);
  /// The direct way's second draw: every synapse's place from its (class, thread, source) cursor, to the sink.
  template <class Sink>
  void second_draw(Sink& sink);
  /// Whether the first draw's sources are kept for the second.
  bool keeps_draws() const { return keep_draws_ && draw_bytes_ > 0; }

  const network_spec& net_;
  const class_table& classes_;
  std::size_t population_;
  std::uint64_t population_size_;
  std::uint32_t num_classes_;
  int threads_;
  double room_margin_;
  std::vector<projection_run> runs_;
  double store_bytes_ = 0, draw_bytes_ = 0;
  bool keep_draws_ = false;
  int shift_ = 0;         ///< a bucket holds sources [b << shift, (b + 1) << shift)
  int offset_bits_ = 16;  ///< the stash keys' target offset bits: as many as the largest class block needs
  std::uint64_t buckets_ = 0;
  std::vector<std::uint32_t> counts_;  ///< per (class, thread, bucket): synapses (room), then (place) cursors
  std::vector<drawn_sources> drawn_;   ///< the direct way's first draw, per (projection run, thread), if kept
  // The bucketed way's stash: per synapse (source low bits << offset_bits_ | target offset), per class from
  // key_base_.
  uninitialized_array<std::uint32_t> keys_;
  std::vector<std::uint64_t> key_base_;         ///< per class + 1
  std::vector<std::uint32_t> stash_start_;      ///< per (class, thread, bucket), class-relative
  std::vector<std::uint32_t> bucket_start_;     ///< per (class, bucket + 1): the class's synapses before it
  std::vector<std::uint64_t> thread_synapses_;  ///< per (class, thread)
  std::vector<std::uint64_t> class_sizes_;
};

}  // namespace hetspike
