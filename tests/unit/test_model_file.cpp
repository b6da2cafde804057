#include "io/model_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <variant>

#include "io/model_reader.hpp"
#include "kernels/synapse_store.hpp"
#include "partition/error.hpp"
#include "runtime/state_reports.hpp"

namespace hetspike {
namespace {

/// A small valid model with one of each table. Tests change it with patch().
constexpr std::string_view base_model = R"([parameters]
N = 100
J = 0.1
[simulation]
dt = 0.1
[[populations]]
name = "E"
model = "iaf_psc_delta"
size = "N"
[[populations]]
name = "I"
model = "iaf_psc_exp"
size = 25
[[projections]]
source = "E"
target = "E"
rule = "fixed_indegree"
indegree = 10
weight = "J"
delay = 1.5
[[inputs]]
target = "E"
type = "poisson"
rate = 10.0
weight = "J"
[[recorders]]
populations = "E"
)";

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Replaces each "key = value" of `changes` in the table that starts at line `header` (appends it when the key is
/// not there); "-key" deletes the key.
void patch_table(std::vector<std::string>& model, std::size_t header, const std::vector<std::string>& changes) {
  for (const std::string& line : changes) {
    const bool remove = line[0] == '-';
    const std::string key = (remove ? line.substr(1) : line.substr(0, line.find(" = "))) + " = ";
    std::size_t end = header + 1, at = model.size();
    for (; end < model.size() && model[end][0] != '['; ++end) {
      if (model[end].rfind(key, 0) == 0) at = end;
    }
    const auto pos = model.begin() + static_cast<std::ptrdiff_t>(at < end ? at : end);
    if (remove) {
      model.erase(pos);
    } else if (at < end) {
      *pos = line;
    } else {
      model.insert(pos, line);
    }
  }
}

/// base_model with `lines` (one change per line, see patch_table) applied to the first table called `table`.
/// `table` "" puts the lines before the first table (top-level keys), "+" after the end, "*" makes them the model.
std::string patch(std::string_view table, std::string_view lines) {
  if (table == "*") return std::string(lines);
  std::vector<std::string> model = split_lines(base_model);
  const std::vector<std::string> changes = split_lines(lines);
  if (table.empty() || table == "+") {
    model.insert(table.empty() ? model.begin() : model.end(), changes.begin(), changes.end());
  } else {
    const std::string name(table);
    std::size_t header = 0;
    while (model[header] != "[" + name + "]" && model[header] != "[[" + name + "]]") ++header;
    patch_table(model, header, changes);
  }
  std::string out;
  for (const auto& line : model) out += line + "\n";
  return out;
}

model_file parse(const std::string& text, const model_overrides& overrides = {}) {
  return parse_model_text(text, "test.toml", overrides);
}

/// The message of the input_error parsing `text` throws, or "" if it throws none.
std::string error_of(const std::string& text, const model_overrides& overrides = {}) {
  try {
    parse(text, overrides);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

TEST(model_file, brunel_resolves_as_nest_example) {
  const model_file m = load_model_file(HETSPIKE_SOURCE_DIR "/apps/models/brunel.toml");
  const network_spec& net = m.spec.network;
  EXPECT_EQ(net.dt, 0.1);
  EXPECT_EQ(net.seed, 12345u);
  EXPECT_EQ(m.spec.t_sim, 1000.0);
  EXPECT_EQ(m.spec.t_presim, 0.0);
  ASSERT_EQ(net.populations.size(), 2u);
  EXPECT_EQ(net.populations[0].name, "E");
  EXPECT_EQ(net.populations[0].size, 10000u);
  EXPECT_EQ(net.populations[1].name, "I");
  EXPECT_EQ(net.populations[1].size, 2500u);
  for (const auto& pop : net.populations) {
    const auto& p = std::get<iaf_psc_delta_params>(pop.params);
    EXPECT_EQ(p.C_m, 1.0);
    EXPECT_EQ(p.tau_m, 20.0);
    EXPECT_EQ(p.t_ref, 2.0);
    EXPECT_EQ(p.E_L, 0.0);
    EXPECT_EQ(p.V_reset, 0.0);
    EXPECT_EQ(p.V_th, 20.0);
    EXPECT_TRUE(pop.v_init.is_constant());
    EXPECT_EQ(pop.v_init.a, 0.0);
  }
  ASSERT_EQ(net.projections.size(), 4u);
  const std::size_t src[] = {0, 0, 1, 1}, tgt[] = {0, 1, 0, 1};
  const std::uint64_t indegree[] = {1000, 1000, 250, 250};
  const double weight[] = {0.1, 0.1, -0.5, -0.5};
  for (std::size_t i = 0; i < 4; ++i) {
    const projection_spec& p = net.projections[i];
    EXPECT_EQ(p.source, src[i]);
    EXPECT_EQ(p.target, tgt[i]);
    EXPECT_EQ(p.rule, connection_rule::fixed_indegree);
    EXPECT_EQ(p.indegree, indegree[i]);
    EXPECT_TRUE(p.autapses);
    EXPECT_TRUE(p.multapses);
    EXPECT_TRUE(p.weight.is_constant());
    EXPECT_EQ(p.weight.a, weight[i]);
    EXPECT_EQ(p.delay.a, 1.5);
  }
  ASSERT_EQ(net.inputs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(net.inputs[i].type, input_spec::kind::poisson);
    EXPECT_EQ(net.inputs[i].target, i);
    EXPECT_EQ(net.inputs[i].rate_hz, 20000.0);  // exactly, as NEST computes it in Python
    EXPECT_EQ(net.inputs[i].weight, 0.1);
    EXPECT_EQ(net.inputs[i].delay, 1.5);
  }
  ASSERT_EQ(m.spec.recorders.size(), 2u);
  EXPECT_EQ(m.spec.recorders[1].population, 1u);
  EXPECT_FALSE(m.spec.recorders[0].first.has_value());
  EXPECT_EQ(m.hash.size(), 16u);
  EXPECT_EQ(m.hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(model_file, reads_state_recorders_beside_spike_recorders) {
  const run_spec spec = parse(patch("+",
                                    "[[recorders]]\ntype = \"state\"\npopulations = [\"E\", \"I\"]\n"
                                    "variables = \"V_m\"\ninterval = 0.5\nfirst = 5\n"
                                    "[[recorders]]\ntype = \"state\"\npopulations = \"I\"\n"
                                    "variables = [\"I_syn_ex\", \"refractory\"]\nprecision = \"float64\"\n"))
                            .spec;
  ASSERT_EQ(spec.recorders.size(), 1u);  // the base model's spike recorder of E, unchanged
  EXPECT_EQ(spec.recorders[0].population, 0u);
  ASSERT_EQ(spec.state_recorders.size(), 3u);
  const auto& e = spec.state_recorders[0];
  EXPECT_EQ(e.population, 0u);
  EXPECT_EQ(e.variables, std::vector<std::string>{"V_m"});
  EXPECT_EQ(e.interval, 0.5);
  EXPECT_EQ(e.first, 5u);
  EXPECT_EQ(e.precision, state_precision::float32);
  EXPECT_EQ(spec.state_recorders[1].population, 1u);
  const auto& i = spec.state_recorders[2];
  EXPECT_EQ(i.variables, (std::vector<std::string>{"I_syn_ex", "refractory"}));
  EXPECT_EQ(i.interval, 0.1);  // dt
  EXPECT_FALSE(i.first.has_value());
  EXPECT_EQ(i.precision, state_precision::float64);

  // The reports the run writes: one per (population, variable), sampled from t_presim + interval.
  run_spec presim = spec;
  presim.t_presim = 2.0;
  const auto reports = state_reports(presim);
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].population, "E");
  EXPECT_EQ(reports[0].variable, "V_m");
  EXPECT_EQ(reports[0].unit, "mV");
  EXPECT_EQ(reports[0].nodes, 5u);
  EXPECT_EQ(reports[0].first_sample, 25);
  EXPECT_EQ(reports[0].every, 5);
  EXPECT_EQ(reports[0].samples_until(24), 0u);
  EXPECT_EQ(reports[0].samples_until(25), 1u);
  EXPECT_EQ(reports[0].samples_until(34), 2u);
  EXPECT_EQ(reports[0].sample_boundary(2), 35);
  EXPECT_EQ(reports[3].variable, "refractory");
  EXPECT_EQ(reports[3].unit, "steps");
  EXPECT_EQ(reports[3].nodes, 25u);
  EXPECT_EQ(reports[3].first_sample, 21);
}

TEST(model_file, parameters_resolve_in_any_order_and_keep_file_order) {
  const model_file m = parse(patch("parameters", "c = \"b * 2\"\nb = \"a + 1\"\na = 1"));
  ASSERT_EQ(m.parameters.size(), 5u);
  EXPECT_EQ(m.parameters[2], (std::pair<std::string, double>{"c", 4.0}));
  EXPECT_EQ(m.parameters[3], (std::pair<std::string, double>{"b", 2.0}));
  EXPECT_EQ(m.parameters[4], (std::pair<std::string, double>{"a", 1.0}));
}

TEST(model_file, overrides_replace_parameters_seed_and_t_sim) {
  model_overrides o;
  o.set = {"order=250", " g = 4 "};
  o.seed = 7;
  o.t_sim = 50.0;
  const model_file m = load_model_file(HETSPIKE_SOURCE_DIR "/apps/models/brunel.toml", o);
  EXPECT_EQ(m.spec.network.populations[0].size, 1000u);
  EXPECT_EQ(m.spec.network.populations[1].size, 250u);
  EXPECT_EQ(m.spec.network.projections[0].indegree, 100u);
  EXPECT_EQ(m.spec.network.projections[2].weight.a, -0.4);
  EXPECT_EQ(m.spec.network.seed, 7u);
  EXPECT_EQ(m.spec.t_sim, 50.0);
  EXPECT_NE(m.hash, load_model_file(HETSPIKE_SOURCE_DIR "/apps/models/brunel.toml").hash);
  o = {};
  o.set = {"N=base / 4"};
  EXPECT_EQ(parse(patch("parameters", "base = 400"), o).spec.network.populations[0].size, 100u);
}

TEST(model_file, hash_ignores_how_numbers_are_written_and_what_is_recorded) {
  const model_file a = parse(patch("+", ""));
  const std::string same[] = {
      patch("parameters", "N = \"50 * 2\"\nJ = \"1 / 10\"\nunused = 3"),
      patch("simulation", "dt = \"0.2 / 2\"\nt_sim = 5000\nt_presim = 100"),
      patch("projections", "delay = \"3 * 0.5\""),
      patch("recorders", "populations = [\"I\", \"E\"]\nfirst = 5"),
  };
  for (const auto& text : same) {
    EXPECT_EQ(a.hash, parse(text).hash) << text;
    EXPECT_EQ(canonical_network_text(a.spec), canonical_network_text(parse(text).spec));
  }
  const std::string different[] = {
      patch("simulation", "dt = 0.05"),
      patch("simulation", "seed = 3"),
      patch("parameters", "J = 0.10000000000000002"),
      patch("populations", "v_init = -65.0"),
      patch("populations", "params = { I_e = 1.0 }"),
      patch("projections", "autapses = false"),
      patch("inputs", "delay = 0.2"),
  };
  for (const auto& text : different) EXPECT_NE(a.hash, parse(text).hash) << text;
}

TEST(model_file, named_receptors_enter_the_canonical_text) {
  const model_file plain = parse(patch("+", ""));
  const model_file named = parse(patch("projections", "target = \"I\"\nreceptor = \"in\""));
  EXPECT_EQ(named.spec.network.projections[0].receptor, std::optional<std::uint32_t>(1));
  EXPECT_NE(canonical_network_text(named.spec).find("projections[0].receptor = in\n"), std::string::npos);
  EXPECT_EQ(canonical_network_text(plain.spec).find(".receptor"), std::string::npos);
  const model_file input = parse(patch("inputs", "receptor = \"spikes\""));
  EXPECT_NE(canonical_network_text(input.spec).find("inputs[0].receptor = spikes\n"), std::string::npos);
}

TEST(model_file, poisson_window_and_first_neurons) {
  const model_file plain = parse(patch("+", ""));
  const model_file windowed = parse(patch("inputs", "start = 1.0\nstop = \"50 + 1\"\nfirst = \"N / 2\""));
  const input_spec& in = windowed.spec.network.inputs[0];
  EXPECT_EQ(in.start, std::optional<double>(1.0));
  EXPECT_EQ(in.stop, std::optional<double>(51.0));
  EXPECT_EQ(in.first, std::optional<std::uint64_t>(50));
  const input_spec& none = plain.spec.network.inputs[0];
  EXPECT_FALSE(none.start || none.stop || none.first);
  // The keys enter the canonical text (and the hash) only where given: older models keep their hashes.
  const std::string text = canonical_network_text(windowed.spec);
  for (const char* line : {"inputs[0].start = 1\n", "inputs[0].stop = 51\n", "inputs[0].first = 50\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "in\n" << text;
  const std::string plain_text = canonical_network_text(plain.spec);
  for (const char* key : {".start", ".stop", ".first"}) EXPECT_EQ(plain_text.find(key), std::string::npos) << key;
  EXPECT_NE(plain.hash, windowed.hash);
  EXPECT_NE(parse(patch("inputs", "start = 0.0")).hash, plain.hash);  // start = 0 leaves out step 0, as NEST
  EXPECT_EQ(parse(patch("inputs", "stop = 0.0")).spec.network.inputs[0].stop, std::optional<double>(0.0));
}

TEST(model_file, canonical_text_has_one_item_per_line) {
  const model_file m = load_model_file(HETSPIKE_SOURCE_DIR "/apps/models/brunel.toml");
  const std::string text = canonical_network_text(m.spec);
  for (const char* line :
       {"dt = 0.1\n", "seed = 12345\n", "populations[0].name = E\n", "populations[1].size = 2500\n",
        "populations[0].params.tau_m = 20\n", "populations[0].params.V_min = -inf\n",
        "populations[0].v_init = constant 0\n", "projections[2] = I -> E\n", "projections[3].weight = constant -0.5\n",
        "projections[0].indegree = 1000\n", "inputs[1] = poisson -> I\n", "inputs[0].rate = 20000\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in\n" << text;
  }
  EXPECT_EQ(text.find("t_sim"), std::string::npos);
}

TEST(model_file, distributions_and_inputs) {
  const run_spec spec = load_model_file(HETSPIKE_TEST_DATA_DIR "/model_exp_distributions.toml").spec;
  const network_spec& net = spec.network;
  ASSERT_EQ(net.populations.size(), 2u);
  EXPECT_EQ(model_name(net.populations[0].params), "iaf_psc_exp");
  EXPECT_EQ(net.populations[0].v_init.type, value_distribution::kind::normal);
  EXPECT_EQ(net.populations[0].v_init.b, 10.0);
  EXPECT_EQ(net.populations[1].v_init.a, -70.0);  // iaf_psc_exp's default E_L: where NEST starts V_m
  EXPECT_EQ(std::get<iaf_psc_exp_params>(net.populations[1].params).tau_syn_in, 2.0);
  ASSERT_EQ(net.projections.size(), 4u);
  const projection_spec& exc = net.projections[1];
  EXPECT_EQ(exc.target, 1u);
  EXPECT_EQ(exc.probability, 0.05);
  EXPECT_EQ(exc.weight.lower, 0.0);  // keep_sign on a positive mean
  EXPECT_DOUBLE_EQ(exc.weight.b, 8.78);
  EXPECT_EQ(exc.delay.lower, 0.1);  // a delay distribution is bounded below by dt
  EXPECT_EQ(exc.delay.upper, std::numeric_limits<double>::infinity());
  const projection_spec& inh = net.projections[2];
  EXPECT_EQ(inh.total, 1000u);
  EXPECT_EQ(inh.weight.upper, 0.0);  // keep_sign on a negative mean
  EXPECT_EQ(inh.weight.lower, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(inh.delay.lower, 0.2);
  EXPECT_EQ(inh.delay.upper, 3.0);
  const projection_spec& uni = net.projections[3];
  EXPECT_FALSE(uni.autapses);
  EXPECT_EQ(uni.delay.type, value_distribution::kind::uniform);
  EXPECT_EQ(uni.delay.lower, 0.5);
  EXPECT_EQ(uni.delay.upper, 2.5);
  ASSERT_EQ(net.inputs.size(), 3u);
  EXPECT_EQ(net.inputs[0].target, 1u);
  EXPECT_EQ(net.inputs[1].target, 0u);
  EXPECT_EQ(net.inputs[1].rate_hz, 8000.0);
  EXPECT_EQ(net.inputs[0].delay, 0.1);  // default: dt
  EXPECT_EQ(net.inputs[2].type, input_spec::kind::dc);
  EXPECT_EQ(net.inputs[2].amplitude, -20.5);
  ASSERT_EQ(spec.recorders.size(), 2u);
  EXPECT_EQ(spec.recorders[0].population, 1u);
  EXPECT_EQ(spec.recorders[1].first, 25u);
}

TEST(model_file, rules_and_defaults) {
  const network_spec net = load_model_file(HETSPIKE_TEST_DATA_DIR "/model_rules.toml").spec.network;
  ASSERT_EQ(net.projections.size(), 4u);
  EXPECT_EQ(net.projections[0].rule, connection_rule::one_to_one);
  EXPECT_EQ(net.projections[0].target, 1u);
  EXPECT_EQ(net.projections[1].target, 0u);
  EXPECT_TRUE(net.projections[0].autapses);  // NEST's defaults
  EXPECT_TRUE(net.projections[0].multapses);
  EXPECT_EQ(net.projections[2].total, 1000u);
  EXPECT_EQ(net.projections[3].indegree, 99u);
  EXPECT_FALSE(net.projections[3].multapses);
  const auto& f = std::get<iaf_psc_delta_params>(net.populations[1].params);
  EXPECT_EQ(f.I_e, 376.0);
  EXPECT_EQ(f.V_min, -100.0);
  EXPECT_EQ(f.C_m, 250.0);  // NEST's default
  EXPECT_TRUE(net.inputs.empty());
}

TEST(model_file, nearly_whole_numbers_are_rounded) {
  EXPECT_EQ(parse(patch("populations", "size = \"0.1 * 3 * 10\"")).spec.network.populations[0].size, 3u);
  EXPECT_EQ(parse(patch("simulation", "seed = 4294967295.0")).spec.network.seed, 4294967295u);
}

TEST(model_file, file_errors) {
  const std::string missing = HETSPIKE_TEST_DATA_DIR "/model_does_not_exist.toml";
  try {
    load_model_file(missing);
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": cannot open: No such file or directory");
  }
  try {
    load_model_file(HETSPIKE_TEST_DATA_DIR);
    ADD_FAILURE();
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find(": cannot open: it is a directory"), std::string::npos) << e.what();
  }
  const std::string syntax = error_of("[simulation]\ndt = 0.1\nt_sim = = 3\n");
  EXPECT_EQ(syntax.rfind("test.toml:3:9: ", 0), 0u) << syntax;
  const std::string duplicate = error_of("[simulation]\ndt = 0.1\ndt = 0.2\n");
  EXPECT_EQ(duplicate.rfind("test.toml:3:", 0), 0u) << duplicate;
  EXPECT_NE(duplicate.find("redefine"), std::string::npos) << duplicate;
}

/// Every complete model in the reference documentation must load, so that the examples cannot go stale.
TEST(model_file, documentation_examples_load) {
  std::ostringstream read;
  read << std::ifstream(HETSPIKE_SOURCE_DIR "/docs/model-files.md").rdbuf();
  const std::string doc = read.str();
  ASSERT_FALSE(doc.empty());
  int examples = 0;
  for (std::size_t pos = doc.find("```toml\n"); pos != std::string::npos; pos = doc.find("```toml\n", pos)) {
    pos += 8;
    const std::string block = doc.substr(pos, doc.find("```", pos) - pos);
    if (block.find("[[populations]]") == std::string::npos || block.find("[simulation]") == std::string::npos) {
      continue;
    }
    ++examples;
    EXPECT_NO_THROW(parse(block)) << block;
  }
  EXPECT_GE(examples, 2);
}

// ---- Validation: every bad input is one line naming the file, the key path and what is allowed. ----

struct error_case {
  int line = 0;       ///< in the case file, for failure messages
  std::string table;  ///< see patch()
  std::vector<std::string> lines;
  std::vector<std::string> set;  ///< --set overrides
  std::string message;           ///< a distinctive part of the message, key path included
};

/// The strings after the '=' of a line: 'literal' ones and "basic" ones (only \" and \\ escapes).
std::vector<std::string> strings_in(const std::string& line) {
  std::vector<std::string> out;
  for (std::size_t i = line.find('='); i < line.size(); ++i) {
    const char quote = line[i];
    if (quote != '\'' && quote != '"') continue;
    std::string value;
    for (++i; i < line.size() && line[i] != quote; ++i) {
      if (quote == '"' && line[i] == '\\') ++i;
      value += line[i];
    }
    out.push_back(value);
  }
  return out;
}

/// The [[case]] tables of data/model_error_cases.toml, whose header describes the (deliberately small) shape.
std::vector<error_case> read_error_cases(const std::string& path) {
  std::vector<error_case> cases;
  std::ifstream in(path);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line == "[[case]]") cases.push_back({number, "", {}, {}, ""});
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const std::string key = line.substr(0, line.find(' '));
    const std::vector<std::string> values = strings_in(line);
    error_case& c = cases.back();
    if (key == "lines") c.lines = values;
    if (key == "set") c.set = values;
    if (key == "table") c.table = values.at(0);
    if (key == "message") c.message = values.at(0);
  }
  return cases;
}

TEST(model_file, rejects_bad_input) {
  const std::string path = HETSPIKE_TEST_DATA_DIR "/model_error_cases.toml";
  const std::vector<error_case> cases = read_error_cases(path);
  ASSERT_GE(cases.size(), 100u);
  for (const auto& c : cases) {
    std::string lines;
    for (const auto& l : c.lines) lines += l + "\n";
    const std::string text = patch(c.table, lines);
    model_overrides overrides;
    overrides.set = c.set;
    const std::string message = error_of(text, overrides);
    SCOPED_TRACE(path + ":" + std::to_string(c.line) + "\n" + text);
    ASSERT_FALSE(c.message.empty());
    EXPECT_EQ(message.rfind("test.toml: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << message << "\nexpected: " << c.message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(model_file, rejects_negative_t_sim_override) {
  model_overrides o;
  o.t_sim = -1.0;
  EXPECT_EQ(error_of(patch("+", ""), o), "test.toml: --t-sim: -1 ms; allowed: a time >= 0 ms");
}

}  // namespace
}  // namespace hetspike

// The model reader's delay limits are the store's: a model that check accepts must build.
static_assert(hetspike::model_detail::max_drawn_delay_steps == hetspike::max_synapse_delay_steps);
static_assert(hetspike::model_detail::max_constant_delay_steps == std::numeric_limits<std::uint16_t>::max());
