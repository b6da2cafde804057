// Host-only draws of random_stream (they use libm; kernels only use philox_block).
#include <cmath>
#include <numbers>

#include "kernels/random.hpp"

namespace hetspike {

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
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_normal_ = r * std::sin(angle);
  has_spare_normal_ = true;
  return r * std::cos(angle);
}

}  // namespace hetspike
