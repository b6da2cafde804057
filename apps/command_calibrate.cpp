// `hetspike calibrate MODEL`: a short run that times every rank's work (neuron updates and spike delivery)
// per neuron, and writes rank weights that give each rank neurons in proportion to its speed. The next run
// takes them with --rank-weights-file (DESIGN.md, "Partitioning": weights measured by a calibration run).
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"

namespace hetspike {

namespace {

/// Spikes of a calibration run go nowhere.
class discarding_sink final : public spike_sink {
 public:
  void write(std::span<const recorded_spike>) override {}
  void close() override {}
};

}  // namespace

int calibrate_command(const distributed_context& ctx, const calibrate_options& options) {
  model_options m = options.model;
  if (!m.t_sim) m.t_sim = 200.0;  // long enough to time, short enough to be cheap
  const model_file model = load_model(ctx, m);
  simulation_options sim_options = placement_simulation_options(ctx, gather_rank_facts(ctx), options.placement);
  sim_options.show_progress = false;
  simulation sim(ctx, model.spec, sim_options);
  discarding_sink sink;
  sim.run(sink);
  const run_summary s = sim.summarize();
  // A rank's speed is neurons per busy second; weights in that proportion equalise busy time.
  std::vector<double> weights, busy, neurons;
  double mean = 0;
  for (const auto& r : s.per_rank) {
    busy.push_back(r.busy_seconds);
    neurons.push_back(static_cast<double>(r.neurons));
    weights.push_back(r.busy_seconds > 0 && r.neurons > 0 ? static_cast<double>(r.neurons) / r.busy_seconds : 0.0);
  }
  for (double w : weights) mean += w / static_cast<double>(weights.size());
  for (double& w : weights) w = w > 0 ? w / mean : 1.0;  // a rank without neurons keeps weight 1
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    nlohmann::ordered_json j;
    j["rank_weights"] = weights;
    j["measured"] = {{"model", model.path},
                     {"t_sim", model.spec.t_sim},
                     {"busy_seconds", busy},
                     {"neurons", neurons},
                     {"busy_imbalance", s.busy_imbalance}};
    std::ofstream out(options.out);
    if (!(out << j.dump(2) << "\n")) throw input_error("--out " + options.out + ": cannot write the weights file");
  });
  if (ctx.rank() == 0) {
    std::printf("%-6s %-40s %10s %12s %10s\n", "rank", "backend", "neurons", "busy [s]", "weight");
    for (std::size_t r = 0; r < weights.size(); ++r)
      std::printf("%-6zu %-40s %10.0f %12.4f %10.3f\n", r, s.per_rank[r].backend.c_str(), neurons[r], busy[r],
                  weights[r]);
    std::printf("busy imbalance (max/mean) %.3f with the weights used; new weights written to %s\n", s.busy_imbalance,
                options.out.c_str());
  }
  return exit_ok;
}

}  // namespace hetspike
