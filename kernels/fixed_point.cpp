#include "kernels/fixed_point.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace hetspike {

fixed_point_scale fixed_point_scale::for_max_weight(double max_abs_weight) {
  if (!(max_abs_weight > 0) || !std::isfinite(max_abs_weight)) return fixed_point_scale(30);
  int e = 0;
  std::frexp(max_abs_weight, &e);  // max_abs_weight < 2^e
  return fixed_point_scale(30 - e);
}

fixed_point_scale::fixed_point_scale(int exponent)
    : exponent_(exponent),
      inverse_(std::ldexp(1.0, -exponent)),
      unit_(exponent >= std::numeric_limits<double>::min_exponent - 1 &&
                    exponent < std::numeric_limits<double>::max_exponent
                ? std::ldexp(1.0, exponent)
                : 0.0) {}

void fixed_point_scale::throw_beyond_fixed32(double weight) const {
  throw std::range_error("weight " + std::to_string(weight) + " does not fit the 32-bit fixed-point range of 2^" +
                         std::to_string(-exponent_) + " units");
}

}  // namespace hetspike
