#pragma once
// One neuron of a registered model, stepped alone with a fixed train of input spikes: what the tests that compare
// single neurons with NEST's (test_single_neurons.cpp, test_nestml_models.cpp) share.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "kernels/model_neurons.hpp"

namespace hetspike::testing {

using host_exec = Kokkos::DefaultHostExecutionSpace;

/// Model M's parameters with those named in `given` set (the rest default); an unknown name fails the test.
template <class M>
typename M::params model_parameters(const nlohmann::json& given) {
  typename M::params p{};
  for (const auto& [key, value] : given.items()) {
    bool found = false;
    for (const auto& f : M::parameters)
      if (f.name == key) f.set(p, value.template get<double>()), found = true;
    EXPECT_TRUE(found) << M::name << " has no parameter " << key;
  }
  return p;
}

/// `steps` steps of one neuron at dt = 0.1 ms; `inputs`: [step, weight] pairs, each to the receptor its sign
/// reaches. After each step: observe(step, spiked, neuron).
template <class M, class Observe>
void run_single_neuron(const typename M::params& p, const nlohmann::json& inputs, long steps, Observe&& observe) {
  using mem = host_exec::memory_space;
  const double scale = std::ldexp(1.0, -20);  // weight units per ring unit
  model_neurons<host_exec, M> neuron(p, 0.1, 1, scale);
  ring_buffer_view<mem> ring("ring", 1, M::receptors.size());
  Kokkos::View<std::uint8_t*, mem> spiked("spiked", 1);
  for (long step = 0; step < steps; ++step) {
    for (const auto& in : inputs)
      if (in.at(0).template get<long>() == step) {
        const double w = in.at(1).template get<double>();
        ring(0, default_receptor<M>(w)) += std::llround(w / scale);
      }
    neuron.update(host_exec(), Kokkos::subview(ring, 0, Kokkos::ALL), 0, spiked);
    Kokkos::fence();
    observe(step, spiked(0) != 0, neuron);
  }
}

}  // namespace hetspike::testing
