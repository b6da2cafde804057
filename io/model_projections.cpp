// [[projections]]: connections from one population to one or more others, with NEST's connection rules and
// NEST's checks on them (a rule that cannot be satisfied is an error here, not a hang or a short count later).
#include <array>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

struct rule_def {
  std::string_view name;
  connection_rule rule;
  std::string_view key;  ///< the key that sizes the rule, if any
};

constexpr std::array<rule_def, 5> rules{{{"fixed_indegree", connection_rule::fixed_indegree, "indegree"},
                                         {"pairwise_bernoulli", connection_rule::pairwise_bernoulli, "p"},
                                         {"fixed_total_number", connection_rule::fixed_total_number, "N"},
                                         {"one_to_one", connection_rule::one_to_one, ""},
                                         {"all_to_all", connection_rule::all_to_all, ""}}};

const rule_def& read_rule(const model_reader& reader, const toml::table& table, std::string_view path) {
  std::vector<std::string_view> names;
  for (const auto& r : rules) names.push_back(r.name);
  const std::string allowed = hetspike::join(names);
  const std::string rule_path = member_path(path, "rule");
  const std::string rule = reader.string(reader.required(table, path, "rule", allowed), rule_path, allowed);
  for (const auto& r : rules) {
    if (r.name == rule) return r;
  }
  reader.fail(rule_path, "unknown rule " + in_quotes(rule) + "; allowed: " + allowed);
}

/// Reads the rule's own key (indegree, p or N) into `p`.
void read_rule_size(const model_reader& reader, const toml::table& table, std::string_view path, const rule_def& rule,
                    projection_spec& p) {
  if (rule.key.empty()) return;
  const std::string key_path = member_path(path, rule.key);
  switch (rule.rule) {
    case connection_rule::fixed_indegree:
      p.indegree = reader.integer(reader.required(table, path, rule.key, "an integer >= 0"), key_path, 0);
      break;
    case connection_rule::fixed_total_number:
      p.total = reader.integer(reader.required(table, path, rule.key, "an integer >= 0"), key_path, 0);
      break;
    default:
      p.probability = reader.number(reader.required(table, path, rule.key, "a probability in [0, 1]"), key_path);
      if (!(p.probability >= 0 && p.probability <= 1)) {
        reader.fail(key_path, format_number(p.probability) + " is not a probability; allowed: 0 <= p <= 1");
      }
      break;
  }
}

/// Checks that need the sizes of one source and target: a rule that could not be met would otherwise make
/// connection generation loop forever or silently connect fewer synapses than asked.
void check_sizes(const model_reader& reader, std::string_view path, const projection_spec& p,
                 const network_spec& network, const named_element& target) {
  const auto& src = network.populations[p.source];
  const auto& tgt = network.populations[p.target];
  if (p.rule == connection_rule::one_to_one && src.size != tgt.size) {
    reader.fail(target.path, "one_to_one needs populations of equal size, but source " + src.name + " has " +
                                 std::to_string(src.size) + " neurons and target " + tgt.name + " has " +
                                 std::to_string(tgt.size) + "; allowed: a target of " + std::to_string(src.size) +
                                 " neurons");
  }
  const bool no_autapses = p.source == p.target && !p.autapses;
  const std::uint64_t candidates = src.size - (no_autapses ? 1 : 0);
  const std::uint64_t wanted = p.rule == connection_rule::fixed_indegree       ? p.indegree
                               : p.rule == connection_rule::fixed_total_number ? p.total
                                                                               : 0;
  const std::string key_path = member_path(path, p.rule == connection_rule::fixed_indegree ? "indegree" : "N");
  if (wanted > 0 && candidates == 0) {
    reader.fail(key_path, std::to_string(wanted) + " connections cannot be made: " + src.name +
                              " has 1 neuron and autapses = false leaves it no source; allowed: 0, or autapses = true");
  }
  if (p.rule == connection_rule::fixed_indegree && !p.multapses && p.indegree > candidates) {
    const std::string why = no_autapses ? " (multapses = false, autapses = false)" : " (multapses = false)";
    reader.fail(key_path, "indegree " + std::to_string(p.indegree) + " is more than the " + std::to_string(candidates) +
                              " distinct sources a neuron of " + tgt.name + " can have in " + src.name + why +
                              "; allowed: indegree <= " + std::to_string(candidates) + ", or multapses = true");
  }
}

/// `synapse = { model = "stdp_pl_synapse_hom", alpha = ..., lambda = ..., mu = ..., tau_plus = ... }` (NEST's
/// names and defaults) or `{ model = "static_synapse" }`, the default.
void read_synapse(const model_reader& reader, const toml::node& node, const std::string& path, projection_spec& proto) {
  constexpr std::string_view models = "static_synapse, stdp_pl_synapse_hom";
  const toml::table& t = reader.table(node, path);
  const std::string model =
      reader.string(reader.required(t, path, "model", models), member_path(path, "model"), models);
  if (model == "static_synapse") {
    reader.check_keys(t, path, {"model"}, "for static_synapse");
    return;
  }
  if (model != "stdp_pl_synapse_hom")
    reader.fail(member_path(path, "model"),
                "unknown synapse model " + in_quotes(model) + "; allowed: " + std::string(models));
  reader.check_keys(t, path, {"model", "alpha", "lambda", "mu", "tau_plus"}, "for stdp_pl_synapse_hom");
  stdp_pl_params p;
  auto read = [&](std::string_view key, double& value) {
    if (const toml::node* v = t.get(key)) value = reader.number(*v, member_path(path, key));
  };
  read("alpha", p.alpha);
  read("lambda", p.lambda);
  read("mu", p.mu);
  read("tau_plus", p.tau_plus);
  if (!(p.tau_plus > 0)) reader.fail(member_path(path, "tau_plus"), "must be positive; allowed: tau_plus > 0");
  if (p.alpha < 0) reader.fail(member_path(path, "alpha"), "must not be negative; allowed: alpha >= 0");
  if (p.lambda < 0) reader.fail(member_path(path, "lambda"), "must not be negative; allowed: lambda >= 0");
  // Power-law potentiation (w^mu) needs w >= 0, as in NEST, where depression stops at 0.
  const auto& w = proto.weight;
  const bool non_negative = w.is_constant() ? w.a >= 0 : w.lower >= 0;
  if (!non_negative)
    reader.fail(member_path(path, "model"),
                "stdp_pl_synapse_hom needs weights that cannot be negative; allowed: a "
                "constant weight >= 0 or a distribution with min >= 0");
  proto.plasticity = p;
}

void read_projection(const model_reader& reader, const toml::table& table, const std::string& path,
                     network_spec& network) {
  const rule_def& rule = read_rule(reader, table, path);
  std::vector<std::string_view> allowed{"source", "target", "rule"};
  if (!rule.key.empty()) allowed.push_back(rule.key);
  // One push_back at a time: insert() of an initializer list trips g++ 12's -Wstringop-overflow at -O3.
  for (std::string_view key : {"autapses", "multapses", "weight", "delay", "synapse", "receptor"})
    allowed.push_back(key);
  reader.check_keys(table, path, allowed, "for rule \"" + std::string(rule.name) + "\"");

  projection_spec proto;
  proto.rule = rule.rule;
  const std::string source_path = member_path(path, "source");
  const std::string source =
      reader.string(reader.required(table, path, "source", "a population name"), source_path, "a population name");
  proto.source = reader.population_index(source, source_path);
  const auto targets = reader.names(reader.required(table, path, "target", "a population name or a list of names"),
                                    member_path(path, "target"), max_projections);
  read_rule_size(reader, table, path, rule, proto);
  // NEST's defaults: allow_autapses and allow_multapses are both true.
  if (const toml::node* a = table.get("autapses")) proto.autapses = reader.boolean(*a, member_path(path, "autapses"));
  if (const toml::node* m = table.get("multapses")) {
    proto.multapses = reader.boolean(*m, member_path(path, "multapses"));
  }
  if (rule.rule == connection_rule::fixed_total_number && !proto.multapses) {
    reader.fail(member_path(path, "multapses"),
                "fixed_total_number cannot avoid multapses (NEST refuses this too); allowed: multapses = true");
  }
  constexpr std::string_view value = "a number, an expression string or a distribution table";
  proto.weight =
      reader.distribution(reader.required(table, path, "weight", value), member_path(path, "weight"), quantity::weight);
  proto.delay =
      reader.distribution(reader.required(table, path, "delay", value), member_path(path, "delay"), quantity::delay);
  if (const toml::node* synapse = table.get("synapse"))
    read_synapse(reader, *synapse, member_path(path, "synapse"), proto);

  // A list of targets is shorthand for one projection per target, in list order.
  for (const auto& target : targets) {
    reader.check_count(network.projections.size() + 1, max_projections, target.path, "projections",
                       targets_count_one_each);
    network.projections.push_back(proto);
    projection_spec& p = network.projections.back();
    p.target = reader.population_index(target.name, target.path);
    check_sizes(reader, path, p, network, target);
    if (const toml::node* receptor = table.get("receptor"))
      p.receptor = read_receptor(reader, *receptor, member_path(path, "receptor"), network.populations[p.target]);
  }
}

}  // namespace

void read_projections(const model_reader& reader, const toml::node* node, network_spec& network) {
  const auto tables = reader.table_array(node, "projections");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    read_projection(reader, *tables[i], element_path("projections", i), network);
  }
}

}  // namespace hetspike::model_detail
