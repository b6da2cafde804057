// Connection rules (exact in-degrees, counts within 5 sigma) and the synapse store: the same synapses,
// weights and delays whatever the number of ranks the network is cut into.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "partition/connection_rules.hpp"
#include "partition/connectivity_builder.hpp"
#include "partition/error.hpp"
#include "partition/synapse_locator.hpp"

namespace hetspike {
namespace {

projection_spec make_projection(connection_rule rule) {
  projection_spec p;
  p.rule = rule;
  p.weight = value_distribution::constant(1.0);
  p.delay = value_distribution::constant(1.0);
  return p;
}

TEST(connection_rules, fixed_indegree_gives_exact_indegrees) {
  for (bool multapses : {true, false})
    for (bool autapses : {true, false}) {
      auto p = make_projection(connection_rule::fixed_indegree);
      p.indegree = 40, p.multapses = multapses, p.autapses = autapses;
      const source_sampler s(p, 1, 0, 50, 50, true);
      for (std::uint64_t t = 0; t < 50; ++t) {
        std::vector<std::uint64_t> src;
        s.sources(t, 0, src);
        ASSERT_EQ(src.size(), 40u);
        for (auto i : src) ASSERT_LT(i, 50u);
        if (!autapses) {
          EXPECT_EQ(std::count(src.begin(), src.end(), t), 0);
        }
        if (!multapses) {
          EXPECT_EQ(std::set<std::uint64_t>(src.begin(), src.end()).size(), 40u);
        }
      }
    }
  // Without multapses and autapses all N-1 other neurons is the most there can be.
  auto p = make_projection(connection_rule::fixed_indegree);
  p.indegree = 49, p.multapses = false, p.autapses = false;
  std::vector<std::uint64_t> src;
  source_sampler(p, 1, 0, 50, 50, true).sources(7, 0, src);
  EXPECT_EQ(std::set<std::uint64_t>(src.begin(), src.end()).size(), 49u);
}

TEST(connection_rules, pairwise_bernoulli_counts_within_five_sigma) {
  for (double prob : {0.01, 0.1, 0.5, 0.97}) {
    auto p = make_projection(connection_rule::pairwise_bernoulli);
    p.probability = prob, p.autapses = false;
    const std::uint64_t n = 2000;
    const source_sampler s(p, 3, 1, n, n, true);
    std::uint64_t total = 0;
    std::vector<std::uint64_t> per_source(n, 0);
    for (std::uint64_t t = 0; t < n; ++t) {
      std::vector<std::uint64_t> src;
      s.sources(t, 0, src);
      ASSERT_TRUE(std::is_sorted(src.begin(), src.end()));
      ASSERT_EQ(std::adjacent_find(src.begin(), src.end()), src.end()) << "no multapses";
      ASSERT_EQ(std::count(src.begin(), src.end(), t), 0) << "no autapses";
      for (auto i : src) ++per_source[i];
      total += src.size();
    }
    const double pairs = double(n) * (n - 1), mean = prob * pairs, sd = std::sqrt(pairs * prob * (1 - prob));
    EXPECT_NEAR(double(total), mean, 5 * sd) << prob;
    // Sources are chosen uniformly: the first and second half get the same share.
    const double first_half = std::accumulate(per_source.begin(), per_source.begin() + n / 2, 0.0);
    EXPECT_NEAR(first_half / total, 0.5, 5 * std::sqrt(0.25 / total)) << prob;
  }
  auto p = make_projection(connection_rule::pairwise_bernoulli);
  p.probability = 1.0;
  std::vector<std::uint64_t> src;
  source_sampler(p, 1, 0, 30, 30, false).sources(0, 0, src);
  EXPECT_EQ(src.size(), 30u);
}

TEST(connection_rules, one_to_one_and_all_to_all) {
  std::vector<std::uint64_t> src;
  source_sampler(make_projection(connection_rule::one_to_one), 1, 0, 10, 10, false).sources(4, 0, src);
  EXPECT_EQ(src, std::vector<std::uint64_t>{4});
  src.clear();
  auto p = make_projection(connection_rule::all_to_all);
  p.autapses = false;
  source_sampler(p, 1, 0, 5, 5, true).sources(2, 0, src);
  EXPECT_EQ(src, (std::vector<std::uint64_t>{0, 1, 3, 4}));
}

TEST(connection_rules, redraw_keeps_values_within_bounds) {
  value_distribution d{value_distribution::kind::normal, 1.0, 2.0, 0.0, 1e300};
  random_stream s(make_rng_key(1, rng_purpose::weight, 0), 0);
  for (int i = 0; i < 10000; ++i) ASSERT_GE(draw_value(d, s), 0.0);
  value_distribution impossible{value_distribution::kind::normal, 0.0, 1.0, 100.0, 101.0};
  EXPECT_THROW(draw_value(impossible, s), input_error);
}

/// A network with every rule, varying weights and delays, two neuron models and a population bigger than a
/// synapse segment's target block (2^16), so that blocks are exercised too.
network_spec test_network() {
  network_spec net;
  net.dt = 0.1;
  net.seed = 77;
  population_spec a{"A", iaf_psc_exp_params{}, 70000, value_distribution::constant(-70)};
  population_spec b{"B", iaf_psc_delta_params{}, 301, value_distribution::constant(-70)};
  population_spec c{"C", iaf_psc_exp_params{}, 97, value_distribution::constant(-70)};
  net.populations = {a, b, c};
  auto proj = [&](std::size_t s, std::size_t t, connection_rule r) {
    projection_spec p;
    p.source = s, p.target = t, p.rule = r;
    p.weight = value_distribution::constant(2.0);
    p.delay = value_distribution::constant(0.3);
    return p;
  };
  auto p0 = proj(1, 0, connection_rule::fixed_indegree);
  p0.indegree = 3;
  p0.weight = {value_distribution::kind::normal, 87.8, 8.78, 0.0, std::numeric_limits<double>::infinity()};
  p0.delay = {value_distribution::kind::normal, 1.5, 0.75, 0.1, std::numeric_limits<double>::infinity()};
  auto p1 = proj(2, 1, connection_rule::pairwise_bernoulli);
  p1.probability = 0.2;
  p1.weight = {value_distribution::kind::uniform, -3.0, 3.0};
  auto p2 = proj(1, 2, connection_rule::fixed_total_number);
  p2.total = 2000;
  p2.delay = {value_distribution::kind::uniform, 0.1, 2.0};
  auto p3 = proj(2, 2, connection_rule::all_to_all);
  p3.autapses = false;
  p3.weight = value_distribution::constant(-4.0);
  auto p4 = proj(1, 1, connection_rule::fixed_indegree);
  p4.indegree = 50, p4.multapses = false, p4.autapses = false;
  net.projections = {p0, p1, p2, p3, p4};
  return net;
}

using synapse_key = std::tuple<gid_type, gid_type, std::size_t, std::int64_t, std::int64_t>;  // src, tgt, proj, w, d

/// Every synapse of a built store as (source, target, projection, weight, delay), with the checks every store must
/// pass: a segment's target offsets ascend (threaded delivery finds a thread's targets by binary search).
void collect_synapses(const network_spec& net, const local_layout& layout, const built_connectivity& built,
                      std::multiset<synapse_key>& out) {
  const auto& st = built.store;
  const auto offsets = net.population_offsets();
  ASSERT_EQ(built.row_source.size(), st.num_rows());
  for (std::size_t sp = 0; sp < net.populations.size(); ++sp)
    for (auto row = built.population_first_row[sp]; row < built.population_first_row[sp + 1]; ++row)
      st.for_each_segment(static_cast<std::uint32_t>(row), [&](std::uint32_t cls, std::uint64_t b, std::uint64_t e) {
        const auto& c = st.classes(cls);
        const auto& tgt = layout.populations[net.projections[c.projection].target];
        EXPECT_EQ(net.projections[c.projection].source, sp);
        EXPECT_TRUE(std::is_sorted(st.target_offset.data() + b, st.target_offset.data() + e)) << "row " << row;
        for (auto k = b; k < e; ++k) {
          const gid_type target = tgt.first_gid + (c.column + st.target_offset(k) - tgt.first_column);
          const std::int64_t w = c.plastic ? 0 : c.has_weights ? st.weight(k + c.weight_shift) : c.weight;
          const std::int64_t d = c.has_delays ? st.delay(k + c.delay_shift) : c.delay;
          out.insert({offsets[sp] + built.row_source[row], target, c.projection, w, d});
        }
      });
}

std::multiset<synapse_key> synapses_of(const network_spec& net, int ranks, std::int64_t& d_min, std::int64_t& d_max,
                                       const build_options& options = {}) {
  std::multiset<synapse_key> out;
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, ranks);
  d_min = 1 << 30, d_max = 0;
  for (int r = 0; r < ranks; ++r) {
    const auto layout = make_local_layout(net, part, r);
    const auto built = build_connectivity(net, part, layout, options);
    EXPECT_EQ(built.store.num_synapses(), built.num_synapses);
    d_min = std::min(d_min, built.min_delay), d_max = std::max(d_max, built.max_delay);
    collect_synapses(net, layout, built, out);
  }
  return out;
}

TEST(connectivity_builder, the_same_synapses_on_any_number_of_ranks) {
  const auto net = test_network();
  std::int64_t dmin1 = 0, dmax1 = 0;
  const auto one = synapses_of(net, 1, dmin1, dmax1);
  EXPECT_EQ(std::count_if(one.begin(), one.end(), [](const auto& k) { return std::get<2>(k) == 2; }), 2000);
  EXPECT_EQ(std::count_if(one.begin(), one.end(), [](const auto& k) { return std::get<2>(k) == 0; }), 3 * 70000);
  EXPECT_EQ(dmin1, 1);
  EXPECT_GT(dmax1, 20);
  for (int ranks : {2, 3, 7}) {
    std::int64_t dmin = 0, dmax = 0;
    EXPECT_EQ(synapses_of(net, ranks, dmin, dmax), one) << ranks << " ranks";
    EXPECT_EQ(dmin, dmin1);
    EXPECT_EQ(dmax, dmax1);
  }
}

/// One projection's synapses as the locator walks them on each rank, ranks end to end: (target, source, weight).
std::vector<std::tuple<std::uint64_t, std::uint64_t, std::int32_t>> located(const network_spec& net, int ranks,
                                                                            std::size_t projection,
                                                                            placement_method method,
                                                                            double room_margin = 6) {
  std::vector<std::tuple<std::uint64_t, std::uint64_t, std::int32_t>> out;
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, ranks);
  placement_options how;
  how.method = method, how.room_margin = room_margin;
  for (int r = 0; r < ranks; ++r) {
    const auto layout = make_local_layout(net, part, r);
    build_options options;
    options.placement = how;
    const auto built = build_connectivity(net, part, layout, options);
    const synapse_locator locator(net, part, layout, built.store, projection, synapse_locator::all_targets, how);
    const std::size_t before = out.size();
    locator.for_each([&](std::uint64_t t, std::uint64_t s, std::uint64_t position) {
      out.emplace_back(t, s, built.store.weight(position));
    });
    EXPECT_EQ(out.size() - before, locator.size()) << "rank " << r << " of " << ranks;
  }
  return out;
}

TEST(synapse_locator, finds_every_synapse_in_draw_order_and_ranks_hold_consecutive_slices) {
  const auto net = test_network();
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition whole(sizes, 1);
  for (std::size_t projection : {0, 1}) {  // varying weights; projection 0's target spans two blocks
    const auto one = located(net, 1, projection, placement_method::automatic);
    // Target by target, each target's sources in the order they were drawn.
    std::vector<std::tuple<std::uint64_t, std::uint64_t>> drawn;
    const auto& spec = net.projections[projection];
    projection_targets(net, whole, projection, 0, net.populations[spec.target].size)
        .for_each([&](std::uint64_t t, const std::vector<std::uint64_t>& sources) {
          for (auto s : sources) drawn.emplace_back(t, s);
        });
    ASSERT_EQ(one.size(), drawn.size());
    for (std::size_t i = 0; i < drawn.size(); ++i)
      ASSERT_EQ(std::make_tuple(std::get<0>(one[i]), std::get<1>(one[i])), drawn[i]) << i;
    // Weights differ per synapse, so equal sequences on 1 and 3 ranks, placed either way, mean each synapse was
    // found where it is.
    for (auto method : {placement_method::direct, placement_method::bucketed})
      EXPECT_EQ(located(net, 3, projection, method), one) << "projection " << projection;
    // A bucketed draw that overflows its room and starts again finds them too.
    EXPECT_EQ(located(net, 3, projection, placement_method::bucketed, -1e9), one) << "projection " << projection;
  }
}

TEST(connectivity_builder, sign_kept_weights_and_delays_above_dt) {
  const auto net = test_network();
  std::int64_t dmin = 0, dmax = 0;
  for (const auto& [src, tgt, pi, w, d] : synapses_of(net, 2, dmin, dmax)) {
    if (pi == 0) {
      ASSERT_GE(w, 0);
    }
    ASSERT_GE(d, 1);
  }
}

TEST(connectivity_builder, delays_beyond_the_8_bit_range_are_a_clear_error) {
  auto net = test_network();
  net.projections[0].delay = {value_distribution::kind::normal, 30.0, 1.0, 0.1, 1e9};  // 300 steps
  std::vector<std::uint64_t> sizes;
  for (const auto& p : net.populations) sizes.push_back(p.size);
  const block_partition part(sizes, 1);
  try {
    build_connectivity(net, part, make_local_layout(net, part, 0));
    FAIL() << "expected capacity_error";
  } catch (const capacity_error& e) {
    EXPECT_NE(std::string(e.what()).find("projections[0]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("8-bit"), std::string::npos) << e.what();
  }
}

TEST(connectivity_builder, delays_drawn_from_half_a_step_round_to_the_nearest_step) {
  // NEST's redraw(min = 0.5 * dt) and rounding: draws in [dt/2, 3dt/2) are one step, [3dt/2, 5dt/2) two.
  network_spec net;
  net.populations = {{"E", iaf_psc_delta_params{}, 2000, value_distribution::constant(0)}};
  projection_spec p;
  p.rule = connection_rule::fixed_indegree, p.indegree = 100;
  p.weight = value_distribution::constant(0.1);
  p.delay = {value_distribution::kind::uniform, 0.05, 0.25};
  net.projections = {p};
  std::int64_t d_min = 0, d_max = 0;
  std::map<std::int64_t, std::size_t> steps;
  for (const auto& key : synapses_of(net, 2, d_min, d_max)) ++steps[std::get<4>(key)];
  ASSERT_EQ(steps.size(), 2u);
  // 200,000 synapses, half in each step: 5 sigma of a binomial(2e5, 0.5) is about 1,120.
  EXPECT_NEAR(static_cast<double>(steps[1]), 100'000.0, 1'120.0);
  EXPECT_NEAR(static_cast<double>(steps[2]), 100'000.0, 1'120.0);
  EXPECT_EQ(d_min, 1);
  EXPECT_EQ(d_max, 2);
}

TEST(local_layout, split_targets_cuts_the_neurons_into_equal_runs_of_columns) {
  // On one rank: A (70,000 neurons, two channels) in columns 0-139,999, B (301, one) in 140,000-140,300,
  // C (97, two) in 140,301-140,494; 70,398 neurons. Part k starts at neuron floor(70,398 k / parts).
  const auto net = test_network();
  const block_partition part({70000, 301, 97}, 1);
  const auto layout = make_local_layout(net, part, 0);
  ASSERT_EQ(layout.num_local, 70398u);
  ASSERT_EQ(layout.num_columns, 140495u);
  EXPECT_EQ(split_targets(layout, 1), (std::vector<std::uint32_t>{0, 140495}));
  EXPECT_EQ(split_targets(layout, 4), (std::vector<std::uint32_t>{0, 17599, 35199, 52798, 140495}));
  const auto fine = split_targets(layout, 1000);
  ASSERT_EQ(fine.size(), 1001u);
  EXPECT_TRUE(std::is_sorted(fine.begin(), fine.end()));
  EXPECT_EQ(fine[995], 140046u);  // neuron 70,046: B's 46th
  EXPECT_EQ(fine[999], 140327u);  // neuron 70,327: C's 26th
}

TEST(connectivity_builder, constant_synapses_cost_two_bytes) {
  network_spec net;
  net.populations = {{"E", iaf_psc_delta_params{}, 4000, value_distribution::constant(0)}};
  projection_spec p;
  p.rule = connection_rule::fixed_indegree, p.indegree = 400;
  p.weight = value_distribution::constant(0.1), p.delay = value_distribution::constant(1.5);
  net.projections = {p};
  const block_partition part({4000}, 1);
  const auto built = build_connectivity(net, part, make_local_layout(net, part, 0));
  EXPECT_EQ(built.num_synapses, 1'600'000u);
  // 2 bytes a synapse; each of the 4,000 sources is a run row (one class) costing a 4-byte offset.
  EXPECT_EQ(built.store.num_rows(), 4000u);
  EXPECT_LE(built.store.bytes(), 2 * built.num_synapses + 4 * (4000 + 1) + 512);
  EXPECT_EQ(built.min_delay, 15);
}

}  // namespace
}  // namespace hetspike
