#pragma once
// NEST's iaf_psc_delta (models/iaf_psc_delta.cpp): leaky integrate-and-fire, input as voltage jumps (weights in
// mV). The step is NEST's, operation for operation, branch-free so that the compiler vectorises it: integrate
// unless refractory, clamp at V_min, spike and reset at threshold. Input arriving while refractory is discarded
// (NEST's default, refractory_input = false).
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"

namespace hetspike {

struct iaf_psc_delta_params : iaf_membrane_params {
  double V_min = -std::numeric_limits<double>::infinity();  ///< lower bound of V_m, mV
};

struct iaf_psc_delta_propagators : iaf_membrane_propagators {
  double P33 = 0;    ///< exp(-h/tau_m)
  double P30 = 0;    ///< (1 - P33) tau_m / C_m: current to voltage
  double V_min = 0;  ///< mV, relative to E_L (may be -inf)
};

/// NEST's propagators for step dt, operation for operation as its calibrate().
inline iaf_psc_delta_propagators make_propagators(const iaf_psc_delta_params& p, double dt) {
  iaf_psc_delta_propagators r;
  r.P33 = std::exp(-dt / p.tau_m);
  r.P30 = 1 / p.C_m * (1 - r.P33) * p.tau_m;
  static_cast<iaf_membrane_propagators&>(r) = make_membrane_propagators(p, dt);
  r.V_min = p.V_min - p.E_L;
  return r;
}

struct iaf_psc_delta : iaf_model<iaf_psc_delta_params, iaf_psc_delta_propagators> {
  static constexpr std::string_view name = "iaf_psc_delta";
  static constexpr auto parameters = join(iaf_membrane_parameters<params>(), std::array<parameter<params>, 2>{{
                                                                                 {"V_min", &params::V_min, "mV"},
                                                                                 {"I_e", &params::I_e, "pA"},
                                                                             }});
  struct state {
    double V_rel = 0;  ///< V_m - E_L
    std::int32_t refractory = 0;
  };
  static constexpr std::array<state_variable<state>, 2> state_variables{{
      {"V_rel", &state::V_rel, "mV"},
      {"refractory", &state::refractory, "steps"},
  }};
  static constexpr std::array<receptor_port, 1> receptors{{{"spikes", default_weights::every}}};

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& p, state& s, const fixed_type* input) {
    const double in = fixed_to_double(input[0]) * p.input_scale;
    double v = p.P30 * (0.0 + p.I_e) + p.P33 * s.V_rel + in;  // NEST: P30 * (y0 + I_e) + P33 * y3 + B
    v = v < p.V_min ? p.V_min : v;
    return iaf_threshold_and_reset(p, s, v);
  }
};

}  // namespace hetspike
