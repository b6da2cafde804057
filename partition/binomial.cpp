#include "partition/binomial.hpp"

#include <cmath>
#include <numbers>

namespace hetspike {

namespace {

/// log(k!) minus its Stirling approximation, the correction term of BTRD.
double stirling_correction(double k) {
  const double log_sqrt_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  return std::lgamma(k + 1.0) - ((k + 0.5) * std::log(k + 1.0) - (k + 1.0) + log_sqrt_2pi);
}

/// Sequential inversion for small means (p <= 0.5).
std::uint64_t binomial_inversion(random_stream& stream, std::uint64_t n, double p) {
  const double q = 1.0 - p;
  const double s = p / q;
  const double a = (static_cast<double>(n) + 1.0) * s;
  double r = std::pow(q, static_cast<double>(n));
  double u = stream.uniform();
  std::uint64_t x = 0;
  while (u > r && x < n) {
    u -= r;
    ++x;
    r *= a / static_cast<double>(x) - s;
  }
  return x;
}

/// BTRD: transformed rejection with decomposition (Hörmann 1993), for n p >= 10 and p <= 0.5.
std::uint64_t binomial_btrd(random_stream& stream, std::uint64_t n_int, double p) {
  const double n = static_cast<double>(n_int);
  const double m = std::floor((n + 1.0) * p);
  const double r = p / (1.0 - p);
  const double nr = (n + 1.0) * r;
  const double npq = n * p * (1.0 - p);
  const double sqrt_npq = std::sqrt(npq);
  const double b = 1.15 + 2.53 * sqrt_npq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = n * p + 0.5;
  const double alpha = (2.83 + 5.1 / b) * sqrt_npq;
  const double v_r = 0.92 - 4.2 / b;
  const double u_rv_r = 0.86 * v_r;
  for (;;) {
    double v = stream.uniform();
    double u;
    if (v <= u_rv_r) {  // the box: accept at once (most draws)
      u = v / v_r - 0.43;
      return static_cast<std::uint64_t>(std::floor((2.0 * a / (0.5 - std::abs(u)) + b) * u + c));
    }
    if (v >= v_r) {
      u = stream.uniform() - 0.5;
    } else {
      u = v / v_r - 0.93;
      u = (u < 0 ? -0.5 : 0.5) - u;
      v = stream.uniform() * v_r;
    }
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    v = v * alpha / (a / (us * us) + b);
    const double km = std::abs(k - m);
    if (km <= 15) {  // recursive evaluation of f(k) / f(m)
      double f = 1.0;
      if (m < k)
        for (double i = m + 1; i <= k; ++i) f *= nr / i - r;
      else
        for (double i = k + 1; i <= m; ++i) v *= nr / i - r;
      if (v <= f) return static_cast<std::uint64_t>(k);
      continue;
    }
    v = std::log(v);  // squeeze on log f(k), then the exact test
    const double rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
    const double t = -km * km / (2.0 * npq);
    if (v < t - rho) return static_cast<std::uint64_t>(k);
    if (v > t + rho) continue;
    const double nm = n - m + 1.0;
    const double h = (m + 0.5) * std::log((m + 1.0) / (r * nm)) + stirling_correction(m) + stirling_correction(n - m);
    const double nk = n - k + 1.0;
    if (v <= h + (n + 1.0) * std::log(nm / nk) + (k + 0.5) * std::log(nk * r / (k + 1.0)) - stirling_correction(k) -
                 stirling_correction(n - k))
      return static_cast<std::uint64_t>(k);
  }
}

void split_node(const philox_engine::key_type& key, std::uint64_t node, std::uint64_t count, std::uint64_t lo,
                std::uint64_t hi, std::uint64_t first, std::uint64_t last, std::vector<std::uint64_t>& out) {
  if (hi <= first || lo >= last) return;
  if (hi - lo == 1) {
    out[lo - first] = count;
    return;
  }
  const std::uint64_t mid = lo + (hi - lo) / 2;
  random_stream stream(key, node);
  const std::uint64_t left =
      count == 0 ? 0 : draw_binomial(stream, count, static_cast<double>(mid - lo) / static_cast<double>(hi - lo));
  split_node(key, 2 * node, left, lo, mid, first, last, out);
  split_node(key, 2 * node + 1, count - left, mid, hi, first, last, out);
}

}  // namespace

std::uint64_t draw_binomial(random_stream& stream, std::uint64_t n, double p) {
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  if (p > 0.5) return n - draw_binomial(stream, n, 1.0 - p);
  if (static_cast<double>(n) * p < 10.0) return binomial_inversion(stream, n, p);
  return binomial_btrd(stream, n, p);
}

std::vector<std::uint64_t> split_total(const philox_engine::key_type& key, std::uint64_t total,
                                       std::uint64_t num_targets, std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out(last > first ? last - first : 0, 0);
  if (num_targets == 0 || out.empty()) return out;
  split_node(key, 1, total, 0, num_targets, first, last, out);
  return out;
}

}  // namespace hetspike
