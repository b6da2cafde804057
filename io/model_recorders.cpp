// [[recorders]]: of spikes (type = "spikes", the default) and of state variables (type = "state").
#include <algorithm>
#include <map>
#include <utility>

#include "io/message_text.hpp"
#include "io/model_sections.hpp"
#include "kernels/neuron_models.hpp"

namespace hetspike::model_detail {
namespace {

constexpr std::string_view recorder_types = "\"spikes\" or \"state\"";
constexpr std::string_view precisions = "\"float32\" or \"float64\"";

/// Which recorder (its key path) records what so far: each population's spikes go to one SONATA group, and each of
/// its state variables to one report, so a second recorder of either would have nowhere to go.
struct recorded_by {
  std::vector<std::string> spikes;                                   ///< per population; "" where none
  std::map<std::pair<std::size_t, std::string>, std::string> state;  ///< (population, variable)
};

void read_spike_recorder(const model_reader& reader, const toml::table& table, const std::string& path, run_spec& spec,
                         recorded_by& recorded) {
  reader.check_keys(table, path, {"type", "populations", "first"}, "for type \"spikes\"");
  const auto names = reader.names(reader.required(table, path, "populations", "a population name or a list of names"),
                                  member_path(path, "populations"), max_populations);
  for (const auto& name : names) {
    recorder_spec recorder;
    recorder.population = reader.population_index(name.name, name.path);
    const population_spec& pop = spec.network.populations[recorder.population];
    std::string& by = recorded.spikes[recorder.population];
    if (!by.empty())
      reader.fail(name.path, "population " + pop.name + " is already recorded by " + by +
                                 "; allowed: each population in one recorder");
    by = path;
    recorder.first = read_first(reader, table, path, pop);
    spec.recorders.push_back(recorder);
  }
}

/// `interval`: a whole number of steps, dt unless given.
double read_interval(const model_reader& reader, const toml::table& table, const std::string& path) {
  const toml::node* node = table.get("interval");
  if (node == nullptr) return reader.dt();
  const std::string interval_path = member_path(path, "interval");
  const double interval = reader.number(*node, interval_path);
  reader.whole_steps(interval, interval_path, "; allowed: a whole multiple of dt, at least dt (samples fall on steps)");
  reader.check_steps(interval, interval_path, max_run_steps, "samples are counted in steps");
  return interval;
}

state_precision read_precision(const model_reader& reader, const toml::table& table, const std::string& path) {
  const toml::node* node = table.get("precision");
  if (node == nullptr) return state_precision::float32;
  const std::string precision_path = member_path(path, "precision");
  const std::string precision = reader.string(*node, precision_path, precisions);
  if (precision == "float64") return state_precision::float64;
  if (precision != "float32")
    reader.fail(precision_path, "unknown precision " + in_quotes(precision) + "; allowed: " + std::string(precisions));
  return state_precision::float32;
}

/// Fails unless every variable is recordable for `pop` and not yet recorded for it.
void check_variables(const model_reader& reader, const std::vector<named_element>& variables,
                     const population_spec& pop, std::size_t population, const std::string& path,
                     recorded_by& recorded) {
  std::vector<std::string> allowed;
  for (const auto& v : recordable_variables(pop.params)) allowed.emplace_back(v.name);
  for (std::size_t i = 0; i < variables.size(); ++i) {
    const auto& v = variables[i];
    if (std::find(allowed.begin(), allowed.end(), v.name) == allowed.end())
      reader.fail(v.path, in_quotes(v.name) + " is not a variable of population " + pop.name + " (model " +
                              std::string(model_name(pop.params)) + "); allowed: " + listing(allowed));
    for (std::size_t k = 0; k < i; ++k)
      if (variables[k].name == v.name)
        reader.fail(v.path, in_quotes(v.name) + " is listed twice; allowed: each variable once");
    const auto [at, added] = recorded.state.emplace(std::pair(population, v.name), path);
    if (!added)
      reader.fail(v.path, v.name + " of population " + pop.name + " is already recorded by " + at->second +
                              "; allowed: each variable of a population in one state recorder");
  }
}

void read_state_recorder(const model_reader& reader, const toml::table& table, const std::string& path, run_spec& spec,
                         recorded_by& recorded) {
  reader.check_keys(table, path, {"type", "populations", "variables", "interval", "first", "precision"},
                    "for type \"state\"");
  const auto names = reader.names(reader.required(table, path, "populations", "a population name or a list of names"),
                                  member_path(path, "populations"), max_populations);
  const auto variables = reader.names(reader.required(table, path, "variables", "a variable name or a list of names"),
                                      member_path(path, "variables"), max_recorded_variables, "a variable name");
  state_recorder_spec proto;
  proto.interval = read_interval(reader, table, path);
  proto.precision = read_precision(reader, table, path);
  for (const auto& v : variables) proto.variables.push_back(v.name);
  for (const auto& name : names) {
    state_recorder_spec recorder = proto;
    recorder.population = reader.population_index(name.name, name.path);
    const population_spec& pop = spec.network.populations[recorder.population];
    check_variables(reader, variables, pop, recorder.population, path, recorded);
    recorder.first = read_first(reader, table, path, pop);
    spec.state_recorders.push_back(recorder);
  }
}

}  // namespace

void read_recorders(const model_reader& reader, const toml::node* node, run_spec& spec) {
  recorded_by recorded;
  recorded.spikes.resize(spec.network.populations.size());
  const auto tables = reader.table_array(node, "recorders");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("recorders", i);
    const toml::table& table = *tables[i];
    std::string type = "spikes";
    if (const toml::node* t = table.get("type")) type = reader.string(*t, member_path(path, "type"), recorder_types);
    if (type == "spikes") {
      read_spike_recorder(reader, table, path, spec, recorded);
    } else if (type == "state") {
      read_state_recorder(reader, table, path, spec, recorded);
    } else {
      reader.fail(member_path(path, "type"),
                  "unknown recorder type " + in_quotes(type) + "; allowed: " + std::string(recorder_types));
    }
  }
}

}  // namespace hetspike::model_detail
