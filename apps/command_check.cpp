// `hetspike check MODEL`: validate the model and print what it would build, without building it.
#include <cstdio>

#include "apps/commands.hpp"
#include "apps/rank_fit.hpp"
#include "io/model_file.hpp"
#include "partition/network_summary.hpp"
#include "partition/rank_estimate.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace {

void print_summary(const model_file& model, const network_summary& s) {
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
  std::printf("simulate   %.1f ms (+ %.1f ms warm-up), dt %.3g ms, seed %u\n", model.spec.t_sim, model.spec.t_presim,
              net.dt, net.seed);
}

/// The estimate of one rank (docs/scaling.md), in the figures an emulated rank's report gives.
void print_rank(const rank_estimate& e, double dt, std::int64_t d_min) {
  constexpr double mib = 1 << 20;
  auto share = [&](double n) { return e.rows > 0 ? 100 * n / e.rows : 0.0; };
  std::printf("per rank   rank %d of %d, %d build thread%s (expected values)\n", e.rank, e.ranks, e.threads,
              e.threads == 1 ? "" : "s");
  std::printf("  neurons            %.0f\n", e.neurons);
  std::printf("  synapses           %.0f\n", e.synapses);
  std::printf("  rows               %.0f (single %.1f%%, run %.1f%%, list %.1f%%, table %.1f%%)\n", e.rows,
              share(e.single_rows), share(e.run_rows), share(e.list_rows), share(e.table_rows));
  std::printf("  routes             %.0f (%.1f per neuron)\n", e.routes, e.neurons > 0 ? e.routes / e.neurons : 0.0);
  std::printf(
      "  memory             synapses %.1f MiB, rows %.1f MiB, routes %.1f MiB, plastic state %.1f MiB, "
      "neurons %.1f MiB\n",
      e.synapse_bytes / mib, e.row_bytes / mib, e.route_bytes / mib, e.plastic_bytes / mib, e.neuron_bytes / mib);
  std::printf("  after build        %.1f MiB\n", e.after_build() / mib);
  std::printf("  peak               %.1f MiB (%.2f bytes per synapse); emulated: %.1f MiB (%.2f)\n",
              e.peak(false) / mib, e.synapses > 0 ? e.peak(false) / e.synapses : 0.0, e.peak(true) / mib,
              e.synapses > 0 ? e.peak(true) / e.synapses : 0.0);
  // Every row here fires at its source's rate: at 1 Hz, rows x d_min x dt messages arrive per interval.
  std::printf(
      "  exchange           at 1 Hz per neuron: %.3g messages (%.3g bytes) received per interval of %lld "
      "steps; each spike goes to %.1f ranks\n",
      e.rows * static_cast<double>(d_min) * dt * 1e-3, 8 * e.rows * static_cast<double>(d_min) * dt * 1e-3,
      static_cast<long long>(d_min), e.neurons > 0 ? e.routes / e.neurons : 0.0);
}

}  // namespace

int check_command(const distributed_context& ctx, const check_options& options) {
  const model_file model = load_model(ctx, options.model);
  const int ranks = options.ranks.value_or(ctx.size());
  // The limits the start of `run` applies, to rank 0 of `ranks` (the largest block: blocks differ by one neuron).
  const rank_facts facts = gather_rank_facts(ctx);
  const rank_estimate estimate = agree_on_input_errors(
      ctx, [&] { return require_rank_fits(model, ranks, 0, false, memory_per_rank(options.memory_per_rank, facts)); });
  if (ctx.rank() != 0) return exit_ok;
  const auto summary = summarize_network(model.spec.network);
  print_summary(model, summary);
  print_rank(estimate, model.spec.network.dt, summary.d_min);
  std::printf("OK\n");
  return exit_ok;
}

}  // namespace hetspike
