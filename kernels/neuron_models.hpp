#pragma once
// Parameters of the neuron models, with NEST's names, units and defaults, so that a NEST model translates
// one to one. Pure data: kernels turn them into propagators (iaf_psc_delta.hpp, iaf_psc_exp.hpp).
#include <limits>
#include <string_view>
#include <type_traits>
#include <variant>

#include "kernels/loihi_quantize.hpp"

namespace hetspike {

/// What NEST's iaf models share: the leaky membrane, its threshold, reset and refractory period.
struct iaf_membrane_params {
  double C_m = 250.0;      ///< membrane capacitance, pF
  double tau_m = 10.0;     ///< membrane time constant, ms
  double t_ref = 2.0;      ///< absolute refractory period, ms
  double E_L = -70.0;      ///< resting potential, mV
  double V_reset = -70.0;  ///< reset potential, mV
  double V_th = -55.0;     ///< threshold, mV
  double I_e = 0.0;        ///< constant input current, pA
};

/// NEST's iaf_psc_delta: leaky integrate-and-fire, input as voltage jumps (weights in mV).
struct iaf_psc_delta_params : iaf_membrane_params {
  static constexpr std::string_view model_name = "iaf_psc_delta";
  static constexpr int input_channels = 1;                  ///< every weight's jump into V_m
  double V_min = -std::numeric_limits<double>::infinity();  ///< lower bound of V_m, mV
};

/// NEST's iaf_psc_exp: leaky integrate-and-fire with exponentially decaying currents (weights in pA),
/// one channel for excitatory (weight > 0) and one for inhibitory input.
struct iaf_psc_exp_params : iaf_membrane_params {
  static constexpr std::string_view model_name = "iaf_psc_exp";
  static constexpr int input_channels = 2;  ///< excitatory (weight > 0), inhibitory
  double tau_syn_ex = 2.0;                  ///< ms
  double tau_syn_in = 2.0;                  ///< ms
};

/// NEST's iaf_psc_alpha: leaky integrate-and-fire with alpha-shaped currents (weights in pA: the peak current),
/// one channel for excitatory (weight > 0) and one for inhibitory input.
struct iaf_psc_alpha_params : iaf_membrane_params {
  static constexpr std::string_view model_name = "iaf_psc_alpha";
  static constexpr int input_channels = 2;                  ///< excitatory (weight > 0), inhibitory
  double V_min = -std::numeric_limits<double>::infinity();  ///< lower bound of V_m, mV
  double tau_syn_ex = 2.0;                                  ///< ms, rise time of the excitatory alpha current
  double tau_syn_in = 2.0;                                  ///< ms
};

using neuron_params = std::variant<iaf_psc_delta_params, iaf_psc_exp_params, iaf_psc_alpha_params, loihi_lif_params>;

/// The model name of a parameter set ("iaf_psc_delta", ...).
inline std::string_view model_name(const neuron_params& p) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::model_name; }, p);
}

/// The ring-buffer columns a model reads per neuron: where spikes and inputs of each sign are delivered
/// (layout, delivery) and what its kernel reads (each kernel's num_channels is its parameters' input_channels).
inline int input_channels(const neuron_params& p) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::input_channels; }, p);
}

/// Whether a model is a neuromorphic chip's (run on ranks that emulate such nodes).
inline bool is_neuromorphic(const neuron_params& p) { return std::holds_alternative<loihi_lif_params>(p); }

/// Resting potential, the reference of every relative voltage in the kernels.
inline double resting_potential(const neuron_params& p) {
  return std::visit([](const auto& m) { return m.E_L; }, p);
}

}  // namespace hetspike
