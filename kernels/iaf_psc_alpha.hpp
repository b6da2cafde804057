#pragma once
// NEST's iaf_psc_alpha (models/iaf_psc_alpha.cpp), operation for operation and branch-free: V integrates the
// alpha currents (I, dI per channel) of the previous step unless refractory, the currents evolve, the step's
// input enters dI (it acts on V from the next step), then threshold and reset. Channels as iaf_psc_exp:
// excitatory (weight > 0) in columns [column, column + n), inhibitory in [column + n, column + 2n).
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

template <class ExecSpace>
class iaf_psc_alpha_neurons : public iaf_membrane<ExecSpace, iaf_psc_alpha_propagators> {
  using base = iaf_membrane<ExecSpace, iaf_psc_alpha_propagators>;

 public:
  using memory_space = typename ExecSpace::memory_space;
  static constexpr int num_channels = iaf_psc_alpha_params::input_channels;

  iaf_psc_alpha_neurons(const iaf_psc_alpha_params& params, double dt, std::size_t count)
      : base(params.model_name, make_propagators(params, dt), params.E_L, count),
        i_ex_(base::state(params.model_name, "I_syn_ex", count)),
        di_ex_(base::state(params.model_name, "dI_syn_ex", count)),
        i_in_(base::state(params.model_name, "I_syn_in", count)),
        di_in_(base::state(params.model_name, "dI_syn_in", count)) {}

  Kokkos::View<double*, memory_space> current_ex() const { return i_ex_; }
  Kokkos::View<double*, memory_space> current_in() const { return i_in_; }
  Kokkos::View<double*, memory_space> current_derivative_ex() const { return di_ex_; }
  Kokkos::View<double*, memory_space> current_derivative_in() const { return di_in_; }

  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              double input_scale, const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    Kokkos::parallel_for("hetspike::iaf_psc_alpha::update", Kokkos::RangePolicy<ExecSpace>(space, 0, this->size()),
                         step_functor{this->p_, this->v_, i_ex_, di_ex_, i_in_, di_in_, this->refractory_, input,
                                      column, static_cast<std::uint32_t>(this->size()), input_scale, spiked});
  }

  struct step_functor {
    iaf_psc_alpha_propagators p;
    Kokkos::View<double*, memory_space> v, i_ex, di_ex, i_in, di_in;
    Kokkos::View<std::int32_t*, memory_space> refractory;
    ring_row_view<memory_space> input;
    std::uint32_t column, n;
    double input_scale;
    Kokkos::View<std::uint8_t*, memory_space> spiked;

    KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
      const double in_ex = static_cast<double>(input(column + i)) * input_scale;
      const double in_in = static_cast<double>(input(column + n + i)) * input_scale;
      input(column + i) = 0;
      input(column + n + i) = 0;
      const double y3 = v(i), iex = i_ex(i), diex = di_ex(i), iin = i_in(i), diin = di_in(i);
      const std::int32_t r0 = refractory(i);
      // NEST: P30 (y0 + I_e) + P31ex dI_ex + P32ex I_ex + P31in dI_in + P32in I_in + expm1_tau_m y3 + y3.
      double v_int = p.P30 * (0.0 + p.I_e) + p.P31ex * diex + p.P32ex * iex + p.P31in * diin + p.P32in * iin +
                     p.expm1_tau_m * y3 + y3;
      v_int = v_int < p.V_min ? p.V_min : v_int;
      const bool is_refractory = r0 > 0;
      const double v1 = is_refractory ? y3 : v_int;
      const std::int32_t r1 = is_refractory ? r0 - 1 : r0;
      i_ex(i) = p.P21ex * diex + p.P11ex * iex;
      di_ex(i) = diex * p.P11ex + p.psc_ex * in_ex;
      i_in(i) = p.P21in * diin + p.P11in * iin;
      di_in(i) = diin * p.P11in + p.psc_in * in_in;
      const bool spike = v1 >= p.V_th;
      v(i) = spike ? p.V_reset : v1;
      refractory(i) = spike ? p.refractory_steps : r1;
      spiked(i) = spike ? 1 : 0;
    }
  };

 private:
  Kokkos::View<double*, memory_space> i_ex_, di_ex_, i_in_, di_in_;
};

}  // namespace hetspike
