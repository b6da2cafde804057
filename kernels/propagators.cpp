#include "kernels/propagators.hpp"

#include <cmath>
#include <numbers>
#include <tuple>

#include "kernels/iaf_psc_alpha.hpp"
#include "kernels/iaf_psc_delta.hpp"
#include "kernels/iaf_psc_exp.hpp"

namespace hetspike {

std::int32_t refractory_steps(double t_ref, double dt) { return static_cast<std::int32_t>(std::llround(t_ref / dt)); }

iaf_membrane_propagators make_membrane_propagators(const iaf_membrane_params& p, double dt) {
  iaf_membrane_propagators r;
  r.I_e = p.I_e;
  r.V_th = p.V_th - p.E_L;
  r.V_reset = p.V_reset - p.E_L;
  r.refractory_steps = refractory_steps(p.t_ref, dt);
  return r;
}

double propagator_psc_to_voltage(double tau_syn, double tau_m, double C_m, double h) {
  // Written operation for operation as NEST's IAFPropagator, so that the propagator has the same bits.
  const double beta = tau_syn * tau_m / (tau_m - tau_syn);  // inf when tau_m == tau_syn
  const double gamma = beta / C_m;
  const double inv_tau_syn = 1 / tau_syn;
  const double inv_tau_m = 1 / tau_m;
  const double inv_c_m = 1 / C_m;
  const double inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m);
  const double P32 = gamma * std::exp(-h * inv_tau_syn) * std::expm1(h * inv_beta);
  if (std::isnormal(P32) && P32 > 0) return P32;
  return h * inv_c_m * std::exp(-h * inv_tau_m);
}

std::pair<double, double> propagators_alpha_to_voltage(double tau_syn, double tau_m, double C_m, double h) {
  // Operation for operation as NEST's IAFPropagatorAlpha::evaluate.
  const double h_min_regular = 1e-7 * tau_m * tau_m / std::abs(tau_m - tau_syn);
  const double beta = tau_syn * tau_m / (tau_m - tau_syn);
  const double gamma = beta / C_m;
  const double inv_tau_syn = 1 / tau_syn;
  const double inv_tau_m = 1 / tau_m;
  const double inv_c_m = 1 / C_m;
  const double inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m);
  const double exp_h_tau_syn = std::exp(-h * inv_tau_syn);
  const double expm1_h_tau = std::expm1(h * inv_beta);
  double P32 = gamma * exp_h_tau_syn * expm1_h_tau;
  double exp_h_tau = std::nan("");
  if (!(std::isnormal(P32) && P32 > 0)) {
    exp_h_tau = std::exp(-h * inv_tau_m);
    P32 = h * inv_c_m * exp_h_tau;
  }
  if (h > h_min_regular) return {gamma * exp_h_tau_syn * (beta * expm1_h_tau - h), P32};
  if (std::isnan(exp_h_tau)) exp_h_tau = std::exp(-h * inv_tau_m);
  return {0.5 * h * h * inv_c_m * exp_h_tau, P32};
}

iaf_psc_alpha_propagators make_propagators(const iaf_psc_alpha_params& p, double dt) {
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

iaf_psc_delta_propagators make_propagators(const iaf_psc_delta_params& p, double dt) {
  iaf_psc_delta_propagators r;
  r.P33 = std::exp(-dt / p.tau_m);
  r.P30 = 1 / p.C_m * (1 - r.P33) * p.tau_m;
  static_cast<iaf_membrane_propagators&>(r) = make_membrane_propagators(p, dt);
  r.V_min = p.V_min - p.E_L;
  return r;
}

iaf_psc_exp_propagators make_propagators(const iaf_psc_exp_params& p, double dt) {
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

}  // namespace hetspike
