// [parameters] and --set: named numbers that may be defined by expressions over one another, in any order.
#include <optional>

#include "io/expression.hpp"
#include "io/model_sections.hpp"

namespace hetspike::model_detail {
namespace {

/// One parameter as written: a number, or an expression to evaluate once its names are known.
struct definition {
  std::string name;
  std::string path;  ///< "parameters.NAME", or "--set NAME=VALUE" once overridden
  std::optional<expression> formula;
  double value = 0.0;
};

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

/// Evaluates definitions depth first, so that each is evaluated after the ones it names, and reports the
/// first cycle it walks into.
class resolver {
 public:
  resolver(const model_reader& reader, std::vector<definition>& defs) : reader_(reader), defs_(defs) {
    state_.assign(defs_.size(), state::pending);
  }

  void run() {
    for (std::size_t i = 0; i < defs_.size(); ++i) visit(i);
  }

 private:
  enum class state { pending, active, done };

  void visit(std::size_t i) {
    if (state_[i] == state::done) return;
    definition& def = defs_[i];
    if (state_[i] == state::active) fail_cycle(i);
    state_[i] = state::active;
    chain_.push_back(i);
    const std::string quoted = def.formula ? "\"" + def.formula->text() + "\"" : "";
    if (def.formula) {
      for (const auto& name : def.formula->names()) {
        const std::optional<std::size_t> dep = find(name);
        if (!dep) reader_.fail(def.path, "unknown name '" + name + "' in " + quoted + "; " + known());
        visit(*dep);
      }
      try {
        def.value = def.formula->evaluate([this](std::string_view name) { return defs_[*find(name)].value; });
      } catch (const expression_error& e) {
        reader_.fail(def.path, "in " + quoted + " " + e.what());
      }
    }
    chain_.pop_back();
    state_[i] = state::done;
  }

  [[noreturn]] void fail_cycle(std::size_t start) const {
    std::string cycle;
    bool in_cycle = false;
    for (std::size_t i : chain_) {
      in_cycle = in_cycle || i == start;
      if (in_cycle) cycle += defs_[i].name + " -> ";
    }
    reader_.fail(defs_[start].path,
                 "circular definition: " + cycle + defs_[start].name + "; a parameter cannot depend on itself");
  }

  std::optional<std::size_t> find(std::string_view name) const {
    for (std::size_t i = 0; i < defs_.size(); ++i) {
      if (defs_[i].name == name) return i;
    }
    return std::nullopt;
  }

  std::string known() const {
    if (defs_.empty()) return "there are no [parameters]";
    std::vector<std::string> names;
    for (const auto& d : defs_) names.push_back(d.name);
    return "parameters: " + join(names);
  }

  const model_reader& reader_;
  std::vector<definition>& defs_;
  std::vector<state> state_;
  std::vector<std::size_t> chain_;  ///< definitions being evaluated, outermost first
};

std::optional<expression> parse_formula(const model_reader& reader, std::string_view text, std::string_view path) {
  try {
    return expression::parse(text);
  } catch (const expression_error& e) {
    reader.fail(path, "in \"" + std::string(text) + "\" " + e.what());
  }
}

std::vector<definition> read_definitions(const model_reader& reader, const toml::node* node) {
  std::vector<definition> defs;
  if (node == nullptr) return defs;
  for (const auto& [key, value] : in_file_order(reader.table(*node, "parameters"))) {
    definition def{std::string(key), member_path("parameters", key), std::nullopt, 0.0};
    if (!is_identifier(key)) {
      reader.fail(def.path, "not a name an expression can use; allowed: names of the form [A-Za-z_][A-Za-z0-9_]*");
    }
    if (const auto* text = value->as_string()) {
      def.formula = parse_formula(reader, text->get(), def.path);
    } else {
      def.value = reader.number(*value, def.path);
    }
    defs.push_back(std::move(def));
  }
  return defs;
}

void apply_set(const model_reader& reader, std::vector<definition>& defs, const std::string& assignment) {
  const std::string path = "--set " + assignment;
  const auto eq = assignment.find('=');
  const std::string name = trim(std::string_view(assignment).substr(0, eq));
  if (eq == std::string::npos || name.empty()) {
    reader.fail(path, "malformed; allowed: --set NAME=VALUE, with NAME one of the [parameters]");
  }
  for (auto& def : defs) {
    if (def.name != name) continue;
    def.path = path;
    def.formula = parse_formula(reader, trim(std::string_view(assignment).substr(eq + 1)), path);
    return;
  }
  std::vector<std::string> names;
  for (const auto& d : defs) names.push_back(d.name);
  reader.fail(path, "unknown parameter '" + name + "'; " +
                        (names.empty() ? std::string("there are no [parameters]") : "parameters: " + join(names)));
}

}  // namespace

std::vector<std::pair<std::string, double>> read_parameters(const model_reader& reader, const toml::node* node,
                                                            const std::vector<std::string>& set) {
  std::vector<definition> defs = read_definitions(reader, node);
  for (const auto& assignment : set) apply_set(reader, defs, assignment);
  resolver(reader, defs).run();
  std::vector<std::pair<std::string, double>> out;
  for (const auto& def : defs) out.emplace_back(def.name, def.value);
  return out;
}

}  // namespace hetspike::model_detail
