#pragma once
// Creates a rank's neuron populations from the network: models with their DC input folded into I_e,
// initial membrane potentials drawn per gid, and Poisson inputs.
#include <vector>

#include "kernels/neuron_population.hpp"
#include "partition/local_network.hpp"
#include "partition/network_spec.hpp"

namespace hetspike {

/// V_m(0) in mV of gids [first_gid, first_gid + count) of a population: a pure function of (seed, gid).
std::vector<double> initial_potentials(const network_spec& net, std::size_t population, gid_type first_gid,
                                       std::uint64_t count);

/// Per population, the Poisson inputs into it, with their delays in steps, given every population's effective
/// parameters (one pass over the inputs).
std::vector<std::vector<population_poisson_input>> poisson_inputs(const network_spec& net,
                                                                  const std::vector<neuron_params>& params);

template <class ExecSpace>
std::vector<neuron_population<ExecSpace>> make_local_neurons(const network_spec& net, const local_layout& layout) {
  std::vector<neuron_population<ExecSpace>> out;
  out.reserve(layout.populations.size());
  const auto params = effective_params(net);
  const auto inputs = poisson_inputs(net, params);
  for (const auto& lp : layout.populations) {
    out.emplace_back(params[lp.population], net.dt, lp.count, lp.first_lid, lp.first_gid, lp.first_column, lp.scale);
    out.back().set_membrane_potentials(initial_potentials(net, lp.population, lp.first_gid, lp.count));
    for (const auto& in : inputs[lp.population]) out.back().add_poisson_input(net.seed, in, net.dt);
  }
  return out;
}

}  // namespace hetspike
