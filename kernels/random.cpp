// Host-only draws of random_stream (kernels only use philox_block).
#include "kernels/random.hpp"
#include "kernels/box_muller.hpp"
#include "kernels/normal_lanes.hpp"
#include "kernels/philox_lanes.hpp"

namespace hetspike {

static_assert(buffered_normal_stream::buffer_size % (2 * normal_lanes_pairs) == 0,
              "a buffered stream refills with whole calls of normal_lanes");

std::uint64_t random_stream::below_wide(const uniform_bound& range) {
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * range.n;
  while (static_cast<std::uint64_t>(m) < range.threshold) m = static_cast<unsigned __int128>(next_u64()) * range.n;
  return static_cast<std::uint64_t>(m >> 64);
}

void random_stream::below_many(const uniform_bound& range, std::uint64_t* out, std::size_t k) {
  std::size_t done = 0;
  // A block begun elsewhere, and ranges wider than a word, the one-by-one way.
  if (range.n > 0xffffffffull) {
    for (; done < k; ++done) out[done] = below(range);
    return;
  }
  for (; done < k && used_ != 4; ++done) out[done] = below(range);
  constexpr std::uint32_t blocks = philox_lanes_width, words = 4 * blocks;
  std::uint32_t lanes[words];
  std::uint64_t products[words];
  while (done < k) {
    philox_lanes_of_id(key_, id_, next_index_, lanes);
    // The products vectorise; the scalar pass takes them in stream order (block by block, word by word) and
    // skips the rare rejections.
    bool rejected = false;
    for (std::uint32_t i = 0; i < words; ++i) {
      products[i] = std::uint64_t{lanes[i]} * range.n;
      rejected |= static_cast<std::uint32_t>(products[i]) < range.threshold;
    }
    if (k - done >= words) {  // the whole batch fits: every word is taken, or skipped without a branch
      if (!rejected) {        // for small ranges, nearly always
        for (std::uint32_t j = 0; j < blocks; ++j)
          for (std::uint32_t w = 0; w < 4; ++w) out[done + 4 * j + w] = products[w * blocks + j] >> 32;
        done += words;
      } else {  // ranges near 2^32 / m reject a word in a few percent: most batches (a branch per word mispredicts)
        for (std::uint32_t j = 0; j < blocks; ++j)
          for (std::uint32_t w = 0; w < 4; ++w) {
            const std::uint64_t m = products[w * blocks + j];
            out[done] = m >> 32;
            done += static_cast<std::uint32_t>(m) >= range.threshold;
          }
      }
      next_index_ += blocks;
      continue;
    }
    std::uint32_t used = 0;
    for (; used < words && done < k; ++used) {
      const std::uint64_t m = products[(used % 4) * blocks + used / 4];
      if (static_cast<std::uint32_t>(m) >= range.threshold) out[done++] = m >> 32;
    }
    // Leave the stream where one-by-one draws would have: within the block of the last word used, or after it.
    next_index_ += used / 4;
    if (used % 4 != 0) {
      for (std::uint32_t w = 0; w < 4; ++w) block_.v[w] = lanes[w * blocks + used / 4];
      used_ = static_cast<int>(used % 4);
      ++next_index_;
    }
  }
}

double random_stream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double u1 = uniform_pos();
  const double u2 = uniform();
  double first = 0.0;
  box_muller(u1, u2, first, spare_normal_);
  has_spare_normal_ = true;
  return first;
}

void random_stream::normals(double* out, std::size_t n) {
  std::size_t i = 0;
  // Whole pairs from whole blocks go normal_lanes_pairs at a time, the rest (a spare, a stream that was left
  // within a block, the tail) one by one: the same values either way.
  while (i < n && (has_spare_normal_ || used_ != 4)) out[i++] = normal();
  for (; n - i >= 2 * normal_lanes_pairs; i += 2 * normal_lanes_pairs, next_index_ += normal_lanes_pairs)
    normal_lanes(key_, id_, next_index_, out + i);
  while (i < n) out[i++] = normal();
}

}  // namespace hetspike
