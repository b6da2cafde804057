// `hetspike run MODEL`: load and validate the model (every rank), build, simulate, write the SONATA spike
// file and the JSON report, print the summary. Outputs appear under their final names only when complete.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "apps/commands.hpp"
#include "io/model_file.hpp"
#include "io/run_report.hpp"
#include "io/sonata_spike_writer.hpp"
#include "partition/error.hpp"
#include "runtime/collective_errors.hpp"
#include "runtime/simulation.hpp"

namespace hetspike {

model_file load_model(const distributed_context& ctx, const model_options& m) {
  model_overrides o;
  o.set = m.set;
  o.seed = m.seed;
  o.t_sim = m.t_sim;
  return agree_on_input_errors(ctx, [&] { return load_model_file(m.model_path, o); });
}

namespace {

/// Creates the output directory (rank 0) and proves it writable, before anything is built.
void prepare_output_directory(const distributed_context& ctx, const std::filesystem::path& dir) {
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw input_error("--out " + dir.string() + ": cannot create the output directory: " + ec.message());
    const auto probe = dir / ".hetspike-write-test";
    {
      std::ofstream f(probe);
      if (!f) throw input_error("--out " + dir.string() + ": the output directory is not writable");
    }
    std::filesystem::remove(probe, ec);
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

/// The test hook HETSPIKE_FAULT_INJECT=RANK:STEP (documented in the README): that rank fails at that step.
std::optional<fault_injection> fault_from_environment() {
  const char* v = std::getenv("HETSPIKE_FAULT_INJECT");
  if (!v || !*v) return std::nullopt;
  int rank = 0;
  long long step = 0;
  if (std::sscanf(v, "%d:%lld", &rank, &step) != 2)
    throw input_error(std::string("HETSPIKE_FAULT_INJECT=") + v + ": expected RANK:STEP, e.g. 1:500");
  return fault_injection{rank, step};
}

}  // namespace

int run_command(const distributed_context& ctx, const run_options& options) {
  const model_file model = load_model(ctx, options.model);
  const std::filesystem::path out(options.out_dir);
  prepare_output_directory(ctx, out);
  const auto& net = model.spec.network;
  if (ctx.rank() == 0)
    std::printf("hetspike %s: %s (model hash %s), %llu neurons, %d rank%s, seed %u, %.1f ms\n", HETSPIKE_VERSION,
                model.path.c_str(), model.hash.c_str(), static_cast<unsigned long long>(net.num_neurons()), ctx.size(),
                ctx.size() == 1 ? "" : "s", net.seed, model.spec.t_presim + model.spec.t_sim);
  std::fflush(stdout);

  simulation sim(ctx, model.spec,
                 simulation_options{
                     .show_progress = options.progress, .flush_every_ms = 1000.0, .fault = fault_from_environment()});
  const auto spikes_path = out / "spikes.h5";
  {
    sonata_spike_writer writer(ctx, spikes_path, recorded_populations(model.spec), net.dt);
    sim.run(writer);
  }
  run_summary summary = sim.summarize();
  summary.hetspike_version = HETSPIKE_VERSION;
  summary.model_file = model.path;
  summary.model_hash = model.hash;
  const auto report_path = out / "report.json";
  summary.outputs = {spikes_path.string(), report_path.string()};
  if (ctx.rank() == 0) {
    write_run_report(summary, report_path);
    std::printf("%s", format_run_summary(summary).c_str());
    std::fflush(stdout);
  }
  ctx.barrier();  // the report exists on every rank's return, e.g. for a job script that reads it next
  return exit_ok;
}

}  // namespace hetspike
