#pragma once
// NEST's iaf_psc_exp (models/iaf_psc_exp.cpp): leaky integrate-and-fire with exponentially decaying currents
// (weights in pA), an excitatory port (weight > 0) and an inhibitory one. The step is NEST's, operation for
// operation and branch-free: the membrane integrates the currents of the previous step unless refractory, the
// currents decay, the step's input is added (it acts on V only from the next step), then threshold and reset.
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"

namespace hetspike {

struct iaf_psc_exp_params : iaf_membrane_params {
  double tau_syn_ex = 2.0;  ///< ms
  double tau_syn_in = 2.0;  ///< ms
};

struct iaf_psc_exp_propagators : iaf_membrane_propagators {
  double P11ex = 0, P11in = 0;  ///< exp(-h/tau_syn)
  double P22 = 0;               ///< exp(-h/tau_m)
  double P21ex = 0, P21in = 0;  ///< synaptic current to voltage (NEST's IAFPropagatorExp)
  double P20 = 0;               ///< tau_m/C_m (1 - P22): constant current to voltage
};

/// NEST's propagators for step dt, operation for operation as its calibrate().
inline iaf_psc_exp_propagators make_propagators(const iaf_psc_exp_params& p, double dt) {
  iaf_psc_exp_propagators r;
  r.P11ex = std::exp(-dt / p.tau_syn_ex);
  r.P11in = std::exp(-dt / p.tau_syn_in);
  r.P22 = std::exp(-dt / p.tau_m);
  r.P21ex = propagator_psc_to_voltage(p.tau_syn_ex, p.tau_m, p.C_m, dt);
  r.P21in = propagator_psc_to_voltage(p.tau_syn_in, p.tau_m, p.C_m, dt);
  r.P20 = p.tau_m / p.C_m * (1.0 - r.P22);
  static_cast<iaf_membrane_propagators&>(r) = make_membrane_propagators(p, dt);
  return r;
}

struct iaf_psc_exp : iaf_model<iaf_psc_exp_params, iaf_psc_exp_propagators> {
  static constexpr std::string_view name = "iaf_psc_exp";
  static constexpr auto parameters =
      join(iaf_membrane_parameters<params>(),
           join(std::array<parameter<params>, 1>{{{"I_e", &params::I_e, "pA"}}}, iaf_current_parameters<params>()));
  using state = iaf_current_state;
  static constexpr auto state_variables = iaf_current_state_variables<state>();
  static constexpr auto receptors = iaf_current_receptors;

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& p, state& s, const fixed_type* input) {
    const double in_ex = fixed_to_double(input[0]) * p.input_scale;
    const double in_in = fixed_to_double(input[1]) * p.input_scale;
    const double v0 = s.V_rel, ex0 = s.I_syn_ex, inh0 = s.I_syn_in;
    // NEST: V_m * P22 + i_syn_ex * P21ex + i_syn_in * P21in + (I_e + i_0) * P20, left to right.
    const double v_int = v0 * p.P22 + ex0 * p.P21ex + inh0 * p.P21in + (p.I_e + 0.0) * p.P20;
    // The currents decay and take this step's input (V_m sees it from the next step), then the membrane's end.
    s.I_syn_ex = ex0 * p.P11ex + in_ex;
    s.I_syn_in = inh0 * p.P11in + in_in;
    return iaf_threshold_and_reset(p, s, v_int);
  }
};

}  // namespace hetspike
