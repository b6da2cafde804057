#pragma once
// NEST's exact-integration propagator formulas (libnestutil/iaf_propagator.cpp), computed once on the host in double
// precision exactly as NEST computes them, so that a model's per-step update is only multiplies and adds (no
// transcendental call in a kernel, nothing a GPU would round differently). The models that use them build their
// own propagators in their own headers.
#include <cstdint>
#include <utility>

namespace hetspike {

/// NEST's (P31, P32) for alpha currents (libnestutil/iaf_propagator.cpp), with its singular limits.
std::pair<double, double> propagators_alpha_to_voltage(double tau_syn, double tau_m, double C_m, double h);

/// NEST's P32 for exponential currents (libnestutil/iaf_propagator.cpp): the regular expression unless it is
/// not a positive normal number (tau_syn == tau_m or too close), then the singular limit h/C exp(-h/tau_m).
double propagator_psc_to_voltage(double tau_syn, double tau_m, double C_m, double h);

/// Refractory period in whole steps (NEST rounds t_ref to the grid).
std::int32_t refractory_steps(double t_ref, double dt);

}  // namespace hetspike
