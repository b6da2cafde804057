#pragma once
// Recorded spikes as a SONATA spike file (HDF5), written by all ranks at once with parallel HDF5.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kernels/types.hpp"
#include "runtime/distributed_context.hpp"
#include "runtime/spike_sink.hpp"

namespace hetspike {

/// A recorded population: its SONATA name and its contiguous gid range [first_gid, first_gid + size).
struct sonata_population {
  std::string name;
  gid_type first_gid = 0;
  std::uint64_t size = 0;
};

/// Where a resumed run continues its spike file: what its checkpoint recorded.
struct spike_file_resume {
  std::vector<std::uint64_t> positions;  ///< spikes per population (constructor order) up to the checkpoint
  std::string run_id;                    ///< the run that wrote them
};

/// Writes `/spikes/<population>/{timestamps,node_ids}` (SONATA spike file layout; node ids are population-local,
/// timestamps are (step + 1) * dt in ms, computed as (step + 1) / (1 / dt) when 1 / dt is whole so that they are
/// the doubles nearest the decimal times, as NEST's; sorting "none"), one file for the whole job.
///
/// Every member function except counts() and path() is collective: all ranks of `ctx` call it at the same point.
/// The file is built under `<final>.partial` next to the final name and renamed by close(), so the final name
/// only ever holds a complete file; a file already there is replaced only then. A writer destroyed without
/// close() removes the partial file and leaves the final name untouched.
///
/// An MPI context writes through MPI-IO with collective transfers; a local context (one rank, no MPI) writes
/// through HDF5's POSIX driver and needs no MPI_Init.
///
/// The file's root carries a `run_id` string attribute, the same across all restarts of one run. A resumed run
/// continues the file of the run it resumes (see the constructor) instead of starting over, so that the spike
/// file of a run stopped and resumed any number of times holds every spike exactly once.
class sonata_spike_writer final : public spike_sink {
 public:
  /// Creates the partial file with every listed population (even those that never spike).
  /// Throws input_error (on every rank) if the directory does not exist or the file cannot be created there;
  /// internal_error if `dt_ms` is not positive, gid ranges overlap or `resume` has another population count.
  ///
  /// With `resume`, rank 0 looks for the file to continue: `<final>.partial` (left by a run that was killed or
  /// failed after a checkpoint), then `<final>` (a run that ended, or stopped at a checkpoint). The first that
  /// opens as a SONATA spike file, has `resume->run_id` and at least `positions[p]` spikes in every population p
  /// is continued: the final file is first copied to the partial name (the final name is still only replaced by
  /// close()), each population is cut back to its position, and writing appends from there. If none qualifies,
  /// a new file is started and continued() is false.
  sonata_spike_writer(distributed_context ctx, std::filesystem::path final_path,
                      std::vector<sonata_population> populations, double dt_ms, std::string run_id = {},
                      std::optional<spike_file_resume> resume = std::nullopt);

  /// Without close(): when not unwinding an exception, closes the file collectively. While an exception
  /// unwinds, the other ranks may not be here, so it leaves the HDF5 file open rather than hang in a collective
  /// close (HDF5 closes it at MPI_Finalize, or the job is aborted). Rank 0 then removes the partial file, unless
  /// a checkpoint may name positions in it (after sync(), or when it was continued): it stays for a resume.
  ~sonata_spike_writer() override;

  sonata_spike_writer(const sonata_spike_writer&) = delete;
  sonata_spike_writer& operator=(const sonata_spike_writer&) = delete;

  /// Appends this rank's spikes (any order; the file keeps rank order within one call). A gid outside every
  /// listed population is an internal_error, raised on every rank. Rank 0 first reserves the disk space the
  /// append needs (fallocate), so that a full disk or a quota throws input_error on every rank before HDF5
  /// writes anything; any other failed HDF5 call is agreed too and throws the same input_error on every rank.
  void write(std::span<const recorded_spike> spikes) override;

  /// Closes the file collectively, then rank 0 renames it to the final name; returns once the final file
  /// exists for every rank. Calling it again does nothing.
  void close() override;

  /// Collective alternative to close() for a run that failed on every rank: closes the partial file and removes
  /// it (unless a checkpoint may name positions in it, as for the destructor), leaving the final name untouched.
  /// Calling it after close() does nothing.
  void discard();

  /// Collective: flushes everything written so far to disk (H5Fflush, then fsync on rank 0), so that a
  /// checkpoint taken next can name these positions. Throws hdf5_error on every rank if that fails.
  void sync() override;

  /// Spikes written so far per population (all ranks together), in the order given to the constructor. The
  /// same on every rank; no communication.
  std::vector<std::uint64_t> counts() const;

  /// The same as counts(): the positions a checkpoint records.
  std::vector<std::uint64_t> positions() const override;

  /// Whether the constructor continued an earlier file (false without `resume`).
  bool continued() const;

  /// Why no earlier file could be continued, naming each candidate ("" when continued or without `resume`), for
  /// the caller's warning. The same on every rank.
  const std::string& resume_problem() const;

  /// The final file name.
  const std::filesystem::path& path() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Not collective (rank 0): the run id of the spike file at `path` ("" where it is not an HDF5 file with one), or
/// nothing where no file is there.
std::optional<std::string> spike_file_run_id(const std::filesystem::path& path);

}  // namespace hetspike
