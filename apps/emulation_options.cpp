// Turning --emulate-ranks, --as-rank, --emulated-rate and --emulated-routes into the simulation's emulation
// options, with every combination that cannot work refused by name.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "apps/commands.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace {

/// Replaying the other ranks' rows costs P first draws: worth it (exact routes) only for small jobs.
constexpr int replay_routes_up_to = 64;

double parse_rate(const std::string& item, const std::string& value) {
  char* end = nullptr;
  const double hz = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(hz >= 0) || hz > 1e6)
    throw input_error("--emulated-rate " + item + ": \"" + value + "\" is not a rate; allowed: 0 to 1e6 Hz");
  return hz;
}

}  // namespace

std::optional<emulation_options> parse_emulation_options(const distributed_context& ctx, const run_options& run,
                                                         const model_file& model) {
  const auto& e = run.emulation;
  if (e.ranks == 0) {
    if (e.as_rank || !e.rates.empty() || e.routes != "auto")
      throw input_error("--as-rank, --emulated-rate and --emulated-routes need --emulate-ranks P");
    return std::nullopt;
  }
  if (ctx.size() != 1)
    throw input_error("--emulate-ranks builds one rank of a job in one process; run it without mpirun (it runs on " +
                      std::to_string(ctx.size()) + " ranks)");
  if (e.ranks < 1) throw input_error("--emulate-ranks " + std::to_string(e.ranks) + ": allowed: 1 or more ranks");
  const int rank = e.as_rank.value_or(0);
  if (rank < 0 || rank >= e.ranks)
    throw input_error("--as-rank " + std::to_string(rank) + ": allowed: 0 to " + std::to_string(e.ranks - 1) +
                      " (--emulate-ranks " + std::to_string(e.ranks) + ")");
  if (!run.resume.empty() || run.checkpoint_every > 0)
    throw input_error("--emulate-ranks cannot --resume or --checkpoint-every: an emulated rank writes no checkpoints");
  if (!model.spec.state_recorders.empty())
    throw input_error("--emulate-ranks cannot record state: " + model.path +
                      " has [[recorders]] of type \"state\", whose files hold every rank's neurons; drop them");
  if (!run.placement.backend_map.empty() || !run.placement.rank_weights.empty() ||
      !run.placement.rank_weights_file.empty())
    throw input_error("--emulate-ranks emulates a job of equal ranks of one kind; drop --backend-map and rank weights");
  emulation_options out;
  out.ranks = e.ranks;
  out.as_rank = rank;
  if (e.routes == "auto")
    out.replay_routes = e.ranks <= replay_routes_up_to;
  else if (e.routes == "replayed" || e.routes == "drawn")
    out.replay_routes = e.routes == "replayed";
  else
    throw input_error("--emulated-routes " + e.routes + ": allowed: auto, drawn, replayed");
  // Rates: POP=HZ per population, *=HZ for the rest.
  const auto& pops = model.spec.network.populations;
  std::map<std::string, double> given;
  for (const auto& item : e.rates) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw input_error("--emulated-rate " + item + ": expected POPULATION=HZ (or *=HZ for every other population)");
    const std::string name = item.substr(0, eq);
    if (name != "*" && std::none_of(pops.begin(), pops.end(), [&](const auto& p) { return p.name == name; }))
      throw input_error("--emulated-rate " + item + ": " + model.path + " has no population \"" + name + "\"");
    given[name] = parse_rate(item, item.substr(eq + 1));
  }
  std::string missing;
  for (const auto& p : pops) {
    const bool projects = std::any_of(model.spec.network.projections.begin(), model.spec.network.projections.end(),
                                      [&](const auto& pr) { return &pops[pr.source] == &p; });
    auto it = given.find(p.name);
    if (it == given.end()) it = given.find("*");
    if (it == given.end() && projects) missing += (missing.empty() ? "" : ", ") + p.name;
    out.rate_hz.push_back(it == given.end() ? 0.0 : it->second);
  }
  if (!missing.empty())
    throw input_error("--emulated-rate: no rate for population(s) " + missing + " of " + model.path +
                      ", whose neurons on the other ranks send spikes here; give POP=HZ (e.g. "
                      "from a real run's report) or *=HZ");
  return out;
}

}  // namespace hetspike
