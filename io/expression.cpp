#include "io/expression.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_set>

#include "io/message_text.hpp"

namespace hetspike {
namespace {

struct function_def {
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;
};

constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();
constexpr std::array<function_def, 10> functions{{{"sqrt", 1, 1},
                                                  {"exp", 1, 1},
                                                  {"log", 1, 1},
                                                  {"floor", 1, 1},
                                                  {"ceil", 1, 1},
                                                  {"round", 1, 1},
                                                  {"abs", 1, 1},
                                                  {"min", 2, unlimited},
                                                  {"max", 2, unlimited},
                                                  {"pow", 2, 2}}};

const function_def* find_function(std::string_view name) {
  const auto* it = std::find_if(functions.begin(), functions.end(), [&](const auto& f) { return f.name == name; });
  return it == functions.end() ? nullptr : it;
}

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

[[noreturn]] void fail_at(std::size_t column, const std::string& problem) {
  throw expression_error("at column " + std::to_string(column) + ": " + problem, column);
}

}  // namespace

/// Recursive descent over the grammar in expression.hpp, appending nodes to the expression it builds.
class expression_parser {
 public:
  explicit expression_parser(std::string_view text) : text_(text) { result_.text_ = std::string(text); }

  expression run() {
    if (text_.size() > max_expression_length) {
      fail_at(max_expression_length + 1, "the expression is " + std::to_string(text_.size()) +
                                             " characters long; allowed: at most " +
                                             std::to_string(max_expression_length) + " characters");
    }
    skip_space();
    if (pos_ == text_.size()) fail_at(1, "the expression is empty; expected a number, a name or '('");
    result_.root_ = sum();
    if (pos_ != text_.size()) fail_at(column(), "expected an operator (+ - * / ^) or the end, found " + found());
    return std::move(result_);
  }

 private:
  using op = expression::op;

  std::size_t sum() {
    std::size_t left = product();
    while (peek() == '+' || peek() == '-') {
      const op kind = peek() == '+' ? op::add : op::subtract;
      const std::size_t col = advance();
      left = add_node(kind, col, {left, product()});
    }
    return left;
  }

  std::size_t product() {
    std::size_t left = unary();
    while (peek() == '*' || peek() == '/') {
      const op kind = peek() == '*' ? op::multiply : op::divide;
      const std::size_t col = advance();
      left = add_node(kind, col, {left, unary()});
    }
    return left;
  }

  std::size_t unary() {
    if (peek() == '+' || peek() == '-') {
      const bool negate = peek() == '-';
      const std::size_t col = advance();
      const std::size_t operand = nested([&] { return unary(); });
      return negate ? add_node(op::negate, col, {operand}) : operand;
    }
    return power();
  }

  std::size_t power() {
    const std::size_t base = primary();
    if (peek() != '^') return base;
    const std::size_t col = advance();
    // The exponent is a unary, not a power: this is what makes 2^3^2 == 2^9 and allows 10^-3.
    return add_node(op::power, col, {base, nested([&] { return unary(); })});
  }

  std::size_t primary() {
    const char c = peek();
    if (c == '(') {
      const std::size_t open = advance();
      const std::size_t inner = nested([&] { return sum(); });
      expect(')', "to close the '(' at column " + std::to_string(open));
      return inner;
    }
    if (is_digit(c) || c == '.') return number();
    if (is_name_start(c)) return name_or_call();
    fail_at(column(), "expected a number, a name or '(', found " + found());
  }

  std::size_t number() {
    const std::size_t start = pos_;
    const std::size_t col = column();
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ - start == 1 && text_[start] == '.') fail_at(col, "a number needs a digit before or after '.'");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ == text_.size() || !is_digit(text_[pos_])) fail_at(column(), "the exponent of a number needs digits");
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (ec != std::errc() || end != text_.data() + pos_) {
      fail_at(col, "the number " + excerpt(text_.substr(start, pos_ - start)) +
                       " is out of range; allowed: what a double holds, 0 or a magnitude from 4.9e-324 to 1.8e+308");
    }
    skip_space();
    const std::size_t index = add_node(op::number, col, {});
    result_.nodes_[index].value = value;
    return index;
  }

  std::size_t name_or_call() {
    const std::size_t start = pos_;
    const std::size_t col = column();
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    skip_space();
    if (peek() != '(') {
      const std::size_t index = add_node(op::name, col, {});
      result_.nodes_[index].name = std::move(name);
      return index;
    }
    const function_def* fn = find_function(name);
    if (fn == nullptr) {
      fail_at(col, "unknown function " + in_quotes(name, '\'') + "; functions: " + std::string(expression_functions()));
    }
    const std::size_t open = advance();
    std::vector<std::size_t> args{nested([&] { return sum(); })};
    while (peek() == ',') {
      advance();
      args.push_back(nested([&] { return sum(); }));
    }
    expect(')', "to close the '(' of " + name + " at column " + std::to_string(open));
    check_arity(*fn, args.size(), col);
    const std::size_t index = add_node(op::call, col, std::move(args));
    result_.nodes_[index].name = std::move(name);
    return index;
  }

  void check_arity(const function_def& fn, std::size_t count, std::size_t col) const {
    if (count >= fn.min_args && count <= fn.max_args) return;
    const std::string wanted = fn.max_args == unlimited     ? "at least " + std::to_string(fn.min_args)
                               : fn.min_args == fn.max_args ? std::to_string(fn.min_args)
                                                            : "a different number of";
    fail_at(col, std::string(fn.name) + " takes " + wanted + " argument" + (fn.max_args == 1 ? "" : "s") + ", not " +
                     std::to_string(count));
  }

  template <class F>
  std::size_t nested(F&& parse) {
    if (++depth_ > max_expression_nesting) {
      fail_at(column(), "the expression nests deeper than " + std::to_string(max_expression_nesting) +
                            " levels; allowed: at most " + std::to_string(max_expression_nesting) +
                            " nested parentheses, signs, powers and function arguments");
    }
    const std::size_t index = parse();
    --depth_;
    return index;
  }

  std::size_t add_node(op kind, std::size_t col, std::vector<std::size_t> args) {
    expression::node n;
    n.kind = kind;
    n.column = col;
    n.args = std::move(args);
    result_.nodes_.push_back(std::move(n));
    return result_.nodes_.size() - 1;
  }

  void expect(char c, const std::string& why) {
    if (peek() != c) fail_at(column(), "expected '" + std::string(1, c) + "' " + why + ", found " + found());
    advance();
  }

  std::string found() const {
    if (pos_ == text_.size()) return "the end of the expression";
    std::size_t end = pos_ + 1;
    if (is_name_char(text_[pos_])) {
      while (end < text_.size() && is_name_char(text_[end])) ++end;
    }
    return in_quotes(text_.substr(pos_, end - pos_), '\'');
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  std::size_t column() const { return pos_ + 1; }

  /// Consumes one character and the space after it; returns the consumed character's column.
  std::size_t advance() {
    const std::size_t col = column();
    ++pos_;
    skip_space();
    return col;
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  expression result_;
};

expression expression::parse(std::string_view text) { return expression_parser(text).run(); }

std::vector<std::string> expression::names() const {
  // Every operand was added before the node that uses it, left operand first (see expression_parser), so the
  // nodes in order meet the names in source order; a set keeps the walk linear in the length of the text.
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (const node& n : nodes_) {
    if (n.kind == op::name && seen.insert(n.name).second) out.push_back(n.name);
  }
  return out;
}

double expression::evaluate(const name_lookup& lookup) const {
  // Nodes in order are a post-order walk of the tree (operands first, the left one first): evaluating them in
  // turn is what recursion from the root would do, in the same order, without a stack frame per level of
  // "a + a + a + ...", whose tree is as deep as the chain is long.
  std::vector<double> values(nodes_.size());
  std::vector<double> args;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const node& n = nodes_[i];
    if (n.kind == op::number) {
      values[i] = n.value;
      continue;
    }
    if (n.kind == op::name) {
      const std::optional<double> value = lookup(n.name);
      if (!value) fail_at(n.column, "unknown name " + in_quotes(n.name, '\''));
      values[i] = *value;
      continue;
    }
    args.clear();
    for (std::size_t a : n.args) args.push_back(values[a]);
    values[i] = apply(n, args);
    if (!std::isfinite(values[i])) {
      fail_at(n.column,
              describe(n, args) + " is " + format_number(values[i]) + "; every result must be a finite number");
    }
  }
  return values[root_];
}

std::string expression::describe(const node& n, const std::vector<double>& args) const {
  if (n.kind == op::negate) return "-(" + format_number(args[0]) + ")";
  if (n.kind == op::call) {
    std::string shown = n.name + "(";
    for (std::size_t i = 0; i < args.size(); ++i) shown += (i ? ", " : "") + format_number(args[i]);
    return shown + ")";
  }
  const char* symbol = "^";
  if (n.kind == op::add) symbol = "+";
  if (n.kind == op::subtract) symbol = "-";
  if (n.kind == op::multiply) symbol = "*";
  if (n.kind == op::divide) symbol = "/";
  return format_number(args[0]) + " " + symbol + " " + format_number(args[1]);
}

double expression::apply(const node& n, const std::vector<double>& args) const {
  switch (n.kind) {
    case op::negate:
      return -args[0];
    case op::add:
      return args[0] + args[1];
    case op::subtract:
      return args[0] - args[1];
    case op::multiply:
      return args[0] * args[1];
    case op::divide:
      return args[0] / args[1];
    case op::power:
      return std::pow(args[0], args[1]);
    default:
      break;
  }
  const std::string& f = n.name;
  if (f == "sqrt") return std::sqrt(args[0]);
  if (f == "exp") return std::exp(args[0]);
  if (f == "log") return std::log(args[0]);
  if (f == "floor") return std::floor(args[0]);
  if (f == "ceil") return std::ceil(args[0]);
  if (f == "round") return std::round(args[0]);
  if (f == "abs") return std::fabs(args[0]);
  if (f == "min") return *std::min_element(args.begin(), args.end());
  if (f == "max") return *std::max_element(args.begin(), args.end());
  return std::pow(args[0], args[1]);  // pow: the parser admits no other function
}

double evaluate_expression(std::string_view text, const name_lookup& lookup) {
  return expression::parse(text).evaluate(lookup);
}

std::string_view expression_functions() {
  static const std::string list = [] {
    std::string out;
    for (const auto& f : functions) out += (out.empty() ? "" : ", ") + std::string(f.name);
    return out;
  }();
  return list;
}

}  // namespace hetspike
