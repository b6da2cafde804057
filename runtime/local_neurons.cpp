#include "runtime/local_neurons.hpp"

#include "partition/connection_rules.hpp"
#include "partition/connectivity_builder.hpp"

namespace hetspike {

std::vector<double> initial_potentials(const network_spec& net, std::size_t population, gid_type first_gid,
                                       std::uint64_t count) {
  const auto& pop = net.populations[population];
  std::vector<double> v(count, pop.v_init.a);
  if (pop.v_init.is_constant()) return v;
  const auto key = make_rng_key(net.seed, rng_purpose::initial_state, static_cast<std::uint32_t>(population));
  for (std::uint64_t i = 0; i < count; ++i) {
    random_stream s(key, first_gid + i);
    v[i] = draw_value(pop.v_init, s);
  }
  return v;
}

std::vector<std::vector<population_poisson_input>> poisson_inputs(const network_spec& net,
                                                                  const std::vector<neuron_params>& params) {
  std::vector<std::vector<population_poisson_input>> out(net.populations.size());
  const std::vector<gid_type> offsets = net.population_offsets();
  for (std::size_t i = 0; i < net.inputs.size(); ++i) {
    const auto& in = net.inputs[i];
    if (in.type != input_spec::kind::poisson) continue;
    // A silent source draws nothing; its stream is keyed by its own index, so leaving it out changes no other draw.
    if (in.rate_hz == 0.0) continue;
    const double w = received_weight(params[in.target], value_distribution::constant(in.weight), in.weight);
    const step_type delay = delay_steps(in.delay, net.dt);
    population_poisson_input p{static_cast<std::uint32_t>(i), in.rate_hz, w, delay,
                               in.receptor ? static_cast<int>(*in.receptor) : -1};
    // NEST's poisson_generator sends in the steps s with start < s dt <= stop; what it sends at s arrives at
    // s + delay.
    if (in.start) p.first_step = delay_steps(*in.start, net.dt) + 1 + delay;
    if (in.stop) p.last_step = delay_steps(*in.stop, net.dt) + delay;
    if (in.first) p.end_gid = offsets[in.target] + *in.first;
    out[in.target].push_back(p);
  }
  return out;
}

}  // namespace hetspike
