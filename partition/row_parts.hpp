#pragma once
// A rank's rows as the builder makes them: in parts (a population's placed the direct way, or one chunk of its
// sources placed the bucketed way), each numbered from 0 (its rows, its run, list and table entries, list segments
// and plastic slots), made by different threads. Installed in the store one after the other by as many threads,
// in one copy (appending them first, and then moving the whole into the store's views, took two serial copies of
// up to 150 MB at 10^4 ranks).
#include <cstdint>
#include <vector>

#include "kernels/row_planner.hpp"

namespace hetspike {

using row_parts = std::vector<row_arrays>;

/// Rows and list segments over all parts.
std::uint64_t total_rows(const row_parts& parts);
std::uint64_t total_list_segments(const row_parts& parts);

/// install_rows (kernels/row_planner.hpp) for parts: each part's rows, entries and slots shifted past those of the
/// parts before it. Empties the parts.
void install_row_parts(row_parts& parts, const std::vector<synapse_class>& classes,
                       synapse_store<Kokkos::HostSpace>& store, int threads);

}  // namespace hetspike
