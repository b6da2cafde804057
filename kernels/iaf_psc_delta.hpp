#pragma once
// NEST's iaf_psc_delta, one population's local neurons as a structure of arrays. The update is NEST's
// (models/iaf_psc_delta.cpp), operation for operation, written branch-free so that the compiler vectorises it:
// integrate unless refractory, clamp at V_min, spike and reset at threshold. Input arriving while refractory is
// discarded (NEST's default, refractory_input = false).
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "kernels/iaf_membrane.hpp"
#include "kernels/propagators.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

template <class ExecSpace>
class iaf_psc_delta_neurons : public iaf_membrane<ExecSpace, iaf_psc_delta_propagators> {
  using base = iaf_membrane<ExecSpace, iaf_psc_delta_propagators>;

 public:
  using memory_space = typename ExecSpace::memory_space;
  static constexpr int num_channels = iaf_psc_delta_params::input_channels;

  iaf_psc_delta_neurons(const iaf_psc_delta_params& params, double dt, std::size_t count)
      : base(params.model_name, make_propagators(params, dt), params.E_L, count) {}

  /// One step: reads and clears the input in `input` at columns [column, column + size()), sets spiked(i).
  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              double input_scale, const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    Kokkos::parallel_for("hetspike::iaf_psc_delta::update", Kokkos::RangePolicy<ExecSpace>(space, 0, this->size()),
                         step_functor{this->p_, this->v_, this->refractory_, input, column, input_scale, spiked});
  }

  struct step_functor {
    iaf_psc_delta_propagators p;
    Kokkos::View<double*, memory_space> v;
    Kokkos::View<std::int32_t*, memory_space> refractory;
    ring_row_view<memory_space> input;
    std::uint32_t column;
    double input_scale;
    Kokkos::View<std::uint8_t*, memory_space> spiked;

    KOKKOS_INLINE_FUNCTION void operator()(std::size_t i) const {
      const double in = static_cast<double>(input(column + i)) * input_scale;
      input(column + i) = 0;
      const double v0 = v(i);
      const std::int32_t r0 = refractory(i);
      double v_int = p.P30 * (0.0 + p.I_e) + p.P33 * v0 + in;  // NEST: P30 * (y0 + I_e) + P33 * y3 + B
      v_int = v_int < p.V_min ? p.V_min : v_int;
      const bool is_refractory = r0 > 0;
      const double v1 = is_refractory ? v0 : v_int;
      const std::int32_t r1 = is_refractory ? r0 - 1 : r0;
      const bool spike = v1 >= p.V_th;
      v(i) = spike ? p.V_reset : v1;
      refractory(i) = spike ? p.refractory_steps : r1;
      spiked(i) = spike ? 1 : 0;
    }
  };
};

}  // namespace hetspike
