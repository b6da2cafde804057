// [[populations]]: name, neuron model with its parameters (NEST's names, units and defaults), size, v_init.
#include <optional>
#include <string>
#include <vector>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

constexpr std::string_view name_rule = "a string of the form [A-Za-z_][A-Za-z0-9_]*";

/// Every model also takes NEST's tau_minus (ms): the time constant of the postsynaptic trace that STDP synapses onto
/// it read. It lives in population_spec, not in the model's parameters.
constexpr std::string_view tau_minus_key = "tau_minus";

/// The names of the registered models and of those the model file loaded, for messages: a comma-separated list.
std::string model_names(const loaded_models& loaded) {
  std::vector<std::string_view> names;
  for_each_model([&](auto model) { names.push_back(decltype(model)::name); });
  for (const auto& m : loaded) names.push_back(m->info().name);
  return hetspike::join(names);
}

/// The default parameters of the model the table names.
neuron_params default_params(const model_reader& reader, const toml::table& table, std::string_view path,
                             const loaded_models& loaded) {
  const std::string allowed = model_names(loaded);
  const std::string model_path = member_path(path, "model");
  const std::string model =
      reader.string(reader.required(table, path, "model", allowed), model_path, "a model name: " + allowed);
  std::optional<neuron_params> params;
  for_each_model([&](auto m) {
    if (decltype(m)::name == model) params = typename decltype(m)::params{};
  });
  for (const auto& m : loaded)
    if (m->info().name == model) params = loaded_params{m, m->info().defaults};
  if (!params) reader.fail(model_path, "unknown neuron model " + in_quotes(model) + "; allowed: " + allowed);
  return *params;
}

/// The given parameters of model `model` (its description: `fields`), each checked against its range as it is read
/// and passed to set(index, value) (a rule between parameters is checked once all are in: a default can clash with a
/// value given, V_th = -80 below the default V_reset = -70).
template <class Fields, class Set>
void read_params(const model_reader& reader, const toml::table& table, std::string_view path, std::string_view model,
                 const Fields& fields, Set&& set) {
  std::vector<std::string_view> allowed;
  for (const auto& f : fields) allowed.push_back(f.name);
  allowed.push_back(tau_minus_key);
  reader.check_keys(table, path, allowed, "for " + std::string(model));
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    const toml::node* node = table.get(f.name);
    if (node == nullptr) continue;
    const std::string key_path = member_path(path, f.name);
    const double value = reader.number(*node, key_path);
    if (const std::string why = range_violation(f.name, f.unit, f.range, f.is_integer(), value); !why.empty())
      reader.fail(key_path, why);
    if (f.max_steps > 0)
      reader.check_steps(value, key_path, f.max_steps,
                         std::string(model) + " counts " + std::string(f.name) + " in 32-bit steps");
    set(i, value);
  }
}

/// The population's name, added to `earlier` (the names of the populations before it, with their indices).
std::string read_name(const model_reader& reader, const toml::table& table, std::string_view path,
                      name_index& earlier) {
  const std::string name_path = member_path(path, "name");
  std::string name = reader.string(reader.required(table, path, "name", name_rule), name_path, name_rule);
  if (!is_identifier(name)) {
    reader.fail(name_path, in_quotes(name) + " is not a valid name; allowed: " + std::string(name_rule));
  }
  const auto [it, added] = earlier.emplace(name, earlier.size());
  if (!added) {
    reader.fail(name_path, "duplicate population name " + in_quotes(name) + " (also " +
                               element_path("populations", it->second) + "); allowed: each name once");
  }
  return name;
}

population_spec read_population(const model_reader& reader, const toml::table& table, const std::string& path,
                                const loaded_models& loaded, name_index& earlier) {
  reader.check_keys(table, path, {"name", "model", "size", "v_init", "params"});
  population_spec pop;
  pop.name = read_name(reader, table, path, earlier);
  pop.params = default_params(reader, table, path, loaded);
  pop.size = reader.integer(reader.required(table, path, "size", "an integer >= 1"), member_path(path, "size"), 1);

  const std::string params_path = member_path(path, "params");
  if (const toml::node* params = table.get("params")) {
    const toml::table& params_table = reader.table(*params, params_path);
    visit_model(
        pop.params,
        [&](auto model, auto& p) {
          using M = decltype(model);
          read_params(reader, params_table, params_path, M::name, M::parameters,
                      [&](std::size_t i, double value) { M::parameters[i].set(p, value); });
        },
        [&](loaded_params& l) {
          read_params(reader, params_table, params_path, l.model->info().name, l.model->info().parameters,
                      [&](std::size_t i, double value) { l.values[i] = value; });
        });
    if (const toml::node* tau_minus = params_table.get(tau_minus_key)) {
      const std::string tau_path = member_path(params_path, tau_minus_key);
      pop.tau_minus = reader.number(*tau_minus, tau_path);
      if (!(pop.tau_minus > 0))
        reader.fail(tau_path, format_number(pop.tau_minus) + " ms is not positive; allowed: tau_minus > 0");
    }
  }
  if (const auto broken = broken_rule(pop.params)) reader.fail(member_path(params_path, broken->key), broken->message);

  // NEST starts V_m at E_L unless told otherwise.
  const toml::node* v_init = table.get("v_init");
  pop.v_init = v_init ? reader.distribution(*v_init, member_path(path, "v_init"), quantity::v_init)
                      : value_distribution::constant(resting_potential(pop.params));
  return pop;
}

}  // namespace

std::uint32_t read_receptor(const model_reader& reader, const toml::node& node, const std::string& path,
                            const population_spec& target) {
  const auto names = receptor_names(target.params);
  const std::string allowed = hetspike::join(names);
  const std::string name = reader.string(node, path, "a receptor name: " + allowed);
  for (std::size_t r = 0; r < names.size(); ++r)
    if (names[r] == name) return static_cast<std::uint32_t>(r);
  reader.fail(path, in_quotes(name) + " is not a receptor of " + std::string(model_name(target.params)) +
                        " (population " + target.name + "); allowed: " + allowed);
}

void read_populations(const model_reader& reader, const toml::node* node, const loaded_models& loaded,
                      network_spec& network) {
  const auto tables = reader.table_array(node, "populations");
  if (tables.empty()) {
    reader.fail("populations", "there are none; a model needs at least one [[populations]] with name, model and size");
  }
  std::uint64_t total = 0;
  name_index names;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("populations", i);
    reader.check_count(i + 1, max_populations, path, "populations");
    population_spec pop = read_population(reader, *tables[i], path, loaded, names);
    if (pop.size > std::numeric_limits<gid_type>::max() - total) {
      reader.fail(member_path(path, "size"), "the total neuron count overflows 64 bits; allowed: smaller sizes");
    }
    total += pop.size;
    network.populations.push_back(std::move(pop));
  }
}

}  // namespace hetspike::model_detail
