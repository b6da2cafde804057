// Host-only draws of random_stream (kernels only use philox_block).
#include "kernels/random.hpp"
#include "kernels/box_muller.hpp"
#include "kernels/normal_lanes.hpp"

namespace hetspike {

static_assert(buffered_normal_stream::buffer_size % (2 * normal_lanes_pairs) == 0,
              "a buffered stream refills with whole calls of normal_lanes");

std::uint64_t random_stream::below_wide(const uniform_bound& range) {
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * range.n;
  while (static_cast<std::uint64_t>(m) < range.threshold) m = static_cast<unsigned __int128>(next_u64()) * range.n;
  return static_cast<std::uint64_t>(m >> 64);
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
