// The spike exchange at any rank count: every spike reaches exactly the ranks that hold rows of its source,
// as a message naming the receiver's row, and nowhere else.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "runtime/spike_exchange.hpp"
#include "test_context.hpp"

namespace hetspike {
namespace {

TEST(spike_exchange, delivers_each_spike_to_every_rank_with_a_row_of_its_source) {
  const auto& ctx = test::context();
  const block_partition part({37, 0, 11, 5}, ctx.size());
  const int rank = ctx.rank();
  // Rows of this rank: a rank-dependent subset of all gids, so routes differ per rank.
  std::vector<gid_type> rows;
  std::vector<std::uint32_t> row_source;
  std::vector<std::uint64_t> population_first_row;
  for (std::size_t p = 0; p < part.num_populations(); ++p) {
    population_first_row.push_back(rows.size());
    for (gid_type g = part.population_offset(p); g < part.population_offset(p) + part.population_size(p); ++g)
      if ((g * 7 + static_cast<gid_type>(rank)) % 3 != 0) {
        rows.push_back(g);
        row_source.push_back(static_cast<std::uint32_t>(g - part.population_offset(p)));
      }
  }
  population_first_row.push_back(rows.size());
  collective_spike_exchange exchange(ctx, part, std::move(row_source), population_first_row);

  // Every local neuron spikes once, at lag gid % 5 (the lag travels with the spike).
  std::vector<local_spike> spikes;
  for (const auto& r : part.local_ranges(rank))
    for (std::uint64_t i = 0; i < r.count; ++i)
      spikes.push_back(
          {static_cast<std::uint32_t>(r.first_lid + i), static_cast<std::uint32_t>((r.first_gid + i) % 5)});
  const auto received = exchange.exchange(spikes, 0, 5);

  std::vector<std::pair<std::uint32_t, std::uint32_t>> got, expected;
  for (const auto& m : received) got.emplace_back(m.row, m.lag);
  for (std::uint32_t row = 0; row < rows.size(); ++row)
    expected.emplace_back(row, static_cast<std::uint32_t>(rows[row] % 5));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);

  // Messages sent: one per (spike, rank holding a row of its source).
  std::uint64_t routes = 0;
  for (const auto& r : part.local_ranges(rank))
    for (std::uint64_t i = 0; i < r.count; ++i)
      for (int q = 0; q < ctx.size(); ++q) routes += ((r.first_gid + i) * 7 + static_cast<gid_type>(q)) % 3 != 0;
  EXPECT_EQ(exchange.messages_sent(), routes);
  EXPECT_EQ(exchange.bytes_sent(), routes * 8);

  // A quiet interval sends nothing and receives nothing.
  EXPECT_TRUE(exchange.exchange({}, 5, 5).empty());
}

TEST(spike_exchange, local_id_counts_population_by_population) {
  const auto& ctx = test::context();
  const block_partition part({10, 3, 8}, ctx.size());
  lid_type lid = 0;
  for (const auto& r : part.local_ranges(ctx.rank()))
    for (std::uint64_t i = 0; i < r.count; ++i) EXPECT_EQ(local_id(part, ctx.rank(), r.first_gid + i), lid++);
}

}  // namespace
}  // namespace hetspike
