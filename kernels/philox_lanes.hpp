#pragma once
// Philox blocks of many consecutive ids at one index, for host loops that draw per neuron and step (Poisson
// input). The same words as philox_block; computed lane by lane so that the 32x32->64-bit multiplications of the
// ten rounds run in vector registers. Built for AVX-512 and AVX2 besides the baseline where the compiler allows
// (GCC's target clones, chosen at run time): integers, so every variant gives the same words, and a binary built
// for any x86-64 runs the fastest one its CPU has.
#include <cstdint>

#include "kernels/random.hpp"

namespace hetspike {

/// Ids per call.
inline constexpr std::uint32_t philox_lanes_width = 16;

/// out[w * philox_lanes_width + j] = philox_block(key, first_id + j, index).v[w] for w < 4, j < philox_lanes_width.
void philox_lanes(const philox_engine::key_type& key, std::uint64_t first_id, std::uint64_t index, std::uint32_t* out);

}  // namespace hetspike
