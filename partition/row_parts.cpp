#include "partition/row_parts.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

#include "partition/parallel_chunks.hpp"

namespace hetspike {

namespace {

/// Where a part's rows, entries, segments and slots start among all parts'.
struct part_base {
  std::uint64_t rows = 0, ranges = 0, run = 0, list = 0, segments = 0, table = 0, plastic = 0;
};

template <class T>
Kokkos::View<T*, Kokkos::HostSpace> uninitialized_view(const char* label, std::uint64_t n) {
  return Kokkos::View<T*, Kokkos::HostSpace>(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), n);
}

}  // namespace

std::uint64_t total_rows(const row_parts& parts) {
  std::uint64_t n = 0;
  for (const auto& p : parts) n += p.num_rows;
  return n;
}

std::uint64_t total_list_segments(const row_parts& parts) {
  std::uint64_t n = 0;
  for (const auto& p : parts) n += p.list_segments.size();
  return n;
}

void install_row_parts(row_parts& parts, const std::vector<synapse_class>& classes,
                       synapse_store<Kokkos::HostSpace>& store, int threads) {
  std::vector<part_base> base(parts.size() + 1);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    auto& next = base[i + 1];
    next = base[i];
    next.rows += p.num_rows, next.ranges += p.ranges.size(), next.run += p.run_begin.size();
    next.list += p.list_begin.size(), next.segments += p.list_segments.size(), next.table += p.table_begin.size();
    next.plastic += p.num_plastic_slots;
  }
  const part_base& all = base.back();
  // One array at a time, each part's share copied by its own thread and then freed: the rows are held twice
  // only for the array being copied.
  auto install = [&](auto member, auto& view, const char* label, std::uint64_t size, auto&& copy) {
    using value_type = typename std::remove_reference_t<decltype(view)>::value_type;
    view = uninitialized_view<value_type>(label, size);
    parallel_chunks(parts.size(), threads, [&](std::size_t i) {
      auto& field = parts[i].*member;
      copy(parts[i], base[i], view.data());
      std::remove_reference_t<decltype(field)>().swap(field);
    });
  };
  // One more range start and list start than there are: the row count and the segment count close them.
  store.range_first_row = uninitialized_view<std::uint32_t>("hetspike::synapses::range_first_row", all.ranges + 1);
  install(&row_arrays::ranges, store.ranges, "hetspike::synapses::ranges", all.ranges,
          [&](const row_arrays& p, const part_base& b, row_range* to) {
            for (std::size_t r = 0; r < p.ranges.size(); ++r) {
              row_range range = p.ranges[r];
              switch (range.layout) {
                case row_layout::run:
                  range.first += b.run;
                  break;
                case row_layout::list:
                  range.first += b.list;
                  break;
                case row_layout::table:
                  range.first += b.table;
                  break;
                case row_layout::single:
                  break;
              }
              if (range.first_plastic != no_plastic_slot) range.first_plastic += b.plastic;
              to[b.ranges + r] = range;
              store.range_first_row(b.ranges + r) = static_cast<std::uint32_t>(b.rows + p.range_first_row[r]);
            }
          });
  install(&row_arrays::list_begin, store.list_begin, "hetspike::synapses::list_begin", all.list + 1,
          [](const row_arrays& p, const part_base& b, std::uint32_t* to) {
            for (std::size_t j = 0; j < p.list_begin.size(); ++j)
              to[b.list + j] = static_cast<std::uint32_t>(b.segments + p.list_begin[j]);
          });
  install(&row_arrays::list_segments, store.list_segments, "hetspike::synapses::list_segments", all.segments,
          [](const row_arrays& p, const part_base& b, list_segment* to) {
            std::copy(p.list_segments.begin(), p.list_segments.end(), to + b.segments);
          });
  install(&row_arrays::run_begin, store.run_begin, "hetspike::synapses::run_begin", all.run,
          [](const row_arrays& p, const part_base& b, std::uint32_t* to) {
            std::copy(p.run_begin.begin(), p.run_begin.end(), to + b.run);
          });
  install(&row_arrays::table_begin, store.table_begin, "hetspike::synapses::table_begin", all.table,
          [](const row_arrays& p, const part_base& b, std::uint32_t* to) {
            std::copy(p.table_begin.begin(), p.table_begin.end(), to + b.table);
          });
  store.range_first_row(all.ranges) = static_cast<std::uint32_t>(all.rows);
  store.list_begin(all.list) = static_cast<std::uint32_t>(all.segments);
  store.classes = uninitialized_view<synapse_class>("hetspike::synapses::classes", classes.size());
  std::copy(classes.begin(), classes.end(), store.classes.data());
  store.num_plastic_slots = all.plastic;
  parts.clear();
}

}  // namespace hetspike
