// The iaf kernels against closed-form solutions: a neuron under constant current (membrane trajectory and
// spike times) and the postsynaptic potential of one exponential current. Tolerance 1e-9 (mV, ms).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "kernels/model_neurons.hpp"
#include "kernels/neuron_models.hpp"

namespace hetspike {
namespace {

using exec = Kokkos::DefaultHostExecutionSpace;
using mem = exec::memory_space;

/// Runs one neuron of model M for `steps` steps; V (absolute) after each step and the steps that spiked.
/// `input` gives the fixed-point input per (step, channel); scale 2^-30 units.
template <class P>
void simulate(const P& params, double dt, int steps, std::vector<double>& v, std::vector<int>& spike_steps,
              const std::vector<std::vector<fixed_type>>& input = {}) {
  using neurons = model_neurons<exec, model_of<P>>;
  neurons neuron(params, dt, 1, std::ldexp(1.0, -30));  // starts at V_m = E_L
  ring_buffer_view<mem> ring("ring", 1, neurons::num_receptors);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 1);
  const auto v_rel = neuron.template variable<0>();
  for (int s = 0; s < steps; ++s) {
    for (int c = 0; c < neurons::num_receptors; ++c) ring(0, c) = s < static_cast<int>(input.size()) ? input[s][c] : 0;
    neuron.update(exec(), Kokkos::subview(ring, 0, Kokkos::ALL), 0, spiked);
    Kokkos::fence();
    v.push_back(v_rel(0) + params.E_L);
    if (spiked(0)) spike_steps.push_back(s);
    for (int c = 0; c < neurons::num_receptors; ++c) EXPECT_EQ(ring(0, c), 0) << "the update clears its input";
  }
}

/// V(t) of a membrane from V0 at t0 towards V_inf = E_L + I tau / C, for t >= t0.
double relax(double v0, double v_inf, double tau, double t) { return v_inf + (v0 - v_inf) * std::exp(-t / tau); }

/// The closed form under constant current: trajectory after each step and spike steps, with NEST's grid
/// semantics (a spike is stamped at the end of the step whose update crosses threshold; then t_ref clamped).
template <class P>
void expect_dc_closed_form(const P& p, double dt, int steps) {
  std::vector<double> v;
  std::vector<int> spikes;
  simulate(p, dt, steps, v, spikes);
  const double v_inf = p.E_L + p.I_e * p.tau_m / p.C_m;
  const int ref = static_cast<int>(std::llround(p.t_ref / dt));
  double t0 = 0, v0 = p.E_L;  // start of the current free trajectory
  int refractory_left = 0;
  std::vector<int> expected_spikes;
  for (int s = 0; s < steps; ++s) {
    const double t = (s + 1) * dt;  // time at the end of step s
    double expected;
    if (refractory_left > 0) {
      --refractory_left;
      expected = p.V_reset;
      if (refractory_left == 0) t0 = t, v0 = p.V_reset;
    } else {
      expected = relax(v0, v_inf, p.tau_m, t - t0);
      if (expected >= p.V_th) {
        expected_spikes.push_back(s);
        expected = p.V_reset;
        refractory_left = ref;
        if (ref == 0) t0 = t, v0 = p.V_reset;
      }
    }
    ASSERT_NEAR(v[s], expected, 1e-9) << "step " << s;
  }
  EXPECT_EQ(spikes, expected_spikes);
  EXPECT_GE(spikes.size(), 3u) << "the test should cover several spike cycles";
  // First spike time against the analytic crossing time, rounded up to the grid.
  const double t_cross = -p.tau_m * std::log(1.0 - (p.V_th - p.E_L) * p.C_m / (p.I_e * p.tau_m));
  EXPECT_NEAR((spikes.at(0) + 1) * dt, std::ceil(t_cross / dt - 1e-12) * dt, 1e-9);
}

TEST(neuron_models, iaf_psc_delta_dc_matches_closed_form) {
  iaf_psc_delta_params p;  // NEST defaults: C_m 250 pF, tau_m 10 ms, E_L -70, V_th -55, V_reset -70, t_ref 2
  p.I_e = 500.0;           // V_inf = -50 mV: regular firing
  expect_dc_closed_form(p, 0.1, 2000);
}

TEST(neuron_models, iaf_psc_delta_brunel_parameters) {
  iaf_psc_delta_params p;
  p.C_m = 1.0, p.tau_m = 20.0, p.t_ref = 2.0, p.E_L = 0.0, p.V_reset = 0.0, p.V_th = 20.0, p.I_e = 1.5;
  expect_dc_closed_form(p, 0.1, 3000);
}

TEST(neuron_models, iaf_psc_exp_dc_matches_closed_form) {
  iaf_psc_exp_params p;
  p.I_e = 450.0, p.tau_syn_ex = 0.5, p.tau_syn_in = 0.5;
  expect_dc_closed_form(p, 0.1, 2000);
}

TEST(neuron_models, iaf_psc_alpha_dc_matches_closed_form) {
  iaf_psc_alpha_params p;
  p.I_e = 450.0, p.t_ref = 0.5;
  expect_dc_closed_form(p, 0.1, 2000);
}

TEST(neuron_models, iaf_psc_alpha_postsynaptic_potential_matches_closed_form) {
  for (const double tau_syn : {0.32582722403722841, 2.0}) {
    iaf_psc_alpha_params p;
    p.tau_syn_ex = tau_syn, p.tau_syn_in = tau_syn, p.V_th = 1e9;
    const double J = 87.81;  // pA: the current's peak
    std::vector<std::vector<fixed_type>> input(300, {0, 0});
    input[10][0] = std::llround(std::ldexp(J, 30));
    std::vector<double> v;
    std::vector<int> spikes;
    simulate(p, 0.1, 300, v, spikes, input);
    // I(t) = J e/tau_s t exp(-t/tau_s) from t_a = 1.1 ms; V = J e/(tau_s C) exp(-t/tau_m) (1 - exp(-a t)(1 + a t))/a^2
    // with a = 1/tau_s - 1/tau_m.
    const double a = 1 / tau_syn - 1 / p.tau_m;
    for (int s = 0; s < 300; ++s) {
      const double t = (s + 1) * 0.1 - 1.1;
      const double psp = t > 1e-12 ? J * std::numbers::e / (tau_syn * p.C_m) * std::exp(-t / p.tau_m) *
                                         (1 - std::exp(-a * t) * (1 + a * t)) / (a * a)
                                   : 0.0;
      ASSERT_NEAR(v[s], p.E_L + psp, 1e-9) << "tau_syn " << tau_syn << " step " << s;
    }
  }
}

TEST(neuron_models, iaf_psc_delta_input_is_a_voltage_jump) {
  iaf_psc_delta_params p;
  p.E_L = 0, p.V_reset = 0, p.V_th = 20;
  std::vector<std::vector<fixed_type>> input(20, {0});
  input[5][0] = std::llround(std::ldexp(0.5, 30));  // 0.5 mV arriving in step 5
  std::vector<double> v;
  std::vector<int> spikes;
  simulate(p, 0.1, 20, v, spikes, input);
  for (int s = 0; s < 5; ++s) EXPECT_EQ(v[s], 0.0);
  for (int s = 5; s < 20; ++s) EXPECT_NEAR(v[s], 0.5 * std::exp(-(s - 5) * 0.1 / p.tau_m), 1e-9) << s;
}

TEST(neuron_models, iaf_psc_exp_postsynaptic_potential_matches_closed_form) {
  for (const double tau_syn : {0.5, 2.0, 10.0}) {  // 10.0 == tau_m: NEST's singular propagator
    iaf_psc_exp_params p;
    p.tau_syn_ex = tau_syn, p.tau_syn_in = tau_syn, p.V_th = 1e9;  // no spikes
    const double J = 87.81;                                        // pA
    std::vector<std::vector<fixed_type>> input(400, {0, 0});
    input[10][0] = std::llround(std::ldexp(J, 30));
    std::vector<double> v;
    std::vector<int> spikes;
    simulate(p, 0.1, 400, v, spikes, input);
    // The input read in step 10 enters I_syn at the end of that step, t_a = 1.1 ms, and moves V from then on.
    const double t_a = 1.1;
    for (int s = 0; s < 400; ++s) {
      const double t = (s + 1) * 0.1 - t_a;
      double psp = 0;
      if (t > 1e-12) {
        if (std::abs(tau_syn - p.tau_m) < 1e-12)
          psp = J / p.C_m * t * std::exp(-t / p.tau_m);
        else
          psp = J / p.C_m * tau_syn * p.tau_m / (p.tau_m - tau_syn) * (std::exp(-t / p.tau_m) - std::exp(-t / tau_syn));
      }
      ASSERT_NEAR(v[s], p.E_L + psp, 1e-9) << "tau_syn " << tau_syn << " step " << s;
    }
  }
}

TEST(neuron_models, iaf_psc_exp_negative_input_goes_to_the_inhibitory_channel) {
  iaf_psc_exp_params p;
  p.tau_syn_ex = 0.5, p.tau_syn_in = 5.0;
  model_neurons<exec, iaf_psc_exp> neuron(p, 0.1, 1, std::ldexp(1.0, -30));
  ring_buffer_view<mem> ring("ring", 1, 2);
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 1);
  ring(0, 1) = -std::llround(std::ldexp(100.0, 30));
  neuron.update(exec(), Kokkos::subview(ring, 0, Kokkos::ALL), 0, spiked);
  Kokkos::fence();
  EXPECT_EQ(neuron.variable<2>()(0), 0.0);              // I_syn_ex
  EXPECT_NEAR(neuron.variable<3>()(0), -100.0, 1e-12);  // I_syn_in
}

TEST(neuron_models, refractory_period_discards_input_as_nest_does) {
  iaf_psc_delta_params p;
  p.E_L = 0, p.V_reset = 0, p.V_th = 1.0, p.t_ref = 0.5;  // 5 steps
  std::vector<std::vector<fixed_type>> input(12, {0});
  input[0][0] = std::llround(std::ldexp(2.0, 30));  // spike in step 0
  input[3][0] = std::llround(std::ldexp(0.7, 30));  // arrives while refractory: discarded
  input[8][0] = std::llround(std::ldexp(0.3, 30));  // after: integrated
  std::vector<double> v;
  std::vector<int> spikes;
  simulate(p, 0.1, 12, v, spikes, input);
  EXPECT_EQ(spikes, std::vector<int>{0});
  for (int s = 0; s <= 5; ++s) EXPECT_EQ(v[s], 0.0) << s;
  EXPECT_EQ(v[6], 0.0);
  EXPECT_NEAR(v[8], 0.3, 1e-9);
}

}  // namespace
}  // namespace hetspike
