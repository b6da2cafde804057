#pragma once
// The vocabulary in which a neuron model describes itself (DESIGN.md, "Neuron models"): its parameters with units,
// defaults (the parameter struct's initialisers) and allowed ranges, its state variables, its receptor ports and
// whether its step calls transcendental functions. A model is one type in one header of kernels/ with
//
//   static constexpr std::string_view name;            the model file's `model`
//   using params = ...;                                 plain data, NEST's names and defaults
//   static constexpr std::array parameters;             parameter<params>: name, member, unit, range
//   struct state { ... };                               one neuron's state: double and std::int32_t members
//   static constexpr std::array state_variables;        state_variable<state>: name, member, unit
//   static constexpr std::array receptors;              receptor_port: name, the weight sign it takes by default
//   static constexpr bool transcendental;               whether step() calls exp, log, pow, ...
//   using constants = ...;                              what step() needs, computed once on the host
//   static constants prepare(const params&, double dt, double input_scale);
//   static std::optional<parameter_error> check(const params&);       rules between parameters (V_reset < V_th)
//   static params for_run(const params&, const run_inputs&);          what a population runs with (its DC input in
//        I_e); throws std::invalid_argument (a message without the population) where it cannot run so
//   static double resting_potential(const params&);    V_m where a neuron starts unless told otherwise, mV
//   static void set_potential(const params&, state&, double v);      a neuron's V_m, absolute mV, on the host
//   HETSPIKE_MODEL_FUNCTION static bool step(const constants&, state&, const fixed_type* input);
//        one step of one neuron: input[r] is what receptor r received for this step (the ring's fixed-point sum;
//        constants hold the scale; fixed_to_double reads it, so that the host vectorises the step), returns
//        whether it spiked (and has reset itself)
//
// Optional: `static state initial_state(const constants&)` where initial values depend on parameters (generated
// NESTML models), `static constexpr bool neuromorphic = true` for a chip's model (run on ranks that emulate chips),
// `static int input_exponent(const params&)` for a model whose ring input must be summed at a fixed point scale
// of its own (2^exponent units per weight unit) instead of one fitted to its largest weight, and
// `static ... quantize_weight(const params&, double weight, double lowest, double highest)` (a record of the value,
// its error and whether it saturated) for
// a model that holds its weights at a fixed width (what a weight drawn from [lowest, highest] becomes).
//
// Everything outside the model's own file reads these generically: io/ (parsing, defaults, range errors, the
// canonical text, the variables a state recorder may name), partition/ (ring columns, delivery routing), runtime/
// (checkpoint state, memory estimate, state recording: model_recordable_variables).
// This header holds no Kokkos, so that io/ can read descriptions; kernels/model_neurons.hpp runs step() on views.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "kernels/fixed_to_double.hpp"
#include "kernels/number_text.hpp"
#include "kernels/types.hpp"

#if defined(__CUDACC__) || defined(__HIPCC__)
#define HETSPIKE_MODEL_FUNCTION __host__ __device__ inline
#else
#define HETSPIKE_MODEL_FUNCTION inline
#endif

namespace hetspike {

/// The values a parameter may take: a range with open or closed ends, whole numbers only for integer members.
struct value_range {
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool lower_open = false, upper_open = false;

  static constexpr value_range any() { return {}; }
  static constexpr value_range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
  static constexpr value_range non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false, false}; }
  /// [lo, hi], both ends included.
  static constexpr value_range between(double lo, double hi) { return {lo, hi, false, false}; }

  constexpr bool contains(double x) const {
    return (lower_open ? x > lower : x >= lower) && (upper_open ? x < upper : x <= upper);
  }
};

/// Why `value` is not allowed for parameter `name` (unit `unit`, integer or not), as the model file's errors say
/// it ("0 pF is not positive; allowed: C_m > 0"); empty if it is allowed.
std::string range_violation(std::string_view name, std::string_view unit, const value_range& range, bool integer,
                            double value);

/// A parameter that is not a plain member: read and written through two functions (a model with two
/// forms of parameters: one form's parameter reads as absent when the other form was given).
template <class Params>
struct parameter_accessor {
  std::optional<double> (*get)(const Params&) = nullptr;
  void (*set)(Params&, double) = nullptr;
  bool integer = false;
};

/// One parameter of a model: its model-file key, where it lives in the parameter struct, its unit and range.
/// The struct's initialiser is its default.
template <class Params>
struct parameter {
  std::string_view name;
  std::variant<double Params::*, std::int32_t Params::*, parameter_accessor<Params>> member;
  std::string_view unit;
  value_range range = value_range::any();
  /// > 0: a duration the model counts in whole steps, at most this many (its counter's width).
  double max_steps = 0;

  constexpr bool is_integer() const {
    if (const auto* a = std::get_if<parameter_accessor<Params>>(&member)) return a->integer;
    return std::holds_alternative<std::int32_t Params::*>(member);
  }
  /// The value in `p`; none where an accessor says it is absent.
  std::optional<double> get(const Params& p) const {
    if (const auto* a = std::get_if<parameter_accessor<Params>>(&member)) return a->get(p);
    return std::visit(
        [&](auto m) -> std::optional<double> {
          if constexpr (std::is_member_object_pointer_v<decltype(m)>)
            return static_cast<double>(p.*m);
          else
            return std::nullopt;
        },
        member);
  }
  /// Sets it (an integer parameter's value must be whole).
  void set(Params& p, double value) const {
    if (const auto* a = std::get_if<parameter_accessor<Params>>(&member)) return a->set(p, value);
    std::visit(
        [&](auto m) {
          if constexpr (std::is_same_v<decltype(m), std::int32_t Params::*>)
            p.*m = static_cast<std::int32_t>(value);
          else if constexpr (std::is_same_v<decltype(m), double Params::*>)
            p.*m = value;
        },
        member);
  }
};

/// One state variable of a model: its name (the checkpoint's and the recorders'), its member and unit.
template <class State>
struct state_variable {
  std::string_view name;
  std::variant<double State::*, std::int32_t State::*> member;
  std::string_view unit;

  constexpr bool is_integer() const { return std::holds_alternative<std::int32_t State::*>(member); }
};

/// A variable recorders offer that the state holds only relative to the resting potential: `name` = state variable
/// `base` + Model::resting_potential(params). Every model whose state has V_rel (V_m - E_L, as NEST's iaf models
/// keep it) thus offers NEST's absolute V_m without saying so itself.
struct derived_variable {
  std::string_view name;
  std::string_view base;
  std::string_view unit;
};
inline constexpr std::array<derived_variable, 1> derived_variables{{{"V_m", "V_rel", "mV"}}};

/// A variable a state recorder may name: the value of state variable `state_index` plus `offset`.
struct recordable_variable {
  std::string_view name;
  std::string_view unit;
  std::size_t state_index = 0;
  double offset = 0;
};

/// What recorders may ask of a model with parameters `p`: its derived variables first (V_m, the name users expect),
/// then every state variable as it is.
/// `variables`: a model's state variables (anything with name and unit, in order); `resting`: its resting potential.
template <class Variables>
std::vector<recordable_variable> recordable_variables_of(const Variables& variables, double resting) {
  std::vector<recordable_variable> out;
  for (const auto& d : derived_variables)
    for (std::size_t j = 0; j < variables.size(); ++j)
      if (variables[j].name == d.base) out.push_back({d.name, d.unit, j, resting});
  for (std::size_t j = 0; j < variables.size(); ++j) out.push_back({variables[j].name, variables[j].unit, j, 0.0});
  return out;
}
template <class Model>
std::vector<recordable_variable> model_recordable_variables(const typename Model::params& p) {
  return recordable_variables_of(Model::state_variables, Model::resting_potential(p));
}

/// Which weights reach a receptor when a projection names none: NEST's sign rule for models with an excitatory
/// and an inhibitory port (weight > 0 to the first, the others to the second), every weight for a model's only
/// port, none for a port that must be named.
enum class default_weights : std::uint8_t { positive, non_positive, every, none };

struct receptor_port {
  std::string_view name;
  default_weights takes = default_weights::none;
};

/// What a population's parameters are run with besides themselves: the current of its DC inputs (pA), the time
/// step (ms) and the largest weight magnitude it receives (its model's unit).
struct run_inputs {
  double dc = 0;
  double dt = 0;
  double largest_weight = 0;
};

/// for_run() of a model whose DC inputs add to its I_e (NEST's dc_generator is a current into the neuron).
template <class Params>
Params with_dc_in_I_e(const Params& p, const run_inputs& r) {
  Params out = p;
  out.I_e += r.dc;
  return out;
}

/// A rule between parameters that check() found broken: the key to blame and what is allowed.
struct parameter_error {
  std::string key;
  std::string message;
};

/// A model's state variables of one kind, as counts: the generic kernel keeps one array per variable.
template <class Model>
constexpr std::size_t count_state(bool integer) {
  std::size_t n = 0;
  for (const auto& v : Model::state_variables) n += v.is_integer() == integer ? 1 : 0;
  return n;
}

/// A neuron's state before v_init or a checkpoint sets it: the model's initial_state(constants) where it has one (a
/// generated model's initial values may name parameters and internals), else the state struct's initialisers.
template <class Model>
typename Model::state initial_state(const typename Model::constants& k) {
  if constexpr (requires { Model::initial_state(k); })
    return Model::initial_state(k);
  else
    return {};
}

/// The receptor a weight reaches when its projection names none (receptor_port::takes); -1 if none takes it.
/// `receptors`: a model's ports, anything with `takes`, in order.
template <class Receptors>
constexpr int default_receptor_of(const Receptors& receptors, double weight) {
  for (std::size_t r = 0; r < receptors.size(); ++r) {
    const default_weights t = receptors[r].takes;
    if (t == default_weights::every || (t == default_weights::positive && weight > 0) ||
        (t == default_weights::non_positive && !(weight > 0)))
      return static_cast<int>(r);
  }
  return -1;
}
template <class Model>
constexpr int default_receptor(double weight) {
  return default_receptor_of(Model::receptors, weight);
}

/// The ring columns a model takes per neuron: one per receptor port.
template <class Model>
constexpr int receptor_count() {
  return static_cast<int>(Model::receptors.size());
}

}  // namespace hetspike
