// Ownership round trips for odd sizes and rank counts, and rank weights.
#include <gtest/gtest.h>

#include "partition/block_partition.hpp"
#include "partition/error.hpp"

namespace hetspike {
namespace {

TEST(block_partition, every_gid_has_exactly_one_owner_and_round_trips) {
  const std::vector<std::vector<std::uint64_t>> networks = {{1}, {7}, {10000, 2500}, {3, 0, 5, 1}, {17, 101, 4}};
  for (const auto& sizes : networks)
    for (int ranks : {1, 2, 3, 4, 5, 7, 16}) {
      const block_partition part(sizes, ranks);
      std::vector<int> seen(part.num_neurons(), 0);
      std::uint64_t total = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto ranges = part.local_ranges(r);
        lid_type lid = 0;
        for (const auto& range : ranges) {
          ASSERT_EQ(range.first_lid, lid);
          for (std::uint64_t i = 0; i < range.count; ++i) {
            const gid_type gid = range.first_gid + i;
            ASSERT_EQ(part.owner(gid), r) << "gid " << gid << " ranks " << ranks;
            ASSERT_EQ(part.population_of(gid), range.population);
            ++seen[gid];
          }
          lid += static_cast<lid_type>(range.count);
        }
        EXPECT_EQ(part.num_local(r), lid);
        total += lid;
      }
      EXPECT_EQ(total, part.num_neurons());
      for (auto s : seen) ASSERT_EQ(s, 1);
      // Equal weights: block sizes differ by at most one within a population.
      for (std::size_t p = 0; p < sizes.size(); ++p) {
        std::uint64_t lo = ~0ull, hi = 0;
        for (int r = 0; r < ranks; ++r) {
          const auto [a, b] = part.block(p, r);
          lo = std::min(lo, b - a), hi = std::max(hi, b - a);
        }
        EXPECT_LE(hi - lo, 1u);
      }
    }
}

TEST(block_partition, rank_weights_set_block_sizes) {
  const block_partition part({4000, 1000}, 2, {1.0, 3.0});
  EXPECT_EQ(part.num_local(0), 1250u);
  EXPECT_EQ(part.num_local(1), 3750u);
  EXPECT_EQ(part.owner(999), 0);
  EXPECT_EQ(part.owner(1000), 1);
}

TEST(block_partition, rejects_bad_weights) {
  EXPECT_THROW(block_partition({10}, 2, {1.0}), input_error);
  EXPECT_THROW(block_partition({10}, 2, {1.0, 0.0}), input_error);
}

}  // namespace
}  // namespace hetspike
