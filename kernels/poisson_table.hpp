#pragma once
// Exact Poisson counts by inversion of the CDF against one 32-bit Philox word. The CDF is tabulated once on
// the host in double precision as integer thresholds, so every backend compares integers and draws the same
// count: thresholds[k] = floor(CDF(k) * 2^32), and a word u gives the number of thresholds <= u.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

namespace hetspike {

/// Thresholds for a Poisson distribution with the given mean (>= 0). The table ends where the CDF reaches
/// 1 at 32-bit resolution; its length is the largest count it can return.
std::vector<std::uint32_t> poisson_thresholds(double mean);

/// The count for word u: the number of thresholds <= u. Linear search for short tables (a mean of a few
/// spikes per step: the common case), binary search for long ones.
KOKKOS_INLINE_FUNCTION std::uint32_t poisson_count(const std::uint32_t* thresholds, std::uint32_t n, std::uint32_t u) {
  if (n <= 32) {
    std::uint32_t k = 0;
    while (k < n && u >= thresholds[k]) ++k;
    return k;
  }
  std::uint32_t lo = 0, hi = n;  // first index with thresholds[i] > u
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (thresholds[mid] <= u)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace hetspike
