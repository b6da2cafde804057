// The builder's inline conversions of drawn weights and delays against the libm calls they replace.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "kernels/fixed_point.hpp"
#include "kernels/random.hpp"
#include "partition/synapse_classes.hpp"

namespace hetspike {
namespace {

TEST(fixed_point, round_half_away_is_std_round) {
  random_stream s(make_rng_key(4, rng_purpose::weight, 0), 1);
  const double edges[] = {0.5,
                          -0.5,
                          1.5,
                          -1.5,
                          2.5,
                          0.49999999999999994,
                          -0.49999999999999994,
                          0x1p52 - 0.5,
                          0x1p52,
                          -0x1p52 + 0.5,
                          0x1p53 + 2,
                          4503599627370495.5,
                          1e300,
                          -1e300,
                          0.0,
                          -0.0};
  for (const double x : edges) EXPECT_EQ(round_half_away(x), std::round(x)) << x;
  for (int i = 0; i < 100000; ++i) {
    const double x = std::ldexp(s.uniform() - 0.5, static_cast<int>(s.below(60)));
    ASSERT_EQ(round_half_away(x), std::round(x)) << x;
    const double half = std::floor(x) + 0.5;
    ASSERT_EQ(round_half_away(half), std::round(half)) << half;
  }
  EXPECT_TRUE(std::isnan(round_half_away(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(round_half_away(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
}

TEST(fixed_point, fixed_to_double_is_the_cast) {
  // The rounding edges: 2^53 + 1 and 2^53 + 3 are ties (to even), low words of all ones and of zero, both signs.
  const fixed_type edges[] = {0,
                              1,
                              -1,
                              0xffffffff,
                              -0xffffffffLL,
                              0x100000000LL,
                              -0x100000000LL,
                              (fixed_type{1} << 53) + 1,
                              (fixed_type{1} << 53) + 3,
                              -(fixed_type{1} << 53) - 1,
                              -(fixed_type{1} << 53) - 3,
                              (fixed_type{1} << 62) + 0x1ff,
                              std::numeric_limits<fixed_type>::max(),
                              std::numeric_limits<fixed_type>::max() - 0x3ff,
                              std::numeric_limits<fixed_type>::min(),
                              std::numeric_limits<fixed_type>::min() + 1};
  for (const fixed_type x : edges) ASSERT_EQ(fixed_to_double(x), static_cast<double>(x)) << x;
  random_stream s(make_rng_key(4, rng_purpose::weight, 2), 3);
  for (int i = 0; i < 1000000; ++i) {
    // Every magnitude: the word shifted right by 0 to 63 bits, with its sign.
    const auto x = static_cast<fixed_type>(s.next_u64()) >> s.below(64);
    ASSERT_EQ(fixed_to_double(x), static_cast<double>(x)) << x;
  }
}

TEST(fixed_point, to_fixed_and_to_fixed32_are_ldexp_rounded_for_every_exponent) {
  random_stream s(make_rng_key(4, rng_purpose::weight, 1), 2);
  for (const int exponent : {-1080, -1074, -1030, -1022, -20, 0, 7, 30, 600, 1023, 1024, 1100}) {
    const fixed_point_scale scale(exponent);
    for (int i = 0; i < 2000; ++i) {
      // Magnitudes from far below one unit to just below 2^31 units.
      const double w = std::ldexp(s.uniform() - 0.5, static_cast<int>(s.below(34)) - exponent);
      const double expected = std::round(std::ldexp(w, exponent));
      ASSERT_EQ(scale.to_fixed(w), std::llround(std::ldexp(w, exponent))) << exponent << " " << w;
      if (std::abs(expected) <= std::numeric_limits<std::int32_t>::max())
        ASSERT_EQ(scale.to_fixed32(w), static_cast<std::int32_t>(expected)) << exponent << " " << w;
      else
        EXPECT_THROW(scale.to_fixed32(w), std::range_error);
    }
    EXPECT_EQ(scale.to_fixed32(0.0), 0);
  }
  EXPECT_THROW(fixed_point_scale(30).to_fixed32(2.0), std::range_error);
  EXPECT_THROW(fixed_point_scale(30).to_fixed32(-2.0), std::range_error);  // -2^31 is refused too (|w| <= 2^31 - 1)
  EXPECT_EQ(fixed_point_scale(30).to_fixed32(-1.5), -1610612736);
}

TEST(fixed_point, delay_steps_are_llround) {
  random_stream s(make_rng_key(4, rng_purpose::delay, 0), 3);
  for (const double dt : {0.1, 0.05, 0.125, 1.0}) {
    for (int i = 0; i < 20000; ++i) {
      const double d = s.uniform() * 30.0;
      ASSERT_EQ(delay_steps(d, dt), std::llround(d / dt)) << d << " " << dt;
    }
    for (const double d : {0.5 * dt, 1.5 * dt, 2.5 * dt, 1e20 * dt})
      EXPECT_EQ(delay_steps(d, dt), std::llround(d / dt)) << d << " " << dt;
  }
  EXPECT_EQ(drawn_delay_steps(0.05, 0.1), 1);  // [dt / 2, dt) is one step
}

}  // namespace
}  // namespace hetspike
