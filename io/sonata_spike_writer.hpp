#pragma once
// Recorded spikes as a SONATA spike file (HDF5), written by all ranks at once with parallel HDF5.
#include <cstdint>
#include <filesystem>
#include <memory>
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
class sonata_spike_writer final : public spike_sink {
 public:
  /// Creates the partial file with every listed population (even those that never spike).
  /// Throws input_error (on every rank) if the directory does not exist or the file cannot be created there;
  /// internal_error if `dt_ms` is not positive or gid ranges overlap.
  sonata_spike_writer(distributed_context ctx, std::filesystem::path final_path,
                      std::vector<sonata_population> populations, double dt_ms);

  /// Without close(): when not unwinding an exception, closes the file collectively and removes it. While an
  /// exception unwinds, the other ranks may not be here, so it leaves the HDF5 file open rather than hang in a
  /// collective close (HDF5 closes it at MPI_Finalize, or the job is aborted); rank 0 removes the partial file.
  ~sonata_spike_writer() override;

  sonata_spike_writer(const sonata_spike_writer&) = delete;
  sonata_spike_writer& operator=(const sonata_spike_writer&) = delete;

  /// Appends this rank's spikes (any order; the file keeps rank order within one call). A gid outside every
  /// listed population is an internal_error, raised on every rank.
  void write(std::span<const recorded_spike> spikes) override;

  /// Closes the file collectively, then rank 0 renames it to the final name; returns once the final file
  /// exists for every rank. Calling it again does nothing.
  void close() override;

  /// Collective alternative to close() for a run that failed on every rank: closes and removes the partial
  /// file, leaving the final name untouched. Calling it after close() does nothing.
  void discard();

  /// Spikes written so far per population (all ranks together), in the order given to the constructor. The
  /// same on every rank; no communication.
  std::vector<std::uint64_t> counts() const;

  /// The final file name.
  const std::filesystem::path& path() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace hetspike
