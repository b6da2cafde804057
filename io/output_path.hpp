#pragma once
// Where an output goes: written under a partial name beside its final one and renamed when complete (readers see
// the old file or the whole new one). Both names are checked before the network is built, so that a run never
// ends unable to write what it computed.
#include <filesystem>
#include <string>

namespace hetspike {

/// The longest path hetspike hands to MPI-IO (the spike file and checkpoints, written and read by every rank
/// through parallel HDF5). Open MPI's OMPIO writes the name, ".locktest." and the rank into a buffer of 256 bytes
/// when it opens a file (sharedfp/lockedfile, unchanged in 5.0); a longer name aborts every rank ("buffer
/// overflow detected"), at the first checkpoint if only the checkpoint directory is long. 10 digits of a rank.
inline constexpr std::size_t max_mpi_io_path = 256 - 1 - 10 - 10;

/// The problem with `file` (`what`, e.g. "the spike file"), which option `option` = `value` places, as a path
/// handed to MPI-IO: "" if it is at most max_mpi_io_path characters, else a message that names the option and
/// the longest value it may have.
std::string mpi_io_path_problem(const std::string& option, const std::string& value, const std::filesystem::path& file,
                                const std::string& what);

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
