#pragma once
// NEST's aeif_cond_exp (models/aeif_cond_exp.cpp; Brette & Gerstner 2005): adaptive exponential integrate-and-fire
// with exponentially decaying conductances (weights in nS: a weight > 0 opens the excitatory conductance, any other
// the inhibitory one by |weight|). As NEST: (V_m, g_ex, g_in, w) integrated with GSL's RKF45 under the yp control
// (eps_abs = eps_rel = gsl_error_tol), V_m bounded by V_peak inside the dynamics and held at V_reset while
// refractory; the threshold V_peak is checked after every integration sub-step, so a spike resets V_m and adds b to
// w inside the step and the integration goes on from there (kernels/rkf45.hpp's rkf45_evolve_apply); then the
// refractory count, then the step's conductance jumps. NESTML's aeif_cond_exp_neuron resets at the end of a step
// instead (docs/nestml.md). A step reports one spike even where NEST emits several (t_ref = 0 and a strong drive).
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kernels/conductance_input.hpp"
#include "kernels/iaf_membrane.hpp"
#include "kernels/model_description.hpp"
#include "kernels/rkf45.hpp"

namespace hetspike {

struct aeif_cond_exp_params {
  double V_peak = 0.0;          ///< spike detection threshold, mV
  double V_reset = -60.0;       ///< mV
  double t_ref = 0.0;           ///< ms
  double g_L = 30.0;            ///< leak conductance, nS
  double C_m = 281.0;           ///< pF
  double E_ex = 0.0;            ///< excitatory reversal potential, mV
  double E_in = -85.0;          ///< inhibitory reversal potential, mV
  double E_L = -70.6;           ///< leak reversal potential, mV
  double Delta_T = 2.0;         ///< slope factor, mV
  double tau_w = 144.0;         ///< adaptation time constant, ms
  double a = 4.0;               ///< subthreshold adaptation, nS
  double b = 80.5;              ///< spike-triggered adaptation, pA
  double V_th = -50.4;          ///< spike initiation threshold, mV
  double tau_syn_ex = 0.2;      ///< ms
  double tau_syn_in = 2.0;      ///< ms
  double I_e = 0.0;             ///< pA
  double gsl_error_tol = 1e-6;  ///< RKF45's absolute and relative error bound
};

struct aeif_cond_exp {
  static constexpr std::string_view name = "aeif_cond_exp";
  using params = aeif_cond_exp_params;
  static constexpr std::array<parameter<params>, 17> parameters{{
      {"V_peak", &params::V_peak, "mV"},
      {"V_reset", &params::V_reset, "mV"},
      {"t_ref", &params::t_ref, "ms", value_range::non_negative(), max_refractory_steps},
      {"g_L", &params::g_L, "nS"},
      {"C_m", &params::C_m, "pF", value_range::positive()},
      {"E_ex", &params::E_ex, "mV"},
      {"E_in", &params::E_in, "mV"},
      {"E_L", &params::E_L, "mV"},
      {"Delta_T", &params::Delta_T, "mV", value_range::non_negative()},
      {"tau_w", &params::tau_w, "ms", value_range::positive()},
      {"a", &params::a, "nS"},
      {"b", &params::b, "pA"},
      {"V_th", &params::V_th, "mV"},
      {"tau_syn_ex", &params::tau_syn_ex, "ms", value_range::positive()},
      {"tau_syn_in", &params::tau_syn_in, "ms", value_range::positive()},
      {"I_e", &params::I_e, "pA"},
      {"gsl_error_tol", &params::gsl_error_tol, "", value_range::positive()},
  }};
  struct state {
    double V_m = -70.6;  ///< mV (set from E_L by v_init's default)
    double g_ex = 0, g_in = 0;
    double w = 0;  ///< adaptation current, pA
    std::int32_t refractory = 0;
    double h = 0;  ///< the integrator's step size, ms (0: the simulation step)
  };
  static constexpr std::array<state_variable<state>, 6> state_variables{{
      {"V_m", &state::V_m, "mV"},
      {"g_ex", &state::g_ex, "nS"},
      {"g_in", &state::g_in, "nS"},
      {"w", &state::w, "pA"},
      {"refractory", &state::refractory, "steps"},
      {"h", &state::h, "ms"},
  }};
  static constexpr std::array<receptor_port, 2> receptors{{
      {"ex", default_weights::positive},
      {"in", default_weights::non_positive},
  }};
  static constexpr bool transcendental = true;  // exp in the dynamics, pow in the step-size control

  struct constants {
    params p;
    double dt = 0;
    double input_scale = 1;  ///< nS per ring unit
    double V_peak = 0;       ///< where a spike is detected: V_peak, or V_th without an exponential term
    std::int32_t refractory_steps = 0;
  };
  static constants prepare(const params& p, double dt, double input_scale) {
    return {p, dt, input_scale, p.Delta_T > 0 ? p.V_peak : p.V_th, refractory_steps(p.t_ref, dt)};
  }
  /// NEST's rules (aeif_cond_exp::Parameters_::set).
  static std::optional<parameter_error> check(const params& p) {
    if (!(p.V_reset < p.V_peak))
      return parameter_error{"V_reset", "V_reset = " + format_number(p.V_reset) + " mV is not below V_peak = " +
                                            format_number(p.V_peak) + " mV; allowed: V_reset < V_peak"};
    if (!(p.V_peak >= p.V_th))
      return parameter_error{"V_peak", "V_peak = " + format_number(p.V_peak) + " mV is below V_th = " +
                                           format_number(p.V_th) + " mV; allowed: V_peak >= V_th"};
    // exp((V_peak - V_th) / Delta_T) must stay far from overflow (NEST's bound: log(DBL_MAX / 1e20)).
    if (p.Delta_T > 0 && (p.V_peak - p.V_th) / p.Delta_T >= std::log(1.79769313486231570e308 / 1e20))
      return parameter_error{"Delta_T",
                             "(V_peak - V_th) / Delta_T = " + format_number((p.V_peak - p.V_th) / p.Delta_T) +
                                 " overflows exp(); allowed: (V_peak - V_th) / Delta_T < 663.7"};
    return std::nullopt;
  }
  static params for_run(const params& p, const run_inputs& r) { return with_dc_in_I_e(p, r); }
  static double resting_potential(const params& p) { return p.E_L; }
  static void set_potential(const params&, state& s, double v) { s.V_m = v; }

  HETSPIKE_MODEL_FUNCTION static bool step(const constants& k, state& s, const fixed_type* input) {
    const params& p = k.p;
    double y[4] = {s.V_m, s.g_ex, s.g_in, s.w};
    std::int32_t refractory = s.refractory;
    // NEST's aeif_cond_exp_dynamics, operation for operation (I_stim, the current inputs, is 0: DC is in I_e).
    const auto f = [&p, &refractory](const double* x, double* dxdt) {
      const bool is_refractory = refractory > 0;
      const double V = is_refractory ? p.V_reset : (x[0] < p.V_peak ? x[0] : p.V_peak);  // std::min(x, V_peak)
      const double I_syn_exc = x[1] * (V - p.E_ex);
      const double I_syn_inh = x[2] * (V - p.E_in);
      const double I_spike = p.Delta_T == 0. ? 0. : (p.g_L * p.Delta_T * std::exp((V - p.V_th) / p.Delta_T));
      dxdt[0] =
          is_refractory ? 0. : (-p.g_L * (V - p.E_L) + I_spike - I_syn_exc - I_syn_inh - x[3] + p.I_e + 0.0) / p.C_m;
      dxdt[1] = -x[1] / p.tau_syn_ex;
      dxdt[2] = -x[2] / p.tau_syn_in;
      dxdt[3] = (p.a * (V - p.E_L) - x[3]) / p.tau_w;
    };
    const rkf45_tolerance tol{p.gsl_error_tol, p.gsl_error_tol, 0.0, 1.0};  // gsl_odeiv_control_yp_new
    double h = s.h > 0 ? s.h : k.dt;
    bool spike = false;
    double t = 0.0;
    while (t < k.dt) {
      rkf45_evolve_apply<4>(y, t, h, k.dt, f, tol);
      if (refractory > 0) {
        y[0] = p.V_reset;
      } else if (y[0] >= k.V_peak) {
        y[0] = p.V_reset;
        y[3] += p.b;
        // NEST adds 1 for the count-down right after this loop; without a refractory time it stays 0.
        refractory = k.refractory_steps > 0 ? k.refractory_steps + 1 : 0;
        spike = true;
      }
    }
    if (refractory > 0) --refractory;
    add_conductance_jumps(y[1], y[2], input, k.input_scale);
    s.V_m = y[0], s.g_ex = y[1], s.g_in = y[2], s.w = y[3], s.refractory = refractory, s.h = h;
    return spike;
  }
};

}  // namespace hetspike
