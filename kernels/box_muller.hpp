#pragma once
// Standard normals by Box-Muller, with a logarithm, sine and cosine of our own: polynomials in +, -, *, / and
// sqrt, which IEEE arithmetic rounds alike on every machine (the build contracts no FMAs: -ffp-contract=off), so
// a drawn weight or delay is the same bits on every host, compiler and vector width, where libm's are only the
// same for one libm. Written without branches so that a loop over many pairs vectorises (normal_lanes.hpp): a
// microcircuit's build draws two normals per synapse, 6e8 of them.
#include <bit>
#include <cstddef>
#include <cstdint>

namespace hetspike {

namespace box_muller_detail {

/// c[0] z^(N-1) + ... + c[N-1] by Horner's rule, highest coefficient first: the same operations in the same order
/// wherever it is inlined (a loop over a constant array, unrolled).
template <std::size_t N>
inline double horner(double z, const double (&c)[N]) {
  double p = c[0];
  for (std::size_t i = 1; i < N; ++i) p = p * z + c[i];
  return p;
}

/// ln(u) for u in (0, 1] (normal numbers only): u = m 2^e with m in [sqrt(1/2), sqrt(2)), ln(m) = 2 atanh(f) with
/// f = (m - 1) / (m + 1), |f| <= 0.172, by its series to f^21 (a relative error under 1e-16), and e ln 2 in two
/// parts (fdlibm's) so that e ln2_hi is exact.
inline double log_unit(double u) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  // m and e by integer arithmetic alone (musl's way), without a select: a select of doubles on a condition
  // keeps GCC 12 from vectorising the loop for AVX2 (no mask registers), and the AVX2 clone ran scalar. Adding
  // 2^52 (1.0's field) less the bits of the double above sqrt(2) carries into the exponent exactly when m >
  // sqrt(2); the mantissa plus those bits is then m, or m / 2 after a carry.
  constexpr std::uint64_t above_sqrt2 = 0x3fe6a09e667f3bce;  // sqrt(2)/2's bits + 1 (sqrt(2) itself stays)
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(u) + (std::uint64_t{0x3ff0000000000000} - above_sqrt2);
  // The exponent field as a double without an integer conversion (2^52 + field, less 2^52), which vectorises
  // on every x86 level.
  const double e =
      std::bit_cast<double>(std::uint64_t{0x4330000000000000} | (bits >> 52)) - 4503599627370496.0 - 1023.0;
  const double m = std::bit_cast<double>((bits & std::uint64_t{0x000fffffffffffff}) + above_sqrt2);
  const double f = (m - 1.0) / (m + 1.0);
  const double s = f * f;
  constexpr double series[] = {1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13,
                               1.0 / 11, 1.0 / 9,  1.0 / 7,  1.0 / 5,  1.0 / 3};
  const double p = horner(s, series);
  const double ln_m = 2.0 * f + (2.0 * f * s) * p;
  return e * ln2_hi + (ln_m + e * ln2_lo);
}

/// cos(2 pi u) and sin(2 pi u) for u in [0, 1): u = q/4 + t with |t| <= 1/8 (q rounded to nearest by adding
/// 1.5 2^52, which leaves q in the low bits; t is exact), x = 2 pi t in [-pi/4, pi/4], Taylor series to x^18 and
/// x^19 (errors under 1e-17), then the quadrant q turns (cos x, sin x) by q right angles.
inline void cos_sin_turn(double u, double& c, double& s) {
  constexpr double two_pi = 6.28318530717958647692;
  constexpr double round_shift = 6755399441055744.0;  // 1.5 * 2^52
  const double shifted = u * 4.0 + round_shift;
  const double q = shifted - round_shift;
  const std::uint64_t quadrant = std::bit_cast<std::uint64_t>(shifted) & 3u;
  const double x = (u - q * 0.25) * two_pi;
  const double z = x * x;
  constexpr double sin_series[] = {-1.0 / 121645100408832000.0,
                                   1.0 / 355687428096000.0,
                                   -1.0 / 1307674368000.0,
                                   1.0 / 6227020800.0,
                                   -1.0 / 39916800.0,
                                   1.0 / 362880.0,
                                   -1.0 / 5040.0,
                                   1.0 / 120.0,
                                   -1.0 / 6.0};
  const double sp = horner(z, sin_series);
  const double sin_x = x + (x * z) * sp;
  constexpr double cos_series[] = {-1.0 / 6402373705728000.0,
                                   1.0 / 20922789888000.0,
                                   -1.0 / 87178291200.0,
                                   1.0 / 479001600.0,
                                   -1.0 / 3628800.0,
                                   1.0 / 40320.0,
                                   -1.0 / 720.0,
                                   1.0 / 24.0,
                                   -0.5};
  const double cp = horner(z, cos_series);
  const double cos_x = 1.0 + z * cp;
  // Quadrant 0: (cos x, sin x); 1: (-sin x, cos x); 2: (-cos x, -sin x); 3: (sin x, -cos x). Chosen and negated
  // by masks and sign bits (the same bits as selects and unary minus), so that the AVX2 clone vectorises too.
  const std::uint64_t odd = std::uint64_t{0} - (quadrant & 1u);
  const std::uint64_t sin_bits = std::bit_cast<std::uint64_t>(sin_x), cos_bits = std::bit_cast<std::uint64_t>(cos_x);
  const std::uint64_t a = (sin_bits & odd) | (cos_bits & ~odd), b = (cos_bits & odd) | (sin_bits & ~odd);
  c = std::bit_cast<double>(a ^ (((quadrant ^ (quadrant >> 1)) & 1u) << 63));
  s = std::bit_cast<double>(b ^ ((quadrant & 2u) << 62));
}

}  // namespace box_muller_detail

/// The pair of standard normals of two uniforms, u1 in (0, 1] and u2 in [0, 1): r cos(2 pi u2) and
/// r sin(2 pi u2), r = sqrt(-2 ln u1).
inline void box_muller(double u1, double u2, double& first, double& second) {
  const double r = __builtin_sqrt(-2.0 * box_muller_detail::log_unit(u1));
  double c, s;
  box_muller_detail::cos_sin_turn(u2, c, s);
  first = r * c;
  second = r * s;
}

}  // namespace hetspike
