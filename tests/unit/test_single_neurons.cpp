// Single neurons against NEST 3.10's own (tests/unit/data/nest_single_neurons.json, written by
// apps/validation/nest_single_neurons.py): every spike step of 1 s and the state after each of the first 200 steps,
// bit for bit where the model does NEST's arithmetic. The model and its parameters are found by name through the
// registered models' descriptions, as the model file does.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kernels/neuron_models.hpp"
#include "single_neuron_run.hpp"

namespace hetspike {
namespace {

struct neuron_run {
  std::vector<long> spike_steps;
  std::map<std::string, std::vector<double>> trace;  ///< per state variable, after each of the first steps
};

/// `steps` steps of one neuron of model M with the parameters named in `given` and the input spikes in `inputs`.
template <class M>
neuron_run run(const nlohmann::json& given, const nlohmann::json& inputs, long steps, std::size_t traced) {
  neuron_run out;
  testing::run_single_neuron<M>(testing::model_parameters<M>(given), inputs, steps,
                                [&](long step, bool spiked, const auto& neuron) {
                                  if (spiked) out.spike_steps.push_back(step);
                                  if (static_cast<std::size_t>(step) < traced)
                                    neuron.for_each_variable([&](const auto& variable, const auto& view) {
                                      out.trace[std::string(variable.name)].push_back(static_cast<double>(view(0)));
                                    });
                                });
  return out;
}

TEST(single_neurons, equal_nest_bit_for_bit) {
  std::ifstream file(HETSPIKE_TEST_DATA_DIR "/nest_single_neurons.json");
  ASSERT_TRUE(file.good());
  const auto data = nlohmann::json::parse(file);
  ASSERT_EQ(data.at("dt").get<double>(), 0.1);
  std::size_t cases = 0;
  for (const auto& c : data.at("cases")) {
    const auto model = c.at("model").get<std::string>();
    const auto expected_spikes = c.at("spike_steps").get<std::vector<long>>();
    bool known = false;
    for_each_model([&](auto m) {
      using M = decltype(m);
      if (M::name != model) return;
      known = true;
      const auto& trace = c.at("trace");
      const auto got = run<M>(c.at("params"), c.value("inputs", nlohmann::json::array()), 10000, trace.begin()->size());
      EXPECT_EQ(got.spike_steps, expected_spikes) << model << " " << c.at("params").dump();
      for (const auto& [variable, values] : trace.items()) {
        ASSERT_TRUE(got.trace.count(variable)) << model << " has no state variable " << variable;
        EXPECT_EQ(got.trace.at(variable), values.template get<std::vector<double>>())
            << model << " " << c.at("params").dump() << ": " << variable;
      }
    });
    EXPECT_TRUE(known) << "no registered model " << model;
    ++cases;
  }
  EXPECT_GE(cases, 3u);
}

}  // namespace
}  // namespace hetspike
