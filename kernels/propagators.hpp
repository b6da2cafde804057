#pragma once
// Exact-integration propagators of the iaf models, computed once on the host in double precision exactly as
// NEST computes them, so that the per-step update is only multiplies and adds (no transcendental call in a
// kernel, nothing a GPU would round differently). Voltages are relative to E_L, as in NEST.
#include <cstdint>
#include <utility>

namespace hetspike {

struct iaf_membrane_params;
struct iaf_psc_delta_params;
struct iaf_psc_exp_params;
struct iaf_psc_alpha_params;

/// What every iaf model's update needs of iaf_membrane_params besides its propagators. Plain data, copied to the
/// device inside each model's propagators.
struct iaf_membrane_propagators {
  double I_e = 0;      ///< pA, constant input
  double V_th = 0;     ///< mV, relative to E_L
  double V_reset = 0;  ///< mV, relative to E_L
  std::int32_t refractory_steps = 0;
};

struct iaf_psc_delta_propagators : iaf_membrane_propagators {
  double P33 = 0;    ///< exp(-h/tau_m)
  double P30 = 0;    ///< (1 - P33) tau_m / C_m: current to voltage
  double V_min = 0;  ///< mV, relative to E_L (may be -inf)
};

struct iaf_psc_exp_propagators : iaf_membrane_propagators {
  double P11ex = 0, P11in = 0;  ///< exp(-h/tau_syn)
  double P22 = 0;               ///< exp(-h/tau_m)
  double P21ex = 0, P21in = 0;  ///< synaptic current to voltage (NEST's IAFPropagatorExp)
  double P20 = 0;               ///< tau_m/C_m (1 - P22): constant current to voltage
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

iaf_psc_delta_propagators make_propagators(const iaf_psc_delta_params& p, double dt);
iaf_psc_alpha_propagators make_propagators(const iaf_psc_alpha_params& p, double dt);

/// NEST's (P31, P32) for alpha currents (libnestutil/iaf_propagator.cpp), with its singular limits.
std::pair<double, double> propagators_alpha_to_voltage(double tau_syn, double tau_m, double C_m, double h);
iaf_psc_exp_propagators make_propagators(const iaf_psc_exp_params& p, double dt);

/// NEST's P32 for exponential currents (libnestutil/iaf_propagator.cpp): the regular expression unless it is
/// not a positive normal number (tau_syn == tau_m or too close), then the singular limit h/C exp(-h/tau_m).
double propagator_psc_to_voltage(double tau_syn, double tau_m, double C_m, double h);

/// The membrane part, shared by the three models: threshold and reset relative to E_L, refractory steps.
iaf_membrane_propagators make_membrane_propagators(const iaf_membrane_params& p, double dt);

/// Refractory period in whole steps (NEST rounds t_ref to the grid).
std::int32_t refractory_steps(double t_ref, double dt);

}  // namespace hetspike
