#pragma once
// NEST's iaf_psc_alpha (models/iaf_psc_alpha.cpp): leaky integrate-and-fire with alpha-shaped currents (weights in
// pA: the peak current), an excitatory port (weight > 0) and an inhibitory one. The step is NEST's, operation for
// operation and branch-free: V integrates the alpha currents (I, dI per port) of the previous step unless
// refractory, the currents evolve, the step's input enters dI (it acts on V from the next step), then threshold and
// reset.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <string_view>
#include <tuple>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"

namespace hetspike {

struct iaf_psc_alpha_params : iaf_membrane_params {
  double V_min = -std::numeric_limits<double>::infinity();  ///< lower bound of V_m, mV
  double tau_syn_ex = 2.0;                                  ///< ms, rise time of the excitatory alpha current
  double tau_syn_in = 2.0;                                  ///< ms
};

struct iaf_psc_alpha_propagators : iaf_membrane_propagators {
  double P11ex = 0, P11in = 0;    ///< exp(-h/tau_syn): dI and I decay alike (P22 = P11)
  double P21ex = 0, P21in = 0;    ///< h exp(-h/tau_syn): dI into I
  double P30 = 0;                 ///< -tau_m/C_m expm1(-h/tau_m): constant current to voltage
  double P31ex = 0, P31in = 0;    ///< dI to voltage (NEST's IAFPropagatorAlpha)
  double P32ex = 0, P32in = 0;    ///< I to voltage
  double expm1_tau_m = 0;         ///< expm1(-h/tau_m): V decays as V + expm1 V
  double psc_ex = 0, psc_in = 0;  ///< e/tau_syn: a weight of 1 pA gives a peak current of 1 pA
  double V_min = 0;               ///< mV, relative to E_L (may be -inf)
};

/// NEST's propagators for step dt, operation for operation as its calibrate().
inline iaf_psc_alpha_propagators make_propagators(const iaf_psc_alpha_params& p, double dt) {
  iaf_psc_alpha_propagators r;
  r.P11ex = std::exp(-dt / p.tau_syn_ex);
  r.P11in = std::exp(-dt / p.tau_syn_in);
  r.expm1_tau_m = std::expm1(-dt / p.tau_m);
  r.P30 = -p.tau_m / p.C_m * std::expm1(-dt / p.tau_m);
  r.P21ex = dt * r.P11ex;
  r.P21in = dt * r.P11in;
  std::tie(r.P31ex, r.P32ex) = propagators_alpha_to_voltage(p.tau_syn_ex, p.tau_m, p.C_m, dt);
  std::tie(r.P31in, r.P32in) = propagators_alpha_to_voltage(p.tau_syn_in, p.tau_m, p.C_m, dt);
  r.psc_ex = 1.0 * std::numbers::e / p.tau_syn_ex;
  r.psc_in = 1.0 * std::numbers::e / p.tau_syn_in;
  static_cast<iaf_membrane_propagators&>(r) = make_membrane_propagators(p, dt);
  r.V_min = p.V_min - p.E_L;
  return r;
}

struct iaf_psc_alpha : iaf_model<iaf_psc_alpha_params, iaf_psc_alpha_propagators> {
  static constexpr std::string_view name = "iaf_psc_alpha";
  static constexpr auto parameters =
      join(iaf_membrane_parameters<params>(),
           join(std::array<parameter<params>, 2>{{{"V_min", &params::V_min, "mV"}, {"I_e", &params::I_e, "pA"}}},
                iaf_current_parameters<params>()));
  struct state : iaf_current_state {
    double dI_syn_ex = 0, dI_syn_in = 0;
  };
  static constexpr auto state_variables =
      join(iaf_current_state_variables<state>(), std::array<state_variable<state>, 2>{{
                                                     {"dI_syn_ex", &state::dI_syn_ex, "pA/ms"},
                                                     {"dI_syn_in", &state::dI_syn_in, "pA/ms"},
                                                 }});
  static constexpr auto receptors = iaf_current_receptors;

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& p, state& s, const fixed_type* input) {
    const double in_ex = fixed_to_double(input[0]) * p.input_scale;
    const double in_in = fixed_to_double(input[1]) * p.input_scale;
    const double y3 = s.V_rel, iex = s.I_syn_ex, diex = s.dI_syn_ex, iin = s.I_syn_in, diin = s.dI_syn_in;
    // NEST: P30 (y0 + I_e) + P31ex dI_ex + P32ex I_ex + P31in dI_in + P32in I_in + expm1_tau_m y3 + y3.
    double v_int = p.P30 * (0.0 + p.I_e) + p.P31ex * diex + p.P32ex * iex + p.P31in * diin + p.P32in * iin +
                   p.expm1_tau_m * y3 + y3;
    v_int = v_int < p.V_min ? p.V_min : v_int;
    // The currents evolve and this step's input enters dI (V_m sees it from the next step), then the membrane's end.
    s.I_syn_ex = p.P21ex * diex + p.P11ex * iex;
    s.dI_syn_ex = diex * p.P11ex + p.psc_ex * in_ex;
    s.I_syn_in = p.P21in * diin + p.P11in * iin;
    s.dI_syn_in = diin * p.P11in + p.psc_in * in_in;
    return iaf_threshold_and_reset(p, s, v_int);
  }
};

}  // namespace hetspike
