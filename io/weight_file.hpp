#pragma once
// Plastic-weight samples as an HDF5 file (one process writes it: the samples are small and live on rank 0).
// Layout, per weight recorder "SOURCE->TARGET":
//   /projections/<SOURCE->TARGET>/source_node_ids  [n] u64, population-local
//   /projections/<SOURCE->TARGET>/target_node_ids  [n] u64, population-local; each target's synapses in draw order
//   /projections/<SOURCE->TARGET>/times            [k] f64, attribute units = "ms"
//   /projections/<SOURCE->TARGET>/weights          [k, n] f64 (pA or mV, as the projection's weights)
#include <filesystem>
#include <vector>

#include "runtime/weight_recording.hpp"

namespace hetspike {

/// Writes the file through a temporary name and renames it when complete. Throws input_error naming the path.
void write_weight_file(const std::vector<weight_recording>& recordings, const std::filesystem::path& path);

}  // namespace hetspike
