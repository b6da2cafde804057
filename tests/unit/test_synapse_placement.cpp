// How a rank's store is laid out (kernels/row_planner.hpp, partition/source_placement.hpp) and routed
// (partition/routing_table.hpp, partition/emulated_routes.hpp): the same store whichever way and on however many
// threads it is placed, rows that cost what docs/scaling.md says, and an emulated rank's routes that are exact when
// replayed and have the right distribution when drawn.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "kernels/row_planner.hpp"
#include "kernels/synapse_store_assembly.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/emulated_routes.hpp"
#include "partition/routing_table.hpp"

namespace hetspike {
namespace {

TEST(row_planner, a_row_takes_the_cheapest_layout_for_its_synapses) {
  const row_planner two(0, {0, 0});
  const std::uint32_t single[] = {1, 0}, run[] = {0, 3}, both[] = {1, 1};
  EXPECT_EQ(two.layout_of(single), row_layout::single);
  EXPECT_EQ(two.layout_of(run), row_layout::run);
  EXPECT_EQ(two.layout_of(both), row_layout::table);  // 8 bytes as a table, 28 as a list
  const row_planner eight(0, std::vector<std::uint8_t>(8, 0));
  const std::uint32_t two_of_eight[] = {1, 0, 0, 2, 0, 0, 0, 0}, three_of_eight[] = {1, 0, 0, 2, 0, 0, 0, 1};
  EXPECT_EQ(eight.layout_of(two_of_eight), row_layout::list);     // 28 bytes as a list, 32 as a table
  EXPECT_EQ(eight.layout_of(three_of_eight), row_layout::table);  // 40 as a list
}

/// Lays out `counts` (per source, 3 classes) in `chunks` consecutive chunks; returns the arrays, row ids and
/// positions.
struct planned {
  row_arrays arrays;
  std::vector<std::uint32_t> rows, positions;
  std::vector<std::uint64_t> sizes;
};
planned plan(const std::vector<std::array<std::uint32_t, 3>>& counts, std::size_t chunks) {
  planned out;
  row_planner planner(5, {0, 1, 0});
  std::vector<row_planner::tally> tallies(chunks, planner.make_tally());
  auto chunk_of = [&](std::size_t s) { return s * chunks / counts.size(); };
  for (std::size_t s = 0; s < counts.size(); ++s) planner.count(counts[s].data(), tallies[chunk_of(s)]);
  auto cursors = planner.lay_out(tallies, out.arrays, out.sizes);
  for (std::size_t s = 0; s < counts.size(); ++s) {
    std::uint32_t pos[3] = {};
    out.rows.push_back(planner.place(cursors[chunk_of(s)], counts[s].data(), pos, out.arrays));
    out.positions.insert(out.positions.end(), pos, pos + 3);
  }
  out.arrays.range_first_row.push_back(static_cast<std::uint32_t>(out.arrays.num_rows));
  return out;
}

TEST(row_planner, the_layout_does_not_depend_on_how_sources_are_chunked) {
  std::vector<std::array<std::uint32_t, 3>> counts;
  random_stream s(make_rng_key(3, rng_purpose::connectivity, 0), 0);
  for (int i = 0; i < 2000; ++i) {
    std::array<std::uint32_t, 3> c{};
    do {
      for (auto& x : c) x = s.below(4) == 0 ? static_cast<std::uint32_t>(s.below(3)) : 0u;
    } while (c[0] + c[1] + c[2] == 0);
    counts.push_back(c);
  }
  const auto one = plan(counts, 1);
  for (std::size_t chunks : {2, 7, 64}) {
    const auto other = plan(counts, chunks);
    EXPECT_EQ(other.rows, one.rows) << chunks;
    EXPECT_EQ(other.positions, one.positions) << chunks;
    EXPECT_EQ(other.arrays.run_begin, one.arrays.run_begin) << chunks;
    EXPECT_EQ(other.arrays.table_begin, one.arrays.table_begin) << chunks;
    EXPECT_EQ(other.arrays.list_begin, one.arrays.list_begin) << chunks;
  }
  // Every row id once; the classes' zones hold exactly their synapses.
  std::vector<std::uint32_t> sorted = one.rows;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  for (std::size_t k = 0; k < 3; ++k) {
    std::uint64_t n = 0;
    for (const auto& c : counts) n += c[k];
    EXPECT_EQ(one.sizes[k], n);
  }
  // Plastic slots: every row of a range that may hold class 1's synapses (its runs and singles, and all tables and
  // lists), and no other.
  std::uint64_t slots = 0;
  for (std::size_t r = 0; r < one.arrays.ranges.size(); ++r) {
    const auto& range = one.arrays.ranges[r];
    const bool may_be_plastic = range.layout == row_layout::table || range.layout == row_layout::list || range.cls == 6;
    EXPECT_EQ(range.first_plastic != no_plastic_slot, may_be_plastic) << r;
    if (may_be_plastic) slots += one.arrays.range_first_row[r + 1] - one.arrays.range_first_row[r];
  }
  EXPECT_EQ(one.arrays.num_plastic_slots, slots);
}

/// A population of `sources` neurons projecting onto `targets` with in-degree k and drawn weights and delays, plus
/// a second, plastic projection (its initial weights constant, as hpc_benchmark's, or drawn): dense when sources
/// are few, one synapse per source when they are many.
network_spec two_populations(std::uint64_t sources, std::uint64_t targets, std::uint64_t k,
                             bool constant_plastic = true) {
  network_spec net;
  net.seed = 11;
  net.populations = {{"S", iaf_psc_exp_params{}, sources, value_distribution::constant(-70)},
                     {"T", iaf_psc_exp_params{}, targets, value_distribution::constant(-70)}};
  projection_spec p;
  p.source = 0, p.target = 1, p.rule = connection_rule::fixed_indegree, p.indegree = k;
  p.weight = {value_distribution::kind::normal, 80.0, 8.0, 0.0, 1e9};
  p.delay = {value_distribution::kind::uniform, 0.5, 2.0};
  projection_spec q = p;
  q.rule = connection_rule::pairwise_bernoulli, q.probability = static_cast<double>(k) / static_cast<double>(sources);
  q.weight = value_distribution::constant(40.0);
  q.delay = value_distribution::constant(1.0);
  q.plasticity = stdp_pl_params{};
  if (!constant_plastic) q.weight = {value_distribution::kind::uniform, 30.0, 50.0};
  net.projections = {p, q};
  return net;
}

struct store_print {
  std::uint64_t store, own;
  std::vector<std::uint32_t> row_source;
  bool operator==(const store_print&) const = default;
};

store_print built_with(const network_spec& net, int ranks, int rank, placement_method method, int threads,
                       double room_margin = 6, bool row_sources = true) {
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, ranks);
  const auto layout = make_local_layout(net, part, rank);
  build_options how;
  how.placement.method = method, how.placement.threads = threads, how.placement.room_margin = room_margin;
  how.row_sources = row_sources;
  const auto built = build_connectivity(net, part, layout, how);
  content_hash own;
  own.add(built.own_row.data(), built.own_row.size() * 4);
  return {built.store.content_hash_value(), own.value(), built.row_source};
}

/// Every synapse as (source gid, target gid, class's projection, weight or plastic weight, delay), and every row
/// as (source gid, synapses): what both ways must agree on.
std::multiset<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t, double, std::uint32_t>> synapses_with(
    const network_spec& net, int ranks, int rank, placement_method method) {
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, ranks);
  const auto layout = make_local_layout(net, part, rank);
  build_options how;
  how.placement.method = method;
  const auto built = build_connectivity(net, part, layout, how);
  const auto& st = built.store;
  std::multiset<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t, double, std::uint32_t>> out;
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp)
    for (auto row = built.population_first_row[sp]; row < built.population_first_row[sp + 1]; ++row)
      st.for_each_segment(static_cast<std::uint32_t>(row), [&](std::uint32_t cls, std::uint64_t b, std::uint64_t e) {
        const auto& c = st.classes(cls);
        const auto& tgt = layout.populations[net.projections[c.projection].target];
        for (auto k = b; k < e; ++k) {
          const double w = c.plastic       ? st.plastic_weight(k + c.weight_shift)
                           : c.has_weights ? st.weight(k + c.weight_shift)
                                           : c.weight;
          const std::uint32_t d = c.has_delays ? st.delay(k + c.delay_shift) : c.delay;
          out.emplace(part.population_offset(sp) + built.row_source[row],
                      tgt.first_gid + (c.column + st.target_offset(k) - tgt.first_column), c.projection, w, d);
        }
      });
  return out;
}

TEST(source_placement, each_way_builds_the_same_store_on_any_thread_count_and_both_the_same_synapses) {
  for (const auto& net :
       {two_populations(300, 2000, 60), two_populations(200000, 500, 8), two_populations(200000, 500, 8, false)})
    for (int ranks : {1, 3}) {
      const auto direct = built_with(net, ranks, ranks - 1, placement_method::direct, 1);
      const auto bucketed = built_with(net, ranks, ranks - 1, placement_method::bucketed, 1);
      EXPECT_GT(direct.row_source.size(), 0u);
      for (int threads : {2, 3}) {
        EXPECT_EQ(built_with(net, ranks, ranks - 1, placement_method::direct, threads), direct)
            << net.populations[0].size << " sources, " << ranks << " ranks, " << threads << " threads";
        EXPECT_EQ(built_with(net, ranks, ranks - 1, placement_method::bucketed, threads), bucketed)
            << net.populations[0].size << " sources, " << ranks << " ranks, " << threads << " threads";
      }
      // A stash without room overflows at once: the draw starts again with counted room, and gives the same store.
      EXPECT_EQ(built_with(net, ranks, ranks - 1, placement_method::bucketed, 2, -1e9), bucketed);
      // Told to note no sources but its own (an emulated rank), the bucketed way splits the other buckets without
      // walking them source by source: the same store.
      const auto untold = built_with(net, ranks, ranks - 1, placement_method::bucketed, 2, 6, false);
      EXPECT_EQ(untold.store, bucketed.store);
      EXPECT_EQ(untold.own, bucketed.own);
      // The two ways number rows differently, but hold the same synapses.
      EXPECT_EQ(synapses_with(net, ranks, ranks - 1, placement_method::direct),
                synapses_with(net, ranks, ranks - 1, placement_method::bucketed));
    }
}

TEST(source_placement, the_rows_noted_for_wanted_sources_are_the_rows_that_hold_them_either_way) {
  // An emulated rank notes the rows of a weight recorder's sources only: a list spread over every bucket, some of
  // them with no synapse here. Its rows must be those a real rank, which notes every row's source, finds for them.
  // Buckets of 8,192 sources, the rank's own block spanning several, and about 10 synapses a source here.
  const auto net = two_populations(200000, 500, 2000, false);
  std::vector<std::uint32_t> wanted;
  for (std::uint32_t s = 3; s < 200000; s += 331) wanted.push_back(s);
  for (const auto method : {placement_method::direct, placement_method::bucketed})
    for (int ranks : {1, 3}) {
      const block_partition part({200000, 500}, ranks);
      const auto layout = make_local_layout(net, part, ranks - 1);
      build_options every;
      every.placement.method = method, every.placement.threads = 2;
      const auto all = build_connectivity(net, part, layout, every);
      build_options some = every;
      some.row_sources = false;
      some.wanted_sources = {wanted, {}};
      const auto noted = build_connectivity(net, part, layout, some);
      EXPECT_EQ(noted.store.content_hash_value(), all.store.content_hash_value());
      std::map<std::uint32_t, std::uint32_t> row_of;
      for (auto row = all.population_first_row[0]; row < all.population_first_row[1]; ++row)
        row_of[all.row_source[row]] = static_cast<std::uint32_t>(row);
      ASSERT_EQ(noted.rows_of[0].size(), wanted.size());
      std::size_t found = 0;
      for (std::size_t i = 0; i < wanted.size(); ++i) {
        const auto it = row_of.find(wanted[i]);
        EXPECT_EQ(noted.rows_of[0][i], it == row_of.end() ? no_row : it->second) << "source " << wanted[i];
        found += it != row_of.end();
      }
      EXPECT_GT(found, wanted.size() / 2);
    }
}

TEST(source_placement, automatic_placement_takes_little_memory_either_way) {
  // Dense: 300 sources, ~120 synapses each here: counts per source are cheap, no stash.
  // Sparse: 200,000 sources, 8,000 synapses: per-source counters would outweigh the store, buckets do not.
  for (const auto& [net, bucketed] :
       {std::pair{two_populations(300, 2000, 60), false}, std::pair{two_populations(200000, 500, 8), true}}) {
    std::vector<std::uint64_t> sizes;
    for (const auto& p : net.populations) sizes.push_back(p.size);
    const block_partition part(sizes, 1);
    const auto layout = make_local_layout(net, part, 0);
    const auto table = make_class_table(net, layout);
    source_placement placement(net, part, layout, table, 0, {});
    EXPECT_EQ(placement.bucketed(), bucketed) << net.populations[0].size;
  }
}

TEST(synapse_store, rows_of_one_synapse_cost_nothing_but_the_synapse) {
  // 1,000 targets with in-degree 10 from 10 million sources: about 10,000 rows, nearly all of one synapse.
  network_spec net;
  net.populations = {{"S", iaf_psc_delta_params{}, 10'000'000, value_distribution::constant(0)},
                     {"T", iaf_psc_delta_params{}, 1000, value_distribution::constant(0)}};
  projection_spec p;
  p.source = 0, p.target = 1, p.rule = connection_rule::fixed_indegree, p.indegree = 10;
  p.weight = value_distribution::constant(0.1), p.delay = value_distribution::constant(1.5);
  net.projections = {p};
  const block_partition part({10'000'000, 1000}, 1);
  const auto built = build_connectivity(net, part, make_local_layout(net, part, 0));
  const auto& st = built.store;
  ASSERT_EQ(built.num_synapses, 10'000u);
  std::map<row_layout, std::uint64_t> rows;
  for (std::uint32_t r = 0; r < st.num_ranges(); ++r)
    rows[st.ranges(r).layout] += st.range_first_row(r + 1) - st.range_first_row(r);
  EXPECT_GT(rows[row_layout::single], 9900u);
  EXPECT_EQ(rows[row_layout::single] + rows[row_layout::run], st.num_rows());
  // 2 bytes a synapse, 4 per run row; per range (a few per chunk of buckets) its record, its first row and a run's
  // closing offset; the class.
  const std::uint64_t per_range = sizeof(row_range) + 4 + 4;
  EXPECT_LE(st.bytes(), 2 * 10'000 + 4 * rows[row_layout::run] + per_range * (st.num_ranges() + 1) + 64);
  EXPECT_LE(st.num_ranges(), 2u * 64);
}

TEST(routing_table, ranks_far_apart_take_hops_and_come_back_in_order) {
  // Neuron 0 routed from ranks 0, 70,000 and 199,999; neuron 1 from 65,535 and 65,536; neuron 2 nowhere.
  std::vector<int> per_rank(200'000, 0);
  std::vector<row_announcement> a;
  for (auto [rank, lid, row] :
       {std::tuple{0, 0u, 7u}, {65'535, 1u, 8u}, {65'536, 1u, 9u}, {70'000, 0u, 10u}, std::tuple{199'999, 0u, 11u}}) {
    a.push_back({lid, row});
    ++per_rank[rank];
  }
  const auto t = routing_table::from_announcements(3, a, per_rank);
  auto routes = [&](lid_type lid) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    t.for_each_route(lid, [&](std::uint32_t rank, std::uint32_t row) { out.emplace_back(rank, row); });
    return out;
  };
  EXPECT_EQ(routes(0), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 7}, {70'000, 10}, {199'999, 11}}));
  EXPECT_EQ(routes(1), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{65'535, 8}, {65'536, 9}}));
  EXPECT_TRUE(routes(2).empty());
  EXPECT_EQ(t.num_routes(), 5u);
  EXPECT_EQ(t.num_routes(0), 3u);
  // The same routes from a generator give the same table.
  const auto g = routing_table::generate(3, 2, [&](lid_type lid, auto&& emit) {
    for (auto [rank, row] : routes(lid)) emit(rank, row);
  });
  EXPECT_EQ(g.content_hash_value(), t.content_hash_value());
}

network_spec brunel_like(std::uint64_t order) {
  network_spec net;
  net.seed = 5;
  net.populations = {{"E", iaf_psc_delta_params{}, 4 * order, value_distribution::constant(0)},
                     {"I", iaf_psc_delta_params{}, order, value_distribution::constant(0)}};
  for (std::size_t s : {0, 1})
    for (std::size_t t : {0, 1}) {
      projection_spec p;
      p.source = s, p.target = t, p.rule = connection_rule::fixed_indegree, p.indegree = s == 0 ? 40 : 10;
      p.weight = value_distribution::constant(s == 0 ? 0.1 : -0.5), p.delay = value_distribution::constant(1.5);
      net.projections.push_back(p);
    }
  return net;
}

TEST(emulated_routes, replayed_routes_are_those_the_other_ranks_announce) {
  const auto net = brunel_like(250);
  for (int ranks : {2, 3, 4}) {
    const block_partition part({1000, 250}, ranks);
    std::vector<built_connectivity> all;
    for (int q = 0; q < ranks; ++q) all.push_back(build_connectivity(net, part, make_local_layout(net, part, q)));
    for (int rank = 0; rank < ranks; ++rank) {
      // What a real job's exchange receives: each rank's rows of this rank's neurons, in rank order.
      const auto layout = make_local_layout(net, part, rank);
      std::vector<row_announcement> a;
      std::vector<int> per_rank(ranks, 0);
      for (int q = 0; q < ranks; ++q)
        for (std::size_t sp = 0; sp < 2; ++sp)
          for (auto row = all[q].population_first_row[sp]; row < all[q].population_first_row[sp + 1]; ++row) {
            const gid_type gid = part.population_offset(sp) + all[q].row_source[row];
            if (part.owner(gid) != rank) continue;
            const auto& lp = layout.populations[sp];
            a.push_back(
                {static_cast<std::uint32_t>(lp.first_lid + (gid - lp.first_gid)), static_cast<std::uint32_t>(row)});
            ++per_rank[q];
          }
      const auto expected = routing_table::from_announcements(layout.num_local, a, per_rank);
      const auto replayed = replayed_routes(net, part, rank, layout, all[rank].own_row);
      EXPECT_EQ(replayed.num_routes(), expected.num_routes()) << rank << " of " << ranks;
      EXPECT_EQ(replayed.content_hash_value(), expected.content_hash_value()) << rank << " of " << ranks;
    }
  }
}

TEST(emulated_routes, drawn_routes_reach_as_many_ranks_as_the_rules_imply) {
  // 200 ranks of a Brunel-like network: each E neuron has 40 x 5,000 / 4,000 = 50 synapses in expectation,
  // spread over 200 ranks, each of which holds a row of it with probability about 1 - exp(-50 / 200).
  const auto net = brunel_like(1000);
  const int ranks = 200, rank = 17;
  const block_partition part({4000, 1000}, ranks);
  const auto layout = make_local_layout(net, part, rank);
  const auto built = build_connectivity(net, part, layout);
  const auto drawn = drawn_routes(net, part, rank, layout, built.own_row, 2);
  const auto pi = row_probabilities(net, part, rank);
  double mean = 0, variance = 0;
  for (const auto& lp : layout.populations)
    for (double p : pi[lp.population]) mean += p * lp.count, variance += p * (1 - p) * lp.count;
  std::uint64_t own = 0, remote = 0;
  for (lid_type lid = 0; lid < layout.num_local; ++lid)
    drawn.for_each_route(lid, [&](std::uint32_t q, std::uint32_t row) {
      ASSERT_LT(q, static_cast<std::uint32_t>(ranks));
      if (q == static_cast<std::uint32_t>(rank)) {
        EXPECT_EQ(row, built.own_row[lid]);
        ++own;
      } else {
        ++remote;
      }
    });
  EXPECT_EQ(own, static_cast<std::uint64_t>(std::count_if(built.own_row.begin(), built.own_row.end(),
                                                          [](std::uint32_t r) { return r != no_row; })));
  EXPECT_NEAR(static_cast<double>(remote), mean, 5 * std::sqrt(variance));
  EXPECT_GT(mean, 500.0);
  // Drawn again, the same routes.
  EXPECT_EQ(drawn_routes(net, part, rank, layout, built.own_row, 1).content_hash_value(), drawn.content_hash_value());
}

}  // namespace
}  // namespace hetspike
