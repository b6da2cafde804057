#pragma once
// Decides how the rows of one source population are laid out in the synapse store (kernels/synapse_store.hpp) and
// where each row's synapses go, from nothing but each source's synapse count per class. Sources come in ascending
// order, cut into consecutive chunks that may be counted and placed by different threads: each chunk's tally says
// how much room its rows need, and the chunks' cursors start where the previous chunks end, so the layout does not
// depend on the chunking. The connectivity builder, the tests and the kernel benchmark all lay out stores here.
#include <cstdint>
#include <vector>

#include "kernels/synapse_store.hpp"

namespace hetspike {

/// The store's row arrays while they are being built (host vectors; the builder turns them into views).
struct row_arrays {
  std::vector<std::uint32_t> range_first_row;  ///< one per range; the row count is appended at the end
  std::vector<row_range> ranges;
  std::vector<std::uint32_t> run_begin;
  std::vector<std::uint32_t> list_begin;  ///< the final sentinel is appended at the end
  std::vector<list_segment> list_segments;
  std::vector<std::uint32_t> table_begin;
  std::uint64_t num_rows = 0;
  std::uint64_t num_plastic_slots = 0;
};

/// Bytes a row of each layout costs beyond its synapses (the estimate of `hetspike check` uses them too).
inline constexpr double run_row_bytes = 4;
inline constexpr double list_row_bytes = 4;
inline constexpr double list_segment_bytes = sizeof(list_segment);
inline constexpr double table_row_bytes_per_class = 4;

/// The sizes of the store's per-synapse arrays.
struct synapse_array_sizes {
  std::uint64_t synapses = 0, weights = 0, plastic_weights = 0, delays = 0;
};

/// Lays the classes out class-major, given their synapse counts: each class's synapses one run of the store, its
/// per-synapse weights and delays (for the classes that keep them) runs of their own arrays. Sets each class's
/// first synapse and shifts; returns the arrays' sizes.
synapse_array_sizes lay_out_classes(std::vector<synapse_class>& classes, const std::vector<std::uint64_t>& sizes);

/// Closes the arrays once every source population is placed (the row count after the last range, the final list
/// sentinel) and moves them, with the classes, into the store's views (host memory; the vectors are emptied).
void install_rows(row_arrays& arrays, const std::vector<synapse_class>& classes,
                  synapse_store<Kokkos::HostSpace>& store);

class row_planner {
 public:
  /// Room that a chunk of sources needs, per layout (per class where the layout's room is per class).
  struct tally {
    std::uint64_t table_rows = 0, list_rows = 0, list_segments = 0;
    std::vector<std::uint64_t> table_synapses, list_synapses, run_rows, run_synapses, single_rows;
  };
  /// Where a chunk's next row of each layout goes: row indices within the layout's range and class-relative
  /// synapse positions.
  struct cursor {
    std::uint64_t table_row = 0, list_row = 0, list_segment = 0;
    std::vector<std::uint64_t> table_synapse, list_synapse, run_row, run_synapse, single_row;
  };

  /// The source population's classes are `first_class`, first_class + 1, ...; `plastic` says which are plastic.
  row_planner(std::uint32_t first_class, std::vector<std::uint8_t> plastic);

  std::uint32_t num_classes() const { return static_cast<std::uint32_t>(plastic_.size()); }
  tally make_tally() const;

  /// The layout of a row with these synapse counts per class (at least one non-zero).
  row_layout layout_of(const std::uint32_t* counts) const;

  /// Counts one source with at least one synapse here.
  void count(const std::uint32_t* counts, tally& t) const;

  /// After every source was counted: appends the population's ranges to `arrays`, sizes its row arrays, and
  /// returns each chunk's cursor. `class_sizes` receives the synapses per class. Rows of the population get ids
  /// from arrays.num_rows on; its synapses of class k take positions from zone_base[k] on (0 if not given).
  std::vector<cursor> lay_out(const std::vector<tally>& chunks, row_arrays& arrays,
                              std::vector<std::uint64_t>& class_sizes, const std::uint64_t* zone_base = nullptr);

  /// Places one source (chunks in source order, as counted): returns its row id and writes the class-relative
  /// position of its first synapse of each class with a non-zero count into positions[k].
  std::uint32_t place(cursor& c, const std::uint32_t* counts, std::uint32_t* positions, row_arrays& arrays) const;

  /// count() and place() for a source with one synapse, in class k: most sources when ranks are many.
  void count_single(std::uint32_t k, tally& t) const { ++t.single_rows[k]; }
  void count_singles(std::uint32_t k, std::uint64_t n, tally& t) const { t.single_rows[k] += n; }
  std::uint32_t place_single(cursor& c, std::uint32_t k, std::uint32_t& position) const {
    const std::uint64_t i = c.single_row[k]++;
    position = static_cast<std::uint32_t>(single_zone_[k] + i);
    return static_cast<std::uint32_t>(single_first_row_[k] + i);
  }
  /// After lay_out: the i-th single row of class k (counted over all chunks) is row single_first_row(k) + i and its
  /// synapse takes position single_zone(k) + i; places them in bulk, without a cursor.
  std::uint64_t single_first_row(std::uint32_t k) const { return single_first_row_[k]; }
  std::uint64_t single_zone(std::uint32_t k) const { return single_zone_[k]; }
  /// count() for n rows of class k only (run rows) holding `synapses` in all.
  void count_runs(std::uint32_t k, std::uint64_t n, std::uint64_t synapses, tally& t) const {
    t.run_rows[k] += n, t.run_synapses[k] += synapses;
  }
  /// place() for a chunk's run rows of class k at once, in source order, their synapses consecutive: starts[i] is
  /// row i's first synapse counted from the first row's, `synapses` their total. Returns the first row's id;
  /// `position` receives its first synapse's class-relative position.
  std::uint32_t place_runs(cursor& c, std::uint32_t k, const std::vector<std::uint32_t>& starts, std::uint64_t synapses,
                           std::uint32_t& position, row_arrays& arrays) const {
    const std::uint64_t i = c.run_row[k];
    position = static_cast<std::uint32_t>(c.run_synapse[k]);
    std::uint32_t* begin = arrays.run_begin.data() + run_first_entry_[k] + i;
    for (std::size_t j = 0; j < starts.size(); ++j) begin[j] = position + starts[j];
    c.run_row[k] += starts.size(), c.run_synapse[k] += synapses;
    return static_cast<std::uint32_t>(run_first_row_[k] + i);
  }

 private:
  std::uint32_t first_class_;
  std::vector<std::uint8_t> plastic_;
  // Set by lay_out: the population's ranges and zones.
  std::uint64_t table_first_row_ = 0, list_first_row_ = 0, table_rows_ = 0;
  std::uint64_t table_first_entry_ = 0, list_first_entry_ = 0;
  std::vector<std::uint64_t> run_first_row_, single_first_row_, run_first_entry_, single_zone_;
};

}  // namespace hetspike
