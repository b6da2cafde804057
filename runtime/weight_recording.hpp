#pragma once
// Samples of plastic weights over a run (weight_recorder_spec): which synapses, and their weights at each
// sample time. Rank 0 holds them; io/ writes them to HDF5.
#include <cstdint>
#include <string>
#include <vector>

namespace hetspike {

struct weight_recording {
  std::string name;                       ///< "SOURCE->TARGET"
  std::vector<std::uint64_t> source_ids;  ///< population-local node ids, one per synapse
  std::vector<std::uint64_t> target_ids;  ///< population-local node ids; a target's synapses in draw order
  std::vector<double> times;              ///< ms
  std::vector<double> weights;            ///< times.size() rows of source_ids.size() weights
};

}  // namespace hetspike
