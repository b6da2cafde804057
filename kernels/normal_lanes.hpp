#pragma once
// Standard normals of many consecutive Philox blocks of one stream at once: a network's build draws two per
// synapse (weights and delays), and libm's logarithm, sine and cosine one pair at a time cost 47 ns a pair here.
// The same values as random_stream::normal() one by one (box_muller.hpp), in vector registers.
#include <cstdint>

#include "kernels/random.hpp"

namespace hetspike {

/// Blocks (pairs of normals) per call.
inline constexpr std::uint32_t normal_lanes_pairs = 16;

/// out[2j] and out[2j + 1]: the pair of normals of block (key, id, first_index + j), j < normal_lanes_pairs,
/// in the order random_stream::normal() returns them.
void normal_lanes(const philox_engine::key_type& key, std::uint64_t id, std::uint64_t first_index, double* out);

}  // namespace hetspike
