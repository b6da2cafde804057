#pragma once
// NEST's iaf_psc_exp (models/iaf_psc_exp.cpp), operation for operation and branch-free: the membrane
// integrates the currents of the previous step unless refractory, the currents decay, the step's input is
// added (it acts on V only from the next step), then threshold and reset. Two input channels: excitatory
// (weight > 0) in columns [column, column + n), inhibitory in [column + n, column + 2n).
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

template <class ExecSpace>
class iaf_psc_exp_neurons : public iaf_membrane<ExecSpace, iaf_psc_exp_propagators> {
  using base = iaf_membrane<ExecSpace, iaf_psc_exp_propagators>;

 public:
  using memory_space = typename ExecSpace::memory_space;
  static constexpr int num_channels = iaf_psc_exp_params::input_channels;

  iaf_psc_exp_neurons(const iaf_psc_exp_params& params, double dt, std::size_t count)
      : base(params.model_name, make_propagators(params, dt), params.E_L, count),
        i_ex_(base::state(params.model_name, "I_syn_ex", count)),
        i_in_(base::state(params.model_name, "I_syn_in", count)) {}

  Kokkos::View<double*, memory_space> current_ex() const { return i_ex_; }
  Kokkos::View<double*, memory_space> current_in() const { return i_in_; }

  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              double input_scale, const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    Kokkos::parallel_for("hetspike::iaf_psc_exp::update", Kokkos::RangePolicy<ExecSpace>(space, 0, this->size()),
                         step_functor{this->p_, this->v_, i_ex_, i_in_, this->refractory_, input, column,
                                      static_cast<std::uint32_t>(this->size()), input_scale, spiked});
  }

  struct step_functor {
    iaf_psc_exp_propagators p;
    Kokkos::View<double*, memory_space> v, i_ex, i_in;
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
      const double v0 = v(i), ex0 = i_ex(i), inh0 = i_in(i);
      const std::int32_t r0 = refractory(i);
      // NEST: V_m * P22 + i_syn_ex * P21ex + i_syn_in * P21in + (I_e + i_0) * P20, left to right.
      const double v_int = v0 * p.P22 + ex0 * p.P21ex + inh0 * p.P21in + (p.I_e + 0.0) * p.P20;
      const bool is_refractory = r0 > 0;
      const double v1 = is_refractory ? v0 : v_int;
      const std::int32_t r1 = is_refractory ? r0 - 1 : r0;
      i_ex(i) = ex0 * p.P11ex + in_ex;
      i_in(i) = inh0 * p.P11in + in_in;
      const bool spike = v1 >= p.V_th;
      v(i) = spike ? p.V_reset : v1;
      refractory(i) = spike ? p.refractory_steps : r1;
      spiked(i) = spike ? 1 : 0;
    }
  };

 private:
  Kokkos::View<double*, memory_space> i_ex_, i_in_;
};

}  // namespace hetspike
