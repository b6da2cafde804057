#pragma once
// Every random number in hetspike is a pure function of (run seed, purpose, object, id, index), drawn from
// Random123's counter-based Philox4x32-10 (DESIGN.md, "Random numbers and reproducibility"). Nothing depends
// on how neurons are spread over ranks or threads, so a network and its activity are the same on any rank
// count. Key: (seed, purpose << 24 | object). Counter: (id low, id high, index low, index high).
#if defined(__CUDACC__) && !defined(R123_CUDA_DEVICE)
#define R123_CUDA_DEVICE __host__ __device__
#endif
#include <Random123/philox.h>
#include <Kokkos_Core.hpp>

#include <cstdint>

namespace hetspike {

/// What a draw is for. Part of the key, so streams for different purposes never share a counter.
enum class rng_purpose : std::uint32_t {
  connectivity = 1,        ///< which sources a target gets; object = projection
  weight = 2,              ///< synaptic weights; object = projection
  delay = 3,               ///< synaptic delays; object = projection
  initial_state = 4,       ///< initial membrane potential; object = population
  poisson_input = 5,       ///< external Poisson trains; object = input
  total_number_split = 6,  ///< fixed_total_number's split of the total over targets; object = projection
  emulated_routes = 7,  ///< an emulated rank's draw of which other ranks hold rows of its neurons; object = population
  emulated_spikes = 8,  ///< an emulated rank's spikes from the other ranks; object = source population
};

using philox_engine = r123::Philox4x32_R<10>;

struct rng_block {
  std::uint32_t v[4];
};

KOKKOS_INLINE_FUNCTION philox_engine::key_type make_rng_key(std::uint32_t seed, rng_purpose purpose,
                                                            std::uint32_t object) {
  philox_engine::key_type k = {{seed, (static_cast<std::uint32_t>(purpose) << 24) | (object & 0xffffffu)}};
  return k;
}

/// Four 32-bit words for (key, id, index).
KOKKOS_INLINE_FUNCTION rng_block philox_block(const philox_engine::key_type& key, std::uint64_t id,
                                              std::uint64_t index) {
  philox_engine::ctr_type c = {{static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32),
                                static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32)}};
  const philox_engine::ctr_type r = philox_engine()(c, key);
  return rng_block{{r.v[0], r.v[1], r.v[2], r.v[3]}};
}

/// A sequential stream of draws for one (key, id), used on the host for connectivity, weights, delays and
/// initial states. Consumes Philox blocks in index order, four words per block.
class random_stream {
 public:
  random_stream(philox_engine::key_type key, std::uint64_t id) : key_(key), id_(id) {}

  std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_.v[used_++];
  }
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_pos() { return (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53; }
  /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n > 0.
  std::uint64_t below(std::uint64_t n);
  /// Standard normal by Box-Muller: a pair from two uniforms, the cosine value returned first and the sine value
  /// kept for the next call (connection building draws hundreds of millions; half the logarithms and words).
  double normal();

 private:
  void refill() {
    block_ = philox_block(key_, id_, next_index_++);
    used_ = 0;
  }

  philox_engine::key_type key_;
  std::uint64_t id_;
  std::uint64_t next_index_ = 0;
  rng_block block_{};
  int used_ = 4;
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace hetspike
