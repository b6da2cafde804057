// `hetspike check MODEL`: validate the model and print what it would build, without building it.
#include <cstdio>

#include "apps/commands.hpp"
#include "io/model_file.hpp"
#include "partition/network_summary.hpp"

namespace hetspike {

namespace {

void print_summary(const model_file& model, const network_summary& s, int ranks) {
  const auto& net = model.spec.network;
  std::printf("model      %s (hash %s)\n", model.path.c_str(), model.hash.c_str());
  std::printf("populations\n");
  for (const auto& p : net.populations)
    std::printf("  %-12s %-14s %12llu neurons\n", p.name.c_str(), std::string(model_name(p.params)).c_str(),
                static_cast<unsigned long long>(p.size));
  std::printf("projections\n");
  for (std::size_t i = 0; i < net.projections.size(); ++i) {
    const auto& p = net.projections[i];
    std::printf("  %-12s -> %-12s %-18s %14.0f synapses%s\n", net.populations[p.source].name.c_str(),
                net.populations[p.target].name.c_str(), std::string(rule_name(p.rule)).c_str(),
                s.projection_synapses[i], p.rule == connection_rule::pairwise_bernoulli ? " (expected)" : "");
  }
  std::printf("inputs     %zu\n", net.inputs.size());
  std::printf("neurons    %llu\n", static_cast<unsigned long long>(s.neurons));
  std::printf("synapses   %.0f\n", s.synapses);
  std::printf("d_min      %lld steps (%.3g ms)\n", static_cast<long long>(s.d_min),
              static_cast<double>(s.d_min) * net.dt);
  std::printf("d_max      %lld steps (%.3g ms)%s\n", static_cast<long long>(s.d_max),
              static_cast<double>(s.d_max) * net.dt, s.d_max_estimated ? ", estimated: mean + 5 sd" : "");
  std::printf("memory     %.1f MiB in total on %d rank%s (%.1f MiB per rank; synapses %.2f bytes each)\n",
              s.total_bytes() / 1048576.0, ranks, ranks == 1 ? "" : "s", s.total_bytes() / 1048576.0 / ranks,
              s.synapses > 0 ? s.synapse_bytes / s.synapses : 0.0);
  std::printf("simulate   %.1f ms (+ %.1f ms warm-up), dt %.3g ms, seed %u\n", model.spec.t_sim, model.spec.t_presim,
              net.dt, net.seed);
  std::printf("OK\n");
}

}  // namespace

int check_command(const distributed_context& ctx, const check_options& options) {
  const model_file model = load_model(ctx, options.model);
  const int ranks = options.ranks.value_or(ctx.size());
  if (ctx.rank() == 0) print_summary(model, summarize_network(model.spec.network, ranks), ranks);
  return exit_ok;
}

}  // namespace hetspike
