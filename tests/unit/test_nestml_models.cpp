// Models generated from NESTML's own library by apps/hetspike-nestml (scripts/test.sh compiles them in):
// - against NEST 3.10's built-in models of the same name (tests/unit/data/nest_nestml_neurons.json,
//   apps/validation/nest_single_neurons.py): hh_psc_alpha and iaf_cond_exp as NESTML's library has them,
//   izhikevich generated with forward Euler and aeif_cond_exp with every ODE in RKF45 and its reset after the
//   sub-step that crosses V_peak (scripts/test.sh's options), as NEST's built-ins compute them. NESTML's equations
//   and error bounds are not NEST's hand-written code, so the comparison has tolerances: the first 20 spikes each
//   within 0.1 ms (one step) of NEST's, and V_m within 0.5 mV at every 1 ms sample at least 2 ms away from any spike
//   of either run (a spike one step apart moves the reset by a step, which no tolerance on V_m between spikes should
//   absorb);
// - iaf_psc_exp_neuron against hetspike's hand-written iaf_psc_exp: the same spikes, step for step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kernels/neuron_models.hpp"
#include "single_neuron_run.hpp"

namespace hetspike {
namespace {

using testing::model_parameters;

struct neuron_run {
  std::vector<long> spike_steps;
  std::vector<double> v_m;  ///< after every `every`-th step's last step (steps every-1, 2 every-1, ...)
};

template <class M>
neuron_run run(const typename M::params& p, const nlohmann::json& inputs, long steps, long every) {
  neuron_run out;
  testing::run_single_neuron<M>(p, inputs, steps, [&](long step, bool spiked, const auto& neuron) {
    if (spiked) out.spike_steps.push_back(step);
    if ((step + 1) % every == 0) out.v_m.push_back(neuron.template variable<0>()(0));
  });
  return out;
}

/// Calls f(Model{}) for the registered model named `name`; false if there is none.
template <class F>
bool with_model(const std::string& name, F&& f) {
  bool known = false;
  for_each_model([&](auto m) {
    if (decltype(m)::name == name) known = true, f(m);
  });
  return known;
}

TEST(nestml_models, within_tolerance_of_nest_builtins) {
  std::ifstream file(HETSPIKE_TEST_DATA_DIR "/nest_nestml_neurons.json");
  ASSERT_TRUE(file.good());
  const auto data = nlohmann::json::parse(file);
  ASSERT_EQ(data.at("dt").get<double>(), 0.1);
  std::size_t compared_spikes = 0, compared_samples = 0;
  for (const auto& c : data.at("cases")) {
    const auto model = c.at("model").get<std::string>();
    const auto label = model + " " + c.at("params").dump() + (c.at("inputs").empty() ? "" : " with input spikes");
    const auto nest_spikes = c.at("spike_steps").get<std::vector<long>>();
    const auto nest_v = c.at("trace").at("V_m").get<std::vector<double>>();
    const bool known = with_model(model, [&](auto m) {
      using M = decltype(m);
      ASSERT_EQ(M::state_variables[0].name, "V_m");
      const auto got = run<M>(model_parameters<M>(c.at("params")), c.at("inputs"), 10000, 10);
      const std::size_t first = std::min<std::size_t>(20, nest_spikes.size());
      ASSERT_GE(got.spike_steps.size(), first) << label;
      for (std::size_t i = 0; i < first; ++i, ++compared_spikes)
        EXPECT_LE(std::labs(got.spike_steps[i] - nest_spikes[i]), 1) << label << ": spike " << i;
      EXPECT_LE(got.spike_steps.size(), nest_spikes.size() + 1) << label;
      // Sample k is V_m after step 10 k + 9, at t = (k + 1) ms.
      const auto near_spike = [&](std::size_t k) {
        const long step = 10 * static_cast<long>(k) + 9;
        for (const auto* spikes : {&got.spike_steps, &nest_spikes})
          for (long s : *spikes)
            if (std::labs(s - step) <= 20) return true;
        return false;
      };
      for (std::size_t k = 0; k < nest_v.size(); ++k)
        if (!near_spike(k)) {
          EXPECT_NEAR(got.v_m[k], nest_v[k], 0.5) << label << " at " << k + 1 << " ms";
          ++compared_samples;
        }
    });
    EXPECT_TRUE(known) << "no registered model " << model << " (scripts/test.sh generates it)";
  }
  EXPECT_GE(compared_spikes, 120u);    // the cases spike: the comparison is not vacuous
  EXPECT_GE(compared_samples, 3000u);  // and most of each trace lies between spikes
}

// The same iaf_psc_exp in both namings (NESTML's defaults differ from NEST's only in V_reset and names).
TEST(nestml_models, generated_iaf_psc_exp_spikes_as_the_hand_written_one) {
  const nlohmann::json inputs = [] {
    nlohmann::json in = nlohmann::json::array();
    for (long step = 30; step < 20000; step += 37) in.push_back({step, 180.0});
    for (long step = 50; step < 20000; step += 113) in.push_back({step, -150.0});
    return in;
  }();
  std::size_t spikes = 0;
  for (double I_e : {0.0, 376.0, 500.0}) {
    const nlohmann::json ours = {
        {"I_e", I_e}, {"V_reset", -70.0}, {"t_ref", 2.0}, {"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}};
    const nlohmann::json generated = {
        {"I_e", I_e}, {"V_reset", -70.0}, {"refr_T", 2.0}, {"tau_syn_exc", 2.0}, {"tau_syn_inh", 2.0}};
    const auto a = run<iaf_psc_exp>(model_parameters<iaf_psc_exp>(ours), inputs, 20000, 20000);
    neuron_run b;
    ASSERT_TRUE(with_model("iaf_psc_exp_neuron", [&](auto m) {
      using M = decltype(m);
      b = run<M>(model_parameters<M>(generated), inputs, 20000, 20000);
    }));
    EXPECT_EQ(a.spike_steps, b.spike_steps) << "I_e " << I_e;
    EXPECT_NEAR(a.v_m.at(0) - 70.0, b.v_m.at(0), 1e-9) << "I_e " << I_e;  // ours keeps V_m - E_L
    spikes += a.spike_steps.size();
  }
  EXPECT_GE(spikes, 200u);
}

}  // namespace
}  // namespace hetspike
