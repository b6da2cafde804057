#include "apps/rank_fit.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include "partition/parallel_chunks.hpp"
#include "runtime/memory_usage.hpp"

namespace hetspike {

namespace {

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) bytes /= 1024, ++u;
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %s", bytes, units[u]);
  return text;
}

}  // namespace

std::optional<double> parse_byte_size(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  while (used < text.size() && text[used] == ' ') ++used;
  const std::string unit = text.substr(used);
  const std::pair<const char*, int> units[] = {{"", 0}, {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
  for (const auto& [name, shift] : units)
    if (unit == name) {
      const double bytes = std::ldexp(value, shift);
      if (std::isfinite(bytes) && bytes > 0) return bytes;
      return std::nullopt;
    }
  return std::nullopt;
}

rank_memory memory_per_rank(const std::string& given, const rank_facts& facts) {
  if (!given.empty()) {
    const auto bytes = parse_byte_size(given);
    if (!bytes) throw input_error("--memory-per-rank: '" + given + "' is not a size; allowed: " + byte_size_allowed);
    return {*bytes, "--memory-per-rank " + given};
  }
  const double node = static_cast<double>(node_memory_bytes());
  if (node == 0) return {};
  return {node / facts.ranks_on_node, "this node's " + format_bytes(node) + " over its " +
                                          std::to_string(facts.ranks_on_node) + " rank" +
                                          (facts.ranks_on_node == 1 ? "" : "s") + "; --memory-per-rank sets it"};
}

rank_estimate require_rank_fits(const model_file& model, int ranks, int rank, bool emulated,
                                const rank_memory& memory) {
  const rank_estimate e =
      naming_the_model(model, [&] { return estimate_rank(model.spec.network, ranks, rank, default_build_threads()); });
  const double peak = e.peak(emulated);
  if (memory.bytes > 0 && peak > memory.bytes) {
    char figures[128];
    std::snprintf(figures, sizeof figures, "%.0f neurons, %.3g synapses", e.neurons, e.synapses);
    throw capacity_error(model.path + ": rank " + std::to_string(rank) + " of " + std::to_string(ranks) +
                         (emulated ? " (emulated)" : "") + " needs an estimated " + format_bytes(peak) +
                         " at its peak (" + figures + "; `hetspike check " + model.path + " --ranks " +
                         std::to_string(ranks) + "` lists the parts); allowed: at most " + format_bytes(memory.bytes) +
                         " per rank (" + memory.source + "): run on more ranks or nodes, or a smaller model");
  }
  return e;
}

}  // namespace hetspike
