#include "io/model_reader.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "partition/error.hpp"

namespace hetspike::model_detail {

std::string member_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string known_parameters_note(const std::vector<std::string>& names) {
  return names.empty() ? "there are no [parameters]" : "parameters: " + listing(names);
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

bool is_identifier(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && start(name.front()) && std::all_of(name.begin() + 1, name.end(), rest);
}

std::vector<std::pair<std::string_view, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::string_view, const toml::node*>> keyed;
  for (auto&& [key, value] : table) {
    keyed.emplace_back(key.source().begin.line, key.source().begin.column, key.str(), &value);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::pair<std::string_view, const toml::node*>> out;
  for (const auto& [line, column, key, value] : keyed) out.emplace_back(key, value);
  return out;
}

void model_reader::fail(std::string_view path, std::string_view problem) const {
  throw input_error(file_ + ": " + std::string(path) + ": " + std::string(problem));
}

void model_reader::check_steps(double t, std::string_view path, double max_steps, std::string_view counter) const {
  const double steps = t / dt_;
  if (steps <= max_steps) return;
  fail(path, format_number(t) + " ms is " + format_number(steps) + " steps of dt = " + format_number(dt_) +
                 " ms; allowed: at most " + format_number(max_steps) + " steps (" + std::string(counter) + ")");
}

void model_reader::set_parameters(std::vector<std::pair<std::string, double>> parameters) {
  parameters_ = std::move(parameters);
  parameter_index_.clear();
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameter_index_.emplace(parameters_[i].first, i);
}

std::optional<double> model_reader::parameter(std::string_view name) const {
  const auto it = parameter_index_.find(name);
  return it == parameter_index_.end() ? std::nullopt : std::optional(parameters_[it->second].second);
}

std::string model_reader::known_parameters() const {
  std::vector<std::string> names;
  for (const auto& p : parameters_) names.push_back(p.first);
  return known_parameters_note(names);
}

void model_reader::set_populations(const std::vector<population_spec>& populations) {
  population_names_.clear();
  population_index_.clear();
  for (std::size_t i = 0; i < populations.size(); ++i) {
    population_names_.push_back(populations[i].name);
    population_index_.emplace(populations[i].name, i);
  }
}

std::size_t model_reader::population_index(std::string_view name, std::string_view path) const {
  const auto it = population_index_.find(name);
  if (it != population_index_.end()) return it->second;
  fail(path, "unknown population " + in_quotes(name) + "; known: " + listing(population_names_));
}

void model_reader::check_keys(const toml::table& table, std::string_view path,
                              const std::vector<std::string_view>& allowed, std::string_view qualifier) const {
  for (const auto& [key, value] : in_file_order(table)) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string which = qualifier.empty() ? "allowed: " : "allowed " + std::string(qualifier) + ": ";
    fail(member_path(path, excerpt(key)), "unknown key; " + which + hetspike::join(allowed));
  }
}

const toml::node& model_reader::required(const toml::table& table, std::string_view path, std::string_view key,
                                         std::string_view allowed) const {
  const toml::node* node = table.get(key);
  if (node == nullptr) fail(member_path(path, key), "missing; required: " + std::string(allowed));
  return *node;
}

const toml::table& model_reader::table(const toml::node& node, std::string_view path) const {
  if (const toml::table* t = node.as_table()) return *t;
  fail(path, "got " + type_name(node) + "; allowed: a table");
}

std::vector<const toml::table*> model_reader::table_array(const toml::node* node, std::string_view path) const {
  std::vector<const toml::table*> out;
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    fail(path, "got " + type_name(*node) + "; allowed: an array of tables, [[" + std::string(path) + "]]");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* t = (*array)[i].as_table();
    if (t == nullptr) fail(element_path(path, i), "got " + type_name((*array)[i]) + "; allowed: a table");
    out.push_back(t);
  }
  return out;
}

double model_reader::number(const toml::node& node, std::string_view path, std::string_view allowed) const {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* s = node.as_string()) return evaluate(s->get(), path);
  const auto* f = node.as_floating_point();
  if (f == nullptr) fail(path, "got " + type_name(node) + "; allowed: " + std::string(allowed));
  if (!std::isfinite(f->get())) {
    fail(path, format_number(f->get()) + " is not finite; allowed: " + std::string(allowed));
  }
  return f->get();
}

double model_reader::evaluate(std::string_view text, std::string_view path) const {
  try {
    const expression e = expression::parse(text);
    for (const auto& name : e.names()) {
      if (!parameter(name)) {
        fail(path, "unknown name " + in_quotes(name, '\'') + " in " + in_quotes(text) + "; " + known_parameters());
      }
    }
    return e.evaluate([this](std::string_view name) { return parameter(name); });
  } catch (const expression_error& e) {
    fail(path, "in " + in_quotes(text) + " " + e.what());
  }
}

std::uint64_t model_reader::integer(const toml::node& node, std::string_view path, std::uint64_t min, std::uint64_t max,
                                    std::string_view range_note) const {
  std::string allowed = max == std::numeric_limits<std::uint64_t>::max()
                            ? "an integer >= " + std::to_string(min)
                            : "an integer in " + std::to_string(min) + ".." + std::to_string(max);
  if (!range_note.empty()) allowed += " (" + std::string(range_note) + ")";
  if (const auto* i = node.as_integer()) {
    // Integers TOML wrote as such are taken exactly, without a detour through double.
    const std::int64_t v = i->get();
    if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max) {
      fail(path, std::to_string(v) + " is out of range; allowed: " + allowed);
    }
    return static_cast<std::uint64_t>(v);
  }
  const double v = number(node, path, allowed + ", as a number or an expression string");
  const double rounded = std::round(v);
  if (std::fabs(v - rounded) > 1e-9 * std::max(1.0, std::fabs(rounded))) {
    fail(path, format_number(v) + " is not a whole number; allowed: " + allowed);
  }
  constexpr double two_to_64 = 18446744073709551616.0;
  if (rounded < static_cast<double>(min) || rounded >= two_to_64 || static_cast<std::uint64_t>(rounded) > max) {
    fail(path, format_number(rounded) + " is out of range; allowed: " + allowed);
  }
  return static_cast<std::uint64_t>(rounded);
}

void model_reader::check_count(std::size_t count, std::size_t max, std::string_view path, std::string_view what,
                               std::string_view note) const {
  if (count <= max) return;
  fail(path, "makes " + std::to_string(count) + " " + std::string(what) + "; allowed: at most " + std::to_string(max) +
                 " " + std::string(what) + " in a model" + std::string(note));
}

bool model_reader::boolean(const toml::node& node, std::string_view path) const {
  const auto* b = node.as_boolean();
  if (b == nullptr) fail(path, "got " + type_name(node) + "; allowed: true or false");
  return b->get();
}

std::string model_reader::string(const toml::node& node, std::string_view path, std::string_view allowed) const {
  const auto* s = node.as_string();
  if (s == nullptr) fail(path, "got " + type_name(node) + "; allowed: " + std::string(allowed));
  return s->get();
}

std::vector<named_element> model_reader::names(const toml::node& node, std::string_view path, std::size_t max_names,
                                               std::string_view what) const {
  const std::string allowed = std::string(what) + " or a non-empty list of names";
  std::vector<named_element> out;
  if (const auto* s = node.as_string()) {
    out.push_back({s->get(), std::string(path)});
    return out;
  }
  const toml::array* array = node.as_array();
  if (array == nullptr) fail(path, "got " + type_name(node) + "; allowed: " + std::string(allowed));
  if (array->empty()) fail(path, "the list is empty; allowed: " + std::string(allowed));
  if (array->size() > max_names) {
    fail(path, "a list of " + std::to_string(array->size()) + " names; allowed: at most " + std::to_string(max_names) +
                   " names");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string element = element_path(path, i);
    out.push_back({string((*array)[i], element, std::string(what) + " (a string)"), element});
  }
  return out;
}

}  // namespace hetspike::model_detail
