#include "kernels/poisson_table.hpp"

#include <cmath>

namespace hetspike {

std::vector<std::uint32_t> poisson_thresholds(double mean) {
  std::vector<std::uint32_t> t;
  if (!(mean > 0)) return t;  // a zero rate never spikes: the empty table returns 0 for every word
  const double two32 = 4294967296.0;
  // Far enough into the tail that the CDF is 1 at 32-bit resolution; the loop normally stops earlier.
  const auto k_max = static_cast<std::uint64_t>(mean + 40.0 * std::sqrt(mean) + 100.0);
  const double log_mean = std::log(mean);
  double cdf = 0.0;
  for (std::uint64_t k = 0; k <= k_max; ++k) {
    cdf += std::exp(-mean + static_cast<double>(k) * log_mean - std::lgamma(static_cast<double>(k) + 1.0));
    const double scaled = std::floor(cdf * two32);
    // The tail beyond k has probability below 2^-32: words past the last threshold all return k.
    if (scaled >= two32 - 1.0) break;
    t.push_back(static_cast<std::uint32_t>(scaled));
  }
  return t;
}

}  // namespace hetspike
