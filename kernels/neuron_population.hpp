#pragma once
// The local neurons of one population on one rank, whatever their model: owns the model's state, its ring
// columns, its external inputs, and runs one step of them. The runtime holds one per population and never
// looks inside a model.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "kernels/fixed_point.hpp"
#include "kernels/iaf_psc_alpha.hpp"
#include "kernels/iaf_psc_delta.hpp"
#include "kernels/iaf_psc_exp.hpp"
#include "kernels/loihi_lif.hpp"
#include "kernels/poisson_input.hpp"

namespace hetspike {

/// An external Poisson input as the population needs it; the channel follows the weight's sign as for spikes.
struct population_poisson_input {
  std::uint32_t input_index = 0;  ///< object id of the input's random stream
  double rate_hz = 0;
  double weight = 0;  ///< mV or pA, before fixed-point conversion
  step_type first_step = 0;
};

template <class ExecSpace>
class neuron_population {
 public:
  using memory_space = typename ExecSpace::memory_space;
  using model_type = std::variant<iaf_psc_delta_neurons<ExecSpace>, iaf_psc_exp_neurons<ExecSpace>,
                                  iaf_psc_alpha_neurons<ExecSpace>, loihi_lif_neurons<ExecSpace>>;

  /// `first_lid`, `first_gid`: of the first local neuron; `first_column`: its first ring column.
  neuron_population(const neuron_params& params, double dt, std::size_t count, lid_type first_lid, gid_type first_gid,
                    std::uint32_t first_column, fixed_point_scale scale)
      : model_(make_model(params, dt, count)),
        first_lid_(first_lid),
        first_gid_(first_gid),
        first_column_(first_column),
        scale_(scale) {}

  std::size_t size() const {
    return std::visit([](const auto& m) { return m.size(); }, model_);
  }
  int num_channels() const {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::num_channels; }, model_);
  }
  lid_type first_lid() const { return first_lid_; }
  gid_type first_gid() const { return first_gid_; }
  std::uint32_t first_column() const { return first_column_; }
  const fixed_point_scale& scale() const { return scale_; }
  const model_type& model() const { return model_; }

  /// Sets V_m (absolute, mV) of every local neuron, in local order.
  void set_membrane_potentials(std::span<const double> v_absolute) {
    std::visit(
        [&](auto& m) {
          if constexpr (requires { m.v_relative(); }) {
            auto host = Kokkos::create_mirror_view(m.v_relative());
            for (std::size_t i = 0; i < host.extent(0); ++i) host(i) = v_absolute[i] - m.resting_potential();
            Kokkos::deep_copy(m.v_relative(), host);
          } else {
            m.set_membrane_potentials(v_absolute);  // integer state: the model rounds and saturates
          }
        },
        model_);
  }

  void add_poisson_input(std::uint32_t seed, const population_poisson_input& in, double dt) {
    poisson_input_params p;
    p.key = make_rng_key(seed, rng_purpose::poisson_input, in.input_index);
    p.first_gid = first_gid_;
    p.count = static_cast<std::uint32_t>(size());
    p.weight = scale_.to_fixed(in.weight);
    // The excitatory channel for positive weights, as for spikes (spike_delivery.hpp).
    p.column = first_column_ + (in.weight > 0 || num_channels() == 1 ? 0u : p.count);
    p.first_step = in.first_step;
    const auto table = poisson_thresholds(in.rate_hz * dt * 1e-3);
    Kokkos::View<std::uint32_t*, memory_space> t("hetspike::poisson_thresholds", table.size());
    auto host = Kokkos::create_mirror_view(t);
    for (std::size_t i = 0; i < table.size(); ++i) host(i) = table[i];
    Kokkos::deep_copy(t, host);
    poisson_.emplace_back(p, t);
  }

  /// External input of `step` into its ring row (before update_neurons reads it).
  void apply_inputs(const ExecSpace& space, const ring_row_view<memory_space>& row, step_type step) {
    for (auto& in : poisson_) in.add(space, row, step);
  }

  /// The model's update for one step. `spiked` covers all local neurons of the rank; this population writes its
  /// own range.
  void update_neurons(const ExecSpace& space, const ring_row_view<memory_space>& row,
                      const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    const auto mine = Kokkos::subview(spiked, Kokkos::make_pair(std::size_t{first_lid_}, first_lid_ + size()));
    std::visit([&](const auto& m) { m.update(space, row, first_column_, scale_.inverse(), mine); }, model_);
  }

  /// One step: external input, then the model's update.
  void update(const ExecSpace& space, const ring_row_view<memory_space>& row, step_type step,
              const Kokkos::View<std::uint8_t*, memory_space>& spiked) {
    apply_inputs(space, row, step);
    update_neurons(space, row, spiked);
  }

 private:
  static model_type make_model(const neuron_params& params, double dt, std::size_t count) {
    return std::visit(
        [&](const auto& p) -> model_type {
          using P = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<P, iaf_psc_delta_params>)
            return iaf_psc_delta_neurons<ExecSpace>(p, dt, count);
          else if constexpr (std::is_same_v<P, iaf_psc_exp_params>)
            return iaf_psc_exp_neurons<ExecSpace>(p, dt, count);
          else if constexpr (std::is_same_v<P, iaf_psc_alpha_params>)
            return iaf_psc_alpha_neurons<ExecSpace>(p, dt, count);
          else
            return loihi_lif_neurons<ExecSpace>(p, dt, count);
        },
        params);
  }

  model_type model_;
  lid_type first_lid_;
  gid_type first_gid_;
  std::uint32_t first_column_;
  fixed_point_scale scale_;
  std::vector<poisson_source<ExecSpace>> poisson_;
};

}  // namespace hetspike
