#pragma once
// The subcommands of the `hetspike` binary. Each runs on every rank (collective) and returns the process exit
// code; bad input is thrown as input_error, the same on every rank.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/model_file.hpp"
#include "runtime/backend.hpp"
#include "runtime/distributed_context.hpp"
#include "runtime/simulation.hpp"
#include "runtime/stop_signals.hpp"

namespace hetspike {

/// Exit codes: documented in the README.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;    ///< a fault during the run (the job is aborted on all ranks)
inline constexpr int exit_bad_input = 2;  ///< bad model file, option or output directory

struct model_options {
  std::string model_path;
  std::vector<std::string> set;  ///< --set NAME=VALUE
  std::optional<std::uint32_t> seed;
  std::optional<double> t_sim;
};

/// Where a rank runs and how neurons are shared: --backend, --backend-map, --rank-weights(-file).
struct placement_options {
  std::string backend = "auto";
  std::string backend_map;
  std::string rank_weights;       ///< "1,3"
  std::string rank_weights_file;  ///< JSON {"rank_weights": [...]} as `hetspike calibrate` writes it
};

/// --emulate-ranks P --as-rank R --emulated-rate POP=HZ... --emulated-routes auto|drawn|replayed.
struct emulate_options {
  int ranks = 0;  ///< 0: a real run
  std::optional<int> as_rank;
  std::vector<std::string> rates;
  std::string routes = "auto";
};

struct run_options {
  model_options model;
  placement_options placement;
  std::string out_dir = "out";
  bool progress = true;
  double checkpoint_every = 0;  ///< ms of simulated time; 0: only when stopped by a signal
  std::string checkpoint_dir;   ///< default: OUT/checkpoints
  int keep = 2;                 ///< checkpoints kept
  std::string resume;           ///< a checkpoint file, or a directory (its newest usable checkpoint)
  bool overwrite = false;       ///< replace another run's results in out_dir
  std::string memory_per_rank;  ///< --memory-per-rank; empty: the node's memory over its ranks
  emulate_options emulation;
};

struct check_options {
  model_options model;
  std::optional<int> ranks;     ///< the rank count to estimate for; default: the ranks it runs on
  std::string memory_per_rank;  ///< --memory-per-rank; empty: the node's memory over the ranks check runs on
};

struct inspect_options {
  std::string file;
};

struct calibrate_options {
  model_options model;
  placement_options placement;
  std::string out = "rank_weights.json";
};

/// `signals`: installed by main for the rest of the process (a second signal after the checkpoint, while the
/// process finalises MPI, must not kill it).
int run_command(const distributed_context& ctx, const run_options& options, const stop_signal_handler& signals);
int inspect_command(const distributed_context& ctx, const inspect_options& options);
int calibrate_command(const distributed_context& ctx, const calibrate_options& options);
int check_command(const distributed_context& ctx, const check_options& options);

}  // namespace hetspike

namespace hetspike {

/// Loads and validates a model file on every rank (errors agreed: one message, every rank stops).
model_file load_model(const distributed_context& ctx, const model_options& m);

/// The emulation a run asks for (none without --emulate-ranks); bad combinations are input errors.
std::optional<emulation_options> parse_emulation_options(const distributed_context& ctx, const run_options& run,
                                                         const model_file& model);

/// The simulation options that placement and the test hooks (HETSPIKE_FAULT_INJECT, HETSPIKE_SLOWDOWN) set.
/// Collective; bad input is agreed.
simulation_options placement_simulation_options(const distributed_context& ctx, const rank_facts& facts,
                                                const placement_options& p);

}  // namespace hetspike
