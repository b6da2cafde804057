// [[inputs]] (Poisson spike trains and constant currents into whole populations) and [[weight_recorders]]
// ([[recorders]] are io/model_recorders.cpp's).
#include <cmath>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

std::string ms_text(double t) { return format_number(t) + " ms"; }

/// A Poisson input's start or stop: a time >= 0 ms on the grid of dt, as NEST requires of a device's times.
double read_time(const model_reader& reader, const toml::node& node, const std::string& path) {
  const double t = reader.number(node, path);
  constexpr std::string_view rule = "; allowed: a time >= 0 ms, a whole multiple of dt";
  if (t < 0) reader.fail(path, ms_text(t) + " is negative" + std::string(rule));
  if (t > 0) {
    const double steps = std::round(t / reader.dt());
    if (steps < 1 || std::fabs(t / reader.dt() - steps) > 1e-9 * steps)
      reader.fail(path, ms_text(t) + " is not a whole multiple of dt = " + ms_text(reader.dt()) + std::string(rule));
    reader.check_steps(t, path, max_run_steps, "times are counted in steps");
  }
  return t;
}

void read_poisson(const model_reader& reader, const toml::table& table, std::string_view path, input_spec& input) {
  const std::string rate_path = member_path(path, "rate");
  input.rate_hz = reader.number(reader.required(table, path, "rate", "a rate >= 0 Hz"), rate_path);
  if (input.rate_hz < 0) {
    reader.fail(rate_path, format_number(input.rate_hz) + " Hz is negative; allowed: rate >= 0 Hz");
  }
  if (const double mean = input.rate_hz * reader.dt() * 1e-3; mean > max_poisson_mean_per_step) {
    reader.fail(rate_path, format_number(input.rate_hz) + " Hz is " + format_number(mean) +
                               " spikes per step of dt = " + format_number(reader.dt()) + " ms; allowed: at most " +
                               format_number(max_poisson_mean_per_step) + " per step (" +
                               format_number(max_poisson_mean_per_step / (reader.dt() * 1e-3)) + " Hz at this dt)");
  }
  input.weight = reader.number(reader.required(table, path, "weight", "a number or an expression string"),
                               member_path(path, "weight"));
  // As a NEST generator connected with a delay of one step: input sent at step s arrives at s + 1.
  input.delay = reader.dt();
  if (const toml::node* delay = table.get("delay")) {
    const std::string delay_path = member_path(path, "delay");
    input.delay = reader.constant_delay(reader.number(*delay, delay_path), delay_path);
  }
  if (const toml::node* start = table.get("start")) input.start = read_time(reader, *start, member_path(path, "start"));
  if (const toml::node* stop = table.get("stop")) {
    const std::string stop_path = member_path(path, "stop");
    input.stop = read_time(reader, *stop, stop_path);
    if (input.start && *input.stop < *input.start)
      reader.fail(stop_path, ms_text(*input.stop) + " is before start = " + ms_text(*input.start) +
                                 "; allowed: stop >= start (NEST's poisson_generator sends in (start, stop])");
  }
}

void read_input(const model_reader& reader, const toml::table& table, const std::string& path, network_spec& network) {
  constexpr std::string_view types = "\"poisson\" or \"dc\"";
  const std::string type_path = member_path(path, "type");
  const std::string type = reader.string(reader.required(table, path, "type", types), type_path, types);
  input_spec proto;
  if (type == "poisson") {
    reader.check_keys(table, path, {"target", "type", "rate", "weight", "delay", "receptor", "start", "stop", "first"},
                      "for type \"poisson\"");
    proto.type = input_spec::kind::poisson;
  } else if (type == "dc") {
    reader.check_keys(table, path, {"target", "type", "amplitude"}, "for type \"dc\"");
    proto.type = input_spec::kind::dc;
  } else {
    reader.fail(type_path, "unknown input type " + in_quotes(type) + "; allowed: " + std::string(types));
  }
  const auto targets = reader.names(reader.required(table, path, "target", "a population name or a list of names"),
                                    member_path(path, "target"), max_inputs);
  if (proto.type == input_spec::kind::poisson) {
    read_poisson(reader, table, path, proto);
  } else {
    proto.amplitude =
        reader.number(reader.required(table, path, "amplitude", "a current in pA"), member_path(path, "amplitude"));
  }
  // A list of targets is shorthand for one input per target, in list order.
  for (const auto& target : targets) {
    reader.check_count(network.inputs.size() + 1, max_inputs, target.path, "inputs", targets_count_one_each);
    input_spec input = proto;
    input.target = reader.population_index(target.name, target.path);
    if (proto.type == input_spec::kind::poisson)  // per target: a list of targets may differ in size
      input.first = read_first(reader, table, path, network.populations[input.target]);
    if (const toml::node* receptor = table.get("receptor"))
      input.receptor =
          read_receptor(reader, *receptor, member_path(path, "receptor"), network.populations[input.target]);
    network.inputs.push_back(input);
  }
}

}  // namespace

std::optional<std::uint64_t> read_first(const model_reader& reader, const toml::table& table, const std::string& path,
                                        const population_spec& pop) {
  const toml::node* first = table.get("first");
  if (first == nullptr) return std::nullopt;
  return reader.integer(*first, member_path(path, "first"), 1, pop.size, "the size of " + pop.name);
}

void read_inputs(const model_reader& reader, const toml::node* node, network_spec& network) {
  const auto tables = reader.table_array(node, "inputs");
  double poisson_mean = 0;  // spikes per step of the Poisson inputs so far, summed
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("inputs", i);
    const std::size_t first = network.inputs.size();
    read_input(reader, *tables[i], path, network);
    for (std::size_t k = first; k < network.inputs.size(); ++k)
      if (network.inputs[k].type == input_spec::kind::poisson)
        poisson_mean += network.inputs[k].rate_hz * reader.dt() * 1e-3;
    if (poisson_mean > max_poisson_mean_total) {
      reader.fail(member_path(path, "rate"),
                  "the Poisson inputs up to here draw " + format_number(poisson_mean) + " spikes per step of dt = " +
                      format_number(reader.dt()) + " ms (each input counted once per target); allowed: at most " +
                      format_number(max_poisson_mean_total) +
                      " in all (every rank holds a table of about 4 bytes per spike of each input's mean)");
    }
  }
}

void read_weight_recorders(const model_reader& reader, const toml::node* node, run_spec& spec) {
  const auto& net = spec.network;
  const auto tables = reader.table_array(node, "weight_recorders");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const std::string path = element_path("weight_recorders", i);
    const toml::table& table = *tables[i];
    reader.check_keys(table, path, {"source", "target", "targets", "interval"});
    auto name = [&](std::string_view key) {
      const std::string key_path = member_path(path, key);
      return reader.population_index(
          reader.string(reader.required(table, path, key, "a population name"), key_path, "a population name"),
          key_path);
    };
    const std::size_t source = name("source"), target = name("target");
    weight_recorder_spec r;
    r.projection = net.projections.size();
    for (std::size_t p = 0; p < net.projections.size() && r.projection == net.projections.size(); ++p)
      if (net.projections[p].source == source && net.projections[p].target == target && net.projections[p].plasticity)
        r.projection = p;
    if (r.projection == net.projections.size())
      reader.fail(path, "no plastic projection from " + net.populations[source].name + " to " +
                            net.populations[target].name +
                            "; allowed: the source and target of a projection with "
                            "synapse.model = \"stdp_pl_synapse_hom\"");
    const auto& target_pop = net.populations[target];
    if (const toml::node* n = table.get("targets"))
      r.targets =
          reader.integer(*n, member_path(path, "targets"), 1, target_pop.size, "the size of " + target_pop.name);
    r.targets = std::min<std::uint64_t>(r.targets, target_pop.size);
    if (const toml::node* t = table.get("interval")) {
      r.interval = reader.number(*t, member_path(path, "interval"));
      if (!(r.interval > 0)) reader.fail(member_path(path, "interval"), "must be positive; allowed: interval > 0 ms");
      reader.check_steps(r.interval, member_path(path, "interval"), max_run_steps, "intervals are counted in steps");
    }
    spec.weight_recorders.push_back(r);
  }
}

}  // namespace hetspike::model_detail
