#pragma once
// Private to io/: the model-file keys of each neuron model's parameters, so that reading, validating and
// printing them (canonical text) walk one list instead of repeating every name.
#include <array>
#include <string_view>

#include "kernels/neuron_models.hpp"

namespace hetspike::model_detail {

template <class Params>
struct param_field {
  std::string_view name;
  double Params::*member;
  std::string_view unit;
};

/// a's fields, then b's.
template <class Params, std::size_t N, std::size_t M>
constexpr std::array<param_field<Params>, N + M> join(const std::array<param_field<Params>, N>& a,
                                                      const std::array<param_field<Params>, M>& b) {
  std::array<param_field<Params>, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}

/// The membrane fields every iaf model starts with (iaf_membrane_params up to V_th), in NEST's order.
template <class Params>
constexpr std::array<param_field<Params>, 6> membrane_fields() {
  using p = Params;
  return {{{"C_m", &p::C_m, "pF"},
           {"tau_m", &p::tau_m, "ms"},
           {"t_ref", &p::t_ref, "ms"},
           {"E_L", &p::E_L, "mV"},
           {"V_reset", &p::V_reset, "mV"},
           {"V_th", &p::V_th, "mV"}}};
}

/// Fields in the order of NEST's documentation (which is also the order of the canonical text, hence of the
/// model hash).
constexpr std::array<param_field<iaf_psc_delta_params>, 8> param_fields(const iaf_psc_delta_params&) {
  using p = iaf_psc_delta_params;
  return join(membrane_fields<p>(),
              std::array<param_field<p>, 2>{{{"V_min", &p::V_min, "mV"}, {"I_e", &p::I_e, "pA"}}});
}

constexpr std::array<param_field<iaf_psc_exp_params>, 9> param_fields(const iaf_psc_exp_params&) {
  using p = iaf_psc_exp_params;
  return join(membrane_fields<p>(), std::array<param_field<p>, 3>{{{"I_e", &p::I_e, "pA"},
                                                                   {"tau_syn_ex", &p::tau_syn_ex, "ms"},
                                                                   {"tau_syn_in", &p::tau_syn_in, "ms"}}});
}

constexpr std::array<param_field<iaf_psc_alpha_params>, 10> param_fields(const iaf_psc_alpha_params&) {
  using p = iaf_psc_alpha_params;
  return join(membrane_fields<p>(), std::array<param_field<p>, 4>{{{"V_min", &p::V_min, "mV"},
                                                                   {"I_e", &p::I_e, "pA"},
                                                                   {"tau_syn_ex", &p::tau_syn_ex, "ms"},
                                                                   {"tau_syn_in", &p::tau_syn_in, "ms"}}});
}

/// The model names a population may use, in the variant's order.
constexpr std::array<std::string_view, 4> neuron_model_names{
    iaf_psc_delta_params::model_name, iaf_psc_exp_params::model_name, iaf_psc_alpha_params::model_name,
    loihi_lif_params::model_name};

/// Every model also takes NEST's tau_minus (ms): the time constant of the postsynaptic trace that STDP
/// synapses onto it read. It lives in population_spec, not in the model's parameters.
constexpr std::string_view tau_minus_key = "tau_minus";

}  // namespace hetspike::model_detail
