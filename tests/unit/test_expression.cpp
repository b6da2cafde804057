#include "io/expression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

namespace hetspike {
namespace {

std::optional<double> no_names(std::string_view) { return std::nullopt; }

double eval(std::string_view text) { return evaluate_expression(text, no_names); }

/// The message of the expression_error `text` throws, or "" if it throws none.
std::string error_of(std::string_view text, const name_lookup& lookup = no_names) {
  try {
    evaluate_expression(text, lookup);
  } catch (const expression_error& e) {
    return e.what();
  }
  return "";
}

TEST(expression, numbers) {
  EXPECT_EQ(eval("12"), 12.0);
  EXPECT_EQ(eval("0.5"), 0.5);
  EXPECT_EQ(eval(".5"), 0.5);
  EXPECT_EQ(eval("5."), 5.0);
  EXPECT_EQ(eval("1e-3"), 1e-3);
  EXPECT_EQ(eval("2.5E+4"), 2.5e4);
  EXPECT_EQ(eval("  7\t"), 7.0);
}

TEST(expression, precedence_and_associativity) {
  EXPECT_EQ(eval("1 + 2 * 3"), 7.0);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9.0);
  EXPECT_EQ(eval("10 - 4 - 3"), 3.0);
  EXPECT_EQ(eval("16 / 4 / 2"), 2.0);
  EXPECT_EQ(eval("2 ^ 3 ^ 2"), 512.0);  // right-associative
  EXPECT_EQ(eval("-2 ^ 2"), -4.0);      // unary minus binds looser than ^
  EXPECT_EQ(eval("2 ^ -1"), 0.5);
  EXPECT_EQ(eval("--3"), 3.0);
  EXPECT_EQ(eval("+3 - -3"), 6.0);
  EXPECT_EQ(eval("2 * -3"), -6.0);
}

TEST(expression, functions) {
  EXPECT_EQ(eval("sqrt(16)"), 4.0);
  EXPECT_DOUBLE_EQ(eval("exp(1)"), std::exp(1.0));
  EXPECT_DOUBLE_EQ(eval("log(exp(2))"), 2.0);
  EXPECT_EQ(eval("floor(2.7)"), 2.0);
  EXPECT_EQ(eval("floor(-2.5)"), -3.0);
  EXPECT_EQ(eval("ceil(2.1)"), 3.0);
  EXPECT_EQ(eval("round(2.5)"), 3.0);  // half away from zero
  EXPECT_EQ(eval("round(-2.5)"), -3.0);
  EXPECT_EQ(eval("abs(-4)"), 4.0);
  EXPECT_EQ(eval("min(3, 1, 2)"), 1.0);
  EXPECT_EQ(eval("max(3, 1, 2)"), 3.0);
  EXPECT_EQ(eval("pow(2, 10)"), 1024.0);
  EXPECT_EQ(eval("floor(0.1 * 2500 * 4)"), 1000.0);
}

TEST(expression, names_resolve_through_lookup) {
  const std::map<std::string, double, std::less<>> values{{"order", 2500}, {"epsilon", 0.1}, {"exp_", 2}};
  const name_lookup lookup = [&](std::string_view name) -> std::optional<double> {
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<double>(it->second);
  };
  EXPECT_EQ(evaluate_expression("floor(epsilon * 4 * order)", lookup), 1000.0);
  EXPECT_EQ(evaluate_expression("exp_ * 2", lookup), 4.0);
}

TEST(expression, names_in_order_of_first_appearance) {
  const expression e = expression::parse("max(b, a) * b + floor(c) ^ a - sqrt(2)");
  EXPECT_EQ(e.names(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_TRUE(expression::parse("3 * sqrt(2)").names().empty());
}

TEST(expression, parsed_expression_evaluates_repeatedly) {
  const expression e = expression::parse("2 * x");
  double x = 1;
  const name_lookup lookup = [&](std::string_view) { return std::optional<double>(x); };
  EXPECT_EQ(e.evaluate(lookup), 2.0);
  x = 5;
  EXPECT_EQ(e.evaluate(lookup), 10.0);
  EXPECT_EQ(e.text(), "2 * x");
}

TEST(expression, syntax_errors_give_the_column) {
  struct error_case {
    const char* text;
    std::size_t column;
    const char* message;
  };
  const error_case cases[] = {
      {"", 1, "empty"},
      {"   ", 1, "empty"},
      {"1 +", 4, "expected a number, a name or '('"},
      {"(1 + 2", 7, "expected ')' to close the '(' at column 1"},
      {"floor(1", 8, "to close the '(' of floor at column 6"},
      {"2 x", 3, "expected an operator"},
      {"1 $ 2", 3, "found '$'"},
      {"1e", 3, "exponent"},
      {"1e+", 4, "exponent"},
      {".", 1, "needs a digit"},
      {"1e999", 1, "out of range"},
      {"foo(1)", 1, "unknown function 'foo'; functions: sqrt"},
      {"sqrt(1, 2)", 1, "sqrt takes 1 argument, not 2"},
      {"pow(2)", 1, "pow takes 2 arguments, not 1"},
      {"max(2)", 1, "max takes at least 2 arguments, not 1"},
      {"min()", 5, "expected a number"},
      {"2 * (3 + )", 10, "expected a number"},
      {"1 2", 3, "found '2'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      expression::parse(c.text);
      ADD_FAILURE() << "no error";
    } catch (const expression_error& e) {
      EXPECT_EQ(e.column, c.column) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("at column " + std::to_string(c.column)), std::string::npos) << e.what();
    }
  }
}

TEST(expression, unknown_name_is_an_error) {
  const std::string message = error_of("1 + nu_ex");
  EXPECT_NE(message.find("at column 5: unknown name 'nu_ex'"), std::string::npos) << message;
}

TEST(expression, results_must_be_finite) {
  EXPECT_NE(error_of("1 / 0").find("at column 3: 1 / 0 is inf"), std::string::npos) << error_of("1 / 0");
  EXPECT_NE(error_of("sqrt(-1)").find("sqrt(-1) is nan"), std::string::npos) << error_of("sqrt(-1)");
  EXPECT_NE(error_of("log(0)").find("log(0) is -inf"), std::string::npos);
  EXPECT_NE(error_of("10 ^ 400").find("finite"), std::string::npos);
  EXPECT_NE(error_of("2 * (1e308 * 10)").find("at column 12"), std::string::npos) << error_of("2 * (1e308 * 10)");
}

TEST(expression, deep_nesting_is_refused_not_a_crash) {
  const std::string deep = std::string(10000, '(') + "1" + std::string(10000, ')');
  EXPECT_NE(error_of(deep).find("nests deeper"), std::string::npos);
  const std::string minus(10000, '-');
  EXPECT_NE(error_of(minus + "1").find("nests deeper"), std::string::npos);
  EXPECT_EQ(eval(std::string(50, '(') + "1" + std::string(50, ')')), 1.0);
}

TEST(expression, long_chains_evaluate_without_recursion) {
  // a + a + ... is a tree as deep as the chain is long: 10^5 levels overflowed the stack of a recursive walk.
  std::string sum = "1", product = "1";
  for (int i = 1; i < 32000; ++i) sum += "+1", product += "*1";
  EXPECT_EQ(eval(sum), 32000.0);
  EXPECT_EQ(eval(product), 1.0);
  // 4,000 distinct names in order of first appearance (each was looked for in the list of those before it).
  std::string names_text = "n0";
  std::vector<std::string> names{"n0"};
  for (int i = 1; i < 4000; ++i) {
    names.push_back(std::string(1, 'n').append(std::to_string(i)));  // not "n" + ...: GCC bug 105329
    names_text += " + " + names.back() + " + n0";
  }
  EXPECT_EQ(expression::parse(names_text).names(), names);
  EXPECT_EQ(evaluate_expression(names_text, [](std::string_view) { return std::optional<double>(1); }), 7999.0);
}

TEST(expression, length_and_nesting_are_bounded_with_what_is_allowed) {
  const std::string longest = "1" + std::string(max_expression_length - 1, ' ');
  EXPECT_EQ(eval(longest), 1.0);
  const std::string message = error_of(longest + " ");
  EXPECT_NE(message.find("at column 65537: the expression is 65537 characters long; allowed: at most 65536 "
                         "characters"),
            std::string::npos)
      << message;
  EXPECT_EQ(eval(std::string(max_expression_nesting, '(') + "1" + std::string(max_expression_nesting, ')')), 1.0);
  const std::string deeper = error_of(std::string(max_expression_nesting + 1, '-') + "1");
  EXPECT_NE(deeper.find("nests deeper than 200 levels; allowed: at most 200 nested parentheses, signs, powers and "
                        "function arguments"),
            std::string::npos)
      << deeper;
  // A number of 10^5 digits is out of range, and shown by its start and end.
  const std::string digits = error_of(std::string(20000, '9') + "e99999");
  EXPECT_NE(digits.find("the number 9999"), std::string::npos) << digits;
  EXPECT_NE(digits.find("9999...9999"), std::string::npos) << digits;
  EXPECT_NE(digits.find("9999e99999 (20006 characters) is out of range"), std::string::npos) << digits;
}

TEST(expression, errors_are_input_errors) { EXPECT_THROW(eval("1 +"), input_error); }

TEST(expression, format_number_is_shortest_exact) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(20000.0), "20000");
  EXPECT_EQ(format_number(-0.5), "-0.5");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_NE(format_number(1.0), format_number(std::nextafter(1.0, 2.0)));
}

}  // namespace
}  // namespace hetspike
