#pragma once
// Philox blocks of many consecutive ids at one index, for host loops that draw per neuron and step (Poisson
// input), or of many consecutive indices of one id (a build's normals, normal_lanes.hpp). The same words as
// philox_block; computed lane by lane so that the 32x32->64-bit multiplications of the ten rounds run in vector
// registers, built for each x86 level (target_clones.hpp): integers, so every level gives the same words.
#include <cstdint>

#include "kernels/random.hpp"

namespace hetspike {

/// Ids per call.
inline constexpr std::uint32_t philox_lanes_width = 16;

/// out[w * philox_lanes_width + j] = philox_block(key, first_id + j, index).v[w] for w < 4, j < philox_lanes_width.
void philox_lanes(const philox_engine::key_type& key, std::uint64_t first_id, std::uint64_t index, std::uint32_t* out);

/// The same for consecutive indices of one id (a random_stream's next blocks):
/// out[w * philox_lanes_width + j] = philox_block(key, id, first_index + j).v[w].
void philox_lanes_of_id(const philox_engine::key_type& key, std::uint64_t id, std::uint64_t first_index,
                        std::uint32_t* out);

}  // namespace hetspike
