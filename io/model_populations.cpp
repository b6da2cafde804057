// [[populations]]: name, neuron model with its parameters (NEST's names, units and defaults), size, v_init.
#include <type_traits>
#include <variant>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_neuron_params.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

constexpr std::string_view name_rule = "a string of the form [A-Za-z_][A-Za-z0-9_]*";

neuron_params default_params(const model_reader& reader, const toml::table& table, std::string_view path) {
  const std::string allowed =
      hetspike::join(std::vector<std::string_view>(neuron_model_names.begin(), neuron_model_names.end()));
  const std::string model_path = member_path(path, "model");
  const std::string model =
      reader.string(reader.required(table, path, "model", allowed), model_path, "a model name: " + allowed);
  if (model == iaf_psc_delta_params::model_name) return iaf_psc_delta_params{};
  if (model == iaf_psc_exp_params::model_name) return iaf_psc_exp_params{};
  if (model == iaf_psc_alpha_params::model_name) return iaf_psc_alpha_params{};
  if (model == loihi_lif_params::model_name) return loihi_lif_params{};
  reader.fail(model_path, "unknown neuron model " + in_quotes(model) + "; allowed: " + allowed);
}

void read_params(const model_reader& reader, const toml::table& table, std::string_view path, loihi_lif_params& p) {
  read_loihi_params(reader, table, path, p);
}

template <class Params>
void read_params(const model_reader& reader, const toml::table& table, std::string_view path, Params& params) {
  const auto fields = param_fields(params);
  std::vector<std::string_view> allowed;
  for (const auto& f : fields) allowed.push_back(f.name);
  allowed.push_back(tau_minus_key);
  reader.check_keys(table, path, allowed, "for " + std::string(Params::model_name));
  for (const auto& f : fields) {
    if (const toml::node* value = table.get(f.name)) {
      params.*(f.member) = reader.number(*value, member_path(path, f.name));
    }
  }
}

/// The ranges NEST's models enforce (iaf_psc_*::Parameters_::set), checked after defaults are filled in, since
/// a default can clash with a value given (V_th = -80 below the default V_reset = -70).
void check_ranges(const model_reader&, std::string_view, const loihi_lif_params&) {}  // read_loihi_params checks

template <class Params>
void check_ranges(const model_reader& reader, std::string_view path, const Params& p) {
  auto positive = [&](std::string_view name, double value, std::string_view unit) {
    if (value > 0) return;
    reader.fail(member_path(path, name), format_number(value) + " " + std::string(unit) +
                                             " is not positive; allowed: " + std::string(name) + " > 0");
  };
  positive("C_m", p.C_m, "pF");
  positive("tau_m", p.tau_m, "ms");
  if constexpr (!std::is_same_v<Params, iaf_psc_delta_params>) {
    positive("tau_syn_ex", p.tau_syn_ex, "ms");
    positive("tau_syn_in", p.tau_syn_in, "ms");
  }
  if (p.t_ref < 0) {
    reader.fail(member_path(path, "t_ref"), format_number(p.t_ref) + " ms is negative; allowed: t_ref >= 0");
  }
  reader.check_steps(p.t_ref, member_path(path, "t_ref"), max_refractory_steps, "the refractory counter is 32-bit");
  if (!(p.V_reset < p.V_th)) {
    reader.fail(member_path(path, "V_reset"), "V_reset = " + format_number(p.V_reset) + " mV is not below V_th = " +
                                                  format_number(p.V_th) + " mV; allowed: V_reset < V_th");
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
                                name_index& earlier) {
  reader.check_keys(table, path, {"name", "model", "size", "v_init", "params"});
  population_spec pop;
  pop.name = read_name(reader, table, path, earlier);
  pop.params = default_params(reader, table, path);
  pop.size = reader.integer(reader.required(table, path, "size", "an integer >= 1"), member_path(path, "size"), 1);

  const std::string params_path = member_path(path, "params");
  if (const toml::node* params = table.get("params")) {
    const toml::table& params_table = reader.table(*params, params_path);
    std::visit([&](auto& p) { read_params(reader, params_table, params_path, p); }, pop.params);
    if (const toml::node* tau_minus = params_table.get(tau_minus_key)) {
      const std::string tau_path = member_path(params_path, tau_minus_key);
      pop.tau_minus = reader.number(*tau_minus, tau_path);
      if (!(pop.tau_minus > 0))
        reader.fail(tau_path, format_number(pop.tau_minus) + " ms is not positive; allowed: tau_minus > 0");
    }
  }
  std::visit([&](const auto& p) { check_ranges(reader, params_path, p); }, pop.params);

  // NEST starts V_m at E_L unless told otherwise.
  const toml::node* v_init = table.get("v_init");
  pop.v_init = v_init ? reader.distribution(*v_init, member_path(path, "v_init"), quantity::v_init)
                      : value_distribution::constant(resting_potential(pop.params));
  return pop;
}

}  // namespace

void read_populations(const model_reader& reader, const toml::node* node, network_spec& network) {
  const auto tables = reader.table_array(node, "populations");
  if (tables.empty()) {
    reader.fail("populations", "there are none; a model needs at least one [[populations]] with name, model and size");
  }
  std::uint64_t total = 0;
  name_index names;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("populations", i);
    reader.check_count(i + 1, max_populations, path, "populations");
    population_spec pop = read_population(reader, *tables[i], path, names);
    if (pop.size > std::numeric_limits<gid_type>::max() - total) {
      reader.fail(member_path(path, "size"), "the total neuron count overflows 64 bits; allowed: smaller sizes");
    }
    total += pop.size;
    network.populations.push_back(std::move(pop));
  }
}

}  // namespace hetspike::model_detail
