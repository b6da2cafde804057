// Philox known-answer vectors (Random123's kat_vectors) and the statistics of the draws built on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <vector>

#include "kernels/box_muller.hpp"
#include "kernels/philox_lanes.hpp"
#include "kernels/poisson_table.hpp"
#include "kernels/random.hpp"
#include "partition/binomial.hpp"

namespace hetspike {
namespace {

TEST(random, philox4x32_10_known_answers) {
  struct kat {
    philox_engine::ctr_type ctr;
    philox_engine::key_type key;
    std::uint32_t expected[4];
  };
  const kat cases[] = {
      {{{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       {{0xffffffff, 0xffffffff}},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       {{0xa4093822, 0x299f31d0}},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& c : cases) {
    const auto r = philox_engine()(c.ctr, c.key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r.v[i], c.expected[i]);
  }
  // philox_block lays (id, index) into the counter as documented: (id lo, id hi, index lo, index hi).
  const auto b = philox_block({{0xa4093822, 0x299f31d0}}, 0x85a308d3243f6a88ull, 0x0370734413198a2eull);
  EXPECT_EQ(b.v[0], 0xd16cfe09u);
  EXPECT_EQ(b.v[3], 0x24126ea1u);
}

TEST(random, streams_are_pure_functions_of_their_key_and_id) {
  random_stream a(make_rng_key(7, rng_purpose::weight, 3), 42), b(make_rng_key(7, rng_purpose::weight, 3), 42);
  random_stream c(make_rng_key(7, rng_purpose::delay, 3), 42);
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u32();
    EXPECT_EQ(x, b.next_u32());
    differ += x != c.next_u32();
  }
  EXPECT_GT(differ, 95);
}

TEST(random, below_is_uniform) {
  random_stream s(make_rng_key(1, rng_purpose::connectivity, 0), 0);
  const int n = 7, draws = 70000;
  std::vector<int> counts(n, 0);
  for (int i = 0; i < draws; ++i) ++counts[s.below(n)];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - draws / n) * (c - draws / n) / double(draws / n);
  EXPECT_LT(chi2, 22.46);  // chi-square, 6 degrees of freedom, p = 0.001
  std::uint64_t big_max = 0;
  for (int i = 0; i < 1000; ++i) big_max = std::max(big_max, s.below(10'000'000'000ull));
  EXPECT_LT(big_max, 10'000'000'000ull);
  EXPECT_GT(big_max, 9'000'000'000ull);
}

TEST(random, philox_lanes_are_philox_blocks_of_consecutive_ids) {
  // Ids and indices across the 32-bit boundaries, where a lane's high counter word differs from its neighbour's.
  std::uint32_t words[4 * philox_lanes_width];
  for (const std::uint32_t seed : {0u, 7u, 0xffffffffu})
    for (const std::uint64_t first : {0ull, 12345ull, 0xfffffff8ull, 0x123456789abcull})
      for (const std::uint64_t index : {0ull, 99ull, 0x1ffffffffull}) {
        const auto key = make_rng_key(seed, rng_purpose::poisson_input, 3);
        philox_lanes(key, first, index, words);
        for (std::uint32_t j = 0; j < philox_lanes_width; ++j) {
          const rng_block b = philox_block(key, first + j, index);
          for (int w = 0; w < 4; ++w) ASSERT_EQ(words[w * philox_lanes_width + j], b.v[w]) << first << " " << j;
        }
      }
}

TEST(random, below_many_is_below_one_by_one) {
  // Ranges whose rejections are frequent (just above 2^31: nearly half the words) or never happen (powers of two),
  // a range wider than a word, from a fresh stream and from within a block, for counts around the 64 words of a
  // batch; afterwards both streams go on alike.
  for (const std::uint64_t n : {1ull, 7ull, 20683ull, 0x80000001ull, 0x100000000ull, 0x100000005ull})
    for (const int start : {0, 1, 3})
      for (const std::size_t k : {0u, 1u, 63u, 64u, 65u, 1000u}) {
        random_stream bulk(make_rng_key(6, rng_purpose::connectivity, 1), 99),
            one(make_rng_key(6, rng_purpose::connectivity, 1), 99);
        for (int i = 0; i < start; ++i) bulk.next_u32(), one.next_u32();
        const uniform_bound range(n);
        std::vector<std::uint64_t> out(k);
        bulk.below_many(range, out.data(), k);
        for (std::size_t i = 0; i < k; ++i) ASSERT_EQ(out[i], one.below(range)) << n << " " << start << " " << k;
        EXPECT_EQ(bulk.next_u32(), one.next_u32()) << n << " " << start << " " << k;
      }
}

TEST(random, philox_lanes_of_id_are_philox_blocks_of_consecutive_indices) {
  std::uint32_t words[4 * philox_lanes_width];
  for (const std::uint64_t id : {0ull, 0x123456789abcull})
    for (const std::uint64_t first : {0ull, 0xfffffff8ull}) {
      const auto key = make_rng_key(5, rng_purpose::weight, 2);
      philox_lanes_of_id(key, id, first, words);
      for (std::uint32_t j = 0; j < philox_lanes_width; ++j) {
        const rng_block b = philox_block(key, id, first + j);
        for (int w = 0; w < 4; ++w) ASSERT_EQ(words[w * philox_lanes_width + j], b.v[w]) << first << " " << j;
      }
    }
}

TEST(random, box_muller_logarithm_and_turn_are_within_a_few_ulp_of_libm) {
  // Our own polynomials (box_muller.hpp) against libm over (0, 1], from 2^-53 (the smallest u1) to 1, and
  // around the quadrant boundaries of the turn.
  random_stream s(make_rng_key(1, rng_purpose::weight, 0), 0);
  double worst_log = 0, worst_turn = 0;
  for (int i = 0; i < 200000; ++i) {
    const double u = i < 100000 ? s.uniform_pos() : std::ldexp(s.uniform_pos(), -(i % 53));
    const double expected = std::log(u);
    worst_log =
        std::max(worst_log, std::abs(box_muller_detail::log_unit(u) - expected) / std::max(std::abs(expected), 1e-300));
    const double t = i % 7 == 0 ? 0.125 * (i % 9) + std::ldexp(1.0, -40) * (s.uniform() - 0.5) : s.uniform();
    if (t < 0 || t >= 1) continue;
    double c = 0, sn = 0;
    box_muller_detail::cos_sin_turn(t, c, sn);
    worst_turn = std::max({worst_turn, std::abs(c - std::cos(2 * std::numbers::pi * t)),
                           std::abs(sn - std::sin(2 * std::numbers::pi * t))});
  }
  EXPECT_LT(worst_log, 4e-16);
  EXPECT_LT(worst_turn, 2e-15);  // 2 pi t rounds once: an absolute error of a few ulp of 2 pi
  EXPECT_EQ(box_muller_detail::log_unit(1.0), 0.0);
  double c = 0, sn = 0;
  box_muller_detail::cos_sin_turn(0.0, c, sn);
  EXPECT_EQ(c, 1.0);
  EXPECT_EQ(sn, 0.0);
}

TEST(random, box_muller_gives_the_same_bits_as_ever) {
  // The reproducibility contract: a drawn weight or delay keeps its bits across versions. Pinned at the edges of
  // the logarithm's reduction (m = sqrt(2) exactly, the double above it, u1 = 1 and 2^-53) and at the quadrant
  // boundaries of the turn; the values are those of the version before the selects became bit masks.
  struct pinned {
    double u1, u2;
    std::uint64_t first, second;
  };
  const pinned cases[] = {
      {0x1.6a09e667f3bcdp-1, 0x1p-3, 0x3fe2d6abe44afc42, 0x3fe2d6abe44afc42},
      {0x1.6a09e667f3bcep-1, 0x1.8p-2, 0xbfe2d6abe44afc42, 0x3fe2d6abe44afc41},
      {0x1p+0, 0x1.4p-1, 0x0000000000000000, 0x0000000000000000},
      {0x1p-53, 0x1.cp-1, 0x40183e8e2149f689, 0xc0183e8e2149f688},
      {0x1.3333333333333p-2, 0x1p-2, 0x8000000000000000, 0x3ff8d3fdbc7d5647},
      {0x1.6a09e667f3bcdp-6, 0x1.8p-1, 0x0000000000000000, 0xc006171563451dce},
  };
  for (const auto& c : cases) {
    double first = 0, second = 0;
    box_muller(c.u1, c.u2, first, second);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(first), c.first) << c.u1 << " " << c.u2;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(second), c.second) << c.u1 << " " << c.u2;
  }
}

TEST(random, vectorised_normals_are_the_normals_one_by_one) {
  // random_stream::normals (16 blocks at a time through normal_lanes, built for the CPU's widest vectors) against
  // normal() one by one, bit for bit: from a fresh stream, after a spare was left, from within a block (a uniform
  // drawn first: every pair then straddles two blocks), and for counts around the lane width.
  for (const int start : {0, 1, 2})
    for (const std::size_t n : {1u, 31u, 32u, 33u, 100u, 1000u}) {
      random_stream bulk(make_rng_key(9, rng_purpose::delay, 4), 77), one(make_rng_key(9, rng_purpose::delay, 4), 77);
      if (start == 1) bulk.normal(), one.normal();
      if (start == 2) bulk.uniform(), one.uniform();
      std::vector<double> out(n);
      bulk.normals(out.data(), n);
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(out[i]), std::bit_cast<std::uint64_t>(one.normal()))
            << "start " << start << ", n " << n << ", normal " << i;
      EXPECT_EQ(bulk.normal(), one.normal()) << "the streams go on alike";
    }
  buffered_normal_stream buffered(make_rng_key(2, rng_purpose::weight, 1), 5);
  random_stream one(make_rng_key(2, rng_purpose::weight, 1), 5);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(buffered.normal(), one.normal()) << i;
}

TEST(random, normal_has_unit_moments) {
  random_stream s(make_rng_key(3, rng_purpose::weight, 1), 9);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.normal();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
}

TEST(random, normal_pairs_share_two_uniforms_and_are_uncorrelated) {
  // Box-Muller's pair: r cos(2 pi u2) then r sin(2 pi u2), r = sqrt(-2 ln u1), from the stream's next two uniforms.
  random_stream normals(make_rng_key(3, rng_purpose::delay, 2), 11);
  random_stream uniforms(make_rng_key(3, rng_purpose::delay, 2), 11);
  for (int pair = 0; pair < 100; ++pair) {
    const double x = normals.normal(), y = normals.normal();
    const double u1 = uniforms.uniform_pos(), u2 = uniforms.uniform();
    EXPECT_NEAR(x * x + y * y, -2.0 * std::log(u1), 1e-12 * (1.0 - 2.0 * std::log(u1)));
    EXPECT_NEAR(std::atan2(y, x), std::remainder(2.0 * std::numbers::pi * u2, 2.0 * std::numbers::pi), 1e-9);
  }
  // The two halves of a pair are independent: their correlation over n pairs is 0 within 5 / sqrt(n).
  const int n = 100000;
  double sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = normals.normal(), y = normals.normal();
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  EXPECT_NEAR(sxy / std::sqrt(sxx * syy), 0.0, 5.0 / std::sqrt(n));
}

/// Chi-square of observed counts against a pmf, pooling the tail where the expectation falls below 5.
double chi_square(const std::vector<int>& observed, const std::vector<double>& pmf, int n, int& dof) {
  double chi2 = 0, pooled_o = 0, pooled_e = 0;
  dof = -1;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    const double e = pmf[k] * n;
    const double o = k < observed.size() ? observed[k] : 0;
    if (e < 5) {
      pooled_o += o, pooled_e += e;
      continue;
    }
    chi2 += (o - e) * (o - e) / e;
    ++dof;
  }
  if (pooled_e > 0) chi2 += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e, ++dof;
  return chi2;
}

TEST(random, poisson_table_draws_follow_the_poisson_distribution) {
  for (const double mean : {0.05, 2.0, 23.2, 150.0}) {
    const auto t = poisson_thresholds(mean);
    const auto key = make_rng_key(5, rng_purpose::poisson_input, 0);
    const int n = 100000;
    std::vector<int> counts(t.size() + 1, 0);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      const auto b = philox_block(key, static_cast<std::uint64_t>(i), 0);
      const auto k = poisson_count(t.data(), static_cast<std::uint32_t>(t.size()), b.v[i & 3]);
      ++counts[k];
      sum += k;
    }
    std::vector<double> pmf(t.size() + 1);
    for (std::size_t k = 0; k < pmf.size(); ++k) pmf[k] = std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0));
    int dof = 0;
    const double chi2 = chi_square(counts, pmf, n, dof);
    EXPECT_LT(chi2, dof + 5.0 * std::sqrt(2.0 * dof) + 5.0) << "mean " << mean << " dof " << dof;
    EXPECT_NEAR(sum / n, mean, 5.0 * std::sqrt(mean / n)) << mean;
  }
  EXPECT_TRUE(poisson_thresholds(0.0).empty());
}

double binomial_pmf(std::uint64_t n, double p, std::uint64_t k) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                  (n - k) * std::log1p(-p));
}

TEST(random, binomial_draws_follow_the_binomial_distribution) {
  struct param {
    std::uint64_t n;
    double p;
  };
  // Inversion (n p < 10), BTRD (n p >= 10) in both its recursive and squeeze branches, and p > 1/2.
  for (const auto& [n, p] : {param{20, 0.3}, param{1000, 0.004}, param{1000, 0.3}, param{100000, 0.5}, param{5000, 0.9},
                             param{3'000'000'000ull, 0.25}}) {
    random_stream s(make_rng_key(11, rng_purpose::total_number_split, 0), n);
    const int draws = 60000;
    const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
    double sum = 0, sum2 = 0;
    std::vector<int> counts;
    const auto lo = static_cast<std::int64_t>(std::max(0.0, mean - 6 * sd));
    const auto width = static_cast<std::size_t>(12 * sd + 2);
    counts.assign(width, 0);
    for (int i = 0; i < draws; ++i) {
      const auto k = draw_binomial(s, n, p);
      ASSERT_LE(k, n);
      sum += double(k), sum2 += double(k) * double(k);
      const auto idx = static_cast<std::int64_t>(k) - lo;
      if (idx >= 0 && idx < static_cast<std::int64_t>(width)) ++counts[idx];
    }
    const double m = sum / draws, v = sum2 / draws - m * m;
    EXPECT_NEAR(m, mean, 5 * sd / std::sqrt(draws)) << n << " " << p;
    EXPECT_NEAR(v / (sd * sd), 1.0, 5 * std::sqrt(2.0 / draws) + 0.01) << n << " " << p;
    if (sd < 2000) {  // a pmf test where the bins are not too fine to fill
      std::vector<double> pmf(width);
      for (std::size_t i = 0; i < width; ++i) pmf[i] = binomial_pmf(n, p, lo + i);
      int dof = 0;
      const double chi2 = chi_square(counts, pmf, draws, dof);
      EXPECT_LT(chi2, dof + 5.0 * std::sqrt(2.0 * dof) + 5.0) << n << " " << p << " dof " << dof;
    }
  }
}

TEST(random, split_total_is_exact_and_independent_of_the_range_asked) {
  const auto key = make_rng_key(3, rng_purpose::total_number_split, 2);
  const std::uint64_t total = 1'234'567, targets = 10'007;
  const auto all = split_total(key, total, targets, 0, targets);
  std::uint64_t sum = 0;
  for (auto c : all) sum += c;
  EXPECT_EQ(sum, total);
  for (const auto& [a, b] : {std::pair<std::uint64_t, std::uint64_t>{0, 1}, {17, 5003}, {5003, 10007}, {9999, 10007}}) {
    const auto part = split_total(key, total, targets, a, b);
    ASSERT_EQ(part.size(), b - a);
    for (std::uint64_t i = a; i < b; ++i) ASSERT_EQ(part[i - a], all[i]) << i;
  }
  // Each target's count is Binomial(total, 1/targets): mean total/targets, variance about the same.
  double m = double(total) / targets, var = 0;
  for (auto c : all) var += (c - m) * (c - m);
  var /= targets;
  EXPECT_NEAR(var / m, 1.0, 0.1);
}

}  // namespace
}  // namespace hetspike
