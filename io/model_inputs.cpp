// [[inputs]] (Poisson spike trains and constant currents into whole populations) and [[recorders]].
#include "io/expression.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

void read_poisson(const model_reader& reader, const toml::table& table, std::string_view path, input_spec& input) {
  const std::string rate_path = member_path(path, "rate");
  input.rate_hz = reader.number(reader.required(table, path, "rate", "a rate >= 0 Hz"), rate_path);
  if (input.rate_hz < 0) {
    reader.fail(rate_path, format_number(input.rate_hz) + " Hz is negative; allowed: rate >= 0 Hz");
  }
  input.weight = reader.number(reader.required(table, path, "weight", "a number or an expression string"),
                               member_path(path, "weight"));
  // As a NEST generator connected with a delay of one step: input sent at step s arrives at s + 1.
  input.delay = reader.dt();
  if (const toml::node* delay = table.get("delay")) {
    const std::string delay_path = member_path(path, "delay");
    input.delay = reader.constant_delay(reader.number(*delay, delay_path), delay_path);
  }
}

void read_input(const model_reader& reader, const toml::table& table, const std::string& path, network_spec& network) {
  constexpr std::string_view types = "\"poisson\" or \"dc\"";
  const std::string type_path = member_path(path, "type");
  const std::string type = reader.string(reader.required(table, path, "type", types), type_path, types);
  input_spec proto;
  if (type == "poisson") {
    reader.check_keys(table, path, {"target", "type", "rate", "weight", "delay"}, "for type \"poisson\"");
    proto.type = input_spec::kind::poisson;
  } else if (type == "dc") {
    reader.check_keys(table, path, {"target", "type", "amplitude"}, "for type \"dc\"");
    proto.type = input_spec::kind::dc;
  } else {
    reader.fail(type_path, "unknown input type \"" + type + "\"; allowed: " + std::string(types));
  }
  const auto targets = reader.names(reader.required(table, path, "target", "a population name or a list of names"),
                                    member_path(path, "target"));
  if (proto.type == input_spec::kind::poisson) {
    read_poisson(reader, table, path, proto);
  } else {
    proto.amplitude =
        reader.number(reader.required(table, path, "amplitude", "a current in pA"), member_path(path, "amplitude"));
  }
  // A list of targets is shorthand for one input per target, in list order.
  for (const auto& target : targets) {
    input_spec input = proto;
    input.target = population_index(reader, network, target);
    network.inputs.push_back(input);
  }
}

}  // namespace

void read_inputs(const model_reader& reader, const toml::node* node, network_spec& network) {
  const auto tables = reader.table_array(node, "inputs");
  for (std::size_t i = 0; i < tables.size(); ++i) read_input(reader, *tables[i], element_path("inputs", i), network);
}

void read_recorders(const model_reader& reader, const toml::node* node, run_spec& spec) {
  const auto& populations = spec.network.populations;
  // Each population's spikes go to one SONATA group, so a second recorder for it would have nowhere to go.
  std::vector<std::string> recorded_by(populations.size());
  const auto tables = reader.table_array(node, "recorders");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("recorders", i);
    const toml::table& table = *tables[i];
    reader.check_keys(table, path, {"populations", "first"});
    const auto names = reader.names(reader.required(table, path, "populations", "a population name or a list of names"),
                                    member_path(path, "populations"));
    const toml::node* first = table.get("first");
    for (const auto& name : names) {
      recorder_spec recorder;
      recorder.population = population_index(reader, spec.network, name);
      const population_spec& pop = populations[recorder.population];
      if (!recorded_by[recorder.population].empty()) {
        reader.fail(name.path, "population " + pop.name + " is already recorded by " +
                                   recorded_by[recorder.population] + "; allowed: each population in one recorder");
      }
      recorded_by[recorder.population] = path;
      if (first != nullptr) {
        recorder.first = reader.integer(*first, member_path(path, "first"), 1, pop.size, "the size of " + pop.name);
      }
      spec.recorders.push_back(recorder);
    }
  }
}

}  // namespace hetspike::model_detail
