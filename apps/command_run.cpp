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
#include <sstream>
#include <utility>

#include "apps/commands.hpp"
#include "apps/rank_fit.hpp"
#include "apps/resume.hpp"
#include "io/checkpoint_file.hpp"
#include "io/output_path.hpp"
#include "io/run_report.hpp"
#include "io/sonata_spike_writer.hpp"
#include "io/sonata_state_writer.hpp"
#include "io/weight_file.hpp"
#include "partition/error.hpp"
#include "runtime/build_info.hpp"
#include "runtime/collective_errors.hpp"
#include "runtime/simulation.hpp"
#include "runtime/stop_signals.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

/// Every rank loads the model libraries itself: from the same bytes, or ranks on nodes with different installs
/// would run different code under one model name.
void check_same_libraries(const distributed_context& ctx, const model_file& model) {
  std::vector<std::int64_t> low, high;
  for (const auto& library : model.libraries)
    low.push_back(static_cast<std::int64_t>(std::stoull(library.file_hash, nullptr, 16)));
  high = low;
  ctx.reduce_in_place(low, reduce_op::min);
  ctx.reduce_in_place(high, reduce_op::max);
  agree_on_input_errors(ctx, [&] {
    for (std::size_t i = 0; i < low.size(); ++i)
      if (low[i] != high[i])
        throw input_error(model.path + ": libraries[" + std::to_string(i) + "]: " + model.libraries[i].path +
                          " holds other bytes on some ranks than on others (another build on another node); "
                          "allowed: the same library file on every rank");
  });
}

}  // namespace

model_file load_model(const distributed_context& ctx, const model_options& m) {
  model_overrides o;
  o.set = m.set;
  o.seed = m.seed;
  o.t_sim = m.t_sim;
  model_file model = agree_on_input_errors(ctx, [&] { return load_model_file(m.model_path, o); });
  check_same_libraries(ctx, model);
  return model;
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

/// Where a run's outputs go in --out (named here only; the state files' names are sonata_state_writer's).
struct run_outputs {
  fs::path dir, spikes, report, weights;
  std::vector<fs::path> states;  ///< this run's state files
  run_outputs(const fs::path& d, const run_spec& spec)
      : dir(d),
        spikes(d / "spikes.h5"),
        report(d / "report.json"),
        weights(d / "weights.h5"),
        states(state_file_paths(d, state_reports(spec))) {}
};

/// Every state file (and partial one) in `dir`, whatever run wrote it: rank 0.
std::vector<fs::path> state_files_in(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("state_") && (name.ends_with(".h5") || name.ends_with(".h5.partial")))
      found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

/// The names every rank opens through MPI-IO, checked before anything is created: one too long for MPI-IO aborts
/// every rank when the spike file is opened, or at the first checkpoint, hours into the run.
void check_mpi_io_names(const distributed_context& ctx, const run_options& o, const run_outputs& out,
                        const fs::path& checkpoint_dir) {
  agree_on_input_errors(ctx, [&] {
    const bool own_dir = !o.checkpoint_dir.empty();
    std::vector<std::string> problems = {
        mpi_io_path_problem("--out", o.out_dir, partial_path_of(out.spikes), "the spike file"),
        mpi_io_path_problem(own_dir ? "--checkpoint-dir" : "--out", own_dir ? o.checkpoint_dir : o.out_dir,
                            longest_partial_checkpoint_path(checkpoint_dir), "a checkpoint")};
    for (const auto& state : out.states)
      problems.push_back(mpi_io_path_problem("--out", o.out_dir, partial_path_of(state), "a state file"));
    for (const auto& problem : problems)
      if (!problem.empty()) throw input_error(problem);
  });
}

/// The outputs a run writes, checked before anything is built (rank 0; every rank agrees): a run must not end
/// unable to write what it computed.
void check_output_names(const distributed_context& ctx, const run_outputs& out, const fs::path& checkpoint_dir,
                        bool weights) {
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    std::vector<std::pair<fs::path, std::string>> outputs{{out.spikes, "spike file"}, {out.report, "run report"}};
    if (weights) outputs.emplace_back(out.weights, "weight file");
    for (const auto& state : out.states) outputs.emplace_back(state, "state file");
    for (const auto& [path, what] : outputs)
      if (const auto problem = output_path_problem(path, what); !problem.empty()) throw input_error(problem);
    std::error_code ec;
    if (fs::exists(checkpoint_dir, ec) && !fs::is_directory(checkpoint_dir, ec))
      throw input_error("--checkpoint-dir " + checkpoint_dir.string() +
                        ": exists and is not a directory; allowed: a directory, or a path where one can be created");
  });
}

/// The results of an earlier run (rank 0): its outputs and checkpoints.
std::vector<fs::path> earlier_results(const run_outputs& out, const fs::path& checkpoint_dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& path : {out.spikes, partial_path_of(out.spikes), out.report, out.weights})
    if (fs::exists(path, ec)) found.push_back(path);
  for (const auto& s : state_files_in(out.dir)) found.push_back(s);
  for (const auto& c : list_checkpoints(checkpoint_dir)) found.push_back(c);
  return found;
}

/// A new run takes an --out without another run's results, a resumed run one without another run's spikes (it
/// would replace them); with --overwrite those results are removed first, so that no earlier checkpoint is taken
/// for this run's later. Rank 0 looks; every rank agrees.
void claim_output_directory(const distributed_context& ctx, const run_outputs& out, const fs::path& checkpoint_dir,
                            const checkpoint_header* resumed, bool overwrite) {
  const fs::path& dir = out.dir;
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    std::vector<fs::path> foreign;
    if (resumed == nullptr) {
      foreign = earlier_results(out, checkpoint_dir);
    } else {
      std::vector<fs::path> continued = state_files_in(dir);
      continued.insert(continued.begin(), {out.spikes, partial_path_of(out.spikes)});
      for (const auto& path : continued)
        if (const auto id = spike_file_run_id(path); id && *id != resumed->run_id) foreign.push_back(path);
    }
    if (foreign.empty()) return;
    std::string names;
    for (const auto& f : foreign) names += (names.empty() ? "" : ", ") + f.lexically_relative(dir).string();
    if (!overwrite)
      throw input_error("--out " + dir.string() + ": holds the results of another run (" + names +
                        "); allowed: a new or empty directory, --resume with that run's checkpoints, or --overwrite "
                        "to replace them");
    for (const auto& f : foreign) {
      std::error_code ec;
      fs::remove(f, ec);
      if (ec) throw input_error("--overwrite: cannot remove " + f.string() + ": " + ec.message());
    }
  });
}

/// Rank 0 runs f (writing outputs at the end of the run); a failure there stops every rank with its message
/// (exit 2), so that none is left waiting for rank 0.
template <class F>
void on_rank_0_agreed(const distributed_context& ctx, F&& f) {
  agree_on_input_errors(ctx, [&] {
    if (ctx.rank() != 0) return;
    try {
      f();
    } catch (const input_error&) {
      throw;
    } catch (const std::exception& e) {
      throw input_error(e.what());
    }
  });
}

/// What every rank must have been given alike, one item per line: the resolved model (network, parameters, times,
/// recorders) and the options that every rank acts on collectively.
std::string inputs_every_rank_shares(const model_file& model, const run_options& o) {
  std::ostringstream text;
  text.precision(17);
  // The parameters first: a difference there is the cause of any in the network.
  for (const auto& [name, value] : model.parameters) text << "parameters." << name << " = " << value << "\n";
  text << canonical_network_text(model.spec);
  text << "simulation.t_presim = " << model.spec.t_presim << "\nsimulation.t_sim = " << model.spec.t_sim << "\n";
  for (const auto& r : model.spec.recorders)
    text << "recorders = " << model.spec.network.populations[r.population].name << " first "
         << (r.first ? std::to_string(*r.first) : "all") << "\n";
  for (const auto& r : model.spec.state_recorders) {
    text << "state_recorders = " << model.spec.network.populations[r.population].name << " first "
         << (r.first ? std::to_string(*r.first) : "all") << " interval " << r.interval << " precision "
         << static_cast<int>(r.precision) << " variables";
    for (const auto& v : r.variables) text << " " << v;
    text << "\n";
  }
  for (const auto& w : model.spec.weight_recorders)
    text << "weight_recorders = projections[" << w.projection << "] targets " << w.targets << " interval " << w.interval
         << "\n";
  text << "--out " << o.out_dir << "\n--checkpoint-every " << o.checkpoint_every << "\n--checkpoint-dir "
       << o.checkpoint_dir << "\n--keep " << o.keep << "\n--resume " << o.resume << "\n--overwrite " << o.overwrite
       << "\n--backend-map " << o.placement.backend_map << "\n--rank-weights " << o.placement.rank_weights
       << "\n--rank-weights-file " << o.placement.rank_weights_file << "\n--emulate-ranks " << o.emulation.ranks
       << "\n--as-rank " << (o.emulation.as_rank ? std::to_string(*o.emulation.as_rank) : "") << "\n--emulated-routes "
       << o.emulation.routes << "\n";
  for (const auto& r : o.emulation.rates) text << "--emulated-rate " << r << "\n";
  return text.str();
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
  h.model_overrides += stored_overrides(m);
  h.hetspike_version = HETSPIKE_VERSION;
  h.build_id = build_identity();
  h.run_id = run_id;
  for (const auto& p : recorded_populations(model.spec)) h.recorded_populations.push_back(p.name);
  return h;
}

/// The writer of the run's state files (none without state recorders); a resumed run continues those of the run
/// it resumes, warning about any it cannot.
std::unique_ptr<sonata_state_writer> open_state_files(const distributed_context& ctx, const run_outputs& out,
                                                      const run_spec& spec, const std::string& run_id,
                                                      const checkpoint_header* resumed) {
  if (out.states.empty()) return nullptr;
  std::optional<state_file_resume> continue_from;
  if (resumed) continue_from = state_file_resume{resumed->step, run_id};
  auto writer =
      std::make_unique<sonata_state_writer>(ctx, out.dir, state_reports(spec), spec.network.dt, run_id, continue_from);
  if (resumed && !writer->resume_problem().empty() && ctx.rank() == 0)
    std::fprintf(stderr,
                 "hetspike: warning: a state file does not hold this run's samples up to the checkpoint (%s); the "
                 "new file holds the samples from %.1f ms on\n",
                 writer->resume_problem().c_str(), static_cast<double>(resumed->step) * spec.network.dt);
  return writer;
}

}  // namespace

int run_command(const distributed_context& ctx, const run_options& options, const stop_signal_handler& signals) {
  const auto candidates = options.resume.empty() ? std::vector<fs::path>{} : resume_candidates(ctx, options.resume);
  // Every checksum of the header of the checkpoint to resume verified before anything of it is used.
  std::optional<std::pair<fs::path, checkpoint_header>> newest;
  if (!candidates.empty()) newest = newest_readable_header(ctx, candidates, fs::is_directory(options.resume));
  const model_file model = options.model.model_path.empty() && newest
                               ? model_from_checkpoint(ctx, newest->first, newest->second, options.model)
                               : load_model(ctx, options.model);
  require_same_on_every_rank(ctx, inputs_every_rank_shares(model, options), "model or options");
  // Where this rank runs and whether it can hold its part: refused before anything is created or built.
  const rank_facts facts = gather_rank_facts(ctx);
  simulation_options sim_options = placement_simulation_options(ctx, facts, options.placement);
  sim_options.emulation = agree_on_input_errors(ctx, [&] { return parse_emulation_options(ctx, options, model); });
  sim_options.show_progress = options.progress;
  sim_options.checkpoint_every_ms = options.checkpoint_every;
  sim_options.stop_requested = [&signals] { return signals.received() != 0; };
  agree_on_input_errors(ctx, [&] {
    const auto& e = sim_options.emulation;
    require_rank_fits(model, e ? e->ranks : ctx.size(), e ? e->as_rank : ctx.rank(), e.has_value(),
                      memory_per_rank(options.memory_per_rank, facts));
  });
  const fs::path out(options.out_dir);
  const fs::path checkpoint_dir =
      options.checkpoint_dir.empty() ? out / "checkpoints" : fs::path(options.checkpoint_dir);
  const run_outputs outputs(out, model.spec);
  check_mpi_io_names(ctx, options, outputs, checkpoint_dir);
  prepare_output_directory(ctx, out);
  check_output_names(ctx, outputs, checkpoint_dir, !model.spec.weight_recorders.empty());
  claim_output_directory(ctx, outputs, checkpoint_dir, newest ? &newest->second : nullptr, options.overwrite);
  hdf5_checkpoint_store store(ctx, checkpoint_dir, options.keep);
  const auto& net = model.spec.network;
  if (ctx.rank() == 0)
    std::printf("hetspike %s: %s (model hash %s), %llu neurons, %d rank%s, seed %u, %.1f ms\n", HETSPIKE_VERSION,
                model.path.c_str(), model.hash.c_str(), static_cast<unsigned long long>(net.num_neurons()), ctx.size(),
                ctx.size() == 1 ? "" : "s", net.seed, model.spec.t_presim + model.spec.t_sim);
  std::fflush(stdout);

  simulation sim = naming_the_model(model, [&] { return simulation(ctx, model.spec, sim_options); });
  std::optional<checkpoint_header> resumed;
  if (!candidates.empty()) {
    resumed = restore_newest_usable(ctx, sim, model, candidates, fs::is_directory(options.resume));
    if (ctx.rank() == 0)
      std::printf("hetspike: continuing from step %lld (%.1f ms)\n", static_cast<long long>(resumed->step),
                  static_cast<double>(resumed->step) * net.dt);
  }
  const std::string run_id = resumed ? resumed->run_id : new_run_id(ctx);
  const auto& spikes_path = outputs.spikes;
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
    const auto states = open_state_files(ctx, outputs, model.spec, run_id, resumed ? &*resumed : nullptr);
    outcome = sim.run(writer, &store, checkpoint_identity(model, options.model, run_id, resumed ? &*resumed : nullptr),
                      states.get());
  }
  run_summary summary = sim.summarize();
  summary.hetspike_version = HETSPIKE_VERSION;
  summary.model_file = model.path;
  summary.model_hash = model.hash;
  summary.libraries = model.libraries;
  summary.parameters = model.parameters;
  const auto& report_path = outputs.report;
  summary.outputs = {spikes_path.string(), report_path.string()};
  for (const auto& state : outputs.states) summary.outputs.push_back(state.string());
  const auto& weights_path = outputs.weights;
  if (!model.spec.weight_recorders.empty()) summary.outputs.push_back(weights_path.string());
  on_rank_0_agreed(ctx, [&] {
    if (!model.spec.weight_recorders.empty()) write_weight_file(sim.weight_recordings(), weights_path);
    write_run_report(summary, report_path);
  });
  // The signal any rank received (perhaps not rank 0, which prints it).
  const auto signal = static_cast<int>(ctx.max(static_cast<std::int64_t>(signals.received())));
  if (ctx.rank() == 0) {
    std::printf("%s", format_run_summary(summary).c_str());
    if (outcome == run_outcome::stopped)
      std::printf("hetspike: stopped by signal %d at %.1f ms after writing %s; continue with --resume %s\n", signal,
                  static_cast<double>(summary.end_step) * net.dt,
                  summary.checkpoints.empty() ? "no checkpoint" : summary.checkpoints.back().c_str(),
                  checkpoint_dir.c_str());
    std::fflush(stdout);
  }
  ctx.barrier();  // the report exists on every rank's return, e.g. for a job script that reads it next
  return outcome == run_outcome::stopped ? exit_checkpointed : exit_ok;
}

}  // namespace hetspike
