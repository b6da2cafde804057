// The canonical text of a network and its hash. A checkpoint stores the hash so that a restart with a model
// that would build a different network (or run different dynamics) is refused; the text lets a tool name the
// first line in which two models differ.
#include <cstdint>
#include <cstdio>
#include <variant>

#include "io/expression.hpp"
#include "io/model_file.hpp"

namespace hetspike {
namespace {

// Bump when the meaning or the layout of the text changes, so that old hashes stop matching.
constexpr std::string_view format_version = "hetspike-network 2";

std::string indexed(std::string_view table, std::size_t i) {
  return std::string(table) + "[" + std::to_string(i) + "]";
}

std::string distribution_text(const value_distribution& d) {
  const std::string bounds = " lower=" + format_number(d.lower) + " upper=" + format_number(d.upper);
  switch (d.type) {
    case value_distribution::kind::constant:
      return "constant " + format_number(d.a);
    case value_distribution::kind::normal:
      return "normal mean=" + format_number(d.a) + " std=" + format_number(d.b) + bounds;
    case value_distribution::kind::uniform:
      return "uniform low=" + format_number(d.a) + " high=" + format_number(d.b) + bounds;
  }
  return "unknown";
}

/// Appends "KEY = VALUE\n".
class line_writer {
 public:
  void operator()(const std::string& key, const std::string& value) { text_ += key + " = " + value + "\n"; }
  void operator()(const std::string& key, double value) { (*this)(key, format_number(value)); }
  void operator()(const std::string& key, std::uint64_t value) { (*this)(key, std::to_string(value)); }
  void operator()(const std::string& key, bool value) { (*this)(key, std::string(value ? "true" : "false")); }
  std::string text() && { return std::move(text_); }

 private:
  std::string text_;
};

void write_population(line_writer& line, const std::string& key, const population_spec& pop) {
  line(key + ".name", pop.name);
  line(key + ".model", std::string(model_name(pop.params)));
  line(key + ".size", std::uint64_t{pop.size});
  // In the order of the model's description; a parameter without a value (of a form the model file did not use) is left
  // out.
  visit_model(
      pop.params,
      [&](auto model, const auto& params) {
        for (const auto& field : decltype(model)::parameters)
          if (const auto value = field.get(params)) line(key + ".params." + std::string(field.name), *value);
      },
      [&](const loaded_params& l) {
        for (std::size_t i = 0; i < l.values.size(); ++i)
          line(key + ".params." + l.model->info().parameters[i].name, l.values[i]);
      });
  line(key + ".v_init", distribution_text(pop.v_init));
  line(key + ".params.tau_minus", pop.tau_minus);
}

void write_projection(line_writer& line, const std::string& key, const projection_spec& p, const network_spec& net) {
  line(key, net.populations[p.source].name + " -> " + net.populations[p.target].name);
  line(key + ".rule", std::string(rule_name(p.rule)));
  // Only the rule's own size, so that values the rule ignores cannot make equal networks hash differently.
  if (p.rule == connection_rule::fixed_indegree) line(key + ".indegree", std::uint64_t{p.indegree});
  if (p.rule == connection_rule::pairwise_bernoulli) line(key + ".p", p.probability);
  if (p.rule == connection_rule::fixed_total_number) line(key + ".N", std::uint64_t{p.total});
  line(key + ".autapses", p.autapses);
  line(key + ".multapses", p.multapses);
  line(key + ".weight", distribution_text(p.weight));
  line(key + ".delay", distribution_text(p.delay));
  // Only when named: a model file without receptors keeps the hash it had before they existed.
  if (p.receptor) line(key + ".receptor", std::string(receptor_names(net.populations[p.target].params)[*p.receptor]));
  if (p.plasticity) {
    line(key + ".synapse.model", std::string("stdp_pl_synapse_hom"));
    line(key + ".synapse.alpha", p.plasticity->alpha);
    line(key + ".synapse.lambda", p.plasticity->lambda);
    line(key + ".synapse.mu", p.plasticity->mu);
    line(key + ".synapse.tau_plus", p.plasticity->tau_plus);
  }
}

void write_input(line_writer& line, const std::string& key, const input_spec& in, const network_spec& net) {
  const bool poisson = in.type == input_spec::kind::poisson;
  line(key, std::string(poisson ? "poisson" : "dc") + " -> " + net.populations[in.target].name);
  if (poisson) {
    line(key + ".rate", in.rate_hz);
    line(key + ".weight", in.weight);
    line(key + ".delay", in.delay);
    if (in.receptor)
      line(key + ".receptor", std::string(receptor_names(net.populations[in.target].params)[*in.receptor]));
    // Only where given, so that the hash of every model written before these keys existed stays the same.
    if (in.start) line(key + ".start", *in.start);
    if (in.stop) line(key + ".stop", *in.stop);
    if (in.first) line(key + ".first", *in.first);
  } else {
    line(key + ".amplitude", in.amplitude);
  }
}

}  // namespace

std::string canonical_network_text(const run_spec& spec) {
  const network_spec& net = spec.network;
  line_writer line;
  line("format", std::string(format_version));
  line("dt", net.dt);
  line("seed", std::uint64_t{net.seed});
  for (std::size_t i = 0; i < net.populations.size(); ++i) {
    write_population(line, indexed("populations", i), net.populations[i]);
  }
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    write_projection(line, indexed("projections", i), net.projections[i], net);
  }
  for (std::size_t i = 0; i < net.inputs.size(); ++i) write_input(line, indexed("inputs", i), net.inputs[i], net);
  return std::move(line).text();
}

std::string network_hash(const run_spec& spec) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const unsigned char c : canonical_network_text(spec)) {
    hash ^= c;
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace hetspike
