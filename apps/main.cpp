// hetspike: the command-line entry point. MPI first, then Kokkos (STYLE.md §10), then one subcommand.
// A failure that is bad input stops every rank with one message and exit code 2; any other failure on one
// rank aborts the whole job (MPI_Abort) so that no rank waits forever in a collective.
#include <Kokkos_Core.hpp>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "apps/commands.hpp"
#include "apps/rank_fit.hpp"
#include "partition/error.hpp"
#include "runtime/mpi_context.hpp"
#include "runtime/node_cpus.hpp"

namespace {

/// Checks an option's text before CLI11 converts it, so that a bad value is refused in the form of model errors
/// ("--keep: '0' is not a count of ...; allowed: ...") instead of CLI11's "Could not convert" or its range check,
/// which prints bounds with 309 digits.
CLI::Validator accepted_if(std::function<bool(const std::string&)> accepts, const std::string& what,
                           const std::string& allowed) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        if (accepts(text)) return {};
        return "'" + text + "' is not " + what + "; allowed: " + allowed;
      },
      "");
}

/// The whole text read as one number of type T (std::stoll or std::stod), or nothing.
template <class T>
std::optional<T> number_of(const std::string& text) {
  try {
    std::size_t used = 0;
    T value{};
    if constexpr (std::is_integral_v<T>)
      value = std::stoll(text, &used);
    else
      value = std::stod(text, &used);
    if (used == text.size() && used > 0) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

/// A whole number in [min, max].
CLI::Validator count_in(long long min, long long max, const std::string& what) {
  return accepted_if(
      [=](const std::string& text) {
        const auto value = number_of<long long>(text);
        return value && *value >= min && *value <= max;
      },
      what, "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

/// A finite time >= 0 ms; `allowed` says what 0 means where it means something.
CLI::Validator time_at_least_0(const std::string& allowed) {
  return accepted_if(
      [](const std::string& text) {
        const auto value = number_of<double>(text);
        return value && std::isfinite(*value) && *value >= 0;
      },
      "a time", allowed);
}

void add_memory_option(CLI::App& cmd, std::string& memory_per_rank) {
  cmd.add_option("--memory-per-rank", memory_per_rank,
                 "Memory one rank may use, e.g. 4GiB (default: the node's memory, or its cgroup limit, over its "
                 "ranks): a model whose estimated peak exceeds it is refused before the build")
      ->check(accepted_if([](const std::string& text) { return hetspike::parse_byte_size(text).has_value(); }, "a size",
                          hetspike::byte_size_allowed));
}

void add_model_options(CLI::App& cmd, hetspike::model_options& m) {
  cmd.add_option("model", m.model_path, "Model file (TOML)")->required();
  cmd.add_option("--set", m.set, "Override a model parameter: NAME=VALUE (repeatable)");
  cmd.add_option("--seed", m.seed, "Random seed (replaces [simulation].seed)")
      ->check(count_in(0, std::numeric_limits<std::uint32_t>::max(), "a seed"));
  cmd.add_option("--t-sim", m.t_sim, "Simulated time in ms (replaces [simulation].t_sim)")
      ->check(time_at_least_0("a time >= 0 ms"));
}

void add_placement_options(CLI::App& cmd, hetspike::placement_options& p) {
  cmd.add_option("--backend", p.backend, "auto, cpu, gpu or neuromorphic: what this run's ranks are")
      ->capture_default_str();
  cmd.add_option("--backend-map", p.backend_map,
                 "Per-rank backends, first match wins: SELECTOR:BACKEND,... with selectors N, N-M, local=N, het=K, "
                 "host=PATTERN (e.g. 0-1:cpu,2:neuromorphic)");
  cmd.add_option("--rank-weights", p.rank_weights, "Relative speed of each rank, e.g. 1,3: neurons per rank follow it");
  cmd.add_option("--rank-weights-file", p.rank_weights_file, "Rank weights as `hetspike calibrate` writes them");
}

int dispatch(const hetspike::distributed_context& ctx, int argc, char** argv,
             std::optional<hetspike::stop_signal_handler>& signals) {
  CLI::App app{"hetspike: large spiking neural networks on heterogeneous MPI clusters"};
  app.set_version_flag("--version", "hetspike " HETSPIKE_VERSION);
  app.require_subcommand(1);
  hetspike::run_options run;
  auto* run_cmd = app.add_subcommand("run", "Build and simulate a model");
  add_model_options(*run_cmd, run.model);
  run_cmd
      ->add_option("--out", run.out_dir,
                   "Output directory (spikes.h5, report.json); at most 217 characters, 186 with the default "
                   "--checkpoint-dir (MPI-IO's limit)")
      ->capture_default_str();
  run_cmd->add_flag("!--no-progress", run.progress, "Do not print the progress line");
  add_placement_options(*run_cmd, run.placement);
  run_cmd
      ->add_option("--checkpoint-every", run.checkpoint_every,
                   "Write a checkpoint every MS of simulated time (0: only when stopped by SIGTERM or SIGUSR1)")
      ->check(time_at_least_0("0 (a checkpoint only when stopped by a signal) or a time > 0 ms"));
  run_cmd->add_option("--checkpoint-dir", run.checkpoint_dir,
                      "Checkpoint directory (default: OUT/checkpoints); at most 198 characters (MPI-IO's limit)");
  add_memory_option(*run_cmd, run.memory_per_rank);
  run_cmd->add_flag("--overwrite", run.overwrite,
                    "Replace the results of another run in --out (spike file, report, weights, checkpoints)");
  run_cmd->add_option("--keep", run.keep, "Checkpoints to keep")
      ->capture_default_str()
      ->check(count_in(1, 1000000, "a count of checkpoints to keep"));
  run_cmd->add_option("--resume", run.resume, "Continue from a checkpoint FILE, or the newest usable one in a DIR");
  run_cmd
      ->add_option("--emulate-ranks", run.emulation.ranks,
                   "Build and run one rank of a job of P ranks alone; the other ranks' spikes are drawn")
      ->check(count_in(1, std::numeric_limits<int>::max(), "a rank count"));
  run_cmd->add_option("--as-rank", run.emulation.as_rank, "With --emulate-ranks: which rank (default 0)")
      ->check(count_in(0, std::numeric_limits<int>::max() - 1, "a rank"));
  run_cmd->add_option("--emulated-rate", run.emulation.rates,
                      "With --emulate-ranks: POP=HZ, the rate of POP's neurons on the other ranks (*=HZ for the rest)");
  run_cmd
      ->add_option("--emulated-routes", run.emulation.routes,
                   "With --emulate-ranks: auto (replayed up to 64 ranks), drawn or replayed")
      ->capture_default_str();
  // Resuming without a model file uses the model stored in the checkpoint.
  run_cmd->get_option("model")->required(false);
  run_cmd->callback([&] {
    if (run.model.model_path.empty() && run.resume.empty())
      throw CLI::ValidationError("model", "a model file is required (or --resume a checkpoint)");
  });
  hetspike::check_options check;
  auto* check_cmd = app.add_subcommand("check", "Validate a model and print its size, without running it");
  add_model_options(*check_cmd, check.model);
  check_cmd->add_option("--ranks", check.ranks, "Estimate memory for this many ranks")
      ->check(count_in(1, std::numeric_limits<int>::max(), "a rank count"));
  add_memory_option(*check_cmd, check.memory_per_rank);
  hetspike::calibrate_options calibrate;
  auto* calibrate_cmd =
      app.add_subcommand("calibrate", "Time every rank on a short run and write rank weights that balance them");
  add_model_options(*calibrate_cmd, calibrate.model);
  add_placement_options(*calibrate_cmd, calibrate.placement);
  calibrate_cmd->add_option("--out", calibrate.out, "Weights file to write")->capture_default_str();
  hetspike::inspect_options inspect;
  auto* inspect_cmd = app.add_subcommand("inspect", "Describe a checkpoint file and verify its checksums");
  inspect_cmd->add_option("file", inspect.file, "Checkpoint file")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (ctx.rank() != 0) return e.get_exit_code() == 0 ? hetspike::exit_ok : hetspike::exit_bad_input;
    if (e.get_exit_code() == 0) {
      app.exit(e);  // help or version
      return hetspike::exit_ok;
    }
    // One line in the form of every other input error: "--keep: '0' is not ...; allowed: ...".
    std::fprintf(stderr, "hetspike: error: %s (hetspike --help lists the options)\n", e.what());
    return hetspike::exit_bad_input;
  }
  if (*run_cmd) {
    signals.emplace();  // from the start of the run: a signal during the build is acted on at the first poll
    signals->hold_until_process_exit();
    return hetspike::run_command(ctx, run, *signals);
  }
  if (*inspect_cmd) return hetspike::inspect_command(ctx, inspect);
  if (*calibrate_cmd) return hetspike::calibrate_command(ctx, calibrate);
  return hetspike::check_command(ctx, check);
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit makes writes fail with EFBIG (reported, earlier checkpoints intact) instead of killing.
  std::signal(SIGXFSZ, SIG_IGN);
  // A run's SIGTERM/SIGUSR1 handlers stay until the process ends, MPI's finalisation, static destructors and
  // exit included (held, never restored).
  std::optional<hetspike::stop_signal_handler> signals;
  hetspike::mpi_environment mpi(argc, argv);
  const hetspike::distributed_context ctx = hetspike::make_mpi_context();
  int code = hetspike::exit_ok;
  hetspike::share_cpus_among_ranks(ctx);
  {
    // Kokkos reads --help too and prints its own options first: it is given the arguments without it, and
    // hetspike's parser the ones Kokkos leaves (it removes its --kokkos-* arguments), with it.
    std::vector<char*> args(argv, argv + argc);
    const auto help = std::find_if(args.begin() + 1, args.end(), [](const char* a) {
      return std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0;
    });
    const bool wants_help = help != args.end();
    if (wants_help) args.erase(help);
    int kept = static_cast<int>(args.size());
    args.push_back(nullptr);
    Kokkos::ScopeGuard kokkos(kept, args.data());
    args.resize(static_cast<std::size_t>(kept));
    std::string help_flag = "--help";
    if (wants_help) args.push_back(help_flag.data());
    args.push_back(nullptr);
    try {
      code = dispatch(ctx, static_cast<int>(args.size() - 1), args.data(), signals);
    } catch (const hetspike::input_error& e) {
      // Every rank holds the same message (agree_on_input_errors): one prints it.
      if (ctx.rank() == 0) std::fprintf(stderr, "hetspike: error: %s\n", e.what());
      code = hetspike::exit_bad_input;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hetspike: rank %d: fatal: %s\n", ctx.rank(), e.what());
      std::fflush(stderr);
      ctx.abort(hetspike::exit_failure);
    }
  }
  return code;
}
