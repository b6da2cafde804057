// The Loihi LIF kernel against hand-computed integer cases, Lava's own published impulse responses
// (tests/lava/proc/lif/test_models.py, test_bitacc_pm_*), and a scalar reference written from Lava's
// PyLifModelBitAcc and PyDenseModelBitAcc line by line; the weight quantisation and the float-to-chip map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kernels/loihi_lif.hpp"
#include "kernels/model_neurons.hpp"

namespace hetspike {
namespace {

using exec = Kokkos::DefaultHostExecutionSpace;
using mem = exec::memory_space;

/// n neurons of one parameter set, fed through a one-row ring; input given as the step's sum of chip weights.
struct harness {
  model_neurons<exec, loihi_lif> neurons;  ///< input_scale 2^-e: the ring holds sum * 2^(e + weight_unit_exp)
  ring_row_view<mem> row;
  Kokkos::View<std::uint8_t*, mem> spiked;

  harness(const loihi_lif_params& p, std::size_t n, double input_scale = 1.0)
      : neurons(p, 0.1, n, input_scale), row("row", n), spiked("spiked", n) {}

  auto u_view() const { return neurons.variable<0>(); }
  auto v_view() const { return neurons.variable<1>(); }
  /// Sets (u, v) of neurons 0, 1, ...
  void init(const std::vector<std::pair<std::int64_t, std::int64_t>>& uv) {
    for (std::size_t i = 0; i < uv.size(); ++i)
      u_view()(i) = static_cast<std::int32_t>(uv[i].first), v_view()(i) = static_cast<std::int32_t>(uv[i].second);
  }
  std::int32_t u(std::size_t i = 0) const { return u_view()(i); }
  std::int32_t v(std::size_t i = 0) const { return v_view()(i); }
  bool spike(std::size_t i = 0) const { return spiked(i) != 0; }
  std::vector<std::int32_t> us() const { return all(u_view()); }
  std::vector<std::int32_t> vs() const { return all(v_view()); }
  template <class View>
  static std::vector<std::int32_t> all(const View& x) {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < x.extent(0); ++i) out.push_back(x(i));
    return out;
  }

  /// One step with ring input `in` (raw ring units) for every neuron.
  void step(const std::vector<fixed_type>& in = {}) {
    for (std::size_t i = 0; i < in.size(); ++i) row(i) = in[i];
    neurons.update(exec(), row, 0, spiked);
    Kokkos::fence();
    for (std::size_t i = 0; i < row.extent(0); ++i) EXPECT_EQ(row(i), 0) << "the update clears its input";
  }
};

using ints = std::vector<std::int32_t>;

loihi_lif_params chip(std::int32_t du, std::int32_t dv, std::int32_t vth = loihi_max_vth, std::int32_t bias_mant = 0,
                      std::int32_t bias_exp = 0, std::int32_t weight_exp = 0) {
  loihi_lif_params p;
  p.du = du, p.dv = dv, p.vth = vth, p.bias_mant = bias_mant, p.bias_exp = bias_exp, p.weight_exp = weight_exp;
  return p;
}

// ---- A scalar reference, written from Lava's numpy code (lif/models.py lines 145-186, 192, 273, 278;
// dense/models.py lines 103-107), deliberately in Lava's form: sign * (|x| >> 12) and Lava's two np.where.
struct lava_lif {
  std::int64_t u = 0, v = 0;
};

std::int64_t sign(std::int64_t x) { return (x > 0) - (x < 0); }

bool lava_step(lava_lif& n, const loihi_lif_params& p, std::int64_t a_accum) {
  const std::int64_t max_uv = std::int64_t{1} << 23;
  const std::int64_t activation =  // Dense: np.left_shift, or np.right_shift (a floor) for weight_exp <= 0
      p.weight_exp > 0 ? a_accum * (std::int64_t{1} << p.weight_exp) : a_accum >> -p.weight_exp;
  std::int64_t curr = n.u * (4096 - (p.du + 1));  // ds_offset = 1
  curr = sign(curr) * (std::abs(curr) >> 12);
  curr += activation * 64;  // act_shift = 6
  std::int64_t wrapped = curr > max_uv ? curr - 2 * max_uv : curr;
  wrapped = wrapped <= -max_uv ? curr + 2 * max_uv : wrapped;
  n.u = wrapped;
  std::int64_t volt = n.v * (4096 - (p.dv + 0));  // dm_offset = 0
  volt = sign(volt) * (std::abs(volt) >> 12);
  const std::int64_t bias = p.bias_exp >= 0 ? std::int64_t{p.bias_mant} << p.bias_exp : p.bias_mant >> -p.bias_exp;
  n.v = std::clamp(volt + n.u + bias, -max_uv + 1, max_uv - 1);
  const bool spike = n.v > (std::int64_t{p.vth} << 6);
  if (spike) n.v = 0;
  return spike;
}

// ---- The kernel's arithmetic, case by case.

TEST(loihi_lif, decays_truncate_toward_zero) {
  // u: du = 1000 keeps 4095 - 1000 = 3095 (Lava's ds_offset = 1); v is held (dv = 0 keeps 4096/4096).
  // 1000 * 3095 / 4096 = 755.6 -> 755 and -755 (not the floor -756); +-1 -> 0; -8191 -> -6189.2 -> -6189.
  harness h(chip(1000, 0), 6);
  h.init({{1000, 0}, {-1000, 0}, {1, 0}, {-1, 0}, {4096, 7}, {-8191, -7}});
  h.step();
  EXPECT_EQ(h.us(), (ints{755, -755, 0, 0, 3095, -6189}));
  EXPECT_EQ(h.vs(), (ints{755, -755, 0, 0, 3102, -6196}));  // v = v + new u
  // du = 4095 keeps 0 (u is only this step's input); dv = 2048 halves v: 4097 -> 2048.5 -> 2048, +-1 -> 0.
  harness g(chip(4095, 2048), 4);
  g.init({{12345, 4097}, {-12345, -4097}, {0, 1}, {0, -1}});
  g.step();
  EXPECT_EQ(g.us(), (ints{0, 0, 0, 0}));
  EXPECT_EQ(g.vs(), (ints{2048, -2048, 0, 0}));
  harness k(chip(4095, 4095), 1);  // dv = 4095 keeps 1/4096: 8191 -> 1
  k.init({{0, 8191}});
  k.step();
  EXPECT_EQ(k.v(), 1);
}

TEST(loihi_lif, current_wraps_at_24_bits) {
  // du = 4095: u = a << 6 alone. Lava keeps u in (-2^23, 2^23]: 2^23 stays, -2^23 becomes +2^23.
  const std::int32_t half = 1 << 23, a = half / 64;
  harness h(chip(4095, 0), 5);
  h.step({a, a + 1, -a, -a - 1, 3 * a});
  EXPECT_EQ(h.us(), (ints{half, -half + 64, half, half - 64, half}));
  // du = 0 from u = 2^23: 2^23 * 4095 / 4096 = 8386560, plus 100 << 6 = 8392960 wraps to -8384256.
  harness g(chip(0, 0), 1);
  g.init({{half, 0}});
  g.step({100});
  EXPECT_EQ(g.u(), 8392960 - (1 << 24));
}

TEST(loihi_lif, voltage_saturates) {
  // v + 1024 beyond 2^23 - 1 saturates (a wrap would go negative) and so spikes even at the top threshold.
  harness h(chip(4095, 0, loihi_max_vth), 3);
  h.init({{0, -(loihi_v_limit - 100)}, {0, 8388000}, {0, -loihi_v_limit}});
  h.step({-16, 16, -(1 << 17)});
  EXPECT_EQ(h.vs(), (ints{-loihi_v_limit, 0, 1}));  // the last: -(2^23 - 1) + u, u = -2^23 wrapped to 2^23
  EXPECT_FALSE(h.spike(0));
  EXPECT_TRUE(h.spike(1));
  // The most negative sum v can meet, -(2^23 - 1) twice and -4096 << 7, saturates without overflow.
  harness g(chip(0, 0, loihi_max_vth, loihi_min_bias_mant, loihi_max_bias_exp), 1);
  g.init({{-loihi_v_limit, -loihi_v_limit}});
  g.step();
  EXPECT_EQ(g.v(), -loihi_v_limit);
}

TEST(loihi_lif, threshold_is_strict_and_reset_sets_v_to_zero) {
  // Lava's test_bitacc_pm_no_decay: bias 2 << 6 = 128, vth 8 (512), no decay: v = 128, 256, 384, 512 (not
  // above 512), 640 -> spike, reset to 0; spikes at steps 4 and 9.
  harness h(chip(0, 0, 8, 2, 6), 1);
  std::vector<int> spikes;
  ints v;
  for (int s = 0; s < 10; ++s) {
    h.step();
    v.push_back(h.v());
    if (h.spike()) spikes.push_back(s);
  }
  EXPECT_EQ(spikes, (std::vector<int>{4, 9}));
  EXPECT_EQ(v, (ints{128, 256, 384, 512, 0, 128, 256, 384, 512, 0}));
  // The reset leaves u: u = 1000 decays to 999, v = 999 > 64 spikes, u stays 999.
  harness g(chip(0, 0, 1), 1);
  g.init({{1000, 0}});
  g.step();
  EXPECT_EQ(std::tuple(g.spike(), g.v(), g.u()), std::tuple(true, 0, 999));
}

TEST(loihi_lif, bias_accumulates) {
  // -3 << 7 = -384 per step; with dv = 2048: -384, -192 - 384 = -576, -288 - 384 = -672.
  harness h(chip(4095, 0, loihi_max_vth, -3, 7), 1), g(chip(4095, 2048, loihi_max_vth, -3, 7), 1);
  ints vh, vg;
  for (int s = 0; s < 3; ++s) h.step(), g.step(), vh.push_back(h.v()), vg.push_back(g.v());
  EXPECT_EQ(vh, (ints{-384, -768, -1152}));
  EXPECT_EQ(vg, (ints{-384, -576, -672}));
  // Lava's test_bitacc_pm_scaling_of_bias: 4095 << 5 after one step.
  harness k(chip(0, 0, loihi_max_vth, 4095, 5), 1);
  k.step();
  EXPECT_EQ(k.v(), 4095 << 5);
}

TEST(loihi_lif, reproduces_lavas_impulse_responses) {
  // Lava's test_bitacc_pm_impulse_du (activation 128 at the first step, du = 2047 keeps 2048, dv = 0) and
  // test_bitacc_pm_impulse_dv (du = 0 keeps 4095: Lava's ds_offset drift; dv = 2048).
  harness h(chip(2047, 0, 256), 1), g(chip(0, 2048, 256), 1);
  ints u, v;
  for (int s = 0; s < 8; ++s)
    h.step({s == 0 ? 128 : 0}), g.step({s == 0 ? 128 : 0}), u.push_back(h.u()), v.push_back(g.v());
  EXPECT_EQ(u, (ints{8192, 4096, 2048, 1024, 512, 256, 128, 64}));
  EXPECT_EQ(v, (ints{8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295}));
}

TEST(loihi_lif, weight_exponent_shifts_the_step_sum) {
  // du = 4095 makes u = a << 6. weight_exp = -1: Dense floors the *sum*: 3 + 3 = 6 -> 3 (per weight: 1 + 1);
  // 5 -> floor(2.5) = 2, -3 -> -2, -1 -> -1.
  harness h(chip(4095, 4095, loihi_max_vth, 0, 0, -1), 4);
  h.step({6, 5, -3, -1});
  EXPECT_EQ(h.us(), (ints{3 * 64, 2 * 64, -2 * 64, -1 * 64}));
  // The same with the ring at 2^5 units per chip weight (input_scale 2^-5): a = (6 * 32) >> 6.
  harness g(chip(4095, 4095, loihi_max_vth, 0, 0, -1), 2, std::ldexp(1.0, -5));
  g.step({6 * 32, -3 * 32});
  EXPECT_EQ(g.us(), (ints{3 * 64, -2 * 64}));
  // weight_exp = 2, one chip weight = 2^-3 model units, ring at 2^3 units per model unit (F = 0).
  loihi_lif_params p = chip(4095, 4095, loihi_max_vth, 0, 0, 2);
  p.weight_unit_exp = -3;
  harness k(p, 1, std::ldexp(1.0, -3));
  k.step({-7});
  EXPECT_EQ(k.u(), -7 * 4 * 64);
  // A ring coarser than one chip weight, or not a power of two, cannot hold chip weights exactly.
  EXPECT_THROW(harness(p, 1, std::ldexp(1.0, 2)), loihi_parameter_error);
  EXPECT_THROW(harness(p, 1, 0.3), loihi_parameter_error);
}

TEST(loihi_lif, delivery_delay_of_one_step_is_lavas_dense) {
  // Neuron A (bias-driven) drives B through weight 200 with weight_exp 1. Lava: Dense sends at t+1 the sum of
  // the spikes it received at t. hetspike: a spike at step t with delay 1 lands in the ring row of step t+1,
  // and the ring row of a step moves u and v in that step (iaf_psc_exp's moves V from the next).
  const loihi_lif_params pa = chip(0, 0, 8, 100, 2), pb = chip(3000, 500, 300, 0, 0, 1);  // A: every 2nd step
  harness a(pa, 1), b(pb, 1);
  lava_lif ra, rb;
  std::int64_t a_buff = 0;  // Dense's buffer: sent at the next step
  std::vector<fixed_type> ring(2, 0);
  int b_spikes = 0;
  for (int s = 0; s < 60; ++s) {
    // Lava: Dense sends a_buff, B integrates it; A steps; Dense accumulates A's spike for the next step.
    const bool rb_spike = lava_step(rb, pb, a_buff);
    const bool ra_spike = lava_step(ra, pa, 0);
    a_buff = ra_spike ? 200 : 0;
    // hetspike: B reads the row of step s; A's spike of step s goes to the row of step s + 1.
    b.step({ring[s % 2]});
    ring[s % 2] = 0;
    a.step();
    if (a.spike()) ring[(s + 1) % 2] += 200;
    ASSERT_EQ(a.spike(), ra_spike) << "step " << s;
    ASSERT_EQ(std::tuple(b.spike(), std::int64_t{b.u()}, std::int64_t{b.v()}), std::tuple(rb_spike, rb.u, rb.v)) << s;
    b_spikes += b.spike();
  }
  EXPECT_GT(b_spikes, 3);
}

TEST(loihi_lif, matches_lavas_equations_over_random_sequences) {
  std::mt19937_64 rng(20240611);
  const auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const std::size_t n = 64;
  for (int set = 0; set < 12; ++set) {
    const auto r = [&](std::int64_t lo, std::int64_t hi) { return static_cast<std::int32_t>(uniform(lo, hi)); };
    const loihi_lif_params p = chip(set == 0   ? 0
                                    : set == 1 ? 4095
                                               : r(0, 4095),
                                    set == 2   ? 0
                                    : set == 3 ? 4095
                                               : r(0, 4095),
                                    set == 4 ? loihi_max_vth : r(0, 3000), r(loihi_min_bias_mant, loihi_max_bias_mant),
                                    r(0, 7), r(loihi_min_weight_exp, loihi_max_weight_exp));
    harness h(p, n);
    std::vector<lava_lif> ref(n);
    std::vector<std::pair<std::int64_t, std::int64_t>> uv;
    for (auto& x : ref)  // start anywhere in the state space
      uv.emplace_back(x.u = uniform(-(1 << 23) + 1, 1 << 23), x.v = uniform(-loihi_v_limit, loihi_v_limit));
    h.init(uv);
    // Sums of up to 1024 chip weights, within the range where Lava's single wrap is exact (|a| <= 2^18).
    const std::int64_t max_sum = (std::int64_t{1} << 18) >> std::max(0, p.weight_exp);
    for (int s = 0; s < 500; ++s) {
      std::vector<fixed_type> in(n);
      for (auto& x : in) x = uniform(0, 3) == 0 ? uniform(-max_sum, max_sum) : uniform(-600, 600);
      h.step(in);
      for (std::size_t i = 0; i < n; ++i) {
        const bool spike = lava_step(ref[i], p, in[i]);
        ASSERT_EQ(std::tuple(h.spike(i), std::int64_t{h.u(i)}, std::int64_t{h.v(i)}),
                  std::tuple(spike, ref[i].u, ref[i].v))
            << "set " << set << " step " << s << " neuron " << i;
      }
    }
  }
}

TEST(loihi_lif, rejects_registers_outside_the_chip) {
  std::vector<loihi_lif_params> bad{
      chip(4096, 0),       chip(0, -1),          chip(0, 0, 1 << 17),     chip(0, 0, 0, 4096),    chip(0, 0, 0, -4097),
      chip(0, 0, 0, 0, 8), chip(0, 0, 0, 0, -1), chip(0, 0, 0, 0, 0, -9), chip(0, 0, 0, 0, 0, 8), chip(0, 0)};
  bad.back().from_float = loihi_lif_float_params{};  // float parameters must be mapped first
  for (const auto& p : bad) EXPECT_THROW((model_neurons<exec, loihi_lif>(p, 0.1, 1, 1.0)), loihi_parameter_error);
  try {
    validate_loihi_lif_params(chip(5000, 0));
    FAIL();
  } catch (const loihi_parameter_error& e) {
    EXPECT_EQ(e.name, "du");
    EXPECT_EQ(e.value, 5000);
    EXPECT_NE(std::string(e.what()).find("0 to 4095"), std::string::npos) << e.what();
  }
}

TEST(loihi_lif, set_membrane_potentials_rounds_and_saturates) {
  loihi_lif_params p;
  p.E_L = -70, p.voltage_scale = 1000;
  harness h(p, 4);
  h.neurons.set_membrane_potentials(std::vector<double>{-70.0, -69.9996, -80.0, 1e9});
  EXPECT_EQ(h.vs(), (ints{0, 0, -10000, loihi_v_limit}));
}

// ---- Quantisation.

TEST(loihi_quantize, weights_round_half_away_from_zero_and_saturate) {
  using sm = loihi_sign_mode;
  // Mixed sign: an 8-bit signed mantissa times 2; Lava's truncate_weights floors odd values to even. One sign:
  // Lava's clip_weights saturates to [0, 255] or [-255, 0].
  // clang-format off
  const std::vector<std::tuple<double, sm, int, int, bool>> rows{
      {2.5, sm::excitatory, 3, 3, false},        {2.4999, sm::excitatory, 2, 2, false},
      {255.49, sm::excitatory, 255, 255, false}, {255.5, sm::excitatory, 255, 255, true},
      {1e12, sm::excitatory, 255, 255, true},    {-1, sm::excitatory, 0, 0, true},
      {-2.5, sm::inhibitory, -3, 3, false},      {-255.5, sm::inhibitory, -255, 255, true},
      {0.4, sm::inhibitory, 0, 0, false},        {3, sm::mixed, 2, 1, false},
      {-3, sm::mixed, -4, -2, false},            {2.5, sm::mixed, 2, 1, false},
      {255, sm::mixed, 254, 127, false},         {-256, sm::mixed, -256, -128, false},
      {-257, sm::mixed, -256, -128, true}};
  // clang-format on
  for (const auto& [weight, mode, chip_weight, mantissa, saturated] : rows) {
    const auto q = quantize_loihi_weight(weight, 0, mode);
    EXPECT_EQ(std::tuple(q.chip_weight, q.mantissa, q.saturated), std::tuple(chip_weight, mantissa, saturated))
        << weight;
    EXPECT_EQ(q.error, q.chip_weight - weight) << weight;
  }
  // A weight unit of 2^-2 pA: 10.1 pA -> 40.4 -> 40 units = 10 pA, error -0.1 pA.
  const auto w = quantize_loihi_weight(10.1, -2, sm::excitatory);
  EXPECT_EQ(w.chip_weight, 40);
  EXPECT_EQ(w.value, 10.0);
  EXPECT_DOUBLE_EQ(w.error, 10.0 - 10.1);
  EXPECT_THROW(quantize_loihi_weight(std::nan(""), 0, sm::mixed), loihi_parameter_error);
  EXPECT_EQ(loihi_sign_mode_of(0, 3), sm::excitatory);
  EXPECT_EQ(loihi_sign_mode_of(-3, 0), sm::inhibitory);
  EXPECT_EQ(loihi_sign_mode_of(-3, 3), sm::mixed);
}

TEST(loihi_quantize, weight_unit_and_error_summary) {
  for (const auto& [w, k] :
       std::vector<std::pair<double, int>>{{255, 0}, {255.1, 1}, {510, 1}, {127.5, -1}, {127.6, 0}, {0, 0}})
    EXPECT_EQ(loihi_weight_unit_exp(w), k) << w;
  loihi_quantization_summary a, b;
  a.add(10.1, quantize_loihi_weight(10.1, -2, loihi_sign_mode::excitatory));
  b.add(300, quantize_loihi_weight(300, 0, loihi_sign_mode::excitatory));
  a.merge(b);
  EXPECT_EQ(std::tuple(a.count, a.saturated), std::tuple(2u, 1u));
  EXPECT_DOUBLE_EQ(a.max_abs_error, 45);
  EXPECT_DOUBLE_EQ(a.relative_error(), (0.1 + 45) / 310.1);
}

// ---- The float map.

TEST(loihi_quantize, float_map_registers) {
  loihi_lif_float_params f;  // tau_m 10, tau_syn 2, C_m 250, V_th -55
  const loihi_lif_params p = map_loihi_lif(f, -70, 0.1, 87.8);
  EXPECT_EQ(p.du, 4095 - 3896);      // 4096 exp(-0.05) = 3896.2
  EXPECT_EQ(p.dv, 4096 - 4055);      // 4096 exp(-0.01) = 4055.2
  EXPECT_EQ(p.weight_unit_exp, -1);  // 87.8 pA <= 255 * 0.5 pA
  EXPECT_TRUE(p.vth > loihi_vth_target / 2 && p.vth <= loihi_vth_target) << p.vth;
  EXPECT_DOUBLE_EQ(p.voltage_scale, std::ldexp(1.0, p.weight_exp + 6 + 1) / propagator_psc_to_voltage(2, 10, 250, 0.1));
  EXPECT_EQ(p.vth, std::llround(15 * p.voltage_scale / 64));
  // Delta synapses: du = 4095, S = 2^(we + 6 - k); the bias P20 I_e S within half a unit, smallest exponent.
  f.I_e = 300, f.tau_syn = 0;
  const loihi_lif_params q = map_loihi_lif(f, -70, 0.1, 2.0);
  EXPECT_EQ(q.du, 4095);
  EXPECT_EQ(q.voltage_scale, std::ldexp(1.0, q.weight_exp + 6 - q.weight_unit_exp));
  const double bias = 10.0 / 250 * (1 - std::exp(-0.01)) * 300 * q.voltage_scale;
  EXPECT_NEAR(q.bias_mant * std::ldexp(1.0, q.bias_exp), bias, std::ldexp(0.5, q.bias_exp));
  EXPECT_GT(std::abs(q.bias_mant), 2048);
  // Raw parameters resolve to themselves, float ones through the map; bad ones throw.
  loihi_lif_params raw = chip(5, 6, 7);
  EXPECT_EQ(resolve_loihi_lif_params(raw, 0.1, 3).du, 5);
  raw.from_float = loihi_lif_float_params{};
  EXPECT_TRUE(!resolve_loihi_lif_params(raw, 0.1, 87.8).from_float &&
              resolve_loihi_lif_params(raw, 0.1, 87.8).dv == p.dv);
  EXPECT_THROW(map_loihi_lif(f, -55, 0.1, 1), loihi_parameter_error);  // V_th = E_L
  f.tau_m = 0;
  EXPECT_THROW(map_loihi_lif(f, -70, 0.1, 1), loihi_parameter_error);
}

TEST(loihi_quantize, float_map_follows_nest_iaf_psc_exp) {
  // A DC drive (V_inf = E_L + 8 mV) for both neurons and, for neuron 0, ten coincident inputs of 88 pA (each
  // exactly 176 chip weights of 0.5 pA). The chip applies input in the step whose ring row holds it, NEST's
  // iaf_psc_exp from the next step: the chip's input at step 50 is NEST's at step 49. Against NEST's V - E_L
  // from the exact propagators: the plateau within 1% (dv's 12 bits: 41/4096 for 1 - P22 = 40.76/4096), the
  // PSP within 1% of its peak.
  loihi_lif_float_params f;
  f.I_e = 200;
  const double dt = 0.1, P11 = std::exp(-dt / 2), P22 = std::exp(-dt / 10);
  const double P21 = propagator_psc_to_voltage(2, 10, 250, dt), P20 = 10.0 / 250 * (1 - P22);
  const loihi_lif_params p = map_loihi_lif(f, -70, dt, 88);
  harness h(p, 2, std::ldexp(1.0, p.weight_unit_exp));  // the ring at one unit per chip weight
  double I = 0, V = 0, V0 = 0, peak = 0;                // NEST, relative to E_L
  for (int s = 0; s < 400; ++s) {
    h.step({s == 50 ? 1760 : 0, 0});
    V = P22 * V + P21 * I + P20 * f.I_e;  // iaf_psc_exp.cpp's update, then the step's input
    V0 = P22 * V0 + P20 * f.I_e;
    I = P11 * I + (s == 49 ? 880.0 : 0.0);
    peak = std::max(peak, V - V0);
    ASSERT_NEAR(h.v(1) / p.voltage_scale, V0, 0.01 * 8) << "step " << s;
    ASSERT_NEAR((h.v(0) - h.v(1)) / p.voltage_scale, V - V0, 0.01 * 3) << "step " << s;
    ASSERT_FALSE(h.spike(0));
  }
  EXPECT_GT(peak, 3.0);
}

}  // namespace
}  // namespace hetspike
