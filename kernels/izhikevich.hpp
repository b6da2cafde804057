#pragma once
// NEST's izhikevich (models/izhikevich.cpp; Izhikevich 2003), with NEST's default consistent_integration: forward
// Euler over one step from the old (V_m, U_m), input spikes added to V_m (weights in mV), V_m bounded below by
// V_min, and at V_th the reset V_m = c, U_m += d. Operation for operation as NEST, so that its spikes and traces
// are NEST's bit for bit; only multiplies and adds, so CPU and GPU agree bit for bit too. No refractory period.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "kernels/model_description.hpp"

namespace hetspike {

struct izhikevich_params {
  double a = 0.02;                                     ///< time scale of U_m, 1/ms
  double b = 0.2;                                      ///< sensitivity of U_m to V_m
  double c = -65.0;                                    ///< V_m after a spike, mV
  double d = 8.0;                                      ///< U_m's increase at a spike, mV
  double I_e = 0.0;                                    ///< constant input current, pA
  double V_th = 30.0;                                  ///< spike threshold, mV
  double V_min = -std::numeric_limits<double>::max();  ///< lower bound of V_m, mV
};

struct izhikevich {
  static constexpr std::string_view name = "izhikevich";
  using params = izhikevich_params;
  static constexpr std::array<parameter<params>, 7> parameters{{
      {"a", &params::a, "1/ms"},
      {"b", &params::b, ""},
      {"c", &params::c, "mV"},
      {"d", &params::d, "mV"},
      {"I_e", &params::I_e, "pA"},
      {"V_th", &params::V_th, "mV"},
      {"V_min", &params::V_min, "mV"},
  }};
  struct state {
    double V_m = -65.0;  ///< NEST 3.10's initial values (U_m = -13 whatever b and V_m are)
    double U_m = -13.0;
  };
  static constexpr std::array<state_variable<state>, 2> state_variables{{
      {"V_m", &state::V_m, "mV"},
      {"U_m", &state::U_m, "mV"},
  }};
  static constexpr std::array<receptor_port, 1> receptors{{{"spikes", default_weights::every}}};
  static constexpr bool transcendental = false;

  struct constants {
    params p;
    double h = 0;            ///< ms
    double input_scale = 1;  ///< mV per ring unit
  };
  static constants prepare(const params& p, double dt, double input_scale) { return {p, dt, input_scale}; }
  static std::optional<parameter_error> check(const params&) { return std::nullopt; }  // NEST checks none
  static params for_run(const params& p, const run_inputs& r) { return with_dc_in_I_e(p, r); }
  static double resting_potential(const params&) { return state{}.V_m; }
  static void set_potential(const params&, state& s, double v) { s.V_m = v; }

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& k, state& s, const fixed_type* input) {
    const params& p = k.p;
    const double in = fixed_to_double(input[0]) * k.input_scale;
    const double v_old = s.V_m, u_old = s.U_m;
    // NEST: v += h * (0.04 v^2 + 5 v + 140 - u + I + I_e) + spikes; u += h * a * (b * v_old - u_old), where I (the
    // current inputs of the step before) is 0: DC inputs are in I_e.
    double v = v_old + (k.h * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + 0.0 + p.I_e) + in);
    double u = u_old + k.h * p.a * (p.b * v_old - u_old);
    v = v < p.V_min ? p.V_min : v;
    const bool spike = v >= p.V_th;
    s.V_m = spike ? p.c : v;
    s.U_m = spike ? u + p.d : u;
    return spike;
  }
};

}  // namespace hetspike
