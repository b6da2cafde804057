#include "kernels/row_planner.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace hetspike {

namespace {

template <class T>
Kokkos::View<T*, Kokkos::HostSpace> moved_to_view(std::vector<T>& v, const char* label) {
  Kokkos::View<T*, Kokkos::HostSpace> view(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)),
                                           v.size());
  std::copy(v.begin(), v.end(), view.data());
  std::vector<T>().swap(v);
  return view;
}

}  // namespace

synapse_array_sizes lay_out_classes(std::vector<synapse_class>& classes, const std::vector<std::uint64_t>& sizes) {
  synapse_array_sizes n;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    auto& c = classes[i];
    c.first = n.synapses;
    c.weight_shift =
        static_cast<std::int64_t>(c.plastic ? n.plastic_weights : n.weights) - static_cast<std::int64_t>(n.synapses);
    c.delay_shift = static_cast<std::int64_t>(n.delays) - static_cast<std::int64_t>(n.synapses);
    if (c.plastic)
      n.plastic_weights += sizes[i];
    else if (c.has_weights)
      n.weights += sizes[i];
    if (c.has_delays) n.delays += sizes[i];
    n.synapses += sizes[i];
  }
  return n;
}

void install_rows(row_arrays& arrays, const std::vector<synapse_class>& classes,
                  synapse_store<Kokkos::HostSpace>& store) {
  arrays.range_first_row.push_back(static_cast<std::uint32_t>(arrays.num_rows));
  arrays.list_begin.push_back(static_cast<std::uint32_t>(arrays.list_segments.size()));
  store.range_first_row = moved_to_view(arrays.range_first_row, "hetspike::synapses::range_first_row");
  store.ranges = moved_to_view(arrays.ranges, "hetspike::synapses::ranges");
  std::vector<synapse_class> copy = classes;
  store.classes = moved_to_view(copy, "hetspike::synapses::classes");
  store.run_begin = moved_to_view(arrays.run_begin, "hetspike::synapses::run_begin");
  store.list_begin = moved_to_view(arrays.list_begin, "hetspike::synapses::list_begin");
  store.list_segments = moved_to_view(arrays.list_segments, "hetspike::synapses::list_segments");
  store.table_begin = moved_to_view(arrays.table_begin, "hetspike::synapses::table_begin");
  store.num_plastic_slots = arrays.num_plastic_slots;
}

row_planner::row_planner(std::uint32_t first_class, std::vector<std::uint8_t> plastic)
    : first_class_(first_class), plastic_(std::move(plastic)) {}

row_planner::tally row_planner::make_tally() const {
  const std::size_t n = plastic_.size();
  tally t;
  t.table_synapses.assign(n, 0);
  t.list_synapses.assign(n, 0);
  t.run_rows.assign(n, 0);
  t.run_synapses.assign(n, 0);
  t.single_rows.assign(n, 0);
  return t;
}

row_layout row_planner::layout_of(const std::uint32_t* counts) const {
  std::uint32_t present = 0;
  std::uint64_t total = 0;
  for (std::uint32_t k = 0; k < num_classes(); ++k)
    if (counts[k] != 0) ++present, total += counts[k];
  if (total == 1) return row_layout::single;
  if (present == 1) return row_layout::run;
  // A table row pays for every class of its population, a list row for the classes it has.
  const double table = table_row_bytes_per_class * num_classes();
  return table <= list_row_bytes + list_segment_bytes * present ? row_layout::table : row_layout::list;
}

void row_planner::count(const std::uint32_t* counts, tally& t) const {
  const std::uint32_t n = num_classes();
  switch (layout_of(counts)) {
    case row_layout::table:
      ++t.table_rows;
      for (std::uint32_t k = 0; k < n; ++k) t.table_synapses[k] += counts[k];
      return;
    case row_layout::list:
      ++t.list_rows;
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) ++t.list_segments, t.list_synapses[k] += counts[k];
      return;
    case row_layout::run:
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) ++t.run_rows[k], t.run_synapses[k] += counts[k];
      return;
    case row_layout::single:
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) count_single(k, t);
      return;
  }
}

std::vector<row_planner::cursor> row_planner::lay_out(const std::vector<tally>& chunks, row_arrays& arrays,
                                                      std::vector<std::uint64_t>& class_sizes,
                                                      const std::uint64_t* zone_base) {
  const std::uint32_t n = num_classes();
  // Each chunk's cursor holds the room the chunks before it took, relative to the zone starts set below.
  std::vector<cursor> cursors(chunks.size());
  tally total = make_tally();
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    auto& cur = cursors[c];
    cur.table_row = total.table_rows, cur.list_row = total.list_rows, cur.list_segment = total.list_segments;
    cur.table_synapse = total.table_synapses, cur.list_synapse = total.list_synapses;
    cur.run_row = total.run_rows, cur.run_synapse = total.run_synapses, cur.single_row = total.single_rows;
    const tally& t = chunks[c];
    total.table_rows += t.table_rows, total.list_rows += t.list_rows, total.list_segments += t.list_segments;
    for (std::uint32_t k = 0; k < n; ++k) {
      total.table_synapses[k] += t.table_synapses[k], total.list_synapses[k] += t.list_synapses[k];
      total.run_rows[k] += t.run_rows[k], total.run_synapses[k] += t.run_synapses[k];
      total.single_rows[k] += t.single_rows[k];
    }
  }
  // A class's synapses: its table rows', then its list rows', run rows' and single rows'.
  std::vector<std::uint64_t> table_zone(n, 0), list_zone(n), run_zone(n);
  single_zone_.assign(n, 0);
  class_sizes.assign(n, 0);
  for (std::uint32_t k = 0; k < n; ++k) {
    if (zone_base != nullptr) table_zone[k] = zone_base[k];
    list_zone[k] = table_zone[k] + total.table_synapses[k];
    run_zone[k] = list_zone[k] + total.list_synapses[k];
    single_zone_[k] = run_zone[k] + total.run_synapses[k];
    class_sizes[k] = single_zone_[k] + total.single_rows[k] - table_zone[k];
  }
  const bool any_plastic = std::any_of(plastic_.begin(), plastic_.end(), [](std::uint8_t p) { return p != 0; });
  auto add_range = [&](row_layout layout, std::uint64_t rows, std::uint32_t cls, std::uint32_t classes,
                       std::uint64_t first, bool plastic) {
    if (rows == 0) return;
    arrays.range_first_row.push_back(static_cast<std::uint32_t>(arrays.num_rows));
    arrays.ranges.push_back({layout, cls, classes, 0, first, plastic ? arrays.num_plastic_slots : no_plastic_slot});
    arrays.num_rows += rows;
    if (plastic) arrays.num_plastic_slots += rows;
  };
  // Table rows: one run of entries per class, each closed by the class's table total.
  table_rows_ = total.table_rows;
  table_first_row_ = arrays.num_rows;
  table_first_entry_ = arrays.table_begin.size();
  if (table_rows_ > 0) {
    arrays.table_begin.resize(table_first_entry_ + n * (table_rows_ + 1));
    for (std::uint32_t k = 0; k < n; ++k)
      arrays.table_begin[table_first_entry_ + k * (table_rows_ + 1) + table_rows_] =
          static_cast<std::uint32_t>(table_zone[k] + total.table_synapses[k]);
  }
  add_range(row_layout::table, table_rows_, first_class_, n, table_first_entry_, any_plastic);
  // List rows: their segments follow the segments already there; the final sentinel comes with the last population.
  list_first_row_ = arrays.num_rows;
  list_first_entry_ = arrays.list_begin.size();
  const std::uint64_t first_segment = arrays.list_segments.size();
  arrays.list_begin.resize(list_first_entry_ + total.list_rows);
  arrays.list_segments.resize(first_segment + total.list_segments);
  add_range(row_layout::list, total.list_rows, first_class_, n, list_first_entry_, any_plastic);
  // Per class: run rows (their offsets closed by the zone's end), then single rows.
  run_first_row_.assign(n, 0), run_first_entry_.assign(n, 0), single_first_row_.assign(n, 0);
  for (std::uint32_t k = 0; k < n; ++k) {
    run_first_row_[k] = arrays.num_rows;
    run_first_entry_[k] = arrays.run_begin.size();
    if (total.run_rows[k] > 0) {
      arrays.run_begin.resize(run_first_entry_[k] + total.run_rows[k] + 1);
      arrays.run_begin.back() = static_cast<std::uint32_t>(single_zone_[k]);
    }
    add_range(row_layout::run, total.run_rows[k], first_class_ + k, 1, run_first_entry_[k], plastic_[k] != 0);
    single_first_row_[k] = arrays.num_rows;
    add_range(row_layout::single, total.single_rows[k], first_class_ + k, 1, single_zone_[k], plastic_[k] != 0);
  }
  for (auto& cur : cursors) {
    cur.list_segment += first_segment;
    for (std::uint32_t k = 0; k < n; ++k) {
      cur.table_synapse[k] += table_zone[k];
      cur.list_synapse[k] += list_zone[k], cur.run_synapse[k] += run_zone[k];
    }
  }
  return cursors;
}

std::uint32_t row_planner::place(cursor& c, const std::uint32_t* counts, std::uint32_t* positions,
                                 row_arrays& arrays) const {
  const std::uint32_t n = num_classes();
  switch (layout_of(counts)) {
    case row_layout::single:
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) return place_single(c, k, positions[k]);
      break;
    case row_layout::run:
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) {
          const std::uint64_t i = c.run_row[k]++;
          positions[k] = static_cast<std::uint32_t>(c.run_synapse[k]);
          arrays.run_begin[run_first_entry_[k] + i] = positions[k];
          c.run_synapse[k] += counts[k];
          return static_cast<std::uint32_t>(run_first_row_[k] + i);
        }
      break;
    case row_layout::list: {
      const std::uint64_t i = c.list_row++;
      arrays.list_begin[list_first_entry_ + i] = static_cast<std::uint32_t>(c.list_segment);
      for (std::uint32_t k = 0; k < n; ++k)
        if (counts[k] != 0) {
          positions[k] = static_cast<std::uint32_t>(c.list_synapse[k]);
          arrays.list_segments[c.list_segment++] = {positions[k], counts[k], first_class_ + k};
          c.list_synapse[k] += counts[k];
        }
      return static_cast<std::uint32_t>(list_first_row_ + i);
    }
    case row_layout::table: {
      const std::uint64_t i = c.table_row++;
      for (std::uint32_t k = 0; k < n; ++k) {
        positions[k] = static_cast<std::uint32_t>(c.table_synapse[k]);
        arrays.table_begin[table_first_entry_ + k * (table_rows_ + 1) + i] = positions[k];
        c.table_synapse[k] += counts[k];
      }
      return static_cast<std::uint32_t>(table_first_row_ + i);
    }
  }
  throw std::logic_error("row_planner::place: a source without synapses");
}

}  // namespace hetspike
