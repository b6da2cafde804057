#include "runtime/backend.hpp"

#include <fnmatch.h>
#include <unistd.h>
#include <Kokkos_Core.hpp>

#include <cstdlib>
#include <type_traits>

#include "partition/error.hpp"

namespace hetspike {

namespace {

constexpr std::string_view allowed_backends = "auto, cpu, gpu, neuromorphic";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

constexpr bool build_has_device() {
  return !std::is_same_v<Kokkos::DefaultExecutionSpace, Kokkos::DefaultHostExecutionSpace>;
}

backend_kind parse_kind(std::string_view name, const rank_facts& facts, const std::string& where) {
  if (name == "cpu") return backend_kind::cpu;
  if (name == "neuromorphic") return backend_kind::neuromorphic;
  if (name == "gpu") {
    if (!build_has_device())
      throw input_error(where + ": gpu, but this hetspike was built with Kokkos " +
                        std::string(Kokkos::DefaultExecutionSpace::name()) +
                        " only; build against a Kokkos with CUDA (-DKokkos_ROOT=...) or use cpu");
    if (!facts.device_available)
      throw input_error(where + ": gpu, but rank " + std::to_string(facts.rank) +
                        " sees no GPU (check "
                        "CUDA_VISIBLE_DEVICES and the job's GPU request)");
    return backend_kind::gpu;
  }
  if (name == "auto") return facts.device_available ? backend_kind::gpu : backend_kind::cpu;
  throw input_error(where + ": unknown backend \"" + std::string(name) +
                    "\"; allowed: " + std::string(allowed_backends));
}

bool rule_matches(std::string_view selector, const rank_facts& f, const std::string& where) {
  auto after = [&](std::string_view prefix) { return std::string(selector.substr(prefix.size())); };
  if (selector.starts_with("local=")) return after("local=") == std::to_string(f.local_rank);
  if (selector.starts_with("het=")) return after("het=") == f.het_job_id;
  if (selector.starts_with("host=")) return fnmatch(after("host=").c_str(), f.hostname.c_str(), 0) == 0;
  const auto dash = selector.find('-');
  char* end = nullptr;
  const std::string first_text(selector.substr(0, dash));
  const long first = std::strtol(first_text.c_str(), &end, 10);
  if (first_text.empty() || *end != '\0')
    throw input_error(where + ": selector \"" + std::string(selector) +
                      "\" is not a rank, a rank range N-M, local=N, het=K or host=PATTERN");
  long last = first;
  if (dash != std::string_view::npos) {
    const std::string last_text(selector.substr(dash + 1));
    last = std::strtol(last_text.c_str(), &end, 10);
    if (last_text.empty() || *end != '\0' || last < first)
      throw input_error(where + ": rank range \"" + std::string(selector) + "\" is not N-M with N <= M");
  }
  return f.rank >= first && f.rank <= last;
}

}  // namespace

std::string_view backend_name(backend_kind kind) {
  switch (kind) {
    case backend_kind::cpu:
      return "cpu";
    case backend_kind::gpu:
      return "gpu";
    case backend_kind::neuromorphic:
      return "neuromorphic";
  }
  return "?";
}

rank_facts gather_rank_facts(const distributed_context& ctx) {
  rank_facts f;
  f.rank = ctx.rank();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  f.hostname = host;
  f.het_job_id = env("SLURM_HET_JOB_ID");
  f.slurm_local_id = env("SLURM_LOCALID");
  // Ranks on the same host, in rank order: this rank's index among them, and how many there are.
  const auto names = ctx.allgather(std::span<const char>(host, sizeof host));
  f.ranks_on_node = 0;
  for (int r = 0; r < ctx.size(); ++r)
    if (std::string(names.data() + r * sizeof host) == f.hostname) {
      f.local_rank += r < ctx.rank();
      ++f.ranks_on_node;
    }
  if constexpr (build_has_device()) f.device_available = Kokkos::DefaultExecutionSpace::concurrency() > 0;
  return f;
}

backend_choice choose_backend(std::string_view default_backend, std::string_view rank_map, const rank_facts& facts) {
  backend_choice c;
  std::size_t index = 0;
  for (std::size_t begin = 0; begin < rank_map.size(); ++index) {
    const auto end = std::min(rank_map.find(',', begin), rank_map.size());
    const auto rule = rank_map.substr(begin, end - begin);
    begin = end + 1;
    const std::string where = "--backend-map rule " + std::to_string(index + 1) + " (" + std::string(rule) + ")";
    const auto colon = rule.rfind(':');
    if (colon == std::string_view::npos)
      throw input_error(where + ": expected SELECTOR:BACKEND, e.g. 0-1:cpu,2:neuromorphic");
    if (!rule_matches(rule.substr(0, colon), facts, where)) continue;
    c.kind = parse_kind(rule.substr(colon + 1), facts, where);
    c.why = "rank map rule " + std::to_string(index + 1) + " (" + std::string(rule) + ")";
    break;
  }
  if (c.why.empty()) {
    c.kind = parse_kind(default_backend, facts, "--backend");
    c.why = "--backend " + std::string(default_backend);
  }
  if (c.kind == backend_kind::gpu) {
    c.device =
        std::string("Kokkos::") + Kokkos::DefaultExecutionSpace::name() + " device " + std::to_string(facts.local_rank);
  } else {
    // Threads per rank matter to anyone reading a scaling study (OpenMP ranks run the host kernels threaded).
    const int threads = Kokkos::DefaultHostExecutionSpace().concurrency();
    c.device = std::string("Kokkos::") + Kokkos::DefaultHostExecutionSpace::name() + ", " + std::to_string(threads) +
               (threads == 1 ? " thread" : " threads");
  }
  return c;
}

std::vector<backend_kind> all_backends(const distributed_context& ctx, backend_kind mine) {
  const int k = static_cast<int>(mine);
  std::vector<backend_kind> out;
  for (int v : ctx.allgather(k)) out.push_back(static_cast<backend_kind>(v));
  return out;
}

}  // namespace hetspike
