#pragma once
// Reads a model file (TOML, format in docs/model-files.md) into a fully resolved, validated run_spec. Every bad
// input is an input_error of one line: "FILE: KEY.PATH: what is wrong; what is allowed".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/run_spec.hpp"
#include "runtime/run_summary.hpp"

namespace hetspike {

/// Command-line changes to a model file, applied before anything is resolved or validated.
struct model_overrides {
  std::vector<std::string> set;       ///< each "NAME=VALUE" from --set; NAME must be a [parameters] key
  std::optional<std::uint32_t> seed;  ///< --seed replaces [simulation].seed
  std::optional<double> t_sim;        ///< --t-sim MS replaces [simulation].t_sim
};

struct model_file {
  std::string path;                                        ///< as given
  run_spec spec;                                           ///< fully resolved numbers
  std::vector<std::pair<std::string, double>> parameters;  ///< resolved [parameters], in file order
  std::vector<library_summary> libraries;                  ///< the model libraries it loaded (`libraries`)
  /// 16 hex digits: FNV-1a 64 of canonical_network_text(spec). Equal for two files that build the same
  /// network with the same dynamics, however they wrote their numbers; t_sim, t_presim and recorders do
  /// not enter it, so a run can be continued with a longer t_sim or other recorders.
  std::string hash;
};

/// Reads and resolves the model file at `path`. Throws input_error ("FILE: cannot open: REASON", TOML syntax
/// errors as "FILE:LINE:COLUMN: DESCRIPTION", and every validation failure).
model_file load_model_file(const std::string& path, const model_overrides& overrides = {});

/// As load_model_file, from text already in memory; `path_for_messages` is used only in messages and
/// model_file::path.
model_file parse_model_text(std::string_view toml_text, const std::string& path_for_messages,
                            const model_overrides& overrides = {});

/// The text the model hash is computed over: one item per line ("population[0].params.C_m = 250"), numbers in
/// the shortest form that reads back exactly, so that two models can be compared line by line and the first
/// differing line named.
std::string canonical_network_text(const run_spec& spec);

/// FNV-1a 64 of canonical_network_text(spec), as 16 lowercase hex digits.
std::string network_hash(const run_spec& spec);

}  // namespace hetspike
