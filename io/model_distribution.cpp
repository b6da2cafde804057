// Distributed values (v_init, weights, delays) and delay checks of the model file.
#include <cmath>

#include "io/expression.hpp"
#include "io/message_text.hpp"
#include "io/model_reader.hpp"

namespace hetspike::model_detail {
namespace {

// Delays are compared with dt to this relative tolerance, because 1.5 / 0.1 is not exactly 15 in binary.
constexpr double delay_tolerance = 1e-9;

std::string ms(double value) { return format_number(value) + " ms"; }

}  // namespace

value_distribution model_reader::distribution(const toml::node& node, std::string_view path, quantity what) const {
  const toml::table* t = node.as_table();
  if (t == nullptr) {
    const double value = number(node, path, "a number, an expression string or a distribution table");
    if (what == quantity::delay) constant_delay(value, path);
    return value_distribution::constant(value);
  }
  constexpr std::string_view kinds = "\"normal\" or \"uniform\"";
  const std::string kind_path = member_path(path, "distribution");
  const std::string kind = string(required(*t, path, "distribution", kinds), kind_path, kinds);
  if (kind == "normal") return normal(*t, path, what);
  if (kind == "uniform") return uniform(*t, path, what);
  fail(kind_path, "unknown distribution " + in_quotes(kind) + "; allowed: " + std::string(kinds));
}

value_distribution model_reader::normal(const toml::table& t, std::string_view path, quantity what) const {
  std::vector<std::string_view> allowed{"distribution", "mean", "std", "min", "max"};
  if (what == quantity::weight) allowed.push_back("keep_sign");
  check_keys(t, path, allowed, "for a normal distribution");

  value_distribution d;
  d.type = value_distribution::kind::normal;
  d.a = number(required(t, path, "mean", "a number"), member_path(path, "mean"));
  const std::string std_path = member_path(path, "std");
  d.b = number(required(t, path, "std", "a number > 0"), std_path);
  if (!(d.b > 0)) fail(std_path, format_number(d.b) + " is not positive; allowed: a standard deviation > 0");
  const toml::node* min = t.get("min");
  const toml::node* max = t.get("max");
  if (min != nullptr) d.lower = number(*min, member_path(path, "min"));
  if (max != nullptr) d.upper = number(*max, member_path(path, "max"));

  const toml::node* keep_sign = t.get("keep_sign");
  const std::string keep_path = member_path(path, "keep_sign");
  if (keep_sign != nullptr && boolean(*keep_sign, keep_path)) {
    // As the microcircuit's nest.math.redraw(..., min=0) for excitatory and max=0 for inhibitory weights: a
    // weight never changes sign, which would turn an excitatory synapse inhibitory.
    if (d.a == 0) fail(keep_path, "the mean is 0, so there is no sign to keep; allowed: keep_sign with mean != 0");
    const bool positive = d.a > 0;
    if ((positive ? min : max) != nullptr) {
      fail(keep_path, std::string("keep_sign = true sets ") + (positive ? "min" : "max") +
                          " = 0 for this mean; allowed: keep_sign or that bound, not both");
    }
    (positive ? d.lower : d.upper) = 0.0;
  }
  if (what == quantity::delay) {
    if (min == nullptr) {
      d.lower = dt_;
    } else if (d.lower < 0.5 * dt_ * (1 - delay_tolerance)) {
      fail(member_path(path, "min"), ms(d.lower) + " is below dt / 2 = " + ms(0.5 * dt_) +
                                         "; a delay distribution's min must be at least dt / 2 (omit it for dt)");
    }
  }
  if (!(d.lower < d.upper)) {
    fail(member_path(path, "max"),
         "min " + format_number(d.lower) + " is not below max " + format_number(d.upper) + "; allowed: min < max");
  }
  check_redraw_bounds(d, path);
  if (what == quantity::delay) check_delay_reach(d, path);
  return d;
}

value_distribution model_reader::uniform(const toml::table& t, std::string_view path, quantity what) const {
  check_keys(t, path, {"distribution", "low", "high"}, "for a uniform distribution");
  value_distribution d;
  d.type = value_distribution::kind::uniform;
  d.a = number(required(t, path, "low", "a number"), member_path(path, "low"));
  d.b = number(required(t, path, "high", "a number > low"), member_path(path, "high"));
  if (!(d.a < d.b)) {
    fail(member_path(path, "high"),
         "low " + format_number(d.a) + " is not below high " + format_number(d.b) + "; allowed: low < high");
  }
  if (what == quantity::delay && d.a < 0.5 * dt_ * (1 - delay_tolerance)) {
    fail(member_path(path, "low"),
         ms(d.a) + " is below dt / 2 = " + ms(0.5 * dt_) + "; a delay's low must be at least dt / 2");
  }
  // The bounds of a uniform draw are its range, so that lower/upper bound every distribution (d_min, d_max).
  d.lower = d.a;
  d.upper = d.b;
  if (what == quantity::delay) check_delay_reach(d, path);
  return d;
}

void model_reader::check_delay_reach(const value_distribution& d, std::string_view path) const {
  const double reach = std::isfinite(d.upper) ? d.upper : d.a + 10.0 * d.b;
  const double steps = std::round(reach / dt_);
  if (steps <= max_drawn_delay_steps) return;
  fail(path, "drawn delays reach " + ms(reach) + " (" + format_number(steps) + " steps of dt = " + ms(dt_) +
                 "); allowed: per-synapse delays of at most " + format_number(max_drawn_delay_steps) + " steps (" +
                 ms(max_drawn_delay_steps * dt_) + " at this dt; they are stored in 8 bits): bound the " +
                 "distribution's max, or use a constant delay");
}

void model_reader::check_redraw_bounds(const value_distribution& d, std::string_view path) const {
  // Redrawing until a value falls in [lower, upper] never ends in practice when the interval holds almost none
  // of the distribution; 5 std leaves a chance of at least ~3e-7 per draw.
  constexpr double reach = 5.0;
  if (d.upper >= d.a - reach * d.b && d.lower <= d.a + reach * d.b) return;
  fail(path, "the redraw bounds [" + format_number(d.lower) + ", " + format_number(d.upper) +
                 "] lie more than 5 std from the mean " + format_number(d.a) +
                 ", so redrawing would not end; allowed: bounds that overlap mean +- 5 std");
}

double model_reader::whole_steps(double t, std::string_view path, std::string_view rule) const {
  if (t < dt_ * (1 - delay_tolerance)) fail(path, ms(t) + " is below dt = " + ms(dt_) + std::string(rule));
  const double steps = std::round(t / dt_);
  if (std::fabs(t / dt_ - steps) > delay_tolerance * steps) {
    fail(path, ms(t) + " is not a whole multiple of dt = " + ms(dt_) + std::string(rule));
  }
  return steps;
}

double model_reader::constant_delay(double delay, std::string_view path) const {
  const double steps = whole_steps(delay, path, "; a delay must be a whole multiple of dt, at least dt");
  if (steps > max_constant_delay_steps) {
    fail(path, ms(delay) + " is " + format_number(steps) + " steps of dt = " + ms(dt_) + "; allowed: at most " +
                   format_number(max_constant_delay_steps) + " steps (" + ms(max_constant_delay_steps * dt_) +
                   " at this dt)");
  }
  return delay;
}

}  // namespace hetspike::model_detail
