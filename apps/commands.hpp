#pragma once
// The subcommands of the `hetspike` binary. Each runs on every rank (collective) and returns the process exit
// code; bad input is thrown as input_error, the same on every rank.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/model_file.hpp"
#include "runtime/distributed_context.hpp"

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

struct run_options {
  model_options model;
  std::string out_dir = "out";
  bool progress = true;
  double checkpoint_every = 0;  ///< ms of simulated time; 0: only when stopped by a signal
  std::string checkpoint_dir;   ///< default: OUT/checkpoints
  int keep = 2;                 ///< checkpoints kept
  std::string resume;           ///< a checkpoint file, or a directory (its newest usable checkpoint)
};

struct check_options {
  model_options model;
  std::optional<int> ranks;  ///< the rank count to estimate for; default: the ranks it runs on
};

struct inspect_options {
  std::string file;
};

int run_command(const distributed_context& ctx, const run_options& options);
int inspect_command(const distributed_context& ctx, const inspect_options& options);
int check_command(const distributed_context& ctx, const check_options& options);

}  // namespace hetspike

namespace hetspike {

/// Loads and validates a model file on every rank (errors agreed: one message, every rank stops).
model_file load_model(const distributed_context& ctx, const model_options& m);

}  // namespace hetspike
