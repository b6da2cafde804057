#pragma once
// The local neurons of one population on one rank, whatever their model: owns the model's state, its ring
// columns, its external inputs, and runs one step of them. The runtime holds one per population and never
// looks inside a model.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "kernels/fixed_point.hpp"
#include "kernels/loaded_neurons.hpp"
#include "kernels/model_neurons.hpp"
#include "kernels/neuron_models.hpp"
#include "kernels/poisson_input.hpp"

namespace hetspike {

/// An external Poisson input as the population needs it; its receptor follows the weight's sign as for spikes.
struct population_poisson_input {
  std::uint32_t input_index = 0;  ///< object id of the input's random stream
  double rate_hz = 0;
  double weight = 0;  ///< mV or pA, before fixed-point conversion
  step_type first_step = 0;
  int receptor = -1;  ///< the model's receptor it reaches; -1: the one that takes its weight's sign
  step_type last_step = std::numeric_limits<step_type>::max();  ///< no input arrives after this step
  gid_type end_gid = std::numeric_limits<gid_type>::max();      ///< neurons from this gid on receive none
};

namespace detail {

template <class ExecSpace, class List>
struct neurons_of_models;
template <class ExecSpace, class... Models>
struct neurons_of_models<ExecSpace, model_list<Models...>> {
  using type = std::variant<model_neurons<ExecSpace, Models>..., loaded_population<ExecSpace>>;
};

}  // namespace detail

template <class ExecSpace>
class neuron_population {
 public:
  using memory_space = typename ExecSpace::memory_space;
  using model_type = typename detail::neurons_of_models<ExecSpace, registered_models>::type;

  /// `first_lid`, `first_gid`: of the first local neuron; `first_column`: its first ring column.
  neuron_population(const neuron_params& params, double dt, std::size_t count, lid_type first_lid, gid_type first_gid,
                    std::uint32_t first_column, fixed_point_scale scale)
      : params_(params),
        model_(make_model(params, dt, count, scale)),
        first_lid_(first_lid),
        first_gid_(first_gid),
        first_column_(first_column),
        scale_(scale) {}

  std::size_t size() const {
    return std::visit([](const auto& m) { return m.size(); }, model_);
  }
  int num_channels() const { return input_channels(params_); }
  /// The parameters it runs with.
  const neuron_params& params() const { return params_; }
  lid_type first_lid() const { return first_lid_; }
  gid_type first_gid() const { return first_gid_; }
  std::uint32_t first_column() const { return first_column_; }
  const fixed_point_scale& scale() const { return scale_; }
  const model_type& model() const { return model_; }

  /// Sets V_m (absolute, mV) of every local neuron, in local order.
  void set_membrane_potentials(std::span<const double> v_absolute) {
    std::visit([&](auto& m) { m.set_membrane_potentials(v_absolute); }, model_);
  }

  /// Throws std::invalid_argument if no receptor of the model takes the input's weight by default.
  void add_poisson_input(std::uint32_t seed, const population_poisson_input& in, double dt) {
    poisson_input_params p;
    p.key = make_rng_key(seed, rng_purpose::poisson_input, in.input_index);
    p.first_gid = first_gid_;
    // The population's first neurons receive the input: on this rank, a prefix of its local neurons (or none).
    p.count =
        static_cast<std::uint32_t>(in.end_gid <= first_gid_ ? 0 : std::min<gid_type>(size(), in.end_gid - first_gid_));
    p.weight = scale_.to_fixed(in.weight);
    const int receptor = in.receptor >= 0 ? in.receptor : default_receptor(params_, in.weight);
    if (receptor < 0)
      throw std::invalid_argument("no receptor takes a Poisson input of weight " + std::to_string(in.weight));
    p.column = first_column_ + static_cast<std::uint32_t>(receptor * size());  // a column per receptor per neuron
    p.first_step = in.first_step;
    p.last_step = in.last_step;
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
    std::visit([&](const auto& m) { m.update(space, row, first_column_, mine); }, model_);
  }

  /// One step: external input, then the model's update.
  void update(const ExecSpace& space, const ring_row_view<memory_space>& row, step_type step,
              const Kokkos::View<std::uint8_t*, memory_space>& spiked) {
    apply_inputs(space, row, step);
    update_neurons(space, row, spiked);
  }

 private:
  static model_type make_model(const neuron_params& params, double dt, std::size_t count, fixed_point_scale scale) {
    return visit_model(
        params,
        [&](auto model, const auto& p) -> model_type {
          return model_neurons<ExecSpace, decltype(model)>(p, dt, count, scale.inverse());
        },
        [&](const loaded_params& l) -> model_type {
          return loaded_population<ExecSpace>(l.model, l.values, dt, count, scale.inverse());
        });
  }

  neuron_params params_;
  model_type model_;
  lid_type first_lid_;
  gid_type first_gid_;
  std::uint32_t first_column_;
  fixed_point_scale scale_;
  std::vector<poisson_source<ExecSpace>> poisson_;
};

}  // namespace hetspike
