#include "kernels/model_description.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace hetspike {

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

std::string range_violation(std::string_view name, std::string_view unit, const value_range& range, bool integer,
                            double value) {
  const bool whole = !integer || value == std::floor(value);
  if (whole && range.contains(value)) return {};
  // Appended piece by piece: GCC 12 warns (-Wrestrict) about long chains of std::string + at -O3.
  std::string out = format_number(value);
  if (!unit.empty()) out.append(" ").append(unit);
  const bool bounded_below = std::isfinite(range.lower), bounded_above = std::isfinite(range.upper);
  if (integer || (bounded_below && bounded_above)) {
    const std::string span = "from " + format_number(range.lower) + " to " + format_number(range.upper);
    out.append(integer ? " is not a whole number " : " is not ").append(span);
    out.append("; allowed: ").append(name).append(" ").append(span);
  } else if (bounded_below && range.lower == 0) {
    out.append(range.lower_open ? " is not positive; allowed: " : " is negative; allowed: ").append(name);
    out.append(range.lower_open ? " > 0" : " >= 0");
  } else if (bounded_below) {
    out.append(" is below ").append(format_number(range.lower)).append("; allowed: ").append(name);
    out.append(range.lower_open ? " > " : " >= ").append(format_number(range.lower));
  } else {
    out.append(" is above ").append(format_number(range.upper)).append("; allowed: ").append(name);
    out.append(range.upper_open ? " < " : " <= ").append(format_number(range.upper));
  }
  return out;
}

}  // namespace hetspike
