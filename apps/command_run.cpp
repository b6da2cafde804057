// `hetspike run MODEL`: load and validate the model (every rank), build, optionally continue from a checkpoint,
// simulate, write the SONATA spike file, checkpoints and the JSON report, print the summary. Outputs appear
// under their final names only when complete.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/resume.hpp"
#include "io/checkpoint_file.hpp"
#include "io/run_report.hpp"
#include "io/sonata_spike_writer.hpp"
#include "io/weight_file.hpp"
#include "partition/error.hpp"
#include "runtime/build_info.hpp"
#include "runtime/collective_errors.hpp"
#include "runtime/simulation.hpp"
#include "runtime/stop_signals.hpp"

namespace hetspike {

namespace fs = std::filesystem;

model_file load_model(const distributed_context& ctx, const model_options& m) {
  model_overrides o;
  o.set = m.set;
  o.seed = m.seed;
  o.t_sim = m.t_sim;
  return agree_on_input_errors(ctx, [&] { return load_model_file(m.model_path, o); });
}

namespace {

/// Creates the output directory (rank 0) and proves it writable, before anything is built.
void prepare_output_directory(const distributed_context& ctx, const fs::path& dir) {
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw input_error("--out " + dir.string() + ": cannot create the output directory: " + ec.message());
    const auto probe = dir / ".hetspike-write-test";
    {
      std::ofstream f(probe);
      if (!f) throw input_error("--out " + dir.string() + ": the output directory is not writable");
    }
    fs::remove(probe, ec);
  });
}

std::vector<sonata_population> recorded_populations(const run_spec& spec) {
  std::vector<sonata_population> out;
  std::set<std::size_t> seen;
  const auto offsets = spec.network.population_offsets();
  for (const auto& r : spec.recorders)
    if (seen.insert(r.population).second)
      out.push_back({spec.network.populations[r.population].name, offsets[r.population],
                     spec.network.populations[r.population].size});
  return out;
}

/// A new run's id (rank 0 draws it, every rank gets it): ties spike files to the checkpoints of one run.
std::string new_run_id(const distributed_context& ctx) {
  std::string id;
  if (ctx.rank() == 0) {
    std::random_device device;
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%08x", static_cast<unsigned long long>(now), device());
    id = text;
  }
  return ctx.broadcast(id);
}

/// What the checkpoints of this run say about where they come from (the engine adds the state).
checkpoint_header checkpoint_identity(const model_file& model, const model_options& m, const std::string& run_id,
                                      const checkpoint_header* resumed) {
  checkpoint_header h;
  h.model_hash = model.hash;
  h.model_text = canonical_network_text(model.spec);
  h.model_path = model.path;
  if (resumed) {  // the stored model travels on, so that a later resume without the file still has it
    h.model_source = resumed->model_source;
    h.model_overrides = resumed->model_overrides;
  } else {
    std::ifstream in(model.path);
    std::ostringstream text;
    text << in.rdbuf();
    h.model_source = text.str();
  }
  for (const auto& s : m.set) h.model_overrides += s + "\n";
  h.hetspike_version = HETSPIKE_VERSION;
  h.build_id = build_identity();
  h.run_id = run_id;
  for (const auto& p : recorded_populations(model.spec)) h.recorded_populations.push_back(p.name);
  return h;
}

}  // namespace

int run_command(const distributed_context& ctx, const run_options& options) {
  const stop_signal_handler signals;  // from the start: a signal during the build is acted on at the first poll
  const auto candidates = options.resume.empty() ? std::vector<fs::path>{} : resume_candidates(ctx, options.resume);
  const model_file model = options.model.model_path.empty() && !candidates.empty()
                               ? model_from_checkpoint(ctx, candidates.front(), options.model)
                               : load_model(ctx, options.model);
  const fs::path out(options.out_dir);
  prepare_output_directory(ctx, out);
  const fs::path checkpoint_dir =
      options.checkpoint_dir.empty() ? out / "checkpoints" : fs::path(options.checkpoint_dir);
  hdf5_checkpoint_store store(ctx, checkpoint_dir, options.keep);
  const auto& net = model.spec.network;
  if (ctx.rank() == 0)
    std::printf("hetspike %s: %s (model hash %s), %llu neurons, %d rank%s, seed %u, %.1f ms\n", HETSPIKE_VERSION,
                model.path.c_str(), model.hash.c_str(), static_cast<unsigned long long>(net.num_neurons()), ctx.size(),
                ctx.size() == 1 ? "" : "s", net.seed, model.spec.t_presim + model.spec.t_sim);
  std::fflush(stdout);

  simulation_options sim_options = placement_simulation_options(ctx, options.placement);
  sim_options.emulation = agree_on_input_errors(ctx, [&] { return parse_emulation_options(ctx, options, model); });
  sim_options.show_progress = options.progress;
  sim_options.checkpoint_every_ms = options.checkpoint_every;
  sim_options.stop_requested = [&signals] { return signals.received() != 0; };
  simulation sim(ctx, model.spec, sim_options);
  std::optional<checkpoint_header> resumed;
  if (!candidates.empty()) {
    resumed = restore_newest_usable(ctx, sim, model, candidates, fs::is_directory(options.resume));
    if (ctx.rank() == 0)
      std::printf("hetspike: continuing from step %lld (%.1f ms)\n", static_cast<long long>(resumed->step),
                  static_cast<double>(resumed->step) * net.dt);
  }
  const std::string run_id = resumed ? resumed->run_id : new_run_id(ctx);
  const auto spikes_path = out / "spikes.h5";
  run_outcome outcome;
  {
    std::optional<spike_file_resume> continue_from;
    if (resumed) continue_from = spike_file_resume{resumed->recorded_spikes, run_id};
    sonata_spike_writer writer(ctx, spikes_path, recorded_populations(model.spec), net.dt, run_id, continue_from);
    if (resumed && !writer.continued() && ctx.rank() == 0)
      std::fprintf(stderr,
                   "hetspike: warning: %s does not hold this run's spikes up to the checkpoint; the new file "
                   "holds the spikes from %.1f ms on\n",
                   spikes_path.c_str(), static_cast<double>(resumed->step) * net.dt);
    outcome = sim.run(writer, &store, checkpoint_identity(model, options.model, run_id, resumed ? &*resumed : nullptr));
  }
  run_summary summary = sim.summarize();
  summary.hetspike_version = HETSPIKE_VERSION;
  summary.model_file = model.path;
  summary.model_hash = model.hash;
  summary.parameters = model.parameters;
  const auto report_path = out / "report.json";
  summary.outputs = {spikes_path.string(), report_path.string()};
  const auto weights_path = out / "weights.h5";
  if (!model.spec.weight_recorders.empty()) summary.outputs.push_back(weights_path.string());
  if (ctx.rank() == 0) {
    if (!model.spec.weight_recorders.empty()) write_weight_file(sim.weight_recordings(), weights_path);
    write_run_report(summary, report_path);
    std::printf("%s", format_run_summary(summary).c_str());
    if (outcome == run_outcome::stopped)
      std::printf("hetspike: stopped by signal %d at %.1f ms after writing %s; continue with --resume %s\n",
                  signals.received(), static_cast<double>(summary.end_step) * net.dt,
                  summary.checkpoints.empty() ? "no checkpoint" : summary.checkpoints.back().c_str(),
                  checkpoint_dir.c_str());
    std::fflush(stdout);
  }
  ctx.barrier();  // the report exists on every rank's return, e.g. for a job script that reads it next
  return outcome == run_outcome::stopped ? exit_checkpointed : exit_ok;
}

}  // namespace hetspike
