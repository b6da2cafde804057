#pragma once
// A small arithmetic language for model-file values ("4 * order", "floor(epsilon * NE)"), so that a model file
// states how its numbers derive from one another, as NEST's Python examples do, instead of hard-coding results.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/number_text.hpp"  // format_number, for the messages of every reader
#include "partition/error.hpp"

namespace hetspike {

/// A bad expression: a syntax error, an unknown function, a wrong argument count, an unknown name or a result
/// that is not finite. The message starts with "at column N: " when it refers to one position.
struct expression_error : input_error {
  expression_error(const std::string& message, std::size_t column_) : input_error(message), column(column_) {}
  std::size_t column;  ///< 1-based position in the expression text the message refers to
};

/// The longest expression text read: far beyond any formula a person writes, and a bound on the memory a parse
/// takes (a node of some 80 bytes per token).
inline constexpr std::size_t max_expression_length = 65536;
/// The deepest nesting of parentheses, signs, powers and function arguments: deep enough for any real model,
/// shallow enough that "((((..." cannot overflow the parser's stack. Chains (a + a + ...) do not nest.
inline constexpr int max_expression_nesting = 200;

/// Resolves a name to its value; std::nullopt for a name that does not exist.
using name_lookup = std::function<std::optional<double>(std::string_view)>;

/// A parsed expression, kept as a flat tree so that it can be copied, asked for its names (to order the
/// evaluation of parameters that refer to one another) and evaluated many times.
///
/// Grammar, lowest precedence first:
///   sum     := product (('+' | '-') product)*
///   product := unary (('*' | '/') unary)*
///   unary   := ('-' | '+') unary | power
///   power   := primary ('^' unary)?           right-associative; -2^2 is -4, as in mathematics and Python
///   primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
/// Numbers: 12, 0.5, .5, 1e-3, 2.5E+4. Names: [A-Za-z_][A-Za-z0-9_]*. Functions: see expression_functions().
class expression {
 public:
  /// Throws expression_error on a syntax error, an unknown function, a wrong number of arguments, a text longer
  /// than max_expression_length or nesting deeper than max_expression_nesting.
  static expression parse(std::string_view text);

  const std::string& text() const { return text_; }

  /// The names the expression reads (not the functions it calls), each once, in order of first appearance.
  std::vector<std::string> names() const;

  /// Evaluates in double precision, in time and memory linear in the number of nodes, without recursion.
  /// Throws expression_error for a name `lookup` does not know, and for any operation whose result is not
  /// finite (1/0, sqrt(-1), log(0), overflow), naming its column.
  double evaluate(const name_lookup& lookup) const;

 private:
  enum class op { number, name, negate, add, subtract, multiply, divide, power, call };
  struct node {
    op kind = op::number;
    double value = 0.0;             ///< op::number
    std::string name;               ///< op::name: the name; op::call: the function
    std::vector<std::size_t> args;  ///< operands, as indices into nodes_, each below this node's own
    std::size_t column = 0;         ///< 1-based column of the token that made this node
  };
  friend class expression_parser;

  /// The operation or function of an op::call node, applied to its evaluated operands.
  double apply(const node& n, const std::vector<double>& args) const;
  /// "1 / 0", "sqrt(-1)": the operation that gave a non-finite result, for the message.
  std::string describe(const node& n, const std::vector<double>& args) const;

  std::string text_;
  std::vector<node> nodes_;
  std::size_t root_ = 0;
};

/// Parses and evaluates `text` in one go.
double evaluate_expression(std::string_view text, const name_lookup& lookup);

/// The functions an expression may call, for messages: "sqrt, exp, log, ...".
std::string_view expression_functions();

}  // namespace hetspike
