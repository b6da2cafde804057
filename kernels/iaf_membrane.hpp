#pragma once
// What NEST's current-based integrate-and-fire models describe alike: the leaky
// membrane's parameters, in NEST's order, and the rule between threshold and reset. Each model adds its synaptic
// parameters, its state and its step. Voltages in the state are relative to E_L, as in NEST.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "kernels/model_description.hpp"
#include "kernels/propagators.hpp"

namespace hetspike {

struct iaf_membrane_params {
  double C_m = 250.0;      ///< membrane capacitance, pF
  double tau_m = 10.0;     ///< membrane time constant, ms
  double t_ref = 2.0;      ///< absolute refractory period, ms
  double E_L = -70.0;      ///< resting potential, mV
  double V_reset = -70.0;  ///< reset potential, mV
  double V_th = -55.0;     ///< threshold, mV
  double I_e = 0.0;        ///< constant input current, pA
};

/// The refractory counter is 32-bit: t_ref may span at most this many steps.
inline constexpr double max_refractory_steps = 2147483647.0;  // 2^31 - 1

/// What every iaf model's update needs of iaf_membrane_params besides its propagators. Plain data, copied to the
/// device inside each model's propagators.
struct iaf_membrane_propagators {
  double I_e = 0;      ///< pA, constant input
  double V_th = 0;     ///< mV, relative to E_L
  double V_reset = 0;  ///< mV, relative to E_L
  std::int32_t refractory_steps = 0;
};

/// The membrane part of the iaf models' propagators: threshold and reset relative to E_L, refractory steps.
inline iaf_membrane_propagators make_membrane_propagators(const iaf_membrane_params& p, double dt) {
  iaf_membrane_propagators r;
  r.I_e = p.I_e;
  r.V_th = p.V_th - p.E_L;
  r.V_reset = p.V_reset - p.E_L;
  r.refractory_steps = refractory_steps(p.t_ref, dt);
  return r;
}

/// The membrane parameters every iaf model starts with, up to V_th, in NEST's order (the canonical text's).
template <class Params>
constexpr std::array<parameter<Params>, 6> iaf_membrane_parameters() {
  using p = Params;
  return {{{"C_m", &p::C_m, "pF", value_range::positive()},
           {"tau_m", &p::tau_m, "ms", value_range::positive()},
           {"t_ref", &p::t_ref, "ms", value_range::non_negative(), max_refractory_steps},
           {"E_L", &p::E_L, "mV"},
           {"V_reset", &p::V_reset, "mV"},
           {"V_th", &p::V_th, "mV"}}};
}

/// a's entries, then b's.
template <class T, std::size_t N, std::size_t M>
constexpr std::array<T, N + M> join(const std::array<T, N>& a, const std::array<T, M>& b) {
  std::array<T, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}

/// NEST's rule for its integrate-and-fire models (Parameters_::set): the reset lies below the threshold.
template <class Params>
std::optional<parameter_error> check_reset_below_threshold(const Params& p) {
  if (p.V_reset < p.V_th) return std::nullopt;
  return parameter_error{"V_reset", "V_reset = " + format_number(p.V_reset) + " mV is not below V_th = " +
                                        format_number(p.V_th) + " mV; allowed: V_reset < V_th"};
}

/// The time constants of the current-based models' two synaptic currents.
template <class Params>
constexpr std::array<parameter<Params>, 2> iaf_current_parameters() {
  using p = Params;
  return {{{"tau_syn_ex", &p::tau_syn_ex, "ms", value_range::positive()},
           {"tau_syn_in", &p::tau_syn_in, "ms", value_range::positive()}}};
}

/// One neuron of a model with a current per port, and what models with more state add to.
struct iaf_current_state {
  double V_rel = 0;  ///< V_m - E_L
  std::int32_t refractory = 0;
  double I_syn_ex = 0, I_syn_in = 0;
};

template <class State>
constexpr std::array<state_variable<State>, 4> iaf_current_state_variables() {
  return {{{"V_rel", &State::V_rel, "mV"},
           {"refractory", &State::refractory, "steps"},
           {"I_syn_ex", &State::I_syn_ex, "pA"},
           {"I_syn_in", &State::I_syn_in, "pA"}}};
}

/// The ports of the current-based models: weights > 0 to the excitatory current, the others to the inhibitory one.
inline constexpr std::array<receptor_port, 2> iaf_current_receptors{{
    {"ex", default_weights::positive},
    {"in", default_weights::non_positive},
}};

/// What the three iaf model types share besides their parameters' list, state and step: constants from NEST's
/// propagators, the membrane's rule, DC input into I_e, and a state whose V_rel is V_m - E_L.
template <class Params, class Propagators>
struct iaf_model {
  using params = Params;
  static constexpr bool transcendental = false;

  struct constants : Propagators {
    double input_scale = 1;  ///< weight units (mV or pA) per ring unit
  };
  static constants prepare(const params& p, double dt, double input_scale) {
    return {make_propagators(p, dt), input_scale};
  }
  static std::optional<parameter_error> check(const params& p) { return check_reset_below_threshold(p); }
  static params for_run(const params& p, const run_inputs& r) { return with_dc_in_I_e(p, r); }
  static double resting_potential(const params& p) { return p.E_L; }
  template <class State>
  static void set_potential(const params& p, State& s, double v) {
    s.V_rel = v - p.E_L;
  }
};

/// The membrane's end of a step, as in NEST's iaf models: V_m takes the integrated value unless refractory (then it
/// holds, and the counter runs down); at threshold a spike, the reset and the refractory period. Branch-free.
template <class State>
HETSPIKE_MODEL_FUNCTION bool iaf_threshold_and_reset(const iaf_membrane_propagators& p, State& s, double v_int) {
  const bool is_refractory = s.refractory > 0;
  // A select of bits: written as a choice between doubles, GCC computes v_int only where it is chosen and, as a
  // multiplication may trap, cannot then vectorise the update.
  const std::uint64_t refractory_mask = std::uint64_t{0} - static_cast<std::uint64_t>(is_refractory);
  const double v1 = std::bit_cast<double>((std::bit_cast<std::uint64_t>(s.V_rel) & refractory_mask) |
                                          (std::bit_cast<std::uint64_t>(v_int) & ~refractory_mask));
  const std::int32_t r1 = is_refractory ? s.refractory - 1 : s.refractory;
  const bool spike = v1 >= p.V_th;
  s.V_rel = spike ? p.V_reset : v1;
  s.refractory = spike ? p.refractory_steps : r1;
  return spike;
}

}  // namespace hetspike
