// Host-only draws of random_stream (they use libm; kernels only use philox_block).
#include <cmath>
#include <numbers>

#include "kernels/random.hpp"

namespace hetspike {

std::uint64_t random_stream::below(std::uint64_t n) {
  if (n <= 0xffffffffull) {
    const auto n32 = static_cast<std::uint32_t>(n);
    std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * n32;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n32) {
      const std::uint32_t threshold = static_cast<std::uint32_t>(-n32) % n32;
      while (low < threshold) {
        m = static_cast<std::uint64_t>(next_u32()) * n32;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return m >> 32;
  }
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
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
