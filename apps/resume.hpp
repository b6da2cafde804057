#pragma once
// Continuing a run from a checkpoint: which checkpoint, which model, and the check that they belong together.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apps/commands.hpp"
#include "io/sonata_spike_writer.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/simulation.hpp"

namespace hetspike {

/// `--resume FILE`: that file. `--resume DIR`: its checkpoints, newest first. Throws input_error if none.
std::vector<std::filesystem::path> resume_candidates(const distributed_context& ctx, const std::string& resume);

/// The newest candidate whose header is intact (older ones tried only with `fall_back`, a directory: each one
/// passed over is reported), and its header. Collective.
std::pair<std::filesystem::path, checkpoint_header> newest_readable_header(
    const distributed_context& ctx, const std::vector<std::filesystem::path>& candidates, bool fall_back);

/// How a checkpoint's header stores the command-line changes a run was started with, one per line: "NAME=VALUE"
/// for each --set item, "--seed=N" for --seed.
std::string stored_overrides(const model_options& m);

/// The model of a run resumed without a model file: the one stored in `file` (header `h`), with its --set items
/// and --seed and then the command line's.
model_file model_from_checkpoint(const distributed_context& ctx, const std::filesystem::path& file,
                                 const checkpoint_header& h, const model_options& m);

/// The populations of the run's spike file, in its order: each one a spike recorder names, once. A checkpoint
/// holds how many spikes of each the file had; a resumed run continues the file from there.
std::vector<sonata_population> recorded_populations(const run_spec& spec);

/// Restores the newest candidate that is usable. With a directory, a damaged checkpoint is reported and the
/// next older one tried; a model that does not match, or whose spike recorders are not those of the run that wrote
/// the checkpoint, is refused at once, naming the first difference.
checkpoint_header restore_newest_usable(const distributed_context& ctx, simulation& sim, const model_file& model,
                                        const std::vector<std::filesystem::path>& candidates, bool fall_back);

}  // namespace hetspike
