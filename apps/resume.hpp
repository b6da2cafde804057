#pragma once
// Continuing a run from a checkpoint: which checkpoint, which model, and the check that they belong together.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/simulation.hpp"

namespace hetspike {

/// `--resume FILE`: that file. `--resume DIR`: its checkpoints, newest first. Throws input_error if none.
std::vector<std::filesystem::path> resume_candidates(const distributed_context& ctx, const std::string& resume);

/// The model of a run resumed without a model file: the one stored in the checkpoint, with its --set items
/// and then the command line's.
model_file model_from_checkpoint(const distributed_context& ctx, const std::filesystem::path& file,
                                 const model_options& m);

/// Restores the newest candidate that is usable. With a directory, a damaged checkpoint is reported and the
/// next older one tried; a model that does not match is refused at once, naming the first difference.
checkpoint_header restore_newest_usable(const distributed_context& ctx, simulation& sim, const model_file& model,
                                        const std::vector<std::filesystem::path>& candidates, bool fall_back);

}  // namespace hetspike
