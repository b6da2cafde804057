#pragma once
// The local neurons of a population whose model was loaded from a library (loaded_model.hpp): what
// neuron_population runs for such a model instead of a model_neurons it knows the type of. The library's code
// does the work (a model_neurons of its own model type, library_model.hpp); the runtime sees the same views and
// steps as for a compiled-in model.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <utility>

#include "kernels/loaded_model.hpp"
#include "kernels/ring_buffer.hpp"

namespace hetspike {

/// What a library's neurons do, on one execution space.
template <class ExecSpace>
class HETSPIKE_SHARED_TYPE loaded_neurons {
 public:
  using memory_space = typename ExecSpace::memory_space;
  using real_view = Kokkos::View<double**, Kokkos::LayoutRight, memory_space>;
  using integer_view = Kokkos::View<std::int32_t**, Kokkos::LayoutRight, memory_space>;

  virtual ~loaded_neurons() = default;
  virtual std::size_t size() const = 0;
  virtual void set_membrane_potentials(std::span<const double> v_absolute) = 0;
  virtual void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
                      const Kokkos::View<std::uint8_t*, memory_space>& spiked) const = 0;
  /// The state: one row per variable of each kind (state_variable_info::slot).
  virtual real_view real_state() const = 0;
  virtual integer_view integer_state() const = 0;
};

/// Makes a library model's neurons on one execution space; a library_model is one per space the host runs on.
template <class ExecSpace>
class HETSPIKE_SHARED_TYPE loaded_kernels {
 public:
  virtual ~loaded_kernels() = default;
  virtual std::unique_ptr<loaded_neurons<ExecSpace>> make_neurons(const parameter_values& params, double dt,
                                                                  std::size_t count, double input_scale) const = 0;
};

/// A loaded model's neurons as neuron_population holds them: the same calls as model_neurons, so that code
/// visiting a population's model reads both alike. Keeps the model (and so its library) alive while they exist.
template <class ExecSpace>
class loaded_population {
 public:
  using memory_space = typename ExecSpace::memory_space;

  /// Throws std::invalid_argument when the library was built without this execution space.
  loaded_population(std::shared_ptr<const loaded_model> model, const parameter_values& params, double dt,
                    std::size_t count, double input_scale)
      : model_(std::move(model)) {
    const auto* kernels = dynamic_cast<const loaded_kernels<ExecSpace>*>(model_.get());
    if (kernels == nullptr)
      throw std::invalid_argument("the library of model " + model_->info().name + " has no kernels for " +
                                  std::string(ExecSpace::name()));
    neurons_ = kernels->make_neurons(params, dt, count, input_scale);
  }

  const loaded_model& model() const { return *model_; }
  std::size_t size() const { return neurons_->size(); }
  void set_membrane_potentials(std::span<const double> v_absolute) { neurons_->set_membrane_potentials(v_absolute); }
  void update(const ExecSpace& space, const ring_row_view<memory_space>& input, std::uint32_t column,
              const Kokkos::View<std::uint8_t*, memory_space>& spiked) const {
    neurons_->update(space, input, column, spiked);
  }
  /// Calls f(variable description, view) for every state variable, in the description's order.
  template <class F>
  void for_each_variable(F&& f) const {
    const auto real = neurons_->real_state();
    const auto integer = neurons_->integer_state();
    for (const auto& v : model_->info().state_variables) {
      if (v.integer)
        f(v, Kokkos::subview(integer, v.slot, Kokkos::ALL));
      else
        f(v, Kokkos::subview(real, v.slot, Kokkos::ALL));
    }
  }

 private:
  std::shared_ptr<const loaded_model> model_;  // declared first: destroyed after the neurons (its code)
  std::unique_ptr<loaded_neurons<ExecSpace>> neurons_;
};

}  // namespace hetspike
