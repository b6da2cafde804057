#pragma once
// The neuron models hetspike knows: one registration line each (registered_models), and those a model file loads
// from a library (loaded_params: kernels/model_library.hpp). Everything else reads a model through its description
// (model_description.hpp; loaded_model.hpp's as data), never by name, through the functions below.
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "kernels/aeif_cond_exp.hpp"
#include "kernels/iaf_cond_exp.hpp"
#include "kernels/iaf_psc_alpha.hpp"
#include "kernels/iaf_psc_delta.hpp"
#include "kernels/iaf_psc_exp.hpp"
#include "kernels/izhikevich.hpp"
#include "kernels/loaded_model.hpp"
#include "kernels/loihi_lif.hpp"

namespace hetspike {

template <class... Models>
struct model_list {};

}  // namespace hetspike

#ifdef HETSPIKE_GENERATED_MODELS
// The NESTML models this build compiles in (cmake/HetspikeNestml.cmake): `generated_models`.
#include "hetspike_generated_models.hpp"
#endif

namespace hetspike {

#ifndef HETSPIKE_GENERATED_MODELS
using generated_models = model_list<>;
#endif

namespace detail {

template <class... Lists>
struct joined_model_lists;
template <class... A, class... B>
struct joined_model_lists<model_list<A...>, model_list<B...>> {
  using type = model_list<A..., B...>;
};

}  // namespace detail

/// Every model a model file may name, in this order (the order of neuron_params' alternatives): the hand-written
/// ones, then the generated ones.
using registered_models = typename detail::joined_model_lists<
    model_list<iaf_psc_delta, iaf_psc_exp, iaf_psc_alpha, loihi_lif, izhikevich, iaf_cond_exp, aeif_cond_exp>,
    generated_models>::type;

/// The parameters of a population whose model a model file loaded from a library (kernels/model_library.hpp).
struct loaded_params {
  std::shared_ptr<const loaded_model> model;
  parameter_values values;  ///< one per parameter of model->info()
};

namespace detail {

template <class List>
struct params_of_models;
template <class... Models>
struct params_of_models<model_list<Models...>> {
  using type = std::variant<typename Models::params..., loaded_params>;
};

template <class Params, class List>
struct model_with_params;
template <class Params, class First, class... Rest>
struct model_with_params<Params, model_list<First, Rest...>> {
  using type = std::conditional_t<std::is_same_v<typename First::params, Params>, First,
                                  typename model_with_params<Params, model_list<Rest...>>::type>;
};
template <class Params>
struct model_with_params<Params, model_list<>> {
  using type = void;
};

}  // namespace detail

/// One population's parameters, of whichever registered model, or of a loaded one.
using neuron_params = typename detail::params_of_models<registered_models>::type;

/// The model whose parameters are Params.
template <class Params>
using model_of = typename detail::model_with_params<std::remove_cvref_t<Params>, registered_models>::type;

/// Calls f(Model{}, params) with the model of `p` (the model type as a tag: models are stateless) where it is
/// compiled in, loaded(params) where it was loaded from a library; `p` const or not.
template <class P, class F, class L>
requires std::is_same_v<std::remove_cvref_t<P>, neuron_params>
decltype(auto) visit_model(P&& p, F&& f, L&& loaded) {
  return std::visit(
      [&](auto&& params) -> decltype(auto) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(params)>, loaded_params>)
          return loaded(params);
        else
          return f(model_of<decltype(params)>{}, params);
      },
      std::forward<P>(p));
}

/// Calls f(Model{}) for every registered model, in order.
template <class F>
void for_each_model(F&& f) {
  [&]<class... Models>(model_list<Models...>) { (f(Models{}), ...); }(registered_models{});
}

/// Whether a model runs on neuromorphic chips (ranks that emulate such nodes take its populations).
template <class Model>
constexpr bool runs_on_chips() {
  if constexpr (requires { Model::neuromorphic; })
    return Model::neuromorphic;
  else
    return false;
}

/// The model name of a parameter set ("iaf_psc_delta", ...).
inline std::string_view model_name(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto&) { return decltype(model)::name; },
      [](const loaded_params& l) { return std::string_view(l.model->info().name); });
}

/// The ring-buffer columns a model reads per neuron: one per receptor port.
inline int input_channels(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto&) { return receptor_count<decltype(model)>(); },
      [](const loaded_params& l) { return static_cast<int>(l.model->info().receptors.size()); });
}

/// The receptor a weight reaches when its projection names none; -1 if none takes it.
inline int default_receptor(const neuron_params& p, double weight) {
  return visit_model(
      p, [&](auto model, const auto&) { return default_receptor<decltype(model)>(weight); },
      [&](const loaded_params& l) { return default_receptor_of(l.model->info().receptors, weight); });
}

/// The receptors weights reach when their projection names none: for weight > 0 and for weight <= 0 (-1 where
/// none does).
struct default_receptors {
  int positive = -1, non_positive = -1;
};
inline default_receptors default_receptors_of(const neuron_params& p) {
  return {default_receptor(p, 1.0), default_receptor(p, 0.0)};
}

/// The names of a model's receptor ports, in order ("ex", "in").
inline std::vector<std::string_view> receptor_names(const neuron_params& p) {
  std::vector<std::string_view> names;
  visit_model(
      p,
      [&](auto model, const auto&) {
        for (const auto& r : decltype(model)::receptors) names.push_back(r.name);
      },
      [&](const loaded_params& l) {
        for (const auto& r : l.model->info().receptors) names.push_back(r.name);
      });
  return names;
}

/// Bytes of state per neuron (8 per double, 4 per 32-bit integer), for memory estimates.
inline std::size_t state_bytes(const neuron_params& p) {
  return visit_model(
      p,
      [](auto model, const auto&) {
        using M = decltype(model);
        return 8 * count_state<M>(false) + 4 * count_state<M>(true);
      },
      [](const loaded_params& l) {
        std::size_t bytes = 0;
        for (const auto& v : l.model->info().state_variables) bytes += v.integer ? 4 : 8;
        return bytes;
      });
}

/// The fixed-point exponent a model's input must be summed at, if it says (model_description.hpp).
inline std::optional<int> own_input_exponent(const neuron_params& p) {
  return visit_model(
      p,
      [](auto model, const auto& params) -> std::optional<int> {
        if constexpr (requires { decltype(model)::input_exponent(params); })
          return decltype(model)::input_exponent(params);
        else
          return std::nullopt;
      },
      [](const loaded_params& l) { return l.model->input_exponent(l.values); });
}

/// What `weight` (drawn from [lowest, highest]) becomes in a model that holds fixed-width weights; none for the
/// others, which receive weights as they are.
inline std::optional<loihi_quantized_weight> quantized_weight(const neuron_params& p, double weight, double lowest,
                                                              double highest) {
  return visit_model(
      p,
      [&](auto model, const auto& params) -> std::optional<loihi_quantized_weight> {
        if constexpr (requires { decltype(model)::quantize_weight(params, weight, lowest, highest); })
          return decltype(model)::quantize_weight(params, weight, lowest, highest);
        else
          return std::nullopt;
      },
      [&](const loaded_params& l) { return l.model->quantize_weight(l.values, weight, lowest, highest); });
}
inline bool quantizes_weights(const neuron_params& p) { return quantized_weight(p, 0.0, 0.0, 0.0).has_value(); }

/// Whether a model is a neuromorphic chip's (run on ranks that emulate such nodes).
inline bool is_neuromorphic(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto&) { return runs_on_chips<decltype(model)>(); },
      [](const loaded_params& l) { return l.model->info().neuromorphic; });
}

/// Where a neuron starts unless the model file says otherwise: the model's resting potential, mV.
inline double resting_potential(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto& params) { return decltype(model)::resting_potential(params); },
      [](const loaded_params& l) { return l.model->resting_potential(l.values); });
}

/// The variables a state recorder may name for a population of these parameters (model_recordable_variables).
inline std::vector<recordable_variable> recordable_variables(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto& params) { return model_recordable_variables<decltype(model)>(params); },
      [](const loaded_params& l) {
        return recordable_variables_of(l.model->info().state_variables, l.model->resting_potential(l.values));
      });
}

/// The parameters a population runs with (Model::for_run); throws std::invalid_argument where it cannot run so.
inline neuron_params params_for_run(const neuron_params& p, const run_inputs& inputs) {
  return visit_model(
      p, [&](auto model, const auto& params) -> neuron_params { return decltype(model)::for_run(params, inputs); },
      [&](const loaded_params& l) -> neuron_params {
        return loaded_params{l.model, l.model->for_run(l.values, inputs)};
      });
}

/// A rule between the parameters that they break (Model::check), if any.
inline std::optional<parameter_error> broken_rule(const neuron_params& p) {
  return visit_model(
      p, [](auto model, const auto& params) { return decltype(model)::check(params); },
      [](const loaded_params& l) { return l.model->check(l.values); });
}

}  // namespace hetspike
