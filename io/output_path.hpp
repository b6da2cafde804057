#pragma once
// Where an output goes: written under a partial name beside its final one and renamed when complete (readers see
// the old file or the whole new one). Both names are checked before the network is built, so that a run never
// ends unable to write what it computed.
#include <filesystem>
#include <string>

namespace hetspike {

/// The name an output is written under before it is renamed to `final_path`: `final_path` + ".partial".
std::filesystem::path partial_path_of(const std::filesystem::path& final_path);

/// Rank 0 only: the problem with writing output `what` (say "run report") to `final_path`, or "": its directory
/// must exist, neither its final nor its partial name may be anything but a regular file (a directory there
/// makes the final rename fail), the directory must be writable, and so must the partial file: one that exists
/// is left as it is (a resumed run continues it), one that does not is created, empty, and removed again unless
/// `keep_partial` (HDF5 truncates it later).
std::string output_path_problem(const std::filesystem::path& final_path, const std::string& what,
                                bool keep_partial = false);

}  // namespace hetspike
