#pragma once
// Synaptic input is summed as 64-bit integers. Integer addition is associative, so the input a neuron sees does
// not depend on how many ranks, threads or GPU blocks delivered it, nor in which order: this is what makes
// runs bitwise reproducible (DESIGN.md). Each target population has one power-of-two scale for all its
// channels; converting back to double is exact (a power-of-two multiply) while |sum| < 2^53.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/fixed_to_double.hpp"
#include "kernels/types.hpp"

namespace hetspike {

/// The integer std::round gives (halves away from zero) for a finite x, without its libm call: the builder
/// rounds two values per synapse, hundreds of millions. A non-finite x is returned as it is.
inline double round_half_away(double x) {
  if (!(std::abs(x) < 0x1p52)) return x;                                   // whole already, or not finite
  const double whole = static_cast<double>(static_cast<std::int64_t>(x));  // truncated; exact below 2^52
  const double rest = x - whole;                                           // exact
  // Without branches: the rest of a drawn value is random, so a branch on it would be mispredicted half the time.
  return whole + static_cast<double>(rest >= 0.5) - static_cast<double>(rest <= -0.5);
}

class fixed_point_scale {
 public:
  /// The scale that maps the largest weight magnitude a population can receive to at most 2^30 units,
  /// leaving 2^33 spikes of that weight per step and neuron before an int64 sum could overflow.
  static fixed_point_scale for_max_weight(double max_abs_weight);
  explicit fixed_point_scale(int exponent = 0);

  /// Units per unit of weight: 2^exponent.
  int exponent() const { return exponent_; }

  /// The weight as an integer, rounded to nearest (ties away from zero); the same everywhere. Inline: the STDP
  /// pass converts every plastic synapse's weight as it delivers it.
  fixed_type to_fixed(double weight) const {
    const double scaled = units(weight);
    // Beyond 2^63 (an overflow upstream) std::llround's own result, whatever the platform makes of it.
    return std::abs(scaled) < 0x1p63 ? static_cast<fixed_type>(scaled) : std::llround(scaled);
  }

  /// The 32-bit form stored in synapses; throws std::range_error if it does not fit (the caller names the
  /// projection). Inline: one per synapse of drawn weights.
  std::int32_t to_fixed32(double weight) const {
    const double scaled = units(weight);
    if (!(std::abs(scaled) <= std::numeric_limits<std::int32_t>::max())) throw_beyond_fixed32(weight);
    return static_cast<std::int32_t>(scaled);
  }

  KOKKOS_INLINE_FUNCTION double to_double(fixed_type v) const { return fixed_to_double(v) * inverse_; }
  KOKKOS_INLINE_FUNCTION double inverse() const { return inverse_; }

 private:
  /// weight * 2^exponent rounded to whole units: a multiply by 2^exponent rounds the exact product once, as
  /// ldexp does.
  double units(double weight) const {
    return round_half_away(unit_ != 0 ? weight * unit_ : std::ldexp(weight, exponent_));
  }
  [[noreturn]] void throw_beyond_fixed32(double weight) const;

  int exponent_;
  double inverse_;  ///< 2^-exponent
  double unit_;     ///< 2^exponent, or 0 where that is not a normal double
};

}  // namespace hetspike
