// stdp_pl_synapse_hom against its closed form on single pre/post pairs (NEST's facilitate_/depress_ with the
// K+ and K- traces written out), to 1e-9, and the postsynaptic history's trace and pruning.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/stdp_pl.hpp"
#include "kernels/synapse_store_assembly.hpp"

namespace hetspike {
namespace {

using host = Kokkos::HostSpace;

/// One source row with one plastic synapse onto local neuron 0 (column 0), delay `delay` steps.
struct one_synapse {
  synapse_store<host> store;
  ring_buffer_view<host> ring{"ring", 64, 2};
  std::vector<stdp_pl_projection> projections{1};
  stdp_pl_rows rows{1};
  post_spike_history post{{30.0}, 0.1};  // tau_minus 30 ms, dt 0.1 ms

  one_synapse(double w0, std::uint16_t delay) {
    synapse_class c;
    c.plastic = 1, c.delay = delay, c.inhibitory_offset = 1;
    explicit_synapse syn;
    syn.plastic_weight = w0;
    store = assemble_synapse_store({c}, {0}, {0}, {{syn}}).store;
    projections[0] = {0.0513, 0.1, 0.4, 1.0 / 15.0, 20, 0, 0};  // hpc_benchmark's rule
  }
  /// A presynaptic spike in step `step` (stamp step + 1).
  void pre(step_type step) {
    const spike_message m{0, 0};
    deliver_plastic(store, std::span<const spike_message>(&m, 1), step, ring, projections, rows, post, 0.1);
  }
  /// A postsynaptic spike in step `step`.
  void post_spike(step_type step) {
    const local_spike s{0, 0};
    post.record(std::span<const local_spike>(&s, 1), step);
  }
  double w() const { return store.plastic_weight(0); }
};

constexpr double lambda = 0.1, alpha = 0.0513, mu = 0.4, tau_plus = 15.0, tau_minus = 30.0, dt = 0.1;

TEST(stdp_pl, depression_by_an_earlier_post_spike) {
  one_synapse s(45.0, 15);  // delay 1.5 ms
  s.post_spike(99);         // post at t = 10.0 ms
  s.pre(199);               // pre at 20.0 ms, reaches the dendrite at 18.5 ms
  const double k_minus = std::exp(-(20.0 - 1.5 - 10.0) / tau_minus);
  EXPECT_NEAR(s.w(), 45.0 - lambda * alpha * 45.0 * k_minus, 1e-9);
  // The ring got the new weight in fixed point (2^20 units), 15 steps after the spike.
  EXPECT_EQ(s.ring((199 + 15) % 64, 0), std::llround(std::ldexp(s.w(), 20)));
}

TEST(stdp_pl, potentiation_by_a_post_spike_between_two_pre_spikes) {
  one_synapse s(45.0, 15);
  s.pre(99);  // pre at 10.0 ms: K+ 0 -> no potentiation; no post spike yet -> no depression
  EXPECT_EQ(s.w(), 45.0);
  s.post_spike(129);  // post at 13.0 ms: 4.5 ms after the pre spike reached the dendrite (11.5 ms)
  s.pre(299);         // pre at 30.0 ms
  double w = 45.0;
  w += lambda * std::pow(w, mu) * 1.0 * std::exp(-(13.0 + 1.5 - 10.0) / tau_plus);  // K+ = 1 after the first pre
  w -= lambda * alpha * w * std::exp(-(30.0 - 1.5 - 13.0) / tau_minus);
  EXPECT_NEAR(s.w(), w, 1e-9);
  // K+ after the second pre spike: exp(-20 / tau_plus) + 1.
  EXPECT_NEAR(s.rows.k_plus[0], std::exp(-20.0 / tau_plus) + 1.0, 1e-12);
  EXPECT_EQ(s.rows.last_stamp[0], 300);
}

TEST(stdp_pl, all_to_all_pairing_sums_every_post_spike) {
  one_synapse s(20.0, 10);                                 // delay 1.0 ms
  s.pre(49);                                               // 5.0 ms
  for (step_type post : {59, 79, 99}) s.post_spike(post);  // 6, 8, 10 ms
  s.pre(149);                                              // 15 ms
  double w = 20.0;
  for (double t_post : {6.0, 8.0, 10.0}) w += lambda * std::pow(w, mu) * std::exp(-(t_post + 1.0 - 5.0) / tau_plus);
  // K- just after the last post spike: the three spikes' traces summed.
  const double k_at_10 = std::exp(-4.0 / tau_minus) + std::exp(-2.0 / tau_minus) + 1.0;
  w -= lambda * alpha * w * k_at_10 * std::exp(-(15.0 - 1.0 - 10.0) / tau_minus);
  EXPECT_NEAR(s.w(), w, 1e-9);
}

TEST(stdp_pl, depression_stops_at_zero) {
  one_synapse s(1e-3, 15);
  s.projections[0].alpha = 1e6;
  s.post_spike(10);
  s.pre(100);
  EXPECT_EQ(s.w(), 0.0);
}

TEST(stdp_pl, pruning_keeps_what_later_spikes_read) {
  post_spike_history h({tau_minus}, dt);
  for (step_type t : {10, 20, 30, 40}) {
    const local_spike s{0, 0};
    h.record(std::span<const local_spike>(&s, 1), t);
  }
  const double before = h.k_value(0, 100);
  h.prune(35);  // keeps 30 (the last before 35, for K-) and 40
  EXPECT_EQ(h.entries()[0].size(), 2u);
  EXPECT_DOUBLE_EQ(h.k_value(0, 100), before);
  EXPECT_EQ(h.between(0, 31, 41).size(), 1u);
}

}  // namespace
}  // namespace hetspike
