// The reproducibility contract at the library level: a network simulated on all ranks of the context gives
// bitwise the same spikes as the same network on a single rank, and the same spike hash; another seed does
// not. The network mixes both neuron models, every varying weight and delay, and Poisson and DC input.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "runtime/simulation.hpp"
#include "test_context.hpp"

namespace hetspike {
namespace {

/// Collects what a run records, gathered to every rank at close(), sorted.
class collecting_sink final : public spike_sink {
 public:
  explicit collecting_sink(const distributed_context& ctx) : ctx_(ctx) {}
  void write(std::span<const recorded_spike> spikes) override {
    mine_.insert(mine_.end(), spikes.begin(), spikes.end());
  }
  void close() override {
    all_ = ctx_.allgather(std::span<const recorded_spike>(mine_));
    std::sort(all_.begin(), all_.end(),
              [](const auto& a, const auto& b) { return a.step != b.step ? a.step < b.step : a.gid < b.gid; });
  }
  std::vector<std::pair<gid_type, step_type>> spikes() const {
    std::vector<std::pair<gid_type, step_type>> out;
    for (const auto& s : all_) out.emplace_back(s.gid, s.step);
    return out;
  }

 private:
  distributed_context ctx_;
  std::vector<recorded_spike> mine_, all_;
};

run_spec small_network(std::uint32_t seed) {
  run_spec spec;
  auto& net = spec.network;
  net.dt = 0.1;
  net.seed = seed;
  iaf_psc_delta_params delta;
  delta.C_m = 1.0, delta.tau_m = 20.0, delta.E_L = 0.0, delta.V_reset = 0.0, delta.V_th = 20.0;
  iaf_psc_exp_params exp;
  exp.tau_syn_ex = exp.tau_syn_in = 0.5;
  const double inf = std::numeric_limits<double>::infinity();
  net.populations = {{"E", delta, 400, {value_distribution::kind::uniform, 0.0, 20.0}},
                     {"I", delta, 101, value_distribution::constant(0.0)},
                     {"X", exp, 77, {value_distribution::kind::normal, -60.0, 4.0, -inf, -50.5}}};
  auto proj = [](std::size_t s, std::size_t t, connection_rule r, value_distribution w, value_distribution d) {
    projection_spec p;
    p.source = s, p.target = t, p.rule = r, p.weight = w, p.delay = d;
    return p;
  };
  auto ee =
      proj(0, 0, connection_rule::fixed_indegree, value_distribution::constant(0.1), value_distribution::constant(1.5));
  ee.indegree = 40;
  auto ie = proj(1, 0, connection_rule::fixed_indegree, value_distribution::constant(-0.5),
                 value_distribution::constant(1.5));
  ie.indegree = 10;
  auto ei = proj(0, 1, connection_rule::pairwise_bernoulli, {value_distribution::kind::uniform, 0.05, 0.15},
                 value_distribution::constant(0.7));
  ei.probability = 0.1;
  auto ex = proj(0, 2, connection_rule::fixed_total_number, {value_distribution::kind::normal, 87.8, 8.8, 0.0, inf},
                 {value_distribution::kind::normal, 1.5, 0.75, 0.1, inf});
  ex.total = 3000;
  auto xe = proj(2, 0, connection_rule::all_to_all, {value_distribution::kind::normal, -0.2, 0.02, -inf, 0.0},
                 value_distribution::constant(0.2));
  net.projections = {ee, ie, ei, ex, xe};
  net.inputs = {{input_spec::kind::poisson, 0, 20000.0, 0.1, 1.5, 0.0, std::nullopt, {}, {}, {}},
                {input_spec::kind::poisson, 1, 18000.0, 0.1, 1.5, 0.0, std::nullopt, {}, {}, {}},
                {input_spec::kind::poisson, 2, 8000.0, 87.8, 1.5, 0.0, std::nullopt, {}, {}, {}},
                {input_spec::kind::dc, 2, 0.0, 0.0, 0.0, 100.0, std::nullopt, {}, {}, {}}};
  spec.t_presim = 20.0;
  spec.t_sim = 150.0;
  spec.recorders = {{0, std::nullopt}, {1, 60}, {2, std::nullopt}};
  return spec;
}

struct outcome {
  run_summary summary;
  std::vector<std::pair<gid_type, step_type>> spikes;
};

outcome run_on(const distributed_context& ctx, const run_spec& spec) {
  simulation_options options;
  options.show_progress = false;
  options.flush_every_ms = 40.0;  // several writes to the sink per run
  simulation sim(ctx, spec, options);
  collecting_sink sink(ctx);
  sim.run(sink);
  return {sim.summarize(), sink.spikes()};
}

TEST(simulation, identical_spikes_on_any_number_of_ranks) {
  const auto& ctx = test::context();
  const auto spec = small_network(12345);
  const auto distributed = run_on(ctx, spec);
  // Every population is active, so the comparison means something.
  for (const auto& p : distributed.summary.populations) EXPECT_GT(p.spikes, 20u) << p.name;
  EXPECT_EQ(distributed.summary.ranks, ctx.size());
  EXPECT_EQ(distributed.summary.d_min, 1);
  if (ctx.rank() == 0) {  // the same network on one rank, in this process
    const auto single = run_on(make_local_context(), spec);
    EXPECT_EQ(single.summary.spike_hash, distributed.summary.spike_hash);
    EXPECT_EQ(single.summary.spikes, distributed.summary.spikes);
    EXPECT_EQ(single.summary.synapses, distributed.summary.synapses);
    EXPECT_EQ(single.spikes, distributed.spikes);
    EXPECT_EQ(single.summary.synaptic_events, distributed.summary.synaptic_events);
  }
  // Recorded spikes are the recorded window only, of recorded neurons only.
  for (const auto& [gid, step] : distributed.spikes) {
    EXPECT_GE(step, 200);
    EXPECT_FALSE(gid >= 400 + 60 && gid < 501) << gid;
  }
}

TEST(simulation, another_seed_gives_other_spikes) {
  const auto& ctx = test::context();
  const auto a = run_on(ctx, small_network(1));
  const auto b = run_on(ctx, small_network(2));
  EXPECT_NE(a.summary.spike_hash, b.summary.spike_hash);
  EXPECT_NE(a.spikes, b.spikes);
}

TEST(simulation, summary_counts_add_up) {
  const auto& ctx = test::context();
  const auto r = run_on(ctx, small_network(5));
  std::uint64_t per_population = 0, per_rank_neurons = 0, per_rank_synapses = 0;
  for (const auto& p : r.summary.populations) per_population += p.spikes;
  for (const auto& pr : r.summary.per_rank) per_rank_neurons += pr.neurons, per_rank_synapses += pr.synapses;
  // Population I is recorded in part (its first 60 of 101): its statistics are those neurons', and every
  // population's spikes add up to what the spike file holds, less than all spikes.
  EXPECT_EQ(r.summary.populations[1].counted, 60u);
  EXPECT_EQ(per_population, r.summary.recorded_spikes);
  EXPECT_LT(r.summary.recorded_spikes, r.summary.spikes);
  EXPECT_EQ(per_rank_neurons, 578u);
  EXPECT_EQ(per_rank_synapses, r.summary.synapses);
  EXPECT_EQ(r.summary.per_rank.size(), static_cast<std::size_t>(ctx.size()));
  EXPECT_GT(r.summary.synaptic_events, 0u);
  // Rates from counts: E's rate is its spikes over 400 neurons and 0.15 s.
  EXPECT_NEAR(r.summary.populations[0].rate_hz, r.summary.populations[0].spikes / 400.0 / 0.15, 1e-9);
  EXPECT_NEAR(r.summary.populations[1].rate_hz, r.summary.populations[1].spikes / 60.0 / 0.15, 1e-9);
}

}  // namespace
}  // namespace hetspike
