#include "kernels/normal_lanes.hpp"

#include <bit>

#include "kernels/box_muller.hpp"
#include "kernels/philox_lanes.hpp"
#include "kernels/target_clones.hpp"

namespace hetspike {

static_assert(normal_lanes_pairs == philox_lanes_width, "one pair of normals per block");

namespace {

/// x < 2^53 as a double, through 2^52 + each 32-bit half: vectorises on every x86 level (converting a 64-bit
/// integer needs AVX-512) and is exact, like random_stream's static_cast.
[[gnu::always_inline]] inline double exact_double(std::uint64_t x) {
  constexpr double two_52 = 4503599627370496.0;
  const double hi = std::bit_cast<double>(std::uint64_t{0x4330000000000000} | (x >> 32)) - two_52;
  const double lo = std::bit_cast<double>(std::uint64_t{0x4330000000000000} | (x & 0xffffffffu)) - two_52;
  return hi * 4294967296.0 + lo;
}

}  // namespace

HETSPIKE_TARGET_CLONES
void normal_lanes(const philox_engine::key_type& key, std::uint64_t id, std::uint64_t first_index, double* out) {
  constexpr std::uint32_t n = normal_lanes_pairs;
  std::uint32_t words[4 * n];
  philox_lanes_of_id(key, id, first_index, words);
  double first[n], second[n];
  for (std::uint32_t j = 0; j < n; ++j) {
    // As random_stream::uniform_pos() and uniform() take them: the top 53 bits of words 0-1 and of words 2-3.
    const std::uint64_t x = ((std::uint64_t{words[j]} << 32) | words[n + j]) >> 11;
    const std::uint64_t y = ((std::uint64_t{words[2 * n + j]} << 32) | words[3 * n + j]) >> 11;
    box_muller((exact_double(x) + 1.0) * 0x1.0p-53, exact_double(y) * 0x1.0p-53, first[j], second[j]);
  }
  for (std::uint32_t j = 0; j < n; ++j) out[2 * j] = first[j], out[2 * j + 1] = second[j];
}

}  // namespace hetspike
