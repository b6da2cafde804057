// [parameters] and --set: named numbers that may be defined by expressions over one another, in any order.
#include <optional>

#include "io/expression.hpp"
#include "io/message_text.hpp"
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

/// The parameters as written, with their names indexed: every lookup by name takes constant time, so that a
/// file of 10^5 parameters, or a chain of 10^5 parameters each naming the next, is read in linear time.
struct definitions {
  std::vector<definition> all;
  name_index index;

  std::optional<std::size_t> find(std::string_view name) const {
    const auto it = index.find(name);
    return it == index.end() ? std::nullopt : std::optional(it->second);
  }
  /// "parameters: a, b, c" or "there are no [parameters]".
  std::string known() const {
    std::vector<std::string> names;
    for (const auto& d : all) names.push_back(d.name);
    return known_parameters_note(names);
  }
};

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

/// Evaluates definitions depth first, so that each is evaluated after the ones it names, and reports the
/// first cycle it walks into. The walk keeps its own stack: a chain of parameters each naming the next is as
/// deep as it is long, which recursion would pay for in stack frames.
class resolver {
 public:
  resolver(const model_reader& reader, definitions& defs) : reader_(reader), defs_(defs) {
    state_.assign(defs_.all.size(), state::pending);
  }

  void run() {
    for (std::size_t i = 0; i < defs_.all.size(); ++i) visit(i);
  }

 private:
  enum class state { pending, active, done };
  /// A definition being evaluated: the names it reads, and how many of them are resolved.
  struct frame {
    std::size_t index;
    std::vector<std::string> names;
    std::size_t next = 0;
  };

  void visit(std::size_t root) {
    if (state_[root] != state::pending) return;
    enter(root);
    while (!stack_.empty()) {
      frame& top = stack_.back();
      if (top.next == top.names.size()) {
        evaluate(top.index);
        state_[top.index] = state::done;
        stack_.pop_back();
        continue;
      }
      const definition& def = defs_.all[top.index];
      const std::string& name = top.names[top.next++];
      const std::optional<std::size_t> dep = defs_.find(name);
      if (!dep) {
        reader_.fail(def.path, "unknown name " + in_quotes(name, '\'') + " in " + in_quotes(def.formula->text()) +
                                   "; " + defs_.known());
      }
      if (state_[*dep] == state::active) fail_cycle(*dep);
      if (state_[*dep] == state::pending) enter(*dep);  // `top` is not used after this
    }
  }

  void enter(std::size_t i) {
    state_[i] = state::active;
    const definition& def = defs_.all[i];
    stack_.push_back({i, def.formula ? def.formula->names() : std::vector<std::string>{}, 0});
  }

  void evaluate(std::size_t i) {
    definition& def = defs_.all[i];
    if (!def.formula) return;
    try {
      def.value = def.formula->evaluate([this](std::string_view name) { return defs_.all[*defs_.find(name)].value; });
    } catch (const expression_error& e) {
      reader_.fail(def.path, "in " + in_quotes(def.formula->text()) + " " + e.what());
    }
  }

  /// "a -> b -> a"; a long cycle by its first and last names.
  [[noreturn]] void fail_cycle(std::size_t start) const {
    std::vector<std::string> cycle;
    bool in_cycle = false;
    for (const frame& f : stack_) {
      in_cycle = in_cycle || f.index == start;
      if (in_cycle) cycle.push_back(defs_.all[f.index].name);
    }
    cycle.push_back(defs_.all[start].name);
    std::string shown;
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      if (cycle.size() > max_listed_items && i == max_listed_items / 2) {
        shown += "... (" + std::to_string(cycle.size() - 1) + " parameters) -> ";
        i = cycle.size() - max_listed_items / 2;
      }
      shown += excerpt(cycle[i]) + (i + 1 < cycle.size() ? " -> " : "");
    }
    reader_.fail(defs_.all[start].path, "circular definition: " + shown + "; a parameter cannot depend on itself");
  }

  const model_reader& reader_;
  definitions& defs_;
  std::vector<state> state_;
  std::vector<frame> stack_;  ///< definitions being evaluated, outermost first
};

std::optional<expression> parse_formula(const model_reader& reader, std::string_view text, std::string_view path) {
  try {
    return expression::parse(text);
  } catch (const expression_error& e) {
    reader.fail(path, "in " + in_quotes(text) + " " + e.what());
  }
}

definitions read_definitions(const model_reader& reader, const toml::node* node) {
  definitions defs;
  if (node == nullptr) return defs;
  for (const auto& [key, value] : in_file_order(reader.table(*node, "parameters"))) {
    definition def{std::string(key), member_path("parameters", excerpt(key)), std::nullopt, 0.0};
    if (!is_identifier(key)) {
      reader.fail(def.path, "not a name an expression can use; allowed: names of the form [A-Za-z_][A-Za-z0-9_]*");
    }
    if (const auto* text = value->as_string()) {
      def.formula = parse_formula(reader, text->get(), def.path);
    } else {
      def.value = reader.number(*value, def.path);
    }
    defs.index.emplace(def.name, defs.all.size());  // TOML keys are unique within a table
    defs.all.push_back(std::move(def));
  }
  return defs;
}

void apply_set(const model_reader& reader, definitions& defs, const std::string& assignment) {
  const std::string path = "--set " + excerpt(assignment);
  const auto eq = assignment.find('=');
  const std::string name = trim(std::string_view(assignment).substr(0, eq));
  if (eq == std::string::npos || name.empty()) {
    reader.fail(path, "malformed; allowed: --set NAME=VALUE, with NAME one of the [parameters]");
  }
  const std::optional<std::size_t> i = defs.find(name);
  if (!i) reader.fail(path, "unknown parameter " + in_quotes(name, '\'') + "; " + defs.known());
  definition& def = defs.all[*i];
  def.path = path;
  def.formula = parse_formula(reader, trim(std::string_view(assignment).substr(eq + 1)), path);
}

}  // namespace

std::vector<std::pair<std::string, double>> read_parameters(const model_reader& reader, const toml::node* node,
                                                            const std::vector<std::string>& set) {
  definitions defs = read_definitions(reader, node);
  for (const auto& assignment : set) apply_set(reader, defs, assignment);
  resolver(reader, defs).run();
  std::vector<std::pair<std::string, double>> out;
  for (const auto& def : defs.all) out.emplace_back(def.name, def.value);
  return out;
}

}  // namespace hetspike::model_detail
