// Turning --backend, --backend-map, --rank-weights(-file) and the test hooks into simulation options.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/commands.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace {

std::vector<double> parse_weights(const std::string& text, const std::string& where) {
  std::vector<double> w;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(v > 0))
      throw input_error(where + ": \"" + item + "\" is not a positive number; allowed: comma-separated weights > 0");
    w.push_back(v);
  }
  return w;
}

std::vector<double> read_weights_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw input_error("--rank-weights-file " + path + ": cannot open");
  try {
    const auto j = nlohmann::json::parse(in);
    return j.at("rank_weights").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw input_error("--rank-weights-file " + path + ": not a weights file (" + e.what() +
                      "); allowed: JSON with \"rank_weights\": [numbers], as hetspike calibrate writes");
  }
}

/// HETSPIKE_FAULT_INJECT=RANK:STEP: that rank fails at that step (README, test hooks).
std::optional<fault_injection> fault_from_environment() {
  const char* v = std::getenv("HETSPIKE_FAULT_INJECT");
  if (!v || !*v) return std::nullopt;
  int rank = 0;
  long long step = 0;
  if (std::sscanf(v, "%d:%lld", &rank, &step) != 2)
    throw input_error(std::string("HETSPIKE_FAULT_INJECT=") + v + ": expected RANK:STEP, e.g. 1:500");
  return fault_injection{rank, step};
}

/// HETSPIKE_SLOWDOWN=RANK:FACTOR: that rank's updates take FACTOR times as long (README, test hooks).
std::optional<rank_slowdown> slowdown_from_environment() {
  const char* v = std::getenv("HETSPIKE_SLOWDOWN");
  if (!v || !*v) return std::nullopt;
  int rank = 0;
  double factor = 1;
  if (std::sscanf(v, "%d:%lf", &rank, &factor) != 2 || factor < 1)
    throw input_error(std::string("HETSPIKE_SLOWDOWN=") + v + ": expected RANK:FACTOR with FACTOR >= 1, e.g. 1:2");
  return rank_slowdown{rank, factor};
}

}  // namespace

simulation_options placement_simulation_options(const distributed_context& ctx, const rank_facts& facts,
                                                const placement_options& p) {
  return agree_on_input_errors(ctx, [&] {
    simulation_options o;
    o.backend = choose_backend(p.backend, p.backend_map, facts);
    if (!p.rank_weights.empty() && !p.rank_weights_file.empty())
      throw input_error("--rank-weights and --rank-weights-file: give one of them");
    if (!p.rank_weights.empty()) o.rank_weights = parse_weights(p.rank_weights, "--rank-weights");
    if (!p.rank_weights_file.empty()) o.rank_weights = read_weights_file(p.rank_weights_file);
    if (!o.rank_weights.empty() && static_cast<int>(o.rank_weights.size()) != ctx.size())
      throw input_error("rank weights: " + std::to_string(o.rank_weights.size()) + " weights for " +
                        std::to_string(ctx.size()) + " ranks; allowed: one weight per rank");
    o.fault = fault_from_environment();
    o.slowdown = slowdown_from_environment();
    return o;
  });
}

}  // namespace hetspike
