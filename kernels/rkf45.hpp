#pragma once
// An adaptive embedded Runge-Kutta-Fehlberg 4(5) integrator for one neuron's ODEs inside a kernel, step for step
// the integration NEST's GSL models do: gsl_odeiv_step_rkf45 under gsl_odeiv_control_y_new(eps_abs, eps_rel)
// (a_y = 1, a_dydt = 0), driven by gsl_odeiv_evolve_apply until the simulation step is covered, the step size kept
// from one simulation step to the next (it is part of the neuron's state). Written from GSL's published algorithm
// (ode-initval/rkf45.c, cstd.c, evolve.c): the same tableau, sums in the same order, the same step-size rules.
// Its step-size control calls pow(): a model that uses it is transcendental (model_description.hpp).
#include <cmath>

#include "kernels/model_description.hpp"

namespace hetspike {

namespace rkf45_detail {

// Fehlberg's weights, as GSL writes them (the tableau's arrays are rkf45_integrate's locals).
inline constexpr double c1 = 902880.0 / 7618050.0;
inline constexpr double c3 = 3953664.0 / 7618050.0;
inline constexpr double c4 = 3855735.0 / 7618050.0;
inline constexpr double c5 = -1371249.0 / 7618050.0;
inline constexpr double c6 = 277020.0 / 7618050.0;
inline constexpr int order = 5;

}  // namespace rkf45_detail

/// Error bounds of GSL's standard control (NEST's GSL models: eps_abs 1e-3, eps_rel 0): a step is accepted where
/// every |error_i| <= eps_abs + eps_rel (a_y |y_i| + a_dydt h |y'_i|). gsl_odeiv_control_y_new is a_y = 1,
/// a_dydt = 0 (the default); gsl_odeiv_control_yp_new (NEST's aeif models) a_y = 0, a_dydt = 1.
struct rkf45_tolerance {
  double eps_abs = 1e-3;
  double eps_rel = 0.0;
  double a_y = 1.0;
  double a_dydt = 0.0;
};

/// One gsl_odeiv_evolve_apply of y' = f(y) (f(const double* y, double* dydt), autonomous: NEST's models do not
/// read t) from t towards `step` ms, in place: one accepted RKF45 step, after as many smaller tries as the
/// control asks for; advances t (to `step` when it arrives) and updates `h`, the integration step size carried
/// from call to call (start with `step`). A model that acts between applies (NEST's aeif models detect spikes
/// there) calls this in its own loop; otherwise rkf45_integrate below.
template <int N, class F>
HETSPIKE_MODEL_FUNCTION void rkf45_evolve_apply(double* y, double& t, double& h, double step, const F& f,
                                                const rkf45_tolerance& tol = {}) {
  using namespace rkf45_detail;
  // Fehlberg's tableau, as GSL writes it (local arrays: a namespace-scope array is host memory to a CUDA kernel).
  constexpr double ah[5] = {1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0};
  constexpr double b3[2] = {3.0 / 32.0, 9.0 / 32.0};
  constexpr double b4[3] = {1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0};
  constexpr double b5[4] = {8341.0 / 4104.0, -32832.0 / 4104.0, 29440.0 / 4104.0, -845.0 / 4104.0};
  constexpr double b6[5] = {-6080.0 / 20520.0, 41040.0 / 20520.0, -28352.0 / 20520.0, 9295.0 / 20520.0,
                            -5643.0 / 20520.0};
  constexpr double ec[7] = {0.0, 1.0 / 360.0, 0.0, -128.0 / 4275.0, -2197.0 / 75240.0, 1.0 / 50.0, 2.0 / 55.0};
  // gsl_odeiv_evolve_apply from t to `step`.
  const double t0 = t, dt = step - t0;
  double h0 = h;
  double y0[N], k1[N], k2[N], k3[N], k4[N], k5[N], k6[N], ytmp[N], yerr[N], dydt_out[N];
  for (int i = 0; i < N; ++i) y0[i] = y[i];
  f(y, k1);  // rkf45 can use dydt_in: evaluated once per apply
  for (;;) {
    const bool final_step = h0 > dt;
    if (final_step) h0 = dt;
    // gsl_odeiv_step_apply (rkf45): from y0 (y holds y0 here).
    for (int i = 0; i < N; ++i) ytmp[i] = y[i] + ah[0] * h0 * k1[i];
    f(ytmp, k2);
    for (int i = 0; i < N; ++i) ytmp[i] = y[i] + h0 * (b3[0] * k1[i] + b3[1] * k2[i]);
    f(ytmp, k3);
    for (int i = 0; i < N; ++i) ytmp[i] = y[i] + h0 * (b4[0] * k1[i] + b4[1] * k2[i] + b4[2] * k3[i]);
    f(ytmp, k4);
    for (int i = 0; i < N; ++i) ytmp[i] = y[i] + h0 * (b5[0] * k1[i] + b5[1] * k2[i] + b5[2] * k3[i] + b5[3] * k4[i]);
    f(ytmp, k5);
    for (int i = 0; i < N; ++i)
      ytmp[i] = y[i] + h0 * (b6[0] * k1[i] + b6[1] * k2[i] + b6[2] * k3[i] + b6[3] * k4[i] + b6[4] * k5[i]);
    f(ytmp, k6);
    for (int i = 0; i < N; ++i) {
      const double d_i = c1 * k1[i] + c3 * k3[i] + c4 * k4[i] + c5 * k5[i] + c6 * k6[i];
      y[i] += h0 * d_i;
    }
    for (int i = 0; i < N; ++i)
      yerr[i] = h0 * (ec[1] * k1[i] + ec[3] * k3[i] + ec[4] * k4[i] + ec[5] * k5[i] + ec[6] * k6[i]);
    // rkf45 evaluates the derivative at its output for the control (it only matters where a_dydt != 0).
    if (tol.a_dydt != 0.0)
      f(y, dydt_out);
    else
      for (int i = 0; i < N; ++i) dydt_out[i] = 0.0;
    t = final_step ? step : t0 + h0;
    // gsl_odeiv_control_hadjust (standard control).
    const double h_old = h0;
    double rmax = 2.2250738585072014e-308;  // DBL_MIN
    for (int i = 0; i < N; ++i) {
      const double D0 =
          tol.eps_rel * (tol.a_y * std::fabs(y[i]) + tol.a_dydt * std::fabs(h_old * dydt_out[i])) + tol.eps_abs;
      const double r = std::fabs(yerr[i]) / std::fabs(D0);
      rmax = r > rmax ? r : rmax;
    }
    if (rmax > 1.1) {
      double r = 0.9 / std::pow(rmax, 1.0 / order);
      if (r < 0.2) r = 0.2;
      h0 = r * h_old;
      if (h0 < h_old) {  // a real decrease: undo the step and try again
        for (int i = 0; i < N; ++i) y[i] = y0[i];
        t = t0;
        continue;
      }
      h0 = h_old;
    } else if (rmax < 0.5) {
      // GSL's r = 0.9 / pow(rmax, 1/6), at most 5: where rmax lies clearly below (0.9 / 5)^6 that bound holds, and
      // the pow() (a sixth of a quiet neuron's step) need not run. The margin covers pow's rounding; r is the same.
      constexpr double surely_capped = 3.4012224e-05 * (1.0 - 1e-6);  // (0.18)^6 = 3.4012224e-05
      double r = rmax < surely_capped ? 5.0 : 0.9 / std::pow(rmax, 1.0 / (order + 1.0));
      if (r > 5.0) r = 5.0;
      if (r < 1.0) r = 1.0;
      h0 = r * h_old;
    }
    h = h0;
    break;
  }
}

/// Integrates y' = f(y) over one simulation step of `step` ms from y, in place: evolve applies until the step is
/// covered, as NEST's GSL models do.
template <int N, class F>
HETSPIKE_MODEL_FUNCTION void rkf45_integrate(double* y, double& h, double step, const F& f,
                                             const rkf45_tolerance& tol = {}) {
  double t = 0.0;
  while (t < step) rkf45_evolve_apply<N>(y, t, h, step, f, tol);
}

}  // namespace hetspike
