#pragma once
// NEST's iaf_cond_exp (models/iaf_cond_exp.cpp): leaky integrate-and-fire with exponentially decaying conductances
// (weights in nS: a weight > 0 opens the excitatory conductance, any other the inhibitory one by |weight|). Each
// step integrates (V_m, g_ex, g_in) with GSL's RKF45 as NEST does (kernels/rkf45.hpp, eps_abs 1e-3), then adds the
// step's conductance jumps, then the refractory clamp or threshold and reset, in NEST's order.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kernels/conductance_input.hpp"
#include "kernels/iaf_membrane.hpp"
#include "kernels/model_description.hpp"
#include "kernels/rkf45.hpp"

namespace hetspike {

struct iaf_cond_exp_params {
  double V_th = -55.0;      ///< mV
  double V_reset = -60.0;   ///< mV
  double t_ref = 2.0;       ///< ms
  double g_L = 16.6667;     ///< leak conductance, nS
  double C_m = 250.0;       ///< pF
  double E_ex = 0.0;        ///< excitatory reversal potential, mV
  double E_in = -85.0;      ///< inhibitory reversal potential, mV
  double E_L = -70.0;       ///< leak reversal potential, mV
  double tau_syn_ex = 0.2;  ///< ms
  double tau_syn_in = 2.0;  ///< ms
  double I_e = 0.0;         ///< pA
};

struct iaf_cond_exp {
  static constexpr std::string_view name = "iaf_cond_exp";
  using params = iaf_cond_exp_params;
  static constexpr std::array<parameter<params>, 11> parameters{{
      {"V_th", &params::V_th, "mV"},
      {"V_reset", &params::V_reset, "mV"},
      {"t_ref", &params::t_ref, "ms", value_range::non_negative(), max_refractory_steps},
      {"g_L", &params::g_L, "nS"},
      {"C_m", &params::C_m, "pF", value_range::positive()},
      {"E_ex", &params::E_ex, "mV"},
      {"E_in", &params::E_in, "mV"},
      {"E_L", &params::E_L, "mV"},
      {"tau_syn_ex", &params::tau_syn_ex, "ms", value_range::positive()},
      {"tau_syn_in", &params::tau_syn_in, "ms", value_range::positive()},
      {"I_e", &params::I_e, "pA"},
  }};
  struct state {
    double V_m = -70.0;  ///< mV (set from E_L by v_init's default)
    double g_ex = 0, g_in = 0;
    std::int32_t refractory = 0;
    double h = 0;  ///< the integrator's step size, ms (0: the simulation step)
  };
  static constexpr std::array<state_variable<state>, 5> state_variables{{
      {"V_m", &state::V_m, "mV"},
      {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},
      {"refractory", &state::refractory, "steps"},
      {"h", &state::h, "ms"},
  }};
  static constexpr std::array<receptor_port, 2> receptors{{
      {"ex", default_weights::positive},
      {"in", default_weights::non_positive},
  }};
  static constexpr bool transcendental = true;  // the step-size control's pow()

  struct constants {
    params p;
    double dt = 0;
    double input_scale = 1;  ///< nS per ring unit
    std::int32_t refractory_steps = 0;
  };
  static constants prepare(const params& p, double dt, double input_scale) {
    return {p, dt, input_scale, refractory_steps(p.t_ref, dt)};
  }
  static std::optional<parameter_error> check(const params& p) { return check_reset_below_threshold(p); }
  static params for_run(const params& p, const run_inputs& r) { return with_dc_in_I_e(p, r); }
  static double resting_potential(const params& p) { return p.E_L; }
  static void set_potential(const params&, state& s, double v) { s.V_m = v; }

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& k, state& s, const fixed_type* input) {
    const params& p = k.p;
    double y[3] = {s.V_m, s.g_ex, s.g_in};
    // NEST's iaf_cond_exp_dynamics, operation for operation (I_stim, the current inputs, is 0: DC is in I_e).
    const auto f = [&p](const double* x, double* dxdt) {
      const double I_syn_exc = x[1] * (x[0] - p.E_ex);
      const double I_syn_inh = x[2] * (x[0] - p.E_in);
      const double I_L = p.g_L * (x[0] - p.E_L);
      dxdt[0] = (-I_L + 0.0 + p.I_e - I_syn_exc - I_syn_inh) / p.C_m;
      dxdt[1] = -x[1] / p.tau_syn_ex;
      dxdt[2] = -x[2] / p.tau_syn_in;
    };
    double h = s.h > 0 ? s.h : k.dt;
    rkf45_integrate<3>(y, h, k.dt, f);
    add_conductance_jumps(y[1], y[2], input, k.input_scale);
    bool spike = false;
    if (s.refractory > 0) {
      --s.refractory;
      y[0] = p.V_reset;
    } else if (y[0] >= p.V_th) {
      s.refractory = k.refractory_steps;
      y[0] = p.V_reset;
      spike = true;
    }
    s.V_m = y[0], s.g_ex = y[1], s.g_in = y[2], s.h = h;
    return spike;
  }
};

}  // namespace hetspike
