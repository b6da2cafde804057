#pragma once
// Whether one rank of a job can be built, checked by `check` and at the start of `run` before anything is built,
// with the same limits: its neurons must fit 32-bit local ids (make_local_layout) and its estimated peak memory
// (partition/rank_estimate.hpp) the memory a rank is given. A run that does not fit would otherwise die of
// bad_alloc, or be killed, tens of seconds into the build.
#include <cstdint>
#include <optional>
#include <string>

#include "io/model_file.hpp"
#include "partition/error.hpp"
#include "partition/rank_estimate.hpp"
#include "runtime/backend.hpp"

namespace hetspike {

/// The memory one rank may use, and where that figure comes from (for the message).
struct rank_memory {
  double bytes = 0;  ///< 0: unknown, not checked
  std::string source;
};

/// "2GiB", "512 MiB", "64KiB", "3e9" (bytes): a positive size in bytes, or nothing.
std::optional<double> parse_byte_size(const std::string& text);
/// What --memory-per-rank accepts (for the messages).
inline constexpr const char* byte_size_allowed = "a size > 0 such as 2GiB, 512MiB or 3e9 (bytes; KiB, MiB, GiB, TiB)";

/// `given` (the text of --memory-per-rank) if not empty; else the node's memory (runtime/memory_usage.hpp) over
/// the ranks on it.
rank_memory memory_per_rank(const std::string& given, const rank_facts& facts);

/// Estimates rank `rank` of a job of `ranks` equal ranks (an emulated one where `emulated`) and returns it;
/// throws capacity_error, naming the model file, where the rank cannot be built: more neurons than local ids
/// count, weights the input sum cannot resolve, or an estimated peak above `memory`.
rank_estimate require_rank_fits(const model_file& model, int ranks, int rank, bool emulated, const rank_memory& memory);

/// Runs `build`; a capacity_error it throws comes out with the model file's name in front.
template <class F>
decltype(auto) naming_the_model(const model_file& model, F&& build) {
  try {
    return build();
  } catch (const capacity_error& e) {
    throw capacity_error(model.path + ": " + e.what());
  }
}

}  // namespace hetspike
