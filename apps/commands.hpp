#pragma once
// The subcommands of the `hetspike` binary. Each runs on every rank (collective) and returns the process exit
// code; bad input is thrown as input_error, the same on every rank.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
};

struct check_options {
  model_options model;
  std::optional<int> ranks;  ///< the rank count to estimate for; default: the ranks it runs on
};

int run_command(const distributed_context& ctx, const run_options& options);
int check_command(const distributed_context& ctx, const check_options& options);

}  // namespace hetspike
