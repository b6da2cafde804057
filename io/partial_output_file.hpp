#pragma once
// Private to io/: an HDF5 output that every rank of a context writes together, built under `<final>.partial` and
// renamed when complete (output_path.hpp), with what a resumed run needs to continue it. The SONATA spike writer and
// the state (report) writer are both made of it; each adds its own layout.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "io/hdf5_handle.hpp"
#include "runtime/distributed_context.hpp"

namespace hetspike {

/// The file itself. An MPI context writes through MPI-IO with collective transfers; a local context (one rank, no
/// MPI) through HDF5's POSIX driver, needing no MPI_Init. Every member function except the accessors is collective.
///
/// Destroyed without close(): when not unwinding an exception, it closes the file collectively. While an exception
/// unwinds, the other ranks may not be here, so it leaves the HDF5 file open rather than hang in a collective close
/// (HDF5 closes it at MPI_Finalize, or the job is aborted). Rank 0 then removes the partial file, unless keep() said
/// a checkpoint may name positions in it: it stays for a resume. The owner must close its datasets before close(),
/// discard() or this destructor runs (declare them after this member).
class partial_output_file {
 public:
  /// `what` names the file in messages ("spike file"). Opens nothing yet.
  partial_output_file(distributed_context ctx, std::filesystem::path final_path, std::string what);
  ~partial_output_file();
  partial_output_file(const partial_output_file&) = delete;
  partial_output_file& operator=(const partial_output_file&) = delete;

  /// Creates the partial file (replacing what is there), or with `append` opens the one there for writing. Throws
  /// input_error on every rank if any rank fails.
  void open(bool append);

  hid_t id() const { return file_.get(); }
  const hdf5_checker& check() const { return check_; }
  const distributed_context& context() const { return ctx_; }
  const std::filesystem::path& final_path() const { return final_path_; }
  const std::filesystem::path& partial_path() const { return partial_path_; }
  bool finished() const { return finished_; }

  /// From now on a checkpoint may name positions in the partial file (or it holds an earlier run's data): it is
  /// never removed. Not collective.
  void keep() { keep_partial_ = true; }

  /// Writes `data` (in memory type `memory_type`, packed) into the block at `start` of extent `count` of `dataset`
  /// (where: its name for messages). A rank with nothing to write passes a count with a zero and still joins.
  void write_block(const h5_dataset& dataset, hid_t memory_type, const void* data, std::span<const hsize_t> start,
                   std::span<const hsize_t> count, const std::string& where) const;

  /// Closes the file, then rank 0 renames it to the final name; returns once the final file exists for every
  /// rank. Throws hdf5_error on every rank if that fails. Calling it again does nothing.
  void close();

  /// For a run that failed on every rank: closes and removes the partial file (unless kept), leaving the final
  /// name untouched. Calling it after close() does nothing.
  void discard();

  /// Flushes everything written so far to disk (H5Fflush, then fsync on rank 0) and keeps the partial file from
  /// then on. Throws hdf5_error on every rank if that fails.
  void sync();

 private:
  void remove_partial_unless_kept() const;

  distributed_context ctx_;
  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  std::string what_;
  hdf5_checker check_;
  int uncaught_at_start_;
  h5_file file_;
  h5_plist transfer_;
  bool finished_ = false;
  bool keep_partial_ = false;
};

/// Rank 0's account of the disk space a growing file needs, so that each append can reserve it before HDF5 writes
/// (see reserve_file_space; parallel HDF5 cannot tell its end of allocation while a file is open). The estimate
/// bounds HDF5's allocation from above: the new chunks' bytes, plus room for chunk indexes and headers, on top of the
/// file's size when it was opened.
class file_space_reservation {
 public:
  /// The file was just opened, `base` bytes long.
  void opened(std::uint64_t base) {
    base_ = base;
    reserved_ = 0;
  }
  /// Reserves room for `data` bytes of chunks allocated since the file was opened, in `datasets` datasets. Returns
  /// the problem, or "".
  std::string reserve(const std::filesystem::path& file, std::uint64_t data, std::size_t datasets);
  /// HDF5 cut the file back to its end of allocation (a flush): reserve again before the next append.
  void flushed() { reserved_ = 0; }

 private:
  std::uint64_t base_ = 0;
  std::uint64_t reserved_ = 0;
};

/// Rank 0 only, serial (HDF5's POSIX driver), before any collective call: finds the earlier file a resumed run
/// continues, `partial` then `final_path`: the first for which `qualifies` returns "" is copied to `partial` (a
/// final file; the final name is still only replaced by close()) and cut back to the checkpoint by `cut`. Returns ""
/// when `partial` is ready to be continued, else why no candidate qualified (each candidate's reason). Never throws
/// for a bad candidate: what `qualifies` or `cut` throw becomes its reason.
std::string prepare_continuation(const std::filesystem::path& final_path, const std::filesystem::path& partial,
                                 const std::function<std::string(const std::filesystem::path&)>& qualifies,
                                 const std::function<void(const std::filesystem::path&)>& cut);

}  // namespace hetspike
