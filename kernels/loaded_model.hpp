#pragma once
// A neuron model known only at run time: one that a model file loads from a shared library (`libraries = [...]`,
// kernels/model_library.hpp) rather than one compiled in. It carries its description as data (what
// model_description.hpp gives a compiled-in model as constants) and does the host-side work on a parameter set
// held as plain numbers, in the order of its parameters. The library builds it from the same model type a build
// would compile in (library_model<Model>, kernels/library_model.hpp), so the two run the same code.
// This header holds no Kokkos, so that io/ can read loaded models too.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kernels/loihi_quantize.hpp"
#include "kernels/model_description.hpp"

// The classes a library and the host share by type (the host casts a library's model to its kernels): visible
// however a library hides its other symbols, so that both sides name the same type.
#if defined(__GNUC__)
#define HETSPIKE_SHARED_TYPE __attribute__((visibility("default")))
#else
#define HETSPIKE_SHARED_TYPE
#endif

namespace hetspike {

struct parameter_info {
  std::string name, unit;
  value_range range;
  bool integer = false;
  double max_steps = 0;  ///< > 0: a duration counted in whole steps, at most this many

  bool is_integer() const { return integer; }  ///< as parameter<Params>'s, so that code reads both alike
};

struct state_variable_info {
  std::string name, unit;
  bool integer = false;
  std::size_t slot = 0;  ///< its row among the variables of its kind (model_neurons' views)
};

struct receptor_info {
  std::string name;
  default_weights takes = default_weights::none;
};

/// A model's description as data.
struct model_info {
  std::string name;
  std::vector<parameter_info> parameters;
  std::vector<double> defaults;  ///< per parameter
  std::vector<state_variable_info> state_variables;
  std::vector<receptor_info> receptors;
  bool transcendental = true;
  bool neuromorphic = false;
};

/// The parameter values of a loaded model, one per parameter of its description.
using parameter_values = std::vector<double>;

class HETSPIKE_SHARED_TYPE loaded_model {
 public:
  explicit loaded_model(model_info info) : info_(std::move(info)) {}
  loaded_model(const loaded_model&) = delete;
  loaded_model& operator=(const loaded_model&) = delete;
  virtual ~loaded_model() = default;

  const model_info& info() const { return info_; }

  /// As the model's own functions of these names (model_description.hpp).
  virtual std::optional<parameter_error> check(const parameter_values& p) const = 0;
  virtual parameter_values for_run(const parameter_values& p, const run_inputs& inputs) const = 0;
  virtual double resting_potential(const parameter_values& p) const = 0;
  virtual std::optional<int> input_exponent(const parameter_values& p) const = 0;
  virtual std::optional<loihi_quantized_weight> quantize_weight(const parameter_values& p, double weight, double lowest,
                                                                double highest) const = 0;

 private:
  model_info info_;
};

/// The description of a compiled-in model as data. Throws std::invalid_argument for a parameter that is not a plain
/// member (parameter_accessor): a parameter set of numbers cannot say that such a parameter is absent.
template <class Model>
model_info describe_model() {
  model_info out;
  out.name = Model::name;
  const typename Model::params defaults{};
  for (const auto& p : Model::parameters) {
    const auto value = p.get(defaults);
    if (!value || std::holds_alternative<parameter_accessor<typename Model::params>>(p.member))
      throw std::invalid_argument(std::string(Model::name) + ": parameter " + std::string(p.name) +
                                  " is not a plain member; a loaded model's parameters must be");
    out.parameters.push_back({std::string(p.name), std::string(p.unit), p.range, p.is_integer(), p.max_steps});
    out.defaults.push_back(*value);
  }
  std::size_t slots[2] = {0, 0};
  for (const auto& v : Model::state_variables)
    out.state_variables.push_back({std::string(v.name), std::string(v.unit), v.is_integer(), slots[v.is_integer()]++});
  for (const auto& r : Model::receptors) out.receptors.push_back({std::string(r.name), r.takes});
  out.transcendental = Model::transcendental;
  if constexpr (requires { Model::neuromorphic; }) out.neuromorphic = Model::neuromorphic;
  return out;
}

/// A compiled-in model's parameters from numbers in the order of its description, and back (describe_model()
/// admits only plain members, which always have a value).
template <class Model>
typename Model::params params_from_values(const parameter_values& values) {
  typename Model::params p{};
  for (std::size_t i = 0; i < Model::parameters.size(); ++i) Model::parameters[i].set(p, values.at(i));
  return p;
}
template <class Model>
parameter_values values_of(const typename Model::params& p) {
  parameter_values out;
  for (const auto& f : Model::parameters) out.push_back(f.get(p).value());
  return out;
}

}  // namespace hetspike
