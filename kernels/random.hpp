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

#include <cstddef>
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

/// A range [0, n) to draw from many times: the rejection threshold of Lemire's method, (2^w - n) mod n for w = 32
/// or 64 bits, computed once. Drawing sources from a population of a billion neurons, a quarter of the draws would
/// otherwise pay a division; the draws are the same either way.
struct uniform_bound {
  std::uint64_t n = 0, threshold = 0;
  explicit uniform_bound(std::uint64_t range)
      : n(range),
        threshold(range == 0               ? 0
                  : range <= 0xffffffffull ? static_cast<std::uint32_t>(0u - static_cast<std::uint32_t>(range)) %
                                                 static_cast<std::uint32_t>(range)
                                           : (0 - range) % range) {}
};

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
  std::uint64_t below(std::uint64_t n) {
    if (n > 0xffffffffull) return below_wide(uniform_bound(n));
    const std::uint64_t m = std::uint64_t{next_u32()} * n;
    // Only a product whose low word falls below n may be rejected: the threshold (a division) only then.
    return static_cast<std::uint32_t>(m) < n ? accept32(uniform_bound(n), m) : m >> 32;
  }
  /// The same draw from a range made once.
  std::uint64_t below(const uniform_bound& range) {
    if (range.n > 0xffffffffull) return below_wide(range);
    return accept32(range, std::uint64_t{next_u32()} * range.n);
  }
  /// k draws of below(range), as k calls give them, into out; the stream goes on after the last word they used.
  /// A fixed in-degree's sources are drawn this way: words 16 blocks at a time (philox_lanes_of_id).
  void below_many(const uniform_bound& range, std::uint64_t* out, std::size_t k);
  /// Standard normal by Box-Muller (box_muller.hpp): a pair from two uniforms (four words), the cosine value
  /// returned first and the sine value kept for the next call (connection building draws hundreds of millions;
  /// half the logarithms and words).
  double normal();
  /// The next n normals, as n calls of normal() return them; whole blocks many at a time (normal_lanes.hpp).
  void normals(double* out, std::size_t n);

 private:
  /// The 32-bit draw m = word * n, redrawn while its low word is below the threshold.
  std::uint64_t accept32(const uniform_bound& range, std::uint64_t m) {
    while (static_cast<std::uint32_t>(m) < range.threshold) m = std::uint64_t{next_u32()} * range.n;
    return m >> 32;
  }
  std::uint64_t below_wide(const uniform_bound& range);
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

/// A random_stream whose normals are made buffer_size at a time (random_stream::normals): the same
/// values in the same order as its normal() one by one, for loops that draw many (a target's weights or delays).
/// Its uniforms come straight from the stream, which the buffer has run ahead of: draw normals or uniforms
/// from one, not both.
class buffered_normal_stream {
 public:
  /// Normals per refill: whole calls of normal_lanes (random.cpp checks).
  static constexpr std::size_t buffer_size = 32;

  buffered_normal_stream(philox_engine::key_type key, std::uint64_t id) : stream_(key, id) {}
  double normal() {
    if (next_ == buffer_size) {
      stream_.normals(normals_, buffer_size);
      next_ = 0;
    }
    return normals_[next_++];
  }
  double uniform() { return stream_.uniform(); }

 private:
  random_stream stream_;
  double normals_[buffer_size];
  std::size_t next_ = buffer_size;
};

}  // namespace hetspike
