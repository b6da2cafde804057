// The direct way's kept draws: what they hold, and which populations may keep theirs.
#include <gtest/gtest.h>

#include <vector>

#include "partition/drawn_sources.hpp"

namespace hetspike {
namespace {

TEST(drawn_sources, gives_back_each_targets_sources_in_draw_order_across_growth) {
  drawn_sources d;
  d.reserve(2, 3);  // less room than added: the arrays grow and keep what they hold
  const std::vector<std::vector<std::uint64_t>> added = {{5, 65535, 5}, {}, {0, 1, 2, 3, 4, 65536 - 7}};
  for (const auto& s : added) d.add(s);
  std::size_t next = 0;
  d.for_each(100, [&](std::uint64_t target, std::span<const std::uint16_t> sources) {
    EXPECT_EQ(target, 100 + next);
    ASSERT_EQ(sources.size(), added[next].size());
    for (std::size_t i = 0; i < sources.size(); ++i) EXPECT_EQ(sources[i], added[next][i]);
    ++next;
  });
  EXPECT_EQ(next, added.size());
  EXPECT_TRUE(drawn_sources::fits(65536));
  EXPECT_FALSE(drawn_sources::fits(65537));
}

TEST(drawn_sources, kept_draws_stay_within_the_budget_beyond_the_store) {
  // Brunel-like: E, placed first, holds most synapses. Both kept: while E is placed both draws are held and only
  // I's store is unwritten, 80 + 20 - 40 beyond the store; while I is placed, I's draw alone, 20.
  const std::vector<double> store = {160, 40}, draws = {80, 20};
  const auto all = choose_kept_draws(store, draws, 1000);
  EXPECT_EQ(all.keep, (std::vector<std::uint8_t>{1, 1}));
  EXPECT_DOUBLE_EQ(all.beyond_store, 60);
  // A budget of 50: I's draw (20) fits, E's would make 60; E draws twice.
  const auto some = choose_kept_draws(store, draws, 50);
  EXPECT_EQ(some.keep, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_DOUBLE_EQ(some.beyond_store, 20);
  // A draw that cannot be kept (0) is not, and a small first population's draw hides under the later store.
  const auto mixed = choose_kept_draws({10, 500, 500}, {5, 0, 30}, 30);
  EXPECT_EQ(mixed.keep, (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_DOUBLE_EQ(mixed.beyond_store, 30);
  // Within the budget, whatever the choice: every population's excess checked by brute force.
  const std::vector<double> s2 = {300, 10, 50, 5, 80}, d2 = {60, 2, 40, 1, 16};
  for (const double budget : {0.0, 1.0, 16.0, 20.0, 50.0, 100.0}) {
    const auto c = choose_kept_draws(s2, d2, budget);
    double worst = 0;
    for (std::size_t k = 0; k < s2.size(); ++k) {
      double held = 0, unwritten = 0;
      for (std::size_t q = k; q < s2.size(); ++q) held += c.keep[q] ? d2[q] : 0;
      for (std::size_t q = k + 1; q < s2.size(); ++q) unwritten += s2[q];
      worst = std::max(worst, held - unwritten);
    }
    EXPECT_LE(worst, budget) << budget;
    EXPECT_DOUBLE_EQ(c.beyond_store, worst) << budget;
  }
}

}  // namespace
}  // namespace hetspike
