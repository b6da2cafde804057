#include "kernels/propagators.hpp"

#include <cmath>

namespace hetspike {

std::int32_t refractory_steps(double t_ref, double dt) { return static_cast<std::int32_t>(std::llround(t_ref / dt)); }

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

}  // namespace hetspike
