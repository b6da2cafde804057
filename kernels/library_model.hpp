#pragma once
// What a model library compiles (kernels/model_library.hpp): a model type of the form model_description.hpp
// describes, offered to the runtime as a loaded_model with kernels for the host's execution spaces. The work is
// model_neurons' and the model's own, as when the model is compiled in.
#include <Kokkos_Core.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/build_signature.hpp"
#include "kernels/loaded_neurons.hpp"
#include "kernels/model_neurons.hpp"

namespace hetspike {

template <class ExecSpace, class Model>
class library_neurons final : public loaded_neurons<ExecSpace> {
 public:
  using base = loaded_neurons<ExecSpace>;

  library_neurons(const typename Model::params& params, double dt, std::size_t count, double input_scale)
      : neurons_(params, dt, count, input_scale) {}

  std::size_t size() const override { return neurons_.size(); }
  void set_membrane_potentials(std::span<const double> v_absolute) override {
    neurons_.set_membrane_potentials(v_absolute);
  }
  void update(const ExecSpace& space, const ring_row_view<typename base::memory_space>& input, std::uint32_t column,
              const Kokkos::View<std::uint8_t*, typename base::memory_space>& spiked) const override {
    neurons_.update(space, input, column, spiked);
  }
  typename base::real_view real_state() const override { return neurons_.real_state(); }
  typename base::integer_view integer_state() const override { return neurons_.integer_state(); }

 private:
  model_neurons<ExecSpace, Model> neurons_;
};

namespace detail {

/// The kernels of Model on one execution space.
template <class ExecSpace, class Model>
class library_kernels : public loaded_kernels<ExecSpace> {
 public:
  std::unique_ptr<loaded_neurons<ExecSpace>> make_neurons(const parameter_values& params, double dt, std::size_t count,
                                                          double input_scale) const override {
    return std::make_unique<library_neurons<ExecSpace, Model>>(params_from_values<Model>(params), dt, count,
                                                               input_scale);
  }
};

/// Kokkos' default host space when it differs from the default space (a GPU build), else nothing more.
template <class Model>
struct host_kernels : library_kernels<Kokkos::DefaultHostExecutionSpace, Model> {};
struct no_more_kernels {};

}  // namespace detail

template <class Model>
class library_model final
    : public loaded_model,
      public detail::library_kernels<Kokkos::DefaultExecutionSpace, Model>,
      public std::conditional_t<std::is_same_v<Kokkos::DefaultExecutionSpace, Kokkos::DefaultHostExecutionSpace>,
                                detail::no_more_kernels, detail::host_kernels<Model>> {
 public:
  using params_type = typename Model::params;

  library_model() : loaded_model(describe_model<Model>()) {}

  std::optional<parameter_error> check(const parameter_values& p) const override { return Model::check(params(p)); }
  parameter_values for_run(const parameter_values& p, const run_inputs& inputs) const override {
    return values_of<Model>(Model::for_run(params(p), inputs));
  }
  double resting_potential(const parameter_values& p) const override { return Model::resting_potential(params(p)); }
  std::optional<int> input_exponent(const parameter_values& p) const override {
    if constexpr (requires { Model::input_exponent(params(p)); })
      return Model::input_exponent(params(p));
    else
      return std::nullopt;
  }
  std::optional<loihi_quantized_weight> quantize_weight(const parameter_values& p, double weight, double lowest,
                                                        double highest) const override {
    if constexpr (requires { Model::quantize_weight(params(p), weight, lowest, highest); })
      return Model::quantize_weight(params(p), weight, lowest, highest);
    else
      return std::nullopt;
  }

 private:
  static params_type params(const parameter_values& p) { return params_from_values<Model>(p); }
};

/// Adds a library_model of each of Models to `out`.
template <class... Models>
void add_library_models(std::vector<std::unique_ptr<loaded_model>>& out) {
  (out.push_back(std::make_unique<library_model<Models>>()), ...);
}

}  // namespace hetspike

/// The entry points of a model library offering the model types given (kernels/model_library.hpp): one use per
/// library, in one of its source files, e.g. HETSPIKE_MODEL_LIBRARY(hetspike::nestml::my_neuron).
#define HETSPIKE_MODEL_LIBRARY(...)                                            \
  extern "C" HETSPIKE_SHARED_TYPE const char* hetspike_model_library_build() { \
    static const std::string signature = hetspike::build_signature();          \
    return signature.c_str();                                                  \
  }                                                                            \
  extern "C" HETSPIKE_SHARED_TYPE void hetspike_model_library_models(          \
      std::vector<std::unique_ptr<hetspike::loaded_model>>& out) {             \
    hetspike::add_library_models<__VA_ARGS__>(out);                            \
  }
