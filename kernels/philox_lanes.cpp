#include "kernels/philox_lanes.hpp"

#include "kernels/target_clones.hpp"

namespace hetspike {

namespace {

// Random123's Philox4x32 constants: the round multipliers and the Weyl key increments.
constexpr std::uint32_t multiplier_0 = 0xD2511F53u, multiplier_1 = 0xCD9E8D57u;
constexpr std::uint32_t key_step_0 = 0x9E3779B9u, key_step_1 = 0xBB67AE85u;

/// The ten rounds on philox_lanes_width counters (c0..c3 lane by lane), in place, then out[w * width + j].
[[gnu::always_inline]] inline void philox_rounds(const philox_engine::key_type& key, std::uint32_t* c0,
                                                 std::uint32_t* c1, std::uint32_t* c2, std::uint32_t* c3,
                                                 std::uint32_t* out) {
  constexpr std::uint32_t n = philox_lanes_width;
  std::uint32_t k0 = key.v[0], k1 = key.v[1];
  for (int round = 0; round < 10; ++round) {
    // Written out of place: updating the lanes in place, GCC 12 keeps the round scalar.
    std::uint32_t d0[n], d1[n], d2[n], d3[n];
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::uint64_t p0 = std::uint64_t{multiplier_0} * c0[j];
      const std::uint64_t p1 = std::uint64_t{multiplier_1} * c2[j];
      d0[j] = static_cast<std::uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
      d1[j] = static_cast<std::uint32_t>(p1);
      d2[j] = static_cast<std::uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
      d3[j] = static_cast<std::uint32_t>(p0);
    }
    for (std::uint32_t j = 0; j < n; ++j) c0[j] = d0[j], c1[j] = d1[j], c2[j] = d2[j], c3[j] = d3[j];
    k0 += key_step_0;
    k1 += key_step_1;
  }
  for (std::uint32_t j = 0; j < n; ++j) {
    out[j] = c0[j];
    out[n + j] = c1[j];
    out[2 * n + j] = c2[j];
    out[3 * n + j] = c3[j];
  }
}

/// Counters (id, index) = (first_id + j * id_step, first_index + j * index_step) for lane j, then the rounds.
[[gnu::always_inline]] inline void philox_counters_and_rounds(const philox_engine::key_type& key,
                                                              std::uint64_t first_id, std::uint64_t id_step,
                                                              std::uint64_t first_index, std::uint64_t index_step,
                                                              std::uint32_t* out) {
  constexpr std::uint32_t n = philox_lanes_width;
  std::uint32_t c0[n], c1[n], c2[n], c3[n];
  for (std::uint32_t j = 0; j < n; ++j) {
    const std::uint64_t id = first_id + j * id_step, index = first_index + j * index_step;
    c0[j] = static_cast<std::uint32_t>(id);
    c1[j] = static_cast<std::uint32_t>(id >> 32);
    c2[j] = static_cast<std::uint32_t>(index);
    c3[j] = static_cast<std::uint32_t>(index >> 32);
  }
  philox_rounds(key, c0, c1, c2, c3, out);
}

}  // namespace

HETSPIKE_TARGET_CLONES
void philox_lanes(const philox_engine::key_type& key, std::uint64_t first_id, std::uint64_t index, std::uint32_t* out) {
  philox_counters_and_rounds(key, first_id, 1, index, 0, out);
}

HETSPIKE_TARGET_CLONES
void philox_lanes_of_id(const philox_engine::key_type& key, std::uint64_t id, std::uint64_t first_index,
                        std::uint32_t* out) {
  philox_counters_and_rounds(key, id, 0, first_index, 1, out);
}

}  // namespace hetspike
